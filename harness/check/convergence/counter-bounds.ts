/**
 * The final value of an eventually consistent counter (a PN-counter), checked as Maelstrom's
 * `pn-counter` workload checks it: once every fault healed and the replicas settled, each final read
 * must lie between what must have been applied and what could have been applied.
 *
 * - An add acknowledged `ok` was applied: its delta is in every final value.
 * - An add that failed (a definite error) was not: its delta is in none.
 * - An add whose client never learned the outcome (indeterminate) may or may not have been applied.
 *
 * So the final value lies in `[certain + sum of the negative unknown deltas, certain + sum of the
 * positive unknown deltas]`, where `certain` is the sum of the acknowledged deltas. A value below
 * loses acknowledged adds (a last-writer-wins merge, a replica that forgot its own); a value above
 * counts some add twice (a duplicate applied again, a merge that sums states instead of joining them).
 *
 * @module
 */
import type { OperationStatus } from '../../history.ts';
import { at, plural } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/** One client's add to the counter (a negative delta takes away). */
export interface CounterAdd {
  readonly delta: number;
  /** `ok`: acknowledged. `fail`: refused, not applied. `indeterminate`: the client never learned. */
  readonly status: OperationStatus;
  /** When the client asked, ms. */
  readonly callMs: number;
  /** The client, for the sentence. */
  readonly client?: string | undefined;
}

/** A read of the counter after the run settled. */
export interface CounterRead {
  /** The replica that answered. */
  readonly node: string;
  readonly value: number;
  /** When the answer came, ms. */
  readonly atMs: number;
}

/** Input to {@link checkCounterBounds}. */
export interface CounterBoundsInput {
  /** Every add the clients attempted. */
  readonly adds: readonly CounterAdd[];
  /** The final reads, taken after the faults healed and the replicas settled: one per replica is usual. */
  readonly finalReads: readonly CounterRead[];
}

/** A final read outside the bounds. Evidence: the read. */
export interface CounterBoundsViolation extends Violation<'counter-bounds', CounterRead> {
  readonly read: CounterRead;
}

/** What {@link checkCounterBounds} computed, reported whether or not it passed. */
export interface CounterBoundsSummary {
  /** The sum of the acknowledged deltas: what every final value must contain. */
  readonly certain: number;
  /** The smallest value a final read may have. */
  readonly lower: number;
  /** The largest value a final read may have. */
  readonly upper: number;
  /** How many adds were acknowledged (`ok`). */
  readonly acknowledged: number;
  /** How many adds were refused (`fail`): in no final value. */
  readonly refused: number;
  /** How many adds were left without an answer (`indeterminate`): in a final value or not. */
  readonly unknown: number;
  /** The bounds in a sentence, e.g. `40 acknowledged adds sum to 112; 3 adds without an answer may add -2 to +9: a final read lies in [110, 121]`. */
  readonly sentence: string;
}

/** The answer of {@link checkCounterBounds}. */
export type CounterBoundsVerdict = Verdict<CounterBoundsViolation, CounterBoundsSummary>;

/**
 * Checks that every final read of a counter lies within what the adds could have made it.
 *
 * Cost: O(adds + reads).
 *
 * @throws Error for a delta or a read value that is not a finite number (a mistake in the test).
 *
 * @example
 * ```ts
 * checkCounterBounds({
 *   adds: [{ delta: 2, status: 'ok', callMs: 0 }, { delta: 5, status: 'indeterminate', callMs: 10 }],
 *   finalReads: [{ node: 'n1', value: 1, atMs: 900 }],
 * });
 * // ok: false: "n1's final read of 1 at t=900 ms is below what must have been applied: ..."
 * ```
 */
export function checkCounterBounds(input: CounterBoundsInput): CounterBoundsVerdict {
  let certain = 0;
  let unknownBelow = 0;
  let unknownAbove = 0;
  let acknowledged = 0;
  let refused = 0;
  for (const add of input.adds) {
    if (!Number.isFinite(add.delta)) {
      throw new Error(`An add's delta must be a finite number; got ${String(add.delta)}.`);
    }
    if (add.status === 'ok') {
      acknowledged++;
      certain += add.delta;
    } else if (add.status === 'fail') {
      refused++;
    } else if (add.delta < 0) {
      unknownBelow += add.delta;
    } else {
      unknownAbove += add.delta;
    }
  }
  const unknown = input.adds.length - acknowledged - refused;
  const lower = certain + unknownBelow;
  const upper = certain + unknownAbove;
  const sentence = describeBounds({ certain, lower, upper, acknowledged, unknown, unknownBelow, unknownAbove });
  const violations: CounterBoundsViolation[] = [];
  for (const read of input.finalReads) {
    if (!Number.isFinite(read.value)) {
      throw new Error(`${read.node}'s final read must be a finite number; got ${String(read.value)}.`);
    }
    if (read.value >= lower && read.value <= upper) continue;
    const where =
      read.value < lower
        ? `below what must have been applied (at least ${lower}): acknowledged adds are missing from it`
        : `above what could have been applied (at most ${upper}): some add was counted more than once`;
    violations.push({
      property: 'counter-bounds',
      message: `${read.node}'s final read of ${read.value} at ${at(read.atMs)} is ${where}; ${sentence}`,
      evidence: [read],
      focus: { nodes: [read.node], atMs: read.atMs },
      read,
    });
  }
  const summary: CounterBoundsSummary = { certain, lower, upper, acknowledged, refused, unknown, sentence };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/** {@link checkCounterBounds}, throwing a `PropertyViolated` ("counter-bounds: …") if a final read is out of bounds. */
export function assertCounterBounds(input: CounterBoundsInput): CounterBoundsSummary & { readonly ok: true } {
  return throwOnViolations(checkCounterBounds(input));
}

function describeBounds(figures: {
  readonly certain: number;
  readonly lower: number;
  readonly upper: number;
  readonly acknowledged: number;
  readonly unknown: number;
  readonly unknownBelow: number;
  readonly unknownAbove: number;
}): string {
  const head = `${plural(figures.acknowledged, 'acknowledged add')} sum to ${figures.certain}`;
  const maybe =
    figures.unknown === 0
      ? ''
      : `; ${plural(figures.unknown, 'add')} without an answer may add ${figures.unknownBelow} to +${figures.unknownAbove}`;
  const range = figures.lower === figures.upper ? `${figures.lower}` : `[${figures.lower}, ${figures.upper}]`;
  return `${head}${maybe}: a final read must be ${range}`;
}
