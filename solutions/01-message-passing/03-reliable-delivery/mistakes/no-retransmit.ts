/**
 * Known mistake: the sender sends each message once and trusts the network. On a calm network every
 * message arrives, so the first tests pass; but a message that is dropped, or sent into a partition,
 * never arrives.
 *
 * Breaks: no-loss
 */
import type { Message, Node, NodeContext, NodeId, RpcRequest, TimerPayload } from '../../../../harness/index.ts';

/** Where the application keeps what it was handed: a list of {@link DeliveredEntry}, in durable storage. */
export const APPLICATION_LOG_KEY = 'app:delivered';

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
 * Given: the application above the link. Appends the message to the application's durable log. Call
 * it once per message: calling it twice means the application saw the message twice.
 */
export function deliverToApplication(ctx: NodeContext, from: NodeId, id: string, payload: string): void {
  const log = ctx.storage.get<DeliveredEntry[]>(APPLICATION_LOG_KEY) ?? [];
  log.push({ from, id, payload, atMs: ctx.now() });
  ctx.storage.set(APPLICATION_LOG_KEY, log);
}

/** Client → node: "deliver this to `to`". Answered with {@link SendOk}. */
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

// Storage layout. Invariants:
// - `outbox/<id>` exists exactly while message <id> is accepted and not yet acknowledged;
// - `seen/<from>/<id>` exists exactly when message <id> from <from> has been handed to the application.
const OUTBOX_PREFIX = 'outbox/';
const outboxKey = (id: string): string => `${OUTBOX_PREFIX}${id}`;
const seenKey = (from: NodeId, id: string): string => `seen/${from}/${id}`;

/** A node that is both a sender and a receiver on reliable links. Everything it needs is in storage. */
export function createReliableLinkNode(): Node {
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
      const { id, delayMs } = timer as RetransmitTimer;
      const entry = ctx.storage.get<OutboxEntry>(outboxKey(id));
      if (entry === undefined) return; // acknowledged meanwhile
      transmit(ctx, entry, Math.min(delayMs * 2, MAX_RETRANSMIT_MS));
    },
  };
}

/** Takes responsibility for a message: persist it first, then promise it (send_ok). */
function accept(ctx: NodeContext, client: NodeId, request: SendRequest): void {
  const key = outboxKey(request.id);
  // A duplicated request must not start a second chain of retransmissions.
  if (ctx.storage.get(key) === undefined) {
    const entry: OutboxEntry = { to: request.to, id: request.id, payload: request.payload };
    ctx.storage.set(key, entry);
    transmit(ctx, entry, FIRST_RETRANSMIT_MS);
  }
  ctx.reply(client, request, { type: 'send_ok' } satisfies SendOk);
}

/** Sends `entry` to its receiver. */
function transmit(ctx: NodeContext, entry: OutboxEntry, _retransmitAfterMs: number): void {
  ctx.send(entry.to, { type: 'data', id: entry.id, payload: entry.payload } satisfies DataMessage);
}

/** Hands a message to the application the first time it arrives, and acknowledges every copy. */
function receive(ctx: NodeContext, from: NodeId, data: DataMessage): void {
  const key = seenKey(from, data.id);
  if (ctx.storage.get(key) === undefined) {
    // Both writes happen in one handler call, so no crash can fall between them.
    deliverToApplication(ctx, from, data.id, data.payload);
    ctx.storage.set(key, true);
  }
  // Ack duplicates too: the copy we are answering may be a retransmission because our first ack was lost.
  ctx.send(from, { type: 'ack', id: data.id } satisfies AckMessage);
}
