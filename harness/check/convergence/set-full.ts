/**
 * Set-full: a grow-only set that loses nothing it acknowledged and invents nothing.
 *
 * A simplified form of Jepsen's `set-full` checker. Clients add elements to a set and read the whole
 * set, on various nodes, while the harness injects faults. Once the system has told a client "added",
 * the element must be there for every read that starts afterwards; an add that timed out may or may not
 * have happened, so its element may or may not show up; an add that failed did not happen.
 *
 * Each element gets an outcome:
 * - `stable`: acknowledged, and present in every read that began after the acknowledgement;
 * - `lost`: acknowledged, but missing from at least one such read (a violation);
 * - `never-read`: acknowledged, but no read began after the acknowledgement, so nothing can be said
 *   (add a final read after healing to avoid these);
 * - `unacknowledged`: every add of it failed or was indeterminate, and it is not a violation either way
 *   (unless every add failed and it showed up: see `invented`);
 * - `invented`: it showed up in a read although no client tried to add it, or every add of it failed
 *   (a violation).
 *
 * @module
 */
import type { OperationStatus } from '../../history.ts';
import { at, plural } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/** An element of the set. Compared with `===` (so `1` and `"1"` are different elements). */
export type SetElement = string | number;

/**
 * One client's attempt to add `element`.
 *
 * Invariant, as for every operation in a history (`harness/history.ts`): `returnMs` is `null` exactly when `status` is `indeterminate`;
 * otherwise `callMs <= returnMs`.
 */
export interface SetAdd {
  /** The element the client asked to add. */
  readonly element: SetElement;
  /** `ok`: acknowledged. `fail`: definitely not added. `indeterminate`: the client never found out. */
  readonly status: OperationStatus;
  /** Virtual time (ms) at which the client asked. */
  readonly callMs: number;
  /** Virtual time (ms) at which the client learned the outcome; `null` when indeterminate. */
  readonly returnMs: number | null;
  /** The node the client talked to, if you want it in messages. */
  readonly node?: string | undefined;
}

/** One completed read of the whole set. Reads that never returned tell nothing; leave them out. */
export interface SetRead {
  /** What the read returned. Duplicates are ignored. */
  readonly elements: readonly SetElement[] | ReadonlySet<SetElement>;
  /** Virtual time (ms) at which the client began the read. */
  readonly callMs: number;
  /** Virtual time (ms) at which the read returned. */
  readonly returnMs: number;
  /** The node that served the read, if you want it in messages. */
  readonly node?: string | undefined;
}

/** Input to {@link checkSetFull}. */
export interface SetFullInput {
  /** Every add attempt, in any order. An element may be added more than once. */
  readonly adds: readonly SetAdd[];
  /** Every completed read, in any order. Include final reads taken after healing. */
  readonly reads: readonly SetRead[];
}

/** What became of one element. See the module documentation for each outcome. */
export type SetElementOutcome = 'stable' | 'lost' | 'never-read' | 'unacknowledged' | 'invented';

/** The verdict on one element. */
export interface SetElementReport {
  /** The element judged. */
  readonly element: SetElement;
  /** What became of it. */
  readonly outcome: SetElementOutcome;
  /** When its first acknowledged add returned; `null` if no add of it was acknowledged. */
  readonly acknowledgedAtMs: number | null;
  /** How many reads began after the acknowledgement (and so had to contain it). 0 if unacknowledged. */
  readonly readsAfterAcknowledgement: number;
  /** How many of those reads did not contain it. */
  readonly readsMissing: number;
  /** How many reads contained it, at any time. */
  readonly readsContaining: number;
}

/**
 * An acknowledged element was missing from a read that began after the acknowledgement. Evidence: the
 * acknowledged add, the first read missing it and, if different, the last.
 */
export interface LostElement extends Violation<'set-full', SetAdd | SetRead> {
  /** The element that went missing. */
  readonly element: SetElement;
}

/**
 * A read contained an element no client tried to add, or whose every add failed. Evidence: the first
 * read containing it, then its failed adds if any.
 */
export interface InventedElement extends Violation<'no-invention', SetAdd | SetRead> {
  /** The element that should not be there. */
  readonly element: SetElement;
}

/** Anything {@link checkSetFull} can report. */
export type SetFullViolation = LostElement | InventedElement;

/** What {@link checkSetFull} saw, reported whether or not it passed. */
export interface SetFullSummary {
  /** One report per element, attempted elements in order of their first add, then invented ones. */
  readonly elements: readonly SetElementReport[];
  /** How many elements had each outcome. */
  readonly counts: Readonly<Record<SetElementOutcome, number>>;
  /** Number of reads judged. */
  readonly reads: number;
}

/** The answer of {@link checkSetFull}. */
export type SetFullVerdict = Verdict<SetFullViolation, SetFullSummary>;

