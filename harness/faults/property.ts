/**
 * The fast-check engine behind `checkFaultSchedules` (in `harness/testing`): runs a test body on many
 * generated (seed, fault schedule) pairs and, when one fails, shrinks it to a small case.
 *
 * @module
 */
import fc from 'fast-check';
import type { FaultSchedule } from '../sim/index.ts';

/** A generator of fault schedules that fast-check can shrink: what `faultScheduleArbitrary` returns. */
export type FaultScheduleArbitrary = fc.Arbitrary<FaultSchedule>;

/** How to search: how many runs, and either fast-check's seed or a case to replay. */
export interface ScheduleSearchOptions {
  /** How many generated runs. */
  readonly numRuns: number;
  /** fast-check's seed, used when not replaying. */
  readonly seed: number;
  /** Replays exactly one case: fast-check's seed and shrink path, as printed in `KATA_REPLAY=seed:path`. */
  readonly replay?: { readonly seed: number; readonly path: string };
}

/** The smallest failing case fast-check found. */
export interface ScheduleCounterexample {
  /** The simulation's seed. */
  readonly seed: number;
  /** The shrunk fault schedule. */
  readonly faults: FaultSchedule;
  /** The environment setting that replays this case: `KATA_REPLAY=<seed>:<path>`. */
  readonly replayWith: string;
  /** How many runs fast-check made before it found the failure. */
  readonly numRuns: number;
  /** How many shrink steps it took. */
  readonly numShrinks: number;
  /** The error the shrunk case threw. */
  readonly error: unknown;
}

/**
 * Runs `run` on generated (seed, schedule) pairs until one throws; returns that case shrunk, or `null`
 * when every run passed.
 */
export async function searchFaultSchedules(
  schedules: FaultScheduleArbitrary,
  options: ScheduleSearchOptions,
  run: (seed: number, faults: FaultSchedule) => Promise<void>,
): Promise<ScheduleCounterexample | null> {
  const property = fc.asyncProperty(fc.nat({ max: 0xffff_ffff }), schedules, async (seed, faults) => {
    await run(seed, faults);
  });
  const replay = options.replay;
  const details = await fc.check(property, {
    numRuns: options.numRuns,
    ...(replay === undefined ? { seed: options.seed } : { seed: replay.seed, path: replay.path, endOnFailure: true }),
  });
  if (!details.failed || details.counterexample === null) {
    if (details.failed) throw new Error(`fast-check failed without a counterexample: ${String(details.errorInstance)}`);
    return null;
  }
  const [seed, faults] = details.counterexample;
  return {
    seed,
    faults,
    replayWith: `KATA_REPLAY=${details.seed}:${details.counterexamplePath ?? ''}`,
    numRuns: details.numRuns,
    numShrinks: details.numShrinks,
    error: details.errorInstance,
  };
}
