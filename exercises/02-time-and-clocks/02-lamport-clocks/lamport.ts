/**
 * Exercise 2.2: Lamport clocks. The spec is in README.md, next to this file.
 *
 * Write `compareStamps` (the total order) and `createLamportNode` (a chat node that stamps every event
 * with its Lamport clock and lists the chats in the total order).
 *
 * @module
 */
import { type Node, todo } from '#harness';
import type { Stamp } from './protocol.ts';
// 💡 protocol.ts also holds the messages (BroadcastCommand, Chat, TranscriptRequest, TranscriptOk) and logEvent:
//    import them as you need them.

const README = 'exercises/02-time-and-clocks/02-lamport-clocks/README.md';

/**
 * Lamport's total order (⇒): by timestamp, ties broken by node id (compared as strings). Negative when
 * `a` comes first, positive when `b` does, 0 only for equal stamps.
 */
export function compareStamps(a: Stamp, b: Stamp): number {
  // 👉 Smaller timestamp first. Equal timestamps: the smaller node id first ('n1' < 'n2').
  // 💡 Equal timestamps are common: two nodes that broadcast at the same moment both stamp L=1.
  todo('compare two stamps: by Lamport time, then by node id', README);
  void [a, b];
}

/** A chat node: broadcasts chats on command, stamps every event with its Lamport clock, answers `transcript`. */
export function createLamportNode(): Node {
  // 💡 A Lamport clock is one number per node. Keep it (and the chats this node knows) in variables here.
  return {
    onMessage(ctx, from, message) {
      // 👉 Three kinds of message arrive:
      //    - `broadcast` from a client: tick, send the chat (with `lamport`) to every other node, then
      //      logEvent(ctx, 'send', id, lamport). The whole broadcast is one event with one timestamp.
      //    - `chat` from a node: set your clock past both your own and the chat's timestamp, then
      //      logEvent(ctx, 'deliver', id, lamport).
      //    - `transcript` (via rpc): reply with the ids of every chat you sent or delivered, sorted with
      //      compareStamps. A chat's stamp is the Lamport time of its broadcast and its sender's id.
      todo('stamp broadcasts and deliveries with a Lamport clock, and answer transcript', README);
      void [ctx, from, message];
    },
  };
}
