/**
 * Exercise 2.3's vector timestamps, its messages, and `logEvent`, which reports an event to the tests.
 * This file is given: the stub, the solution and the tests all import it.
 */
import type { Message, NodeContext, NodeId } from '#harness';

/** A vector timestamp: for each node, how many of its events are in the past of this one. A missing entry is 0. */
export type VectorClock = Readonly<Record<NodeId, number>>;

/** How event a relates to event b: `before` means a happened before b. */
export type Relation = 'before' | 'after' | 'concurrent' | 'same';

/** Client → node: "do a local event called `id`". Fire-and-forget. */
export interface LocalCommand extends Message {
  readonly type: 'local';
  readonly id: string;
}

/** Client → node: "send a note called `id` to node `to`". Fire-and-forget. */
export interface SendCommand extends Message {
  readonly type: 'send';
  readonly id: string;
  readonly to: NodeId;
}

/** Node → node: a note, stamped with the vector timestamp of its send. */
export interface Note extends Message {
  readonly type: 'note';
  readonly id: string;
  readonly vector: VectorClock;
}

/** Reports one event and its vector timestamp to the tests, as a line in the trace. */
export function logEvent(ctx: NodeContext, kind: 'local' | 'send' | 'deliver', id: string, vector: VectorClock): void {
  ctx.log(`${kind} ${id} ${JSON.stringify(vector)}`);
}
