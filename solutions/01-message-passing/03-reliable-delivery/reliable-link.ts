/**
 * Exercise 3, reference solution: reliable delivery over a lossy link.
 *
 * Exactly-once delivery = at-least-once (retransmit until acknowledged) + de-duplication at the
 * receiver. Both halves keep their state in durable storage, each change in one write made before
 * anything that reveals it leaves the node, so a crash of the sender or of the receiver, even partway
 * through a handler, loses nothing and repeats nothing.
 *
 * @module
 */
import type { Node, NodeContext, NodeId, TimerPayload } from '#harness';
import {
  deliverToApplication,
  INBOX_KEY,
  type AckMessage,
  type DataMessage,
  type Inbox,
  type SendOk,
  type SendRequest,
} from './protocol.ts';

/** Wait this long for an ack before the first retransmission: longer than a round trip on a calm network. */
const FIRST_RETRANSMIT_MS = 100;
/** Back off up to this long between retransmissions, so a long partition does not become a storm. */
const MAX_RETRANSMIT_MS = 800;

/** A message the sender has accepted and not yet seen acknowledged. Stored under {@link outboxKey}. */
interface OutboxEntry {
  readonly to: NodeId;
  readonly id: string;
  readonly payload: string;
}

interface RetransmitTimer extends TimerPayload {
  readonly type: 'retransmit';
  readonly id: string;
  /** How long this timer waited; the next one waits twice as long (up to the maximum). */
  readonly delayMs: number;
}

/**
 * The receiver's record: the application's log and the link's dedup state, saved together under
 * {@link INBOX_KEY}. Invariant: `seen` holds `<from>/<id>` exactly for the messages in `delivered`.
 */
interface ReceiverInbox extends Inbox {
  readonly seen: readonly string[];
}

const EMPTY_INBOX: ReceiverInbox = { delivered: [], seen: [] };

// Storage layout. Invariants:
// - `outbox/<id>` exists exactly while message <id> is accepted and not yet acknowledged;
// - `inbox` is the receiver's record (above). Each key changes with one write, so every invariant
//   holds at every crash point, even a crash partway through a handler.
const OUTBOX_PREFIX = 'outbox/';
const outboxKey = (id: string): string => `${OUTBOX_PREFIX}${id}`;
const seenKey = (from: NodeId, id: string): string => `${from}/${id}`;

/** A node that is both a sender and a receiver on reliable links. Everything it needs is in storage. */
export function createReliableLinkNode(): Node<RetransmitTimer> {
  return {
    onStart(ctx) {
      // After a restart the timers are gone but the outbox is not: resume retransmitting.
      for (const key of ctx.storage.keys()) {
        if (!key.startsWith(OUTBOX_PREFIX)) continue;
        const entry = ctx.storage.get<OutboxEntry>(key)!;
        transmit(ctx, entry, FIRST_RETRANSMIT_MS);
      }
    },

    onMessage(ctx, from, message) {
      switch (message.type) {
        case 'send':
          return accept(ctx, from, message as SendRequest);
        case 'data':
          return receive(ctx, from, message as DataMessage);
        case 'ack':
          // Deleting an entry that is already gone (a duplicate ack) does nothing.
          return ctx.storage.delete(outboxKey((message as AckMessage).id));
        default:
          return ctx.log(`ignored a ${message.type} message from ${from}`);
      }
    },

    onTimer(ctx, timer) {
      const { id, delayMs } = timer;
      const entry = ctx.storage.get<OutboxEntry>(outboxKey(id));
      if (entry === undefined) return; // acknowledged meanwhile
      transmit(ctx, entry, Math.min(delayMs * 2, MAX_RETRANSMIT_MS));
    },
  };
}

/** Takes responsibility for a message: persist it first, then promise it (send_ok). */
function accept(ctx: NodeContext<RetransmitTimer>, client: NodeId, request: SendRequest): void {
  const key = outboxKey(request.id);
  // A duplicated request must not start a second chain of retransmissions.
  if (ctx.storage.get(key) === undefined) {
    const entry: OutboxEntry = { to: request.to, id: request.id, payload: request.payload };
    ctx.storage.set(key, entry);
    transmit(ctx, entry, FIRST_RETRANSMIT_MS);
  }
  ctx.reply(client, request, { type: 'send_ok' } satisfies SendOk);
}

/** Sends one copy of `entry` and sets the timer that sends the next one unless an ack comes first. */
function transmit(ctx: NodeContext<RetransmitTimer>, entry: OutboxEntry, retransmitAfterMs: number): void {
  ctx.send(entry.to, { type: 'data', id: entry.id, payload: entry.payload } satisfies DataMessage);
  ctx.setTimer(retransmitAfterMs, { type: 'retransmit', id: entry.id, delayMs: retransmitAfterMs });
}

/** Hands a message to the application the first time it arrives, and acknowledges every copy. */
function receive(ctx: NodeContext, from: NodeId, data: DataMessage): void {
  const inbox = ctx.storage.get<ReceiverInbox>(INBOX_KEY) ?? EMPTY_INBOX;
  const key = seenKey(from, data.id);
  if (!inbox.seen.includes(key)) {
    const delivered = deliverToApplication(inbox, { from, id: data.id, payload: data.payload, atMs: ctx.now() });
    // One write for one atomic change: the delivery and the mark that it happened are saved together,
    // so no crash point lies between them. And it comes before the ack: an ack makes the sender forget
    // the message, so it must never leave before the message is safe here.
    ctx.storage.set(INBOX_KEY, { ...delivered, seen: [...inbox.seen, key] } satisfies ReceiverInbox);
  }
  // Ack duplicates too: the copy we are answering may be a retransmission because our first ack was lost.
  ctx.send(from, { type: 'ack', id: data.id } satisfies AckMessage);
}
