/**
 * Exercise 3: reliable delivery over a lossy link. The spec is in README.md, next to this file.
 *
 * Write `createReliableLinkNode`. Every node runs it, and each plays two parts:
 * - as a **sender**, it accepts `send` requests from clients and gets each message to its receiver;
 * - as a **receiver**, it hands each message to the application (`deliverToApplication`) exactly once.
 *
 * @module
 */
import { todo, type Message, type Node, type NodeId, type RpcRequest } from '#harness';

const README = 'exercises/01-message-passing/03-reliable-delivery/README.md';

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
 * Given: the application above the link. Returns `inbox` with `entry` handed to the application
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

/** A node that is both a sender and a receiver on reliable links. */
export function createReliableLinkNode(): Node {
  // 💡 This function runs again after every crash. Anything you keep in variables here is lost then;
  //    only ctx.storage survives. What must survive a crash of the sender? Of the receiver?
  return {
    onStart(ctx) {
      // 👉 After a restart, timers are gone. Find the messages this node still owes (in storage) and
      //    start sending them again.
      // 💡 On the very first start storage is empty and there is nothing to do: while you write the
      //    happy path, an empty onStart is fine. Come back here for crashes.
      todo('resume retransmitting unacknowledged messages after a (re)start', README);
      void ctx;
    },

    onMessage(ctx, from, message) {
      // 👉 Three kinds of message arrive here:
      //    - `send` from a client: save the message, send it as `data`, then answer with ctx.reply(from, message, { type: 'send_ok' }).
      //    - `data` from another node: the first time only, deliver it: deliverToApplication(inbox, entry),
      //      then ctx.storage.set(INBOX_KEY, ...) to save the result. Ack every copy.
      //    - `ack`: the receiver has it; stop retransmitting it.
      // 💡 The network may drop, duplicate or reorder any of these, in either direction.
      // 💡 A crash can strike between two lines of a handler, after any send or storage write. Save the
      //    delivery and your record that it happened in ONE write (add a field to the inbox), and save
      //    before you send the ack or the send_ok that reveals it.
      todo('handle send, data and ack messages', README);
      void [ctx, from, message];
    },

    onTimer(ctx, timer) {
      // 👉 A retransmission timer fired: if the message is still unacknowledged, send it again and set
      //    the next timer (a little later each time).
      // 💡 ctx.setTimer(delayMs, { type: 'retransmit', id }) hands { type: 'retransmit', id } back here.
      todo('retransmit a message that has not been acknowledged', README);
      void [ctx, timer];
    },
  };
}
