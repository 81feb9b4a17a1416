/**
 * Each node's deliveries in the order the node made them. Internal: not part of the public surface.
 *
 * @module
 */
import type { DeliveryRecord } from '../records.ts';

/**
 * One node's deliveries, first delivery of each message only, in delivery order, plus each message's
 * position in that order.
 */
export interface NodeSequence {
  readonly node: string;
  /** First delivery of each message, in delivery order. */
  readonly firsts: readonly DeliveryRecord[];
  /** messageId → index into `firsts`. */
  readonly positionOf: ReadonlyMap<string, number>;
}

/**
 * Groups deliveries by node, in order of each node's first appearance. A node's delivery order is by
 * `atMs`, ties broken by position in the input (the sort is stable). Repeated deliveries of a message
 * at a node are dropped after the first: duplicates are the exactly-once checker's business.
 *
 * Cost: O(D log D) for D deliveries, O(D) when each node's records are already in time order.
 */
export function nodeSequences(deliveries: readonly DeliveryRecord[]): NodeSequence[] {
  const byNode = new Map<string, DeliveryRecord[]>();
  for (const delivery of deliveries) {
    const list = byNode.get(delivery.node);
    if (list === undefined) byNode.set(delivery.node, [delivery]);
    else list.push(delivery);
  }
  const sequences: NodeSequence[] = [];
  for (const [node, records] of byNode) {
    const ordered = isTimeOrdered(records) ? records : [...records].sort((a, b) => a.atMs - b.atMs);
    const firsts: DeliveryRecord[] = [];
    const positionOf = new Map<string, number>();
    for (const record of ordered) {
      if (positionOf.has(record.messageId)) continue;
      positionOf.set(record.messageId, firsts.length);
      firsts.push(record);
    }
    sequences.push({ node, firsts, positionOf });
  }
  return sequences;
}

function isTimeOrdered(records: readonly DeliveryRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.atMs < records[i - 1]!.atMs) return false;
  }
  return true;
}
