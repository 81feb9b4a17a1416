import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { fixtureReport, writeClass } from './board-fixtures.ts';
import { buildBoard } from './board-model.ts';
import { parseReport, readReports } from './board-reports.ts';
import { renderBoard } from './board.ts';
import { runClassroom } from './cli.ts';

let folder: string;
beforeAll(() => void (folder = mkdtempSync(path.join(os.tmpdir(), 'kata-board-'))));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const at = '2026-12-01T16:00:00.000Z';
const json = (value: unknown) => JSON.stringify(value);
const problemOf = (text: string, file = 'x.json') => {
  try {
    parseReport(text, file);
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('reading report files', () => {
  test('a report as kata report writes it is read; every other file is named with what is wrong', () => {
    const good = fixtureReport(3, 'Ada', at);
    expect(problemOf(json(good))).toBe('accepted');
    const { bugKatasTotal: _total, bugKatasStarted: _started, bugKatasSolved: _solved, ...old } = good.exercises[0]!;
    const cases: Array<[string, string, string?]> = [
      ['{"version": 1, "exercises": [', 'not JSON'],
      ['# Workshop progress for Ada\n', 'a markdown report', 'report.md'],
      ['[1, 2]', 'the file holds no JSON object'],
      [json({ hello: 1 }), 'it has no "version" or no "exercises"'],
      [json({ ...good, version: 2 }), 'format version 2: this board reads version 1'],
      [json({ ...good, generatedAt: 'yesterday' }), '"generatedAt" is not a date'],
      [json({ ...good, exercises: {} }), '"exercises" is not a list'],
      [
        json({ ...good, exercises: [{ ...good.exercises[0], status: 'almost' }] }),
        'exercise #1 (01-message-passing/01-echo) has no valid "status"',
      ],
      [json({ ...good, exercises: [old] }), 'an old report, made before bug katas were counted'],
      [json({ ...good, exercises: [{ ...good.exercises[0], hintsSeen: -1 }] }), 'has no valid "hintsSeen"'],
    ];
    for (const [text, problem, file] of cases) expect(problemOf(text, file), text).toContain(problem);
  });

  test('a missing file or a folder is left out, not fatal; names come from --name, else from the file', () => {
    mkdirSync(path.join(folder, 'names', 'grace'), { recursive: true });
    writeFileSync(path.join(folder, 'names', 'named.json'), json(fixtureReport(1, ' Ada ', at)));
    writeFileSync(path.join(folder, 'names', 'linus.json'), json(fixtureReport(2, null, at)));
    writeFileSync(path.join(folder, 'names', 'grace', 'report.json'), json(fixtureReport(3, null, at)));
    const read = readReports(
      ['named.json', 'linus.json', 'grace/report.json', 'gone.json', 'grace'],
      path.join(folder, 'names'),
    );
    expect(read.reports.map((report) => report.learner)).toEqual(['Ada', 'linus', 'grace']);
    expect(read.skipped).toEqual([
      { file: 'gone.json', reason: 'cannot be read: no such file' },
      { file: 'grace', reason: 'cannot be read: it is a folder' },
    ]);
  });

  test("of one learner's reports the newest is used, and the board says which", () => {
    mkdirSync(path.join(folder, 'twice'));
    const write = (name: string, learner: string, time: string) =>
      writeFileSync(path.join(folder, 'twice', name), json(fixtureReport(1, learner, time)));
    write('ada-evening.json', 'Ada', '2026-12-01T18:00:00.000Z');
    write('ada-morning.json', 'ada', '2026-12-01T09:00:00.000Z');
    write('bob-1.json', 'Bob', at);
    write('bob-2.json', 'Bob', at);
    const read = readReports(
      ['ada-evening.json', 'ada-morning.json', 'bob-1.json', 'bob-2.json'],
      path.join(folder, 'twice'),
    );
    expect(read.reports.map((report) => report.file)).toEqual(['ada-evening.json', 'bob-2.json']);
    expect(read.duplicates.map((duplicate) => duplicate.text)).toEqual([
      'Ada: 2 reports; the board uses the newest, ada-evening.json (made 2026-12-01 18:00 UTC), not ada-morning.json (made 2026-12-01 09:00 UTC)',
      'Bob: 2 reports; the board uses the one named last of the newest, bob-2.json (made 2026-12-01 16:00 UTC), not bob-1.json (made 2026-12-01 16:00 UTC)',
    ]);
  });
});

describe('the board', () => {
  test('names the exercises with the most learners in progress and their most common first failing test', () => {
    const reports = [1, 2, 3, 5, 6, 7, 10].map((n) => ({
      learner: `L${n}`,
      file: `l${n}.json`,
      report: fixtureReport(n, `L${n}`, at),
    }));
    const board = buildBoard({ reports, skipped: [], duplicates: [] });
    // fixtureReport puts learner n in progress on exercise n % 4 (counting from 0), multiples of 5 on 1.3.
    expect(board.stuck.map((stuck) => [stuck.exercise.label, stuck.learners])).toEqual([
      ['1.3', ['L10', 'L2', 'L5', 'L6']],
      ['1.4', ['L3', 'L7']],
      ['1.2', ['L1']],
    ]);
    const [reliable] = board.stuck;
    expect(reliable!.commonFailure).toEqual({
      test: 'reliable-link.test.ts > the network drops every other message; n2 still gets them all',
      learners: 2,
    });
    expect(reliable!.failuresKnown).toBe(4);
    expect(board.charts[0]!.series.map((series) => [series.label, series.values])).toEqual([
      ['done', [7, 6, 2, 0, 0]],
      ['in progress', [0, 1, 4, 2, 0]],
      ['not started', [0, 0, 1, 5, 7]],
    ]);
  });

  test('an exercise missing from a report is a blank cell; the page holds the names only as escaped JSON', () => {
    const hostile = '</script><img src=x onerror=alert(1)>';
    const short = fixtureReport(1, hostile, at);
    const reports = [
      { learner: hostile, file: 'a.json', report: { ...short, exercises: short.exercises.slice(0, 2) } },
      { learner: 'B', file: 'b.json', report: fixtureReport(2, 'B', at) },
    ];
    const board = buildBoard({ reports, skipped: [{ file: hostile, reason: 'not JSON' }], duplicates: [] });
    expect(board.learners.find((learner) => learner.name === hostile)!.cells.slice(2)).toEqual([null, null, null]);
    const page = renderBoard(board);
    expect(page.split(hostile).length).toBe(1);
    expect(page).not.toContain('<img');
  });
});

describe('npm run classroom -- board', () => {
  test('writes the page, prints its path, lists the files it left out, and fails only when none could be read', async () => {
    const classFolder = path.join(folder, 'class');
    mkdirSync(classFolder);
    const files = writeClass(classFolder, 3, { 'bad.json': 'nope' });
    const out = path.join(folder, 'board.html');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await runClassroom(['board', ...files, '--out', out], folder)).toBe(0);
      const printed = log.mock.calls.map((call) => String(call[0])).join('\n');
      expect(printed).toContain('Read 3 learner reports (5 exercises)');
      expect(printed).toContain(`Left out 1 file:\n  ${path.join(classFolder, 'bad.json')}: not JSON`);
      expect(printed).toContain(`Wrote the board to `);
      expect(readFileSync(out, 'utf8')).toContain('<title>Class progress board</title>');
      expect(await runClassroom(['board', path.join(classFolder, 'bad.json'), '--out', out], folder)).toBe(1);
    } finally {
      log.mockRestore();
    }
  });
});
