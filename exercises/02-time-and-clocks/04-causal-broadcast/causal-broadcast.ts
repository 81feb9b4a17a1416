/**
 * Exercise 2.4: causal broadcast. The spec is in README.md, next to this file.
 *
 * Write `createCausalBroadcastNode`: every node delivers every message exactly once, and never before a
 * message that its sender had delivered before sending it.
 *
 * @module
 */
import { type Message, type Node, type NodeId, todo } from '#harness';
// 💡 protocol.ts, next to this file, is given: BroadcastCommand (the client's command) and deliverToApplication
//    (hand a message to the application). Import them as you need them.

const README = 'exercises/02-time-and-clocks/04-causal-broadcast/README.md';

/**
 * Node → node: one copy of a broadcast, with what its sender had delivered when it sent it. This shape
 * is a suggestion; the tests only need `id` in every copy.
 */
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
  // 💡 State you will need: how many messages of each node you have delivered (a vector), and the copies
  //    that arrived too early and wait for their causes.
  return {
    onMessage(ctx, from, message) {
      // 👉 `broadcast` from a client (ignore an id you have already broadcast: the network duplicates
      //    commands too): count it in your own entry, deliverToApplication at once, and send a copy
      //    with your vector to every other node.
      // 👉 A copy from a node: a duplicate of something delivered or already waiting? Drop it. Otherwise
      //    hold it until it is deliverable: it is the next message from its sender, and you have
      //    delivered everything its sender had delivered. Each delivery may unblock another: keep going.
      todo('broadcast with a vector, and deliver each copy once its causes are delivered', README);
      void [ctx, from, message];
    },
  };
}
