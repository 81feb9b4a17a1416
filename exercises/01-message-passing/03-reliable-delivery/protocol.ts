/**
 * Exercise 1.3's messages, the receiver's storage layout (`Inbox` under `INBOX_KEY`) and the
 * application above the link (`deliverToApplication`). This file is given: the stub, the solution and
 * the tests all import it.
 */
import type { Message, NodeId, RpcRequest } from '#harness';

/** The storage key of the receiver's durable record, an {@link Inbox}. The tests read it. */
export const INBOX_KEY = 'inbox';

/** One message the application received, in the order it received them. */
export interface DeliveredEntry {
  /** The node that sent it. */
  readonly from: NodeId;
  /** The message's id, as given in the `send` request. */
  readonly id: string;
  /** What the message carried. */
  readonly payload: string;
  /** The receiver's clock when it was delivered, in ms. */
  readonly atMs: number;
}

/**
 * What a receiver keeps in durable storage, under {@link INBOX_KEY}: the application's log and, in
 * fields you add, whatever the link must remember beside it. It is one value under one key, so one
 * `ctx.storage.set` saves all of it: a crash keeps all of it or none of it.
 */
export interface Inbox {
  /** The application's log: every message handed to it, in order. */
  readonly delivered: readonly DeliveredEntry[];
}

/**
 * The application above the link. Returns `inbox` with `entry` handed to the application
 * (appended to its log), keeping your own fields. It saves nothing: the message counts as delivered
 * once you save the result under {@link INBOX_KEY}. Deliver each message once: delivering it twice
 * means the application saw it twice.
 */
export function deliverToApplication<T extends Inbox>(inbox: T, entry: DeliveredEntry): T {
  return { ...inbox, delivered: [...inbox.delivered, entry] };
}

/** Client → node: "deliver this to `to`". Answer it with {@link SendOk}. */
export interface SendRequest extends RpcRequest {
  readonly type: 'send';
  /** The node that must receive the message. */
  readonly to: NodeId;
  /** The message's id. No two messages share an id. */
  readonly id: string;
  /** What to deliver. */
  readonly payload: string;
}

/** Node → client: the node has taken responsibility for the message (it is in durable storage). */
export interface SendOk extends Message {
  readonly type: 'send_ok';
}

/** Sender → receiver: one copy of a message (the first, or a retransmission). */
export interface DataMessage extends Message {
  readonly type: 'data';
  readonly id: string;
  readonly payload: string;
}

/** Receiver → sender: "I have message `id`; stop sending it". */
export interface AckMessage extends Message {
  readonly type: 'ack';
  readonly id: string;
}
