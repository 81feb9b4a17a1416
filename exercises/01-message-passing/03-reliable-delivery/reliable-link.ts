/**
 * Exercise 1.3: Reliable delivery over a lossy link. The spec is in README.md, next to this file.
 *
 * Write `createReliableLinkNode`. Every node runs it, and each plays two parts:
 * - as a **sender**, it accepts `send` requests from clients and gets each message to its receiver;
 * - as a **receiver**, it hands each message to the application (`deliverToApplication`) exactly once.
 *
 * @module
 */
import { type Node, type TimerPayload, todo } from '#harness';
// 💡 protocol.ts, next to this file, is given: the messages (SendRequest, SendOk, DataMessage, AckMessage), the
//    receiver's durable record (Inbox, saved under INBOX_KEY) and deliverToApplication. Import what you use.

const README = 'exercises/01-message-passing/03-reliable-delivery/README.md';

/**
 * What your retransmission timer carries: `ctx.setTimer` takes it, and `onTimer` gets it back, typed.
 * 👉 Add the fields you need (how long this timer waited, say).
 */
interface RetransmitTimer extends TimerPayload {
  readonly type: 'retransmit';
  /** The message to send again. */
  readonly id: string;
}

/** A node that is both a sender and a receiver on reliable links. */
export function createReliableLinkNode(): Node<RetransmitTimer> {
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
      // 💡 ctx.setTimer(delayMs, { type: 'retransmit', id }) hands { type: 'retransmit', id } back here,
      //    as a RetransmitTimer: timer.id needs no cast.
      todo('retransmit a message that has not been acknowledged', README);
      void [ctx, timer];
    },
  };
}
