/**
 * Exercise 2.3: vector clocks. The spec is in README.md, next to this file.
 *
 * Write `compareVectors` (before, after, concurrent or the same?) and `createVectorClockNode` (a node that
 * stamps every event with a vector clock).
 *
 * @module
 */
import { todo, type Message, type Node, type NodeContext, type NodeId } from '#harness';

const README = 'exercises/02-time-and-clocks/03-vector-clocks/README.md';

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

/**
 * Compares two vector timestamps: `before` if a ≤ b entry by entry and they differ, `after` if b ≤ a and
 * they differ, `same` if equal, `concurrent` otherwise. A missing entry counts as 0.
 */
export function compareVectors(a: VectorClock, b: VectorClock): Relation {
  // 👉 Look at every node that appears in a or in b. Is some entry of a smaller? Is some entry larger?
  // 💡 "Not before" does not mean "after": when a is smaller somewhere and larger elsewhere, neither
  //    event could have caused the other. They are concurrent.
  todo('compare two vector timestamps', README);
  void [a, b];
}

/** Given: reports one event and its vector timestamp to the tests, as a line in the trace. */
export function logEvent(ctx: NodeContext, kind: 'local' | 'send' | 'deliver', id: string, vector: VectorClock): void {
  ctx.log(`${kind} ${id} ${JSON.stringify(vector)}`);
}

/** A node that stamps its local events, sends and deliveries with a vector clock. */
export function createVectorClockNode(): Node {
  // 💡 The node's vector clock: one counter per node, all 0 at start. ctx.nodeIds lists every node.
  return {
    onMessage(ctx, from, message) {
      // 👉 Three kinds of message arrive:
      //    - `local` from a client: one event. Count it in your own entry, then logEvent(ctx, 'local', id, vector).
      //    - `send` from a client: one event. Count it, send { type: 'note', id, vector } to `to`, and
      //      logEvent(ctx, 'send', id, vector).
      //    - `note` from a node: one event. Take the entry-wise max of your vector and the note's, count
      //      the delivery in your own entry, then logEvent(ctx, 'deliver', id, vector).
      // 💡 ctx.send copies the message at once: your later changes to the vector do not reach the note.
      todo('stamp local events, sends and deliveries with a vector clock', README);
      void [ctx, from, message];
    },
  };
}
