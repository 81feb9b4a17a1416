/**
 * Counting mode for sweeps (`KATA_SWEEP_TALLY=<file>`): a sweep runs every seed even after one fails,
 * and appends one JSON line to the file saying how many of its seeds failed. A bug that one seed in a
 * hundred finds is caught by luck; the tally shows which bugs only a lucky seed finds.
 *
 * @module
 */
import { appendFileSync } from 'node:fs';
import { currentTest } from './failure-report.ts';

/** One sweep's count, as one line of the tally file. */
export interface SweepTally {
  /** The test file, relative to the working directory. */
  readonly file: string;
  /** The test's full name: describe blocks and title, joined with ' > '. */
  readonly test: string;
  /** `seeds` for `forEachSeed`; `schedules` for `checkFaultSchedules` (one run is one generated case). */
  readonly kind: 'seeds' | 'schedules';
  /** How many seeds (or generated cases) the sweep has. */
  readonly seedsPlanned: number;
  /** How many of them ran: fewer than planned only when the count stopped early (`KATA_SWEEP_TALLY_ENOUGH`). */
  readonly seedsRun: number;
  /** How many of them failed. */
  readonly seedsFailed: number;
  /** The seed of the first failing run, or `null` when none failed. */
  readonly firstFailingSeed: number | null;
}

/**
 * Whether a failing run should write its trace. While a sweep counts, only the failure it will report
 * needs one; the others would only fill the disk.
 */
export function traceFilesWanted(): boolean {
  return !quiet;
}

let quiet = false;

/** Counts the failures of one sweep as its runs go by; {@link SweepCounter.finish} writes the line. */
export class SweepCounter {
  private run = 0;
  private failed = 0;
  private firstSeed: number | null = null;
  private firstError: unknown = undefined;
  private readonly enoughFailures: number;

  /**
   * `planned` is the sweep's number of runs. With `enough` (a fraction of `planned`), the count stops
   * once that many runs failed. `reportsFirst` says whether the sweep will throw the first failure
   * counted (so that run writes its trace) or finds its report another way.
   */
  constructor(
    private readonly file: string,
    private readonly kind: SweepTally['kind'],
    private readonly planned: number,
    enough: number | undefined,
    private readonly reportsFirst: boolean,
  ) {
    this.enoughFailures = enough === undefined ? Infinity : Math.max(1, Math.ceil(enough * planned));
  }

  /** Whether enough runs failed that the rest need not run. */
  get enough(): boolean {
    return this.failed >= this.enoughFailures;
  }

  /** Runs one seed's body, counting it; a failure is kept, not thrown. Does nothing once {@link enough}. */
  async count(seed: number, body: () => Promise<void>): Promise<void> {
    if (this.enough) return;
    this.run++;
    quiet = !this.reportsFirst || this.firstSeed !== null;
    try {
      await body();
    } catch (error) {
      this.failed++;
      if (this.firstSeed === null) {
        this.firstSeed = seed;
        this.firstError = error;
      }
    } finally {
      quiet = false;
    }
  }

  /** Whether any run failed so far. */
  get anyFailed(): boolean {
    return this.firstSeed !== null;
  }

  /** The first failure, to rethrow when the sweep ends. */
  get firstFailure(): unknown {
    return this.firstError;
  }

  /** Appends this sweep's line to the tally file. */
  async finish(): Promise<SweepTally> {
    const test = await currentTest();
    const tally: SweepTally = {
      file: test.file,
      test: test.fullName ?? test.name,
      kind: this.kind,
      seedsPlanned: this.planned,
      seedsRun: this.run,
      seedsFailed: this.failed,
      firstFailingSeed: this.firstSeed,
    };
    appendFileSync(this.file, JSON.stringify(tally) + '\n');
    return tally;
  }
}
