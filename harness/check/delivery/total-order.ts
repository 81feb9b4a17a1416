/**
 * Total order: all nodes deliver messages in the same order.
 *
 * Total order broadcast (also called atomic broadcast) promises that if two nodes both deliver
 * messages `a` and `b`, they deliver them in the same relative order. It is the promise that lets
 * replicas apply the same commands in the same order and so stay identical: the heart of state machine
 * replication.
 *
 * @module
 */
import { nodeSequences, type NodeSequence } from './_internals/sequences.ts';
import { at } from '../_internals/format.ts';
import type { DeliveryRecord } from './records.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/**
 * Two nodes delivered two messages in opposite orders. Evidence: the four delivery records, first
 * node's two then second node's two.
 */
export interface TotalOrderViolation extends Violation<'total-order', DeliveryRecord> {
  /** The two nodes that disagree: the one whose order the message takes as reference first. */
  readonly nodes: readonly [string, string];
  /** The two messages they order differently, in the first node's order. */
  readonly messageIds: readonly [string, string];
  /**
   * How many of the second node's deliveries (of messages both delivered) come earlier than the first
   * node's order says they should: a rough size of the disagreement, not an exact distance.
   */
  readonly outOfOrder: number;
  /** How many messages both nodes delivered. */
  readonly common: number;
}

/** What {@link checkTotalOrder} saw, reported whether or not it passed. */
export interface TotalOrderSummary {
  /** Number of nodes that delivered anything. */
  readonly nodes: number;
  /** Number of distinct messages delivered. */
  readonly messages: number;
}

/** The answer of {@link checkTotalOrder}. */
export type TotalOrderVerdict = Verdict<TotalOrderViolation, TotalOrderSummary>;

/**
 * Checks that every pair of nodes delivered the messages they have in common in the same relative
 * order.
 *
 * A node's delivery order is its records sorted by `atMs`, ties broken by their position in
 * `deliveries`. A node that delivered a message twice is judged by its first delivery (duplicates are
 * `checkExactlyOnce`'s concern). Nodes need not deliver the same messages: only their common
 * messages are compared, so a node that is behind is not at fault.
 *
 * Reports at most one violation per pair of nodes that disagree: the earliest contradiction found, with
 * a count of how far the two orders differ.
 *
 * This is the pairwise property of total order broadcast. It is weaker than "there is one global order
 * that every node follows": n1 delivering a, b; n2 delivering b, c; n3 delivering c, a passes, because
 * no two nodes share two messages.
 *
 * Cost: O(D log D) to order the D deliveries, then O(N·D) for N nodes: each pair of nodes is compared
 * by walking the shorter sequence and looking up positions in the longer one.
 *
 * @example
 * ```ts
 * checkTotalOrder([
 *   { node: 'n1', messageId: 'm3', atMs: 10 }, { node: 'n1', messageId: 'm5', atMs: 20 },
 *   { node: 'n2', messageId: 'm5', atMs: 15 }, { node: 'n2', messageId: 'm3', atMs: 30 },
 * ]);
 * // ok: false — "n1 delivered m3 before m5, but n2 delivered m5 before m3 (…)"
 * ```
 */
export function checkTotalOrder(deliveries: readonly DeliveryRecord[]): TotalOrderVerdict {
  const sequences = nodeSequences(deliveries);
  const violations: TotalOrderViolation[] = [];
  for (let i = 0; i < sequences.length; i++) {
    for (let j = i + 1; j < sequences.length; j++) {
      const violation = comparePair(sequences[i]!, sequences[j]!);
      if (violation !== undefined) violations.push(violation);
    }
  }
  const messages = new Set(deliveries.map((delivery) => delivery.messageId)).size;
  const summary: TotalOrderSummary = { nodes: sequences.length, messages };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/**
 * Like {@link checkTotalOrder}, but throws when the check fails.
 *
 * @returns the passing verdict.
 * @throws Error whose message starts with `total-order` and lists up to five disagreeing pairs.
 */
export function assertTotalOrder(deliveries: readonly DeliveryRecord[]): Extract<TotalOrderVerdict, { ok: true }> {
  return throwOnViolations(checkTotalOrder(deliveries));
}

/**
 * Walks `walked` (the shorter sequence) and maps each common message to its position at `reference`.
 * Those positions must increase; the first that falls below the highest seen so far is a disagreement.
 */
function comparePair(first: NodeSequence, second: NodeSequence): TotalOrderViolation | undefined {
  const [reference, walked] = first.firsts.length >= second.firsts.length ? [first, second] : [second, first];
  let highest = -1;
  let highestRecord: DeliveryRecord | undefined;
  let common = 0;
  let outOfOrder = 0;
  let firstClash: { earlier: DeliveryRecord; later: DeliveryRecord } | undefined;
  for (const record of walked.firsts) {
    const position = reference.positionOf.get(record.messageId);
    if (position === undefined) continue;
    common++;
    if (position > highest) {
      highest = position;
      highestRecord = record;
      continue;
    }
    outOfOrder++;
    // `walked` delivered highestRecord's message before record's; `reference` did the opposite.
    firstClash ??= { earlier: highestRecord!, later: record };
  }
  if (firstClash === undefined) return undefined;
  return describeClash(reference, walked, firstClash.later, firstClash.earlier, outOfOrder, common);
}

/** `reference` delivered `a` before `b`; `walked` delivered `b` (record `walkedB`) before `a` (`walkedA`). */
function describeClash(
  reference: NodeSequence,
  walked: NodeSequence,
  walkedA: DeliveryRecord,
  walkedB: DeliveryRecord,
  outOfOrder: number,
  common: number,
): TotalOrderViolation {
  const a = walkedA.messageId;
  const b = walkedB.messageId;
  const referenceA = reference.firsts[reference.positionOf.get(a)!]!;
  const referenceB = reference.firsts[reference.positionOf.get(b)!]!;
  const size =
    outOfOrder > 1
      ? `; ${outOfOrder} of the ${common} messages both delivered are out of ${reference.node}'s order at ${walked.node}`
      : '';
  return {
    property: 'total-order',
    nodes: [reference.node, walked.node],
    messageIds: [a, b],
    outOfOrder,
    common,
    message:
      `${reference.node} delivered ${a} before ${b}, but ${walked.node} delivered ${b} before ${a} ` +
      `(${reference.node} at ${at(referenceA.atMs)} and ${at(referenceB.atMs)}; ` +
      `${walked.node} at ${at(walkedB.atMs)} and ${at(walkedA.atMs)})${size}`,
    evidence: [referenceA, referenceB, walkedB, walkedA],
  };
}
