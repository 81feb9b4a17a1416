/**
 * Reference solution for exercise 2.3: vector clocks.
 *
 * @module
 */
import type { Node, NodeId } from '#harness';
import {
  logEvent,
  type LocalCommand,
  type Note,
  type Relation,
  type SendCommand,
  type VectorClock,
} from './protocol.ts';

/**
 * Compares two vector timestamps: `before` if a ≤ b entry by entry and they differ, `after` if b ≤ a and
 * they differ, `same` if equal, `concurrent` otherwise. A missing entry counts as 0.
 */
export function compareVectors(a: VectorClock, b: VectorClock): Relation {
  let someLess = false;
  let someGreater = false;
  for (const node of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[node] ?? 0;
    const y = b[node] ?? 0;
    if (x < y) someLess = true;
    if (x > y) someGreater = true;
  }
  if (someLess && someGreater) return 'concurrent';
  if (someLess) return 'before';
  if (someGreater) return 'after';
  return 'same';
}

/** A node that stamps its local events, sends and deliveries with a vector clock. */
export function createVectorClockNode(): Node {
  // Invariant: vector[n] is the number of n's events that happened before or at this node's latest event.
  let vector: Record<NodeId, number> = {};

  return {
    onStart(ctx) {
      vector = Object.fromEntries(ctx.nodeIds.map((node) => [node, 0]));
    },

    onMessage(ctx, _from, message) {
      switch (message.type) {
        case 'local': {
          const { id } = message as LocalCommand;
          vector[ctx.id]! += 1;
          logEvent(ctx, 'local', id, vector);
          return;
        }
        case 'send': {
          const { id, to } = message as SendCommand;
          vector[ctx.id]! += 1;
          const note: Note = { type: 'note', id, vector: { ...vector } };
          ctx.send(to, note);
          logEvent(ctx, 'send', id, vector);
          return;
        }
        case 'note': {
          const note = message as Note;
          for (const [node, count] of Object.entries(note.vector)) vector[node] = Math.max(vector[node] ?? 0, count);
          vector[ctx.id]! += 1;
          logEvent(ctx, 'deliver', note.id, vector);
          return;
        }
      }
    },
  };
}
