/**
 * What the environment asks of a test run: a seed to replay, a number of seeds for a soak, a fast-check
 * run to replay, a file in which to log trace hashes.
 *
 * | variable | effect |
 * | --- | --- |
 * | `KATA_SEED=1234` | seed sweeps run only this seed (the replay command a failure prints) |
 * | `KATA_SEEDS=2000` | seed sweeps run this many seeds instead of their default (a soak; at least 1), and test timeouts grow to match |
 * | `KATA_REPLAY=<seed>:<path>` | fast-check properties replay exactly this shrunk counterexample |
 * | `KATA_HASH_LOG=<file>` | every simulation appends its trace hash (used by `npm run verify`) |
 * | `KATA_SWEEP_TALLY=<file>` | sweeps run every seed even after one fails, append one JSON line each to the file (seeds run, seeds failed, first failing seed), then fail with the first failure (used by `npm run mistake -- report`) |
 * | `KATA_SWEEP_TALLY_ENOUGH=0.25` | with `KATA_SWEEP_TALLY`: a sweep stops counting once this fraction of its seeds failed |
 * | `KATA_TRACE_DIR=<dir>` | where failing runs write traces; default `.kata/traces` |
 * | `KATA_TRACE_LOG=<file>` | passing runs write their trace too, and every such trace is listed in this file (used by `kata replay --trace`) |
 * | `KATA_REPLAY_CHECK=0` | a sweep that fails at a later seed does not first check, in a fresh process, that the seed fails alone (see `replay-check.ts`) |
 * | `KATA_VITEST_CONFIG=<file>` | the vitest config that such a check runs with, for tests run from a config other than the project's |
 *
 * @module
 */
import path from 'node:path';

/** The seed to replay, from `KATA_SEED`, or `undefined`. */
export function replaySeed(): number | undefined {
  return parseWholeNumber('KATA_SEED');
}

/**
 * The number of seeds a sweep should run: `KATA_SEEDS` when set, else `defaultCount`. Use it in the
 * test's title too, so that a soak's titles say how many seeds really ran.
 *
 * @throws Error when `KATA_SEEDS` is not a whole number of at least 1: a sweep of no seed would pass
 * having checked nothing.
 */
export function sweepSeedCount(defaultCount: number): number {
  const count = parseWholeNumber('KATA_SEEDS');
  if (count === 0) {
    throw new Error(
      'KATA_SEEDS=0 would run no seed at all, and every sweep would pass having checked nothing. Use 1 or more.',
    );
  }
  return count ?? defaultCount;
}

/** The timeout of one exercise test when no seed count is asked for: a guard against a hang, never a speed limit. */
export const TEST_TIMEOUT_MS = 60_000;

/**
 * The timeout of one exercise test, which grows with a soak: 60 s, times
 * `KATA_SEEDS / 50` when that is larger than 1 (the shortest sweeps run 50 seeds by default), and
 * times 5 more when sweeps count their failures (`KATA_SWEEP_TALLY`): a sweep
 * of a broken solution then runs every failing seed to its end instead of stopping at the first. Speed
 * is measured by `npm run bench`; this only keeps a hung test from running forever.
 */
export function testTimeoutMs(): number {
  const seeds = parseWholeNumber('KATA_SEEDS') ?? 0;
  const tally = sweepTallyFile() === undefined ? 1 : TALLY_TIMEOUT_FACTOR;
  return TEST_TIMEOUT_MS * Math.max(1, Math.ceil(seeds / 50)) * tally;
}

/** How much longer a test may run when its sweeps count every failing seed (`KATA_SWEEP_TALLY`). */
export const TALLY_TIMEOUT_FACTOR = 5;

/** The fast-check run to replay, from `KATA_REPLAY=<seed>:<path>`, or `undefined`. */
export function replayProperty(): { seed: number; path: string } | undefined {
  const value = process.env['KATA_REPLAY'];
  if (value === undefined || value === '') return undefined;
  const match = /^(-?\d+):([\d:]*)$/.exec(value);
  if (match === null) {
    throw new Error(`KATA_REPLAY must look like 1234:5:0:2 (a seed, a colon, a path); got ${JSON.stringify(value)}.`);
  }
  return { seed: Number(match[1]), path: match[2]! };
}

/** The file in which simulations log their trace hashes, from `KATA_HASH_LOG`, or `undefined`. */
export function hashLogFile(): string | undefined {
  return process.env['KATA_HASH_LOG'] || undefined;
}

/**
 * The file in which sweeps count their failing seeds, from `KATA_SWEEP_TALLY`, or `undefined`. When it
 * is set, a sweep does not stop at its first failing seed: it runs them all, so the file says how many
 * seeds catch a bug, not only whether one does.
 */
export function sweepTallyFile(): string | undefined {
  return process.env['KATA_SWEEP_TALLY'] || undefined;
}

/**
 * With `KATA_SWEEP_TALLY`, the fraction of a sweep's seeds after whose failure it stops counting, from
 * `KATA_SWEEP_TALLY_ENOUGH`, or `undefined` (count every seed). A report that only asks "does a quarter
 * of the seeds fail?" need not run the other three quarters.
 */
export function sweepTallyEnough(): number | undefined {
  const value = process.env['KATA_SWEEP_TALLY_ENOUGH'];
  if (value === undefined || value === '') return undefined;
  const fraction = Number(value);
  if (!(fraction > 0 && fraction <= 1)) {
    throw new Error(`KATA_SWEEP_TALLY_ENOUGH must be a fraction above 0 and at most 1; got ${JSON.stringify(value)}.`);
  }
  return fraction;
}

/** The folder where traces of failing runs are written. */
export function traceDirectory(): string {
  return process.env['KATA_TRACE_DIR'] || path.join('.kata', 'traces');
}

/**
 * The file that lists the traces of passing runs, from `KATA_TRACE_LOG`, or `undefined` (then only
 * failing runs write a trace). One JSON line per run: `{ file, test, seed, trace, viewer }`.
 */
export function passingTraceLog(): string | undefined {
  return process.env['KATA_TRACE_LOG'] || undefined;
}

/** The npm script that runs the current test project: learners' tests, solutions, or the harness. */
export function testCommand(): string {
  switch (process.env['KATA_PROJECT']) {
    case 'solutions':
      return 'npm run test:solutions --';
    case 'harness':
      return 'npm run test:harness --';
    default:
      return 'npm test --';
  }
}

function parseWholeNumber(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`${name} must be a whole number; got ${JSON.stringify(value)}.`);
  }
  return parsed;
}

/**
 * Whether a sweep that fails at a later seed checks that the seed fails alone before it prints the
 * replay command: yes unless `KATA_REPLAY_CHECK=0`.
 */
export function replayCheckWanted(): boolean {
  return process.env['KATA_REPLAY_CHECK'] !== '0';
}

/** The vitest config a check of a seed alone runs with, from `KATA_VITEST_CONFIG`; by default the project's own. */
export function vitestConfigFile(): string | undefined {
  return process.env['KATA_VITEST_CONFIG'] || undefined;
}
