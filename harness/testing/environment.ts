/**
 * What the environment asks of a test run: a seed to replay, a number of seeds for a soak, a fast-check
 * run to replay, a file in which to log trace hashes.
 *
 * | variable | effect |
 * | --- | --- |
 * | `KATA_SEED=1234` | seed sweeps run only this seed (the replay command a failure prints) |
 * | `KATA_SEEDS=2000` | seed sweeps run this many seeds instead of their default (a soak) |
 * | `KATA_REPLAY=<seed>:<path>` | fast-check properties replay exactly this shrunk counterexample |
 * | `KATA_HASH_LOG=<file>` | every simulation appends its trace hash (used by `npm run verify`) |
 * | `KATA_TRACE_DIR=<dir>` | where failing runs write traces; default `.kata/traces` |
 *
 * @module
 */
import path from 'node:path';

/** The seed to replay, from `KATA_SEED`, or `undefined`. */
export function replaySeed(): number | undefined {
  return parseWholeNumber('KATA_SEED');
}

/** The number of seeds a sweep should run: `KATA_SEEDS` when set, else `defaultCount`. */
export function sweepSeedCount(defaultCount: number): number {
  return parseWholeNumber('KATA_SEEDS') ?? defaultCount;
}

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

/** The folder where traces of failing runs are written. */
export function traceDirectory(): string {
  return process.env['KATA_TRACE_DIR'] || path.join('.kata', 'traces');
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
