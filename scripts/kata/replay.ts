/**
 * `kata replay`: reruns one exercise's tests with `KATA_SEED=N` (or `KATA_REPLAY=<seed>:<path>`) and
 * points at the trace each failing run wrote; with `--trace`, passing runs write theirs too
 * (`KATA_TRACE_LOG`), so a run that works can be looked at in the viewer.
 *
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PassingTrace } from '../../harness/testing/passing-trace.ts';
import type { Exercise } from '../lib/exercises.ts';
import type { Palette } from './terminal.ts';
import { runVitest, type TestResult } from '../lib/vitest-run.ts';

/** What a failure report says about its run, read back from its text. */
export interface ReportedRun {
  readonly test: TestResult;
  /** The report's headline, up to its first blank line (at most 7 lines): what broke. */
  readonly what: string;
  readonly seed: number | null;
  readonly replay: string | null;
  readonly trace: string | null;
  /** The trace viewer's HTML page, when the report names one. */
  readonly viewer: string | null;
}

/** Reads the seed, replay command and trace path out of a failure report (see `formatFailure`). */
export function readFailureReport(test: TestResult): ReportedRun {
  const message = test.failureMessages.join('\n');
  const field = (name: string) => new RegExp(`^\\s*${name}\\s{2,}(.+?)\\s*$`, 'm').exec(message)?.[1] ?? null;
  const seed = field('seed');
  return {
    test,
    what: headline(message),
    seed: seed !== null && /^\d+$/.test(seed) ? Number(seed) : null,
    replay: field('replay'),
    trace: field('trace'),
    viewer: field('viewer')?.replace(/\s+\(open it in a browser\)$/, '') ?? null,
  };
}

function headline(message: string): string {
  const lines = message.split('\n');
  const end = lines.findIndex((line) => line.trim() === '');
  const block = lines.slice(0, end === -1 ? lines.length : end).slice(0, 7);
  block[0] = block[0]!.replace(/^\w*(Error|Failure):\s*/, '');
  return block.join('\n');
}

/** How to pick the run to replay. */
export type ReplayTarget = { readonly seed: number } | { readonly property: string };

/** The outcome of {@link replay}. */
export interface ReplayOutcome {
  readonly passed: number;
  /** Failing runs of the replayed seed (or every failing run, for a property replay). */
  readonly matching: readonly ReportedRun[];
  /** Tests that failed with a different, fixed seed of their own. */
  readonly others: readonly ReportedRun[];
  readonly broken: ReadonlyArray<{ readonly file: string; readonly message: string }>;
  /** With `trace`: the passing runs of the replayed seed (every passing run, for a property replay), with their trace files. */
  readonly passingTraces: readonly PassingTrace[];
}

/** Runs `exercise`'s tests once with the replay variables set, optionally only tests matching `testName`. */
export async function replay(
  root: string,
  exercise: Exercise,
  target: ReplayTarget,
  testName?: string,
  trace = false,
): Promise<ReplayOutcome> {
  const logFolder = mkdtempSync(path.join(os.tmpdir(), 'kata-replay-'));
  const log = path.join(logFolder, 'passing-traces.jsonl');
  const environment = {
    ...('seed' in target
      ? { KATA_SEED: String(target.seed), KATA_REPLAY: '', KATA_SEEDS: '' }
      : { KATA_REPLAY: target.property, KATA_SEED: '', KATA_SEEDS: '' }),
    KATA_TRACE_LOG: trace ? log : '',
  };
  const filter = testName === undefined ? [] : ['-t', testName];
  let run;
  let logged: PassingTrace[];
  try {
    run = await runVitest(root, ['--project', 'exercises', exercise.directory, ...filter], environment);
    logged = existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as PassingTrace)
      : [];
  } finally {
    rmSync(logFolder, { recursive: true, force: true });
  }
  const failed = run.tests.filter((test) => test.status === 'failed').map(readFailureReport);
  const isMatch = (reported: ReportedRun) =>
    !('seed' in target) || reported.seed === null || reported.seed === target.seed;
  return {
    passed: run.tests.filter((test) => test.status === 'passed').length,
    matching: failed.filter(isMatch),
    others: failed.filter((reported) => !isMatch(reported)),
    broken: run.brokenFiles,
    passingTraces: logged.filter((entry) => !('seed' in target) || entry.seed === target.seed),
  };
}

/**
 * The tests that failed with a fixed seed of their own, each with the command that replays its seed.
 * `name` is the exercise's name for the command line.
 */
export function describeOtherFailures(others: readonly ReportedRun[], name: string, colors: Palette): string {
  const count = others.length;
  const head =
    count === 1
      ? '1 other test failed with a fixed seed of its own:'
      : `${count} other tests failed with fixed seeds of their own:`;
  const lines = others.map((other) => {
    const how =
      other.seed === null
        ? colors.dim('(its report names no seed)')
        : `seed ${other.seed}: ${colors.cyan(`npm run kata -- replay ${name} --seed ${other.seed}`)}`;
    return `  ${colors.red('✗')} ${other.test.file} > ${other.test.name}  ${how}`;
  });
  return [head, ...lines].join('\n');
}
