/**
 * Reference solution for exercise 2.4: causal broadcast (Birman, Schiper and Stephenson, 1991).
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeId } from '#harness';
import { deliverToApplication, type BroadcastCommand } from './protocol.ts';

/** Node → node: one copy of a broadcast, with what its sender had delivered when it sent it. */
export interface CausalMessage extends Message {
  readonly type: 'cbcast';
  readonly id: string;
  readonly text: string;
  /**
   * For each node, how many of its messages the sender had delivered when it broadcast this one; the
   * sender's own entry counts this message too (it is this message's number among the sender's).
   */
  readonly vector: Readonly<Record<NodeId, number>>;
}

/** A causal broadcast node: delivers every message once, after everything its sender had delivered. */
export function createCausalBroadcastNode(): Node {
  // Invariant: delivered[n] is the number of n's messages this node has delivered; they are n's first
  // delivered[n] messages, because each node's messages are delivered in their order.
  let delivered: Record<NodeId, number> = {};
  /** Copies that arrived before their causes, with their sender. At most one copy per id. */
  let held: Array<{ readonly from: NodeId; readonly message: CausalMessage }> = [];
  const broadcastIds = new Set<string>();

  /** Every message `m` from `from` depends on: the previous one from `from`, and what `from` had delivered. */
  const isDeliverable = (from: NodeId, m: CausalMessage) =>
    m.vector[from] === (delivered[from] ?? 0) + 1 &&
    Object.entries(m.vector).every(([node, count]) => node === from || count <= (delivered[node] ?? 0));

  /** Delivers held messages until none is deliverable: each delivery may unblock others. */
  function deliverWhatIsReady(ctx: NodeContext): void {
    for (;;) {
      const index = held.findIndex(({ from, message }) => isDeliverable(from, message));
      if (index === -1) return;
      const [{ from, message }] = held.splice(index, 1) as [{ from: NodeId; message: CausalMessage }];
      delivered[from] = (delivered[from] ?? 0) + 1;
      deliverToApplication(ctx, { id: message.id, from, text: message.text });
    }
  }

  return {
    onStart(ctx) {
      delivered = Object.fromEntries(ctx.nodeIds.map((node) => [node, 0]));
      held = [];
    },

    onMessage(ctx, from, message) {
      if (message.type === 'broadcast') {
        const { id, text } = message as BroadcastCommand;
        if (broadcastIds.has(id)) return; // a duplicated command: broadcast once
        broadcastIds.add(id);
        delivered[ctx.id] = (delivered[ctx.id] ?? 0) + 1;
        const copy: CausalMessage = { type: 'cbcast', id, text, vector: { ...delivered } };
        deliverToApplication(ctx, { id, from: ctx.id, text });
        for (const peer of ctx.nodeIds) if (peer !== ctx.id) ctx.send(peer, copy);
        return;
      }
      if (message.type === 'cbcast') {
        const copy = message as CausalMessage;
        const alreadyDelivered = (copy.vector[from] ?? 0) <= (delivered[from] ?? 0);
        const alreadyHeld = held.some((entry) => entry.message.id === copy.id);
        if (alreadyDelivered || alreadyHeld) return; // a duplicate
        held.push({ from, message: copy });
        deliverWhatIsReady(ctx);
      }
    },
  };
}
