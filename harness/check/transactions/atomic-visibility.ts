/**
 * Atomic visibility of multi-key reads (RAMP's "read atomic"; DSLabs' lab 4 `MULTI_GETS_MATCH`): a read
 * of several keys sees all of a transaction's writes or none of them.
 *
 * A transaction that writes `x` and `y` must never be half visible: a read of both that shows the new
 * `x` with the old `y` is *fractured*. Give the checker the writes of every transaction (each value
 * unique to its key, so a value names the transaction that wrote it) and the completed multi-key reads:
 *
 * - `atomic-visibility`: a read saw a transaction's write of one key but, for another key that
 *   transaction wrote and the read covered, a value from an older write;
 * - `aborted-read`: a read saw a value written by a transaction that aborted;
 * - `no-invention`: a read saw a value no transaction wrote.
 *
 * "Older" comes from `order`, each key's committed writes in the order they took effect. Without an
 * order for a key, any other value there counts as older: right for workloads where every transaction
 * writes every key it shares with the others (as DSLabs' does), too strict otherwise.
 *
 * @module
 */
import { at, joinNames } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/** A value stored under a key. */
export type StoredValue = string | number;

/** One transaction's writes and what became of it. */
export interface TransactionWrites {
  /** The transaction's id. */
  readonly txn: string;
  /** What it wrote, by key. Each value must be unique to its key across all transactions. */
  readonly writes: Readonly<Record<string, StoredValue>>;
  /** `unknown` when the client never learned the outcome: its writes may be seen, or not. */
  readonly status: 'committed' | 'aborted' | 'unknown';
}

/** One completed read of several keys. */
export interface MultiKeyRead {
  /** What it returned, by key: `null` for a key never written. */
  readonly values: Readonly<Record<string, StoredValue | null>>;
  /** Virtual time (ms) at which the client began the read. */
  readonly callMs: number;
  /** Virtual time (ms) at which the read returned. */
  readonly returnMs: number;
  /** The client that read, for messages. */
  readonly client?: string | undefined;
  /** The read's transaction id, for messages. */
  readonly txn?: string | undefined;
}

/** Input to {@link checkAtomicVisibility}. */
export interface AtomicVisibilityInput {
  /** Every transaction that wrote, in any order. */
  readonly transactions: readonly TransactionWrites[];
  /** Every completed multi-key read, in any order. */
  readonly reads: readonly MultiKeyRead[];
  /** Values the keys held before any transaction (default: none, every key starts `null`). */
  readonly initial?: Readonly<Record<string, StoredValue>>;
  /** For each key, the transactions whose writes of it took effect, oldest first (see the module documentation). */
  readonly order?: Readonly<Record<string, readonly string[]>>;
}

/** A read saw part of a transaction. Evidence: the read, then the transaction's writes. */
export interface FracturedRead extends Violation<'atomic-visibility', MultiKeyRead | TransactionWrites> {
  /** The transaction seen in part. */
  readonly txn: string;
  /** Its keys the read saw its writes of. */
  readonly seen: readonly string[];
  /** Its keys where the read saw an older value. */
  readonly missed: readonly string[];
}

/** A read saw the write of an aborted transaction. */
export interface AbortedRead extends Violation<'aborted-read', MultiKeyRead | TransactionWrites> {
  readonly txn: string;
  readonly key: string;
}

/** A read saw a value no transaction wrote. */
export interface InventedValue extends Violation<'no-invention', MultiKeyRead> {
  readonly key: string;
  readonly value: StoredValue;
}

/** Anything {@link checkAtomicVisibility} can report. */
export type AtomicVisibilityViolation = FracturedRead | AbortedRead | InventedValue;

/** What {@link checkAtomicVisibility} saw, reported whether or not it passed. */
export interface AtomicVisibilitySummary {
  /** Number of reads judged. */
  readonly reads: number;
  /** Reads with at least one violation. */
  readonly badReads: number;
  /** Reads that saw at least one transaction's writes of two keys or more (the reads that test something). */
  readonly multiKeyObservations: number;
}

/** The answer of {@link checkAtomicVisibility}. */
export type AtomicVisibilityVerdict = Verdict<AtomicVisibilityViolation, AtomicVisibilitySummary>;

/** The writer of the value a key held before any transaction. */
const INITIAL = Symbol('initial');
type Writer = TransactionWrites | typeof INITIAL;

/**
 * Checks that every multi-key read sees each transaction's writes all or not at all, never the writes
 * of an aborted transaction, and no value nobody wrote.
 *
 * Cost: O(W + Σ |read| · w) for W writes in all and reads seeing transactions of w keys each.
 *
 * @throws Error if two transactions wrote the same value to the same key (values must name their writer).
 *
 * @example
 * ```ts
 * checkAtomicVisibility({
 *   transactions: [{ txn: 't1', writes: { x: 1, y: 1 }, status: 'committed' }],
 *   reads: [{ values: { x: 1, y: null }, callMs: 50, returnMs: 60 }],
 * });
 * // ok: false — "the read that began at t=50 ms saw transaction t1's write of x but not of y (it saw y=null, …)"
 * ```
 */
