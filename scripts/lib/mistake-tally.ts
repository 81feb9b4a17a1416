/**
 * Runs known mistakes with sweeps counting their failing seeds (`KATA_SWEEP_TALLY`), and gives each
 * mistake's outcome for the robustness report (`scripts/lib/mistake-report.ts`).
 *
 * The mistakes run as `npm run verify` runs them, in one vitest process (`runMistakes`). Every sweep of
 * the run appends to one tally file; after each round the new lines are shared out by test file, since
 * a round runs each exercise's tests against exactly one of its mistakes.
 *
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SweepTally } from '../../harness/testing/sweep-tally.ts';
import type { Exercise, Mistake } from './exercises.ts';
import { runMistakes } from './mistake-runner.ts';
import type { MistakeOutcome } from './mistake-report.ts';

/** The variables this run sets for the test workers; they are put back afterwards. */
const VARIABLES = ['KATA_SWEEP_TALLY', 'KATA_SWEEP_TALLY_ENOUGH', 'KATA_TRACE_DIR'] as const;

/**
 * Runs every job's exercise tests against its mistake, every sweep counting its failing seeds, and
 * calls `onOutcome` as each mistake is judged. With `enough` (a fraction), a sweep stops counting once
 * that fraction of its seeds failed; without, it runs them all. Traces go to a temporary folder,
 * removed at the end.
 */
export async function tallyMistakes(
  root: string,
  jobs: ReadonlyArray<{ readonly exercise: Exercise; readonly mistake: Mistake }>,
  enough: number | undefined,
  onOutcome: (outcome: MistakeOutcome) => void,
): Promise<void> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-mistake-report-'));
  const tallyFile = path.join(folder, 'tally.jsonl');
  const previous = VARIABLES.map((name) => [name, process.env[name]] as const);
  // Set before vitest starts: its workers and its test timeouts read them (see harness/testing/environment.ts).
  process.env['KATA_SWEEP_TALLY'] = tallyFile;
  process.env['KATA_TRACE_DIR'] = path.join(folder, 'traces');
  if (enough === undefined) delete process.env['KATA_SWEEP_TALLY_ENOUGH'];
  else process.env['KATA_SWEEP_TALLY_ENOUGH'] = String(enough);
  let consumed = 0;
  let pending: SweepTally[] = [];
  try {
    await runMistakes(root, jobs, ({ exercise, mistake }, run) => {
      const fresh = readLinesFrom(tallyFile, consumed);
      consumed = fresh.end;
      pending.push(...fresh.lines);
      const mine = pending.filter((tally) => tally.file.startsWith(exercise.directory + path.sep));
      pending = pending.filter((tally) => !mine.includes(tally));
      onOutcome({
        exercise: exercise.id,
        mistake: mistake.name,
        breaks: mistake.breaks,
        tests: run.tests,
        tallies: mine,
        brokenFiles: run.brokenFiles,
      });
    });
  } finally {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The tally lines after byte `start`, and where they end. */
function readLinesFrom(file: string, start: number): { lines: SweepTally[]; end: number } {
  if (!existsSync(file)) return { lines: [], end: start };
  const bytes = readFileSync(file);
  const text = bytes.subarray(start).toString('utf8');
  // Only whole lines: a worker may be writing the next one.
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const lines = complete
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SweepTally);
  return { lines, end: start + Buffer.byteLength(complete) };
}
