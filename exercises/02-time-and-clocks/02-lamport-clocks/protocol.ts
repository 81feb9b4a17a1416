/**
 * Exercise 2.2's messages, the `Stamp` that `compareStamps` orders, and `logEvent`, which reports an
 * event to the tests. This file is given: the stub, the solution and the tests all import it.
 */
import type { Message, NodeContext, NodeId, RpcRequest } from '#harness';

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

/** Reports one event and its Lamport timestamp to the tests, as a line in the trace. */
export function logEvent(ctx: NodeContext, kind: 'send' | 'deliver', id: string, lamport: number): void {
  ctx.log(`${kind} ${id} L=${lamport}`);
}