export function checkAtomicVisibility(input: AtomicVisibilityInput): AtomicVisibilityVerdict {
  const writerOf = indexWriters(input.transactions);
  const positions = indexOrder(input.order ?? {});
  const initial = input.initial ?? {};
  const reads = [...input.reads].sort((a, b) => a.callMs - b.callMs);
  const violations: AtomicVisibilityViolation[] = [];
  let badReads = 0;
  let multiKeyObservations = 0;
  for (const read of reads) {
    const before = violations.length;
    const seen = new Map<string, Writer>();
    for (const [key, value] of Object.entries(read.values)) {
      if (value === null || value === initial[key]) {
        seen.set(key, INITIAL);
        continue;
      }
      const writer = writerOf.get(key)?.get(value);
      if (writer === undefined) {
        violations.push(invented(read, key, value));
        continue;
      }
      seen.set(key, writer);
      if (writer.status === 'aborted') violations.push(abortedRead(read, writer, key));
    }
    const observed = new Set([...seen.values()].filter((writer): writer is TransactionWrites => writer !== INITIAL));
    for (const txn of observed) {
      const covered = Object.keys(txn.writes).filter((key) => seen.has(key));
      const keysSeen = covered.filter((key) => seen.get(key) === txn);
      const missed = covered.filter((key) => seen.get(key) !== txn && isOlder(seen.get(key)!, txn, key, positions));
      if (keysSeen.length >= 2 || (keysSeen.length >= 1 && missed.length >= 1)) multiKeyObservations++;
      if (missed.length > 0) violations.push(fractured(read, txn, keysSeen, missed, seen));
    }
    if (violations.length > before) badReads++;
  }
  const summary: AtomicVisibilitySummary = { reads: reads.length, badReads, multiKeyObservations };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/**
 * Like {@link checkAtomicVisibility}, but throws when the check fails.
 *
 * @returns the passing verdict.
 * @throws Error whose message starts with the broken property names and names reads, keys and transactions.
 */
export function assertAtomicVisibility(input: AtomicVisibilityInput): Extract<AtomicVisibilityVerdict, { ok: true }> {
  return throwOnViolations(checkAtomicVisibility(input));
}

function indexWriters(transactions: readonly TransactionWrites[]): Map<string, Map<StoredValue, TransactionWrites>> {
  const writerOf = new Map<string, Map<StoredValue, TransactionWrites>>();
  for (const txn of transactions) {
    for (const [key, value] of Object.entries(txn.writes)) {
      let byValue = writerOf.get(key);
      if (byValue === undefined) {
        byValue = new Map();
        writerOf.set(key, byValue);
      }
      const other = byValue.get(value);
      if (other !== undefined && other !== txn) {
        throw new Error(
          `Transactions ${other.txn} and ${txn.txn} both wrote ${JSON.stringify(value)} to key ${key}: the atomic-visibility check needs every value written to a key to be unique, so that a value names its writer.`,
        );
      }
      byValue.set(value, txn);
    }
  }
  return writerOf;
}

/** key → txn → its position in the key's order. */
function indexOrder(order: Readonly<Record<string, readonly string[]>>): Map<string, Map<string, number>> {
  return new Map(Object.entries(order).map(([key, txns]) => [key, new Map(txns.map((txn, index) => [txn, index]))]));
}

/**
 * Whether `writer`'s value of `key` is older than `txn`'s: the initial value always is; another
 * transaction's is when the key's order puts it first, or when the key has no order.
 */
function isOlder(
  writer: Writer,
  txn: TransactionWrites,
  key: string,
  positions: ReadonlyMap<string, ReadonlyMap<string, number>>,
): boolean {
  if (writer === INITIAL) return true;
  const order = positions.get(key);
  if (order === undefined) return true;
  const mine = order.get(txn.txn);
  const theirs = order.get(writer.txn);
  if (mine === undefined || theirs === undefined) return false;
  return theirs < mine;
}

/** `the read by c1 (transaction r3) that began at t=300 ms`. */
function theRead(read: MultiKeyRead): string {
  const by = read.client === undefined ? '' : ` by ${read.client}`;
  const txn = read.txn === undefined ? '' : ` (transaction ${read.txn})`;
  return `the read${by}${txn} that began at ${at(read.callMs)}`;
}

function readFocus(read: MultiKeyRead, ids: readonly string[]) {
  return {
    nodes: read.client === undefined ? [] : [read.client],
    ids: [...ids, ...(read.txn === undefined ? [] : [read.txn])],
    atMs: read.callMs,
  };
}

function fractured(
  read: MultiKeyRead,
  txn: TransactionWrites,
  seen: readonly string[],
  missed: readonly string[],
  writers: ReadonlyMap<string, Writer>,
): FracturedRead {
  const instead = missed.map((key) => {
    const writer = writers.get(key)!;
    const value = JSON.stringify(read.values[key] ?? null);
    return writer === INITIAL
      ? `${key}=${value}, its value before any transaction`
      : `${key}=${value} from ${writer.txn}, an older write`;
  });
  return {
    property: 'atomic-visibility',
    txn: txn.txn,
    seen,
    missed,
    message:
      `${theRead(read)} saw transaction ${txn.txn}'s write of ${joinNames([...seen])} but not of ${joinNames([...missed])} ` +
      `(it saw ${instead.join('; ')}): a read sees all of a transaction's writes or none`,
    evidence: [read, txn],
    focus: readFocus(read, [txn.txn]),
  };
}

function abortedRead(read: MultiKeyRead, txn: TransactionWrites, key: string): AbortedRead {
  return {
    property: 'aborted-read',
    txn: txn.txn,
    key,
    message: `${theRead(read)} saw ${key}=${JSON.stringify(txn.writes[key])}, written by transaction ${txn.txn}, which aborted: an aborted transaction's writes are never seen`,
    evidence: [read, txn],
    focus: readFocus(read, [txn.txn]),
  };
}

function invented(read: MultiKeyRead, key: string, value: StoredValue): InventedValue {
  return {
    property: 'no-invention',
    key,
    value,
    message: `${theRead(read)} saw ${key}=${JSON.stringify(value)}, a value no transaction wrote`,
    evidence: [read],
    focus: readFocus(read, []),
  };
}
