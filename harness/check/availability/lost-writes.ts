/**
 * Lost acknowledged writes: writes the system told a client "done" that are not in the final state.
 *
 * Jepsen's analyses of Elasticsearch 1.1.0 and MongoDB 2.4.3 counted these: each client inserts
 * distinct elements, the test heals the partition, reads everything back, and every acknowledged insert
 * that is missing is a write the system promised and then lost. Writes that failed or never returned
 * may or may not be there; one that failed and is there anyway is reported too ("failed but present"),
 * as it means the client was told the wrong thing.
 *
 * @module
 */
import type { OperationStatus } from '../../history.ts';
import { at, listSome, plural } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/** An element written: compared with `===`. */
export type WrittenElement = string | number;

/** One client's write (an insert, an add) of an element that no other write uses. */
export interface Write {
  readonly element: WrittenElement;
  /** `ok`: acknowledged. `fail`: refused. `indeterminate`: the client never learned. */
  readonly status: OperationStatus;
  /** When the client asked, ms. */
  readonly callMs: number;
  /** When the client learned the outcome, ms; `null` when indeterminate. */
  readonly returnMs: number | null;
  /** The client or node, for the sentence. */
  readonly client?: string | undefined;
}

/** Input to {@link checkLostWrites}. */
export interface LostWritesInput {
  /** Every write attempt. */
  readonly writes: readonly Write[];
  /** The elements in the final state (read after the faults healed and the system settled). */
  readonly final: Iterable<WrittenElement>;
}

/** An acknowledged write missing from the final state. Evidence: the write. */
export interface LostWrite extends Violation<'lost-writes', Write> {
  readonly write: Write;
}

/** What {@link checkLostWrites} counted, reported whether or not it passed. */
export interface LostWritesSummary {
  /** Acknowledged writes. */
  readonly acknowledged: number;
  /** Acknowledged writes missing from the final state. */
  readonly lost: number;
  /** `lost / acknowledged`; 0 when nothing was acknowledged. */
  readonly lostFraction: number;
  /** Writes that failed or never returned yet are in the final state. */
  readonly unacknowledgedPresent: number;
  /** Writes that failed (the system said no) yet are in the final state. */
  readonly failedButPresent: readonly Write[];
  /** The count in a sentence, e.g. `3 of 40 acknowledged writes (7.5%) are missing from the final state: 5, 9 and 12`. */
  readonly sentence: string;
}

/** The answer of {@link checkLostWrites}. */
export type LostWritesVerdict = Verdict<LostWrite, LostWritesSummary>;

/**
 * Counts the acknowledged writes absent from the final state; each is a violation.
 *
 * Cost: O(writes + final state).
 *
 * @throws Error when two writes share an element: the count needs every element written once.
 */
export function checkLostWrites(input: LostWritesInput): LostWritesVerdict {
  const final = new Set(input.final);
  const seen = new Set<WrittenElement>();
  const violations: LostWrite[] = [];
  let acknowledged = 0;
  let unacknowledgedPresent = 0;
  const failedButPresent: Write[] = [];
  for (const write of input.writes) {
    if (seen.has(write.element)) {
      throw new Error(
        `Element ${JSON.stringify(write.element)} is written twice: give every write its own element, or lost writes cannot be counted.`,
      );
    }
    seen.add(write.element);
    const present = final.has(write.element);
    if (write.status !== 'ok') {
      if (present) unacknowledgedPresent++;
      if (present && write.status === 'fail') failedButPresent.push(write);
      continue;
    }
    acknowledged++;
    if (present) continue;
    const who = write.client === undefined ? '' : ` by ${write.client}`;
    violations.push({
      property: 'lost-writes',
      message: `the write of ${JSON.stringify(write.element)}${who} was acknowledged at ${at(write.returnMs!)} but is missing from the final state`,
      evidence: [write],
      focus: { ids: [String(write.element)], atMs: write.returnMs! },
      write,
    });
  }
  const lost = violations.length;
  const lostFraction = acknowledged === 0 ? 0 : lost / acknowledged;
  const summary: LostWritesSummary = {
    acknowledged,
    lost,
    lostFraction,
    unacknowledgedPresent,
    failedButPresent,
    sentence: describeLoss(acknowledged, violations),
  };
  return lost === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/** {@link checkLostWrites}, throwing a `PropertyViolated` ("lost-writes: …") if any acknowledged write is lost. */
export function assertNoLostWrites(input: LostWritesInput): LostWritesSummary & { readonly ok: true } {
  return throwOnViolations(checkLostWrites(input));
}

function describeLoss(acknowledged: number, lost: readonly LostWrite[]): string {
  if (acknowledged === 0) return 'no write was acknowledged, so none could be lost';
  if (lost.length === 0) return `all ${plural(acknowledged, 'acknowledged write')} are in the final state`;
  const percent = Math.round((lost.length / acknowledged) * 1000) / 10;
  const elements = listSome(lost.map((violation) => JSON.stringify(violation.write.element)));
  return `${lost.length} of ${plural(acknowledged, 'acknowledged write')} (${percent}%) are missing from the final state: ${elements}`;
}
