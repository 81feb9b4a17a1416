/**
 * Exercise 2.2: Lamport clocks. The spec is in README.md, next to this file.
 *
 * Write `compareStamps` (the total order) and `createLamportNode` (a chat node that stamps every event
 * with its Lamport clock and lists the chats in the total order).
 *
 * @module
 */
import { todo, type Message, type Node, type NodeContext, type NodeId, type RpcRequest } from '#harness';

const README = 'exercises/02-time-and-clocks/02-lamport-clocks/README.md';

/** Client → node: "broadcast this chat to everyone". Fire-and-forget: no answer. */
export interface BroadcastCommand extends Message {
  readonly type: 'broadcast';
  /** The chat's id, unique in the run. */
  readonly id: string;
  readonly text: string;
}

/** Node → every other node: one chat, stamped with the Lamport time of its broadcast. */
export interface Chat extends Message {
  readonly type: 'chat';
  readonly id: string;
  readonly text: string;
  /** The sender's Lamport clock at the broadcast. */
  readonly lamport: number;
}

/** Client → node: "list every chat you know, in the total order". Sent with `ctx.rpc`. */
export interface TranscriptRequest extends RpcRequest {
  readonly type: 'transcript';
}

/** Node → client: the ids of every chat the node sent or delivered, in the total order. */
export interface TranscriptOk extends Message {
  readonly type: 'transcript_ok';
  readonly ids: readonly string[];
}

/** A chat's place in the total order: the Lamport time of its broadcast, and the node that broadcast it. */
export interface Stamp {
  readonly lamport: number;
  readonly node: NodeId;
}

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

/** Given: reports one event and its Lamport timestamp to the tests, as a line in the trace. */
export function logEvent(ctx: NodeContext, kind: 'send' | 'deliver', id: string, lamport: number): void {
  ctx.log(`${kind} ${id} L=${lamport}`);
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