/**
 * Checks a set history: every acknowledged add appears in every read that began after the add
 * returned (in particular the final reads), and no read contains an element that was never attempted or
 * whose every attempt failed.
 *
 * "Began after" is strict: a read that began at the very millisecond the add returned is not required
 * to contain it, because the two clients cannot tell which came first. Elements from indeterminate adds
 * are never required. Unlike Jepsen's full checker this one does not also require an element to stay
 * once a read has *observed* it, and does not time how long elements took to become visible.
 *
 * Cost: O(A + Σ|read| + R log R + E log R) for A adds, R reads and E distinct elements: each element's
 * reads are found by binary search among the reads sorted by start time, never by scanning every read.
 *
 * @throws Error if an acknowledged add has no return time.
 *
 * @example
 * ```ts
 * checkSetFull({
 *   adds: [{ element: 17, status: 'ok', callMs: 100, returnMs: 120 }],
 *   reads: [{ elements: [], callMs: 340, returnMs: 350, node: 'n2' }],
 * });
 * // ok: false — "element 17, acknowledged at t=120 ms, is missing from the read that began at t=340 ms on n2 …"
 * ```
 */
export function checkSetFull(input: SetFullInput): SetFullVerdict {
  const attempts = indexAdds(input.adds);
  const reads = [...input.reads].sort((a, b) => a.callMs - b.callMs);
  const readStarts = reads.map((read) => read.callMs);
  const occurrences = indexOccurrences(reads);
  const violations: SetFullViolation[] = [];
  const elements: SetElementReport[] = [];

  for (const [element, attempt] of attempts) {
    const seenIn = occurrences.get(element) ?? NEVER;
    if (attempt.acknowledged === undefined) {
      const invented = attempt.allFailed && seenIn.length > 0;
      if (invented) violations.push(failedButSeen(element, attempt.adds, reads, seenIn));
      elements.push(report(element, invented ? 'invented' : 'unacknowledged', null, 0, 0, seenIn.length));
      continue;
    }
    const ackMs = attempt.acknowledged.returnMs!;
    const firstRequired = firstStartAfter(readStarts, ackMs);
    const required = reads.length - firstRequired;
    const firstSeenRequired = firstAtLeast(seenIn, firstRequired);
    const missing = required - (seenIn.length - firstSeenRequired);
    const outcome = required === 0 ? 'never-read' : missing === 0 ? 'stable' : 'lost';
    if (outcome === 'lost') {
      const gaps = missingReads(seenIn, firstSeenRequired, firstRequired, reads.length);
      violations.push(lost(element, attempt.acknowledged, reads, gaps, missing, required));
    }
    elements.push(report(element, outcome, ackMs, required, missing, seenIn.length));
  }

  for (const [element, seenIn] of occurrences) {
    if (attempts.has(element)) continue;
    violations.push(neverAttempted(element, reads, seenIn));
    elements.push(report(element, 'invented', null, 0, 0, seenIn.length));
  }

  const summary: SetFullSummary = { elements, counts: countOutcomes(elements), reads: reads.length };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/**
 * Like {@link checkSetFull}, but throws when the check fails.
 *
 * @returns the passing verdict (with per-element outcomes).
 * @throws Error whose message starts with the broken property names and lists up to five violations.
 */
export function assertSetFull(input: SetFullInput): Extract<SetFullVerdict, { ok: true }> {
  return throwOnViolations(checkSetFull(input));
}

const NEVER: readonly number[] = [];

interface Attempt {
  readonly adds: SetAdd[];
  /** The acknowledged add that returned first, if any. */
  acknowledged: SetAdd | undefined;
  allFailed: boolean;
}

function indexAdds(adds: readonly SetAdd[]): Map<SetElement, Attempt> {
  const attempts = new Map<SetElement, Attempt>();
  for (const add of adds) {
    let attempt = attempts.get(add.element);
    if (attempt === undefined) {
      attempt = { adds: [], acknowledged: undefined, allFailed: true };
      attempts.set(add.element, attempt);
    }
    attempt.adds.push(add);
    if (add.status !== 'fail') attempt.allFailed = false;
    if (add.status !== 'ok') continue;
    if (add.returnMs === null) {
      throw new Error(
        `The add of element ${show(add.element)} called at ${at(add.callMs)} is acknowledged (status ok) but has ` +
          'no return time. An acknowledged operation has a returnMs; an indeterminate one has null.',
      );
    }
    if (attempt.acknowledged === undefined || add.returnMs < attempt.acknowledged.returnMs!) {
      attempt.acknowledged = add;
    }
  }
  return attempts;
}

/** element → indexes (into the sorted reads, increasing, no repeats) of the reads containing it. */
function indexOccurrences(reads: readonly SetRead[]): Map<SetElement, number[]> {
  const occurrences = new Map<SetElement, number[]>();
  reads.forEach((read, index) => {
    for (const element of read.elements) {
      const list = occurrences.get(element);
      if (list === undefined) occurrences.set(element, [index]);
      else if (list[list.length - 1] !== index) list.push(index);
    }
  });
  return occurrences;
}

/** Index of the first read that began strictly after `ms` (reads.length if none). */
function firstStartAfter(readStarts: readonly number[], ms: number): number {
  let low = 0;
  let high = readStarts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (readStarts[middle]! > ms) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Index of the first entry of the increasing list `indexes` that is ≥ `target`. */
function firstAtLeast(indexes: readonly number[], target: number): number {
  let low = 0;
  let high = indexes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (indexes[middle]! >= target) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * The first and last read in `[from, readCount)` absent from `seenIn` (read indexes containing the
 * element; `seenIn[k]` for k ≥ `firstSeen` are the ones in range). Called only when one exists.
 */
function missingReads(
  seenIn: readonly number[],
  firstSeen: number,
  from: number,
  readCount: number,
): { first: number; last: number } {
  let first = from;
  for (let k = firstSeen; k < seenIn.length && seenIn[k] === first; k++) first++;
  let last = readCount - 1;
  for (let k = seenIn.length - 1; k >= firstSeen && seenIn[k] === last; k--) last--;
  return { first, last };
}

function report(
  element: SetElement,
  outcome: SetElementOutcome,
  acknowledgedAtMs: number | null,
  readsAfterAcknowledgement: number,
  readsMissing: number,
  readsContaining: number,
): SetElementReport {
  return { element, outcome, acknowledgedAtMs, readsAfterAcknowledgement, readsMissing, readsContaining };
}

function countOutcomes(elements: readonly SetElementReport[]): Record<SetElementOutcome, number> {
  const counts: Record<SetElementOutcome, number> = {
    stable: 0,
    lost: 0,
    'never-read': 0,
    unacknowledged: 0,
    invented: 0,
  };
  for (const { outcome } of elements) counts[outcome]++;
  return counts;
}

/** `17`, `"a b"`, `user:7`: numbers and simple strings bare. */
function show(element: SetElement): string {
  return typeof element === 'number' || /^[\w.:@/-]+$/.test(element) ? String(element) : JSON.stringify(element);
}

/** `the read that began at t=340 ms on n2`. */
function theRead(read: SetRead): string {
  return `the read that began at ${at(read.callMs)}${read.node === undefined ? '' : ` on ${read.node}`}`;
}

function lost(
  element: SetElement,
  acknowledged: SetAdd,
  reads: readonly SetRead[],
  gaps: { first: number; last: number },
  missing: number,
  required: number,
): LostElement {
  const firstMissing = reads[gaps.first]!;
  const lastMissing = reads[gaps.last]!;
  const isFinal = gaps.last === reads.length - 1;
  let detail: string;
  if (missing === 1) detail = isFinal ? ', the final read' : '';
  else {
    const last = isFinal ? `the final read (${theRead(lastMissing)})` : `the last at ${at(lastMissing.callMs)}`;
    detail = `; it is missing from ${missing} of the ${plural(required, 'read')} that began after it was acknowledged, up to ${last}`;
  }
  return {
    property: 'set-full',
    element,
    message: `element ${show(element)}, acknowledged at ${at(acknowledged.returnMs!)}, is missing from ${theRead(firstMissing)}${detail}`,
    evidence: gaps.first === gaps.last ? [acknowledged, firstMissing] : [acknowledged, firstMissing, lastMissing],
  };
}

function failedButSeen(
  element: SetElement,
  adds: readonly SetAdd[],
  reads: readonly SetRead[],
  seenIn: readonly number[],
): InventedElement {
  const read = reads[seenIn[0]!]!;
  const others = seenIn.length > 1 ? ` (and ${plural(seenIn.length - 1, 'later read')})` : '';
  const attempts =
    adds.length === 1
      ? `its only add failed (at ${at(adds[0]!.returnMs ?? adds[0]!.callMs)})`
      : `all ${adds.length} adds of it failed`;
  return {
    property: 'no-invention',
    element,
    message: `element ${show(element)} appears in ${theRead(read)}${others}, but ${attempts}: a failed add must not take effect`,
    evidence: [read, ...adds],
  };
}

function neverAttempted(element: SetElement, reads: readonly SetRead[], seenIn: readonly number[]): InventedElement {
  const read = reads[seenIn[0]!]!;
  const others = seenIn.length > 1 ? ` (and ${plural(seenIn.length - 1, 'later read')})` : '';
  return {
    property: 'no-invention',
    element,
    message: `element ${show(element)} appears in ${theRead(read)}${others}, but no client ever tried to add it`,
    evidence: [read],
  };
}
