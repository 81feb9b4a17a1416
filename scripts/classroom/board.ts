/**
 * `classroom board`: the learners' `kata report` files as one offline HTML page for the instructor.
 * Reading and checking the files is `board-reports.ts`, the figures `board-model.ts`, the page's script
 * `board-page/main.ts`; the page itself is a chart page of `harness/charts/`.
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChartPage } from '#harness/charts';
import type { BoardData } from './board-data.ts';
import { buildBoard } from './board-model.ts';
import { readReports, shortTime } from './board-reports.ts';

/** Where the board goes when `--out` is not given, relative to the current folder. */
export const DEFAULT_BOARD_FILE = 'class-board.html';

const PAGE = fileURLToPath(new URL('./board-page/', import.meta.url));

/** The page's fixed markup: ids for the page script to fill; no data is ever written here. */
const BODY = `<header><h1>Class progress</h1><p id="summary"></p></header>
<section class="problems" id="problems" hidden></section>
<section><h2>Where the class is stuck</h2><ol class="stuck" id="stuck"></ol></section>
<section><h2>Charts</h2><div id="charts"></div></section>
<section><h2>Learners</h2><p class="legend" id="legend"></p><div class="table-wrap"><table class="learners" id="learners"></table></div></section>`;

/** The board's page: the data drawn by `board-page/main.ts`. The same data gives the same page. */
export function renderBoard(data: BoardData): string {
  return renderChartPage({
    title: 'Class progress board',
    data,
    body: BODY,
    style: readFileSync(path.join(PAGE, 'board.css'), 'utf8'),
    script: path.join(PAGE, 'main.ts'),
    noscript: 'This page needs JavaScript to draw the board.',
  });
}

/** What {@link writeBoard} wrote. */
export interface WrittenBoard {
  /** The page's absolute path. */
  readonly file: string;
  readonly data: BoardData;
}

/**
 * Reads the report files (paths resolved against `cwd`), builds the board, and writes it to `out`
 * (resolved against `cwd`). A file that cannot be used is left out and named, never fatal.
 */
export function writeBoard(files: readonly string[], options: { cwd: string; out: string }): WrittenBoard {
  const data = buildBoard(readReports(files, options.cwd));
  const file = path.resolve(options.cwd, options.out);
  writeFileSync(file, renderBoard(data));
  return { file, data };
}

function madeWhen(times: { oldest: string; newest: string }): string {
  return times.oldest === times.newest
    ? `made ${shortTime(times.oldest)}`
    : `made from ${shortTime(times.oldest)} to ${shortTime(times.newest)}`;
}

/** What the command prints: what was read, what was left out and why, where the class is stuck, the page. */
export function describeBoard(board: WrittenBoard, cwd: string): string {
  const { data } = board;
  const lines = [
    `Read ${data.learners.length} learner report${data.learners.length === 1 ? '' : 's'} ` +
      `(${data.exercises.length} exercises)` +
      (data.reportTimes === null ? '.' : `, ${madeWhen(data.reportTimes)}.`),
  ];
  if (data.skipped.length > 0) {
    lines.push(`Left out ${data.skipped.length} file${data.skipped.length === 1 ? '' : 's'}:`);
    for (const skipped of data.skipped) lines.push(`  ${skipped.file}: ${skipped.reason}`);
  }
  for (const duplicate of data.duplicates) lines.push(duplicate.text);
  if (data.stuck.length > 0) {
    lines.push('Most learners in progress:');
    for (const stuck of data.stuck)
      lines.push(
        `  ${stuck.exercise.title}: ${stuck.learners.length}` +
          (stuck.commonFailure === null
            ? ''
            : `; first failing test of ${stuck.commonFailure.learners}: ${stuck.commonFailure.test}`),
      );
  }
  const relative = path.relative(cwd, board.file);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? board.file : relative;
  lines.push(`Wrote the board to ${shown}  (open it in a browser)`);
  return lines.join('\n');
}
