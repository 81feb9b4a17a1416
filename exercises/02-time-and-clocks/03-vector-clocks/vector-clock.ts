/**
 * Exercise 2.3: vector clocks. The spec is in README.md, next to this file.
 *
 * Write `compareVectors` (before, after, concurrent or the same?) and `createVectorClockNode` (a node that
 * stamps every event with a vector clock).
 *
 * @module
 */
import { type Node, todo } from '#harness';
import type { Relation, VectorClock } from './protocol.ts';
// 💡 protocol.ts also holds the messages (LocalCommand, SendCommand, Note) and logEvent: import them as you need them.

const README = 'exercises/02-time-and-clocks/03-vector-clocks/README.md';

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
