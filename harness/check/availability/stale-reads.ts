/**
 * Stale reads of a register: reads that returned a value a later write had, for certain, replaced
 * before the read began.
 *
 * Measured from the outside, in real time, with every write of a value of its own. A read `r` that
 * returned `v` is stale when some acknowledged write `w` was acknowledged before `r` was called, and
 * `w` itself began after the write of `v` was acknowledged. Then every linearizable register orders
 * `w` after the write of `v` and before `r`, so `r` must not return `v`. A read of `null` (the value
 * before any write) is stale when any write was acknowledged before the read began.
 *
 * This counts only what is certain: a read that raced a write, or returned a value whose write never
 * got an answer, is never counted. So the count is a lower bound, and zero is what a store that
 * promises "reads see every write acknowledged before them" (Cassandra's QUORUM writes and QUORUM
 * reads, R + W > N) must show.
 *
 * @module
 */
import { at, listSome, plural } from '../_internals/format.ts';
import { type Verdict, type Violation } from '../verdict.ts';
import type { Write, WrittenElement } from './lost-writes.ts';

/** One read of the register that completed with a value. */
export interface RegisterRead {
  /** The value read; `null` when the register was never written. */
  readonly value: WrittenElement | null;
  /** When the client asked, ms. */
  readonly callMs: number;
  /** When the answer came, ms. */
  readonly returnMs: number;
  /** The client, for the sentence. */
  readonly client?: string | undefined;
}

/** Input to {@link checkStaleReads}. */
export interface StaleReadsInput {
  /** Every write attempt, each with a value of its own. */
  readonly writes: readonly Write[];
  /** Every read that completed with a value. */
  readonly reads: readonly RegisterRead[];
  /**
   * Which acknowledged writes `read` must see, e.g. only those whose consistency level overlaps the
   * read's (R + W > N). Default: every acknowledged write. Every write still names the value it wrote.
   */
  readonly mustSee?: (write: Write, read: RegisterRead) => boolean;
}

/** A read that missed a write acknowledged before it began. Evidence: the read and the write it missed. */
export interface StaleRead extends Violation<'stale-read', RegisterRead | Write> {
  readonly read: RegisterRead;
  /** The newest-acknowledged write that the read had to see (or one newer). */
  readonly missed: Write;
}

/** What {@link checkStaleReads} counted, reported whether or not it passed. */
export interface StaleReadsSummary {
  /** Reads checked. */
  readonly reads: number;
  /** Stale reads among them. */
  readonly stale: number;
  /** The count in a sentence, e.g. `3 of 40 reads were stale (...)`. */
  readonly sentence: string;
}

/** The answer of {@link checkStaleReads}: `ok` when no read was stale. */
export type StaleReadsVerdict = Verdict<StaleRead, StaleReadsSummary>;

/**
 * Counts the reads that returned a value an acknowledged write had replaced before the read began.
 *
 * Cost: O(reads × writes).
 *
 * @throws Error when two writes share a value: a read's value must name its write.
 */
export function checkStaleReads(input: StaleReadsInput): StaleReadsVerdict {
  const writeOf = new Map<WrittenElement, Write>();
  for (const write of input.writes) {
    if (writeOf.has(write.element)) {
      throw new Error(
        `Value ${JSON.stringify(write.element)} is written twice: give every write its own value, or a read cannot name its write.`,
      );
    }
    writeOf.set(write.element, write);
  }
  const acknowledged = input.writes.filter((write) => write.status === 'ok' && write.returnMs !== null);
  const violations: StaleRead[] = [];
  for (const read of input.reads) {
    const source = read.value === null ? null : writeOf.get(read.value);
    if (source === undefined) continue;
    const binding = input.mustSee === undefined ? acknowledged : acknowledged.filter((w) => input.mustSee!(w, read));
    const missed = newestMissed(read, source, binding);
    if (missed === undefined) continue;
    violations.push({
      property: 'stale-read',
      message: describeStale(read, source, missed),
      evidence: [read, missed],
      focus: { ids: [String(missed.element)], atMs: read.callMs },
      read,
      missed,
    });
  }
  const summary: StaleReadsSummary = {
    reads: input.reads.length,
    stale: violations.length,
    sentence: describeCount(input.reads.length, violations),
  };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/**
 * The write acknowledged last before `read` began among those that began after `source` was
 * acknowledged (every write, for a read of the initial value); `undefined` when there is none.
 */
function newestMissed(read: RegisterRead, source: Write | null, acknowledged: readonly Write[]): Write | undefined {
  let missed: Write | undefined;
  for (const write of acknowledged) {
    if (write === source || write.returnMs! >= read.callMs) continue;
    const after = source === null || (source.returnMs !== null && write.callMs > source.returnMs);
    if (after && (missed === undefined || write.returnMs! > missed.returnMs!)) missed = write;
  }
  return missed;
}

function describeStale(read: RegisterRead, source: Write | null, missed: Write): string {
  const who = read.client === undefined ? 'a read' : `${read.client}'s read`;
  const by = missed.client === undefined ? '' : ` by ${missed.client}`;
  const old =
    source === null
      ? 'null (the register before any write)'
      : `${JSON.stringify(source.element)}${source.client === undefined ? '' : ` (written by ${source.client}, acknowledged at ${at(source.returnMs!)})`}`;
  return (
    `${who} called at ${at(read.callMs)} returned ${old}, but the write of ${JSON.stringify(missed.element)}${by}, ` +
    `acknowledged at ${at(missed.returnMs!)} before the read began, came after it: the read is stale`
  );
}

function describeCount(reads: number, stale: readonly StaleRead[]): string {
  if (stale.length === 0) return `none of ${plural(reads, 'read')} was stale`;
  const which = listSome(
    stale.map((violation) => `${at(violation.read.callMs)} → ${JSON.stringify(violation.read.value)}`),
  );
  return `${stale.length} of ${plural(reads, 'read')} ${stale.length === 1 ? 'was' : 'were'} stale (returned a value an acknowledged write had replaced before they began): ${which}`;
}
