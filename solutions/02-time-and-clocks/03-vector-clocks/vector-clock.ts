/**
 * Reference solution for exercise 2.3: vector clocks.
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeId } from '#harness';

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

/** Given: reports one event and its vector timestamp to the tests, as a line in the trace. */
export function logEvent(ctx: NodeContext, kind: 'local' | 'send' | 'deliver', id: string, vector: VectorClock): void {
  ctx.log(`${kind} ${id} ${JSON.stringify(vector)}`);
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
