/**
 * Sweeps: one test body run over many seeds, or over many generated fault schedules with fast-check.
 *
 * @module
 */
import { searchFaultSchedules, type FaultScheduleArbitrary } from '../faults/index.ts';
import { describeSchedule, type FaultSchedule, type Simulation } from '../sim/index.ts';
import { replayProperty, replaySeed, sweepSeedCount, sweepTallyEnough, sweepTallyFile } from './environment.ts';
import { currentTest } from './failure-report.ts';
import { dependsOnEarlierRuns, runSeedAlone, worthCheckingAlone } from './replay-check.ts';
import { simulate, SimulationTestFailure, type SimulateOptions } from './simulate.ts';
import { SweepCounter } from './sweep-tally.ts';

/** Options for {@link forEachSeed}. */
export interface SeedSweepOptions {
  /** How many seeds to run (`KATA_SEEDS` overrides it for a soak). */
  readonly count: number;
  /** The first seed. Default 1. */
  readonly firstSeed?: number;
}

/**
 * Runs `body` for seeds `firstSeed`, `firstSeed + 1`, ... and stops at the first failure. With
 * `KATA_SEED` set, runs only that seed: this is how a printed replay command reproduces one run.
 *
 * With `KATA_SWEEP_TALLY=<file>` set (and no `KATA_SEED`), it runs every seed even after one fails
 * (or, with `KATA_SWEEP_TALLY_ENOUGH`, until that fraction of its seeds failed), appends one line to
 * the file saying how many failed (see `SweepTally`), and then fails with the first failing seed's
 * report, so the test fails exactly as it would have.
 */
export async function forEachSeed(options: SeedSweepOptions, body: (seed: number) => Promise<void>): Promise<void> {
  const only = replaySeed();
  if (only !== undefined) return body(only);
  const first = options.firstSeed ?? 1;
  const count = sweepSeedCount(options.count);
  const tallyFile = sweepTallyFile();
  if (tallyFile === undefined) {
    for (let seed = first; seed < first + count; seed++) {
      try {
        await body(seed);
      } catch (error) {
        throw await checkedAlone(error, seed, seed - first);
      }
    }
    return;
  }
  const counter = new SweepCounter(tallyFile, 'seeds', count, sweepTallyEnough(), true);
  for (let seed = first; seed < first + count; seed++) await counter.count(seed, () => body(seed));
  await counter.finish();
  if (counter.anyFailed) throw counter.firstFailure;
}

/**
 * `error`, the failure of `seed` (the `index`-th seed of its sweep); when that seed passes alone in a
 * fresh process, the same failure with a paragraph saying that it depends on earlier runs.
 */
async function checkedAlone(error: unknown, seed: number, index: number): Promise<unknown> {
  if (!(error instanceof SimulationTestFailure) || !worthCheckingAlone(index, error)) return error;
  const test = await currentTest();
  if ((await runSeedAlone(test, seed)) !== 'passes') return error;
  return new SimulationTestFailure(
    `${error.message}\n${dependsOnEarlierRuns(test, seed, index + 1)}`,
    error.seed,
    error.tracePath,
    error.cause,
  );
}

/** Options for {@link checkFaultSchedules}. */
export interface FaultSweepOptions {
  /** Generates the fault schedules (see `faultScheduleArbitrary`). */
  readonly faults: FaultScheduleArbitrary;
  /** Builds the simulation for one run. */
  readonly simulation: (
    seed: number,
    faults: FaultSchedule,
  ) => Omit<SimulateOptions, 'seed' | 'faults' | 'replayWith' | 'details'>;
  /** How many generated runs (`KATA_SEEDS` overrides it). */
  readonly numRuns: number;
  /** fast-check's seed: fixed, so the same runs happen on every machine. Default 1. */
  readonly seed?: number;
  /** The test body for one run; throw (or `expect`) to fail. */
  readonly body: (sim: Simulation, faults: FaultSchedule) => Promise<void>;
}

/**
 * Runs `body` on many generated (seed, fault schedule) pairs with fast-check. When one fails, fast-check
 * shrinks it to a small schedule, and the failure is reported like any simulation failure, with a
 * `KATA_REPLAY=...` command that reruns exactly the shrunk case.
 *
 * With `KATA_SWEEP_TALLY=<file>` set (and no `KATA_REPLAY`), a counting pass comes first: the same
 * `numRuns` generated cases, each failure counted instead of stopping the search, and one line appended
 * to the file. fast-check draws a case from its seed and the run's index alone, so the counting pass
 * sees exactly the cases the search would have seen up to its first failure (and the rest after it).
 * The counts are of unshrunk cases, and their runs write no trace. Then, if any failed, the usual search runs, finds that same first
 * failure and shrinks it, so the test fails with the report it would have given.
 */
export async function checkFaultSchedules(options: FaultSweepOptions): Promise<void> {
  const replay = replayProperty();
  const runOne = async (seed: number, faults: FaultSchedule, replayWith?: string) =>
    simulate(
      {
        ...options.simulation(seed, faults),
        seed,
        faults,
        details: { 'fault schedule': describeSchedule(faults) },
        ...(replayWith === undefined ? {} : { replayWith }),
      },
      (sim) => options.body(sim, faults),
    );
  const tallyFile = sweepTallyFile();
  let counted: SweepCounter | null = null;
  if (tallyFile !== undefined && replay === undefined) {
    const numRuns = sweepSeedCount(options.numRuns);
    const counter = new SweepCounter(tallyFile, 'schedules', numRuns, sweepTallyEnough(), false);
    await searchFaultSchedules(options.faults, { numRuns, seed: options.seed ?? 1 }, (seed, faults) =>
      counter.count(seed, () => runOne(seed, faults).then(() => undefined)),
    );
    await counter.finish();
    if (!counter.anyFailed) return;
    counted = counter;
  }
  const found = await searchFaultSchedules(
    options.faults,
    { numRuns: sweepSeedCount(options.numRuns), seed: options.seed ?? 1, ...(replay === undefined ? {} : { replay }) },
    async (seed, faults) => {
      await runOne(seed, faults);
    },
  );
  if (found === null) {
    if (counted === null) return;
    throw new Error(
      'A generated run failed while its failures were counted, but the search then found no failure: ' +
        `the test is not deterministic. First failure: ${String(counted.firstFailure)}`,
    );
  }
  const { seed, faults, replayWith } = found;
  try {
    await runOne(seed, faults, replayWith);
  } catch (error) {
    if (error instanceof SimulationTestFailure) {
      throw new SimulationTestFailure(
        `${error.message}\n\n  (fast-check shrank this case after ${found.numRuns} runs and ${found.numShrinks} shrinks)`,
        error.seed,
        error.tracePath,
        error.cause,
      );
    }
    throw error;
  }
  throw new Error(
    `A generated run failed (seed ${seed}) but passed when rerun: the test is not deterministic. ` +
      `First failure: ${String(found.error)}`,
  );
}
