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
  /** How many seeds (or generated cases) ran. */
  readonly seedsRun: number;
  /** How many of them failed. */
  readonly seedsFailed: number;
  /** The seed of the first failing run, or `null` when none failed. */
  readonly firstFailingSeed: number | null;
}

/** Counts the failures of one sweep as its runs go by; {@link SweepCounter.finish} writes the line. */
export class SweepCounter {
  private run = 0;
  private failed = 0;
  private firstSeed: number | null = null;
  private firstError: unknown = undefined;

  constructor(
    private readonly file: string,
    private readonly kind: SweepTally['kind'],
  ) {}

  /** Runs one seed's body, counting it; a failure is kept, not thrown. */
  async count(seed: number, body: () => Promise<void>): Promise<void> {
    this.run++;
    try {
      await body();
    } catch (error) {
      this.failed++;
      if (this.firstSeed === null) {
        this.firstSeed = seed;
        this.firstError = error;
      }
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
      seedsRun: this.run,
      seedsFailed: this.failed,
      firstFailingSeed: this.firstSeed,
    };
    appendFileSync(this.file, JSON.stringify(tally) + '\n');
    return tally;
  }
}
