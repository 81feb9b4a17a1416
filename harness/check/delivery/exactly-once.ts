/**
 * Exactly-once delivery: every message reaches every node that should have it, once, and nothing else
 * arrives.
 *
 * "Exactly once" is three promises at once, and a system can break each separately:
 * - `exactly-once`: no node delivers the same message twice (retries must be deduplicated);
 * - `no-invention`: no node delivers a message nobody sent, attributes it to the wrong sender, or
 *   delivers it before it was sent;
 * - `no-loss`: every sent message is eventually delivered to every node expected to receive it.
 *
 * The first two are safety properties: one bad record is proof. `no-loss` is a liveness property: it
 * only makes sense once faults have healed and the run has had time to catch up.
 *
 * @module
 */
import { at, listSome, times } from '../_internals/format.ts';
import type { DeliveryRecord, SentRecord } from './records.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/**
 * Which nodes must deliver a message: either one list of nodes that must deliver every message, or a
 * function that names the receivers of each message.
 *
 * A list includes the sender only if you list it: if your nodes deliver their own broadcasts, pass all
 * nodes; if not, use {@link everyNodeButSender}.
 */
export type ExpectedReceivers = readonly string[] | ((messageId: string, sent: SentRecord) => readonly string[]);

/** Input to {@link checkExactlyOnce}. */
export interface ExactlyOnceInput {
  /** Every message originated during the run, once each. Message ids must be unique. */
  readonly sent: readonly SentRecord[];
  /** Every delivery, on every node, in any order. */
  readonly delivered: readonly DeliveryRecord[];
  /** Which nodes must deliver each sent message. */
  readonly expectedReceivers: ExpectedReceivers;
  /**
   * When the harness healed the last fault, if the run had a healing phase. It changes no verdict; it
   * makes `no-loss` messages say how long the system had to catch up.
   */
  readonly healedAtMs?: number | undefined;
}

/** A node delivered the same message more than once. Evidence: all its deliveries of that message. */
export interface DuplicateDelivery extends Violation<'exactly-once', DeliveryRecord> {
  /** The node that delivered the message more than once. */
  readonly node: string;
  /** The message it delivered more than once. */
  readonly messageId: string;
}

/**
 * A node delivered something that was not sent as delivered: a message nobody sent, a message
 * attributed to the wrong sender, or a message before its sender sent it. Evidence: the deliveries, and
 * the send when there is one.
 */
export interface InventedDelivery extends Violation<'no-invention', DeliveryRecord | SentRecord> {
  /** The node that delivered it. */
  readonly node: string;
  /** The message it delivered. */
  readonly messageId: string;
}

/** A sent message never reached an expected receiver. Evidence: the send. */
export interface LostMessage extends Violation<'no-loss', SentRecord> {
  /** The receiver that never delivered it. */
  readonly node: string;
  /** The message that never arrived there. */
  readonly messageId: string;
}

/** Anything {@link checkExactlyOnce} can report. */
export type ExactlyOnceViolation = DuplicateDelivery | InventedDelivery | LostMessage;

/** What {@link checkExactlyOnce} saw, reported whether or not it passed. */
export interface ExactlyOnceSummary {
  /** Number of messages sent. */
  readonly messagesSent: number;
  /** Number of delivery records read. */
  readonly deliveries: number;
}

/** The answer of {@link checkExactlyOnce}. */
export type ExactlyOnceVerdict = Verdict<ExactlyOnceViolation, ExactlyOnceSummary>;

/**
 * Checks that every sent message was delivered exactly once to each expected receiver, and that nothing
 * else was delivered.
 *
 * Reports, in this order: per delivered message (in order of first delivery record), invented
 * deliveries and duplicates, then per sent message (in send-record order) each receiver that never
 * delivered it. A delivery by a node that was not an expected receiver is not a violation.
 *
 * Cost: O(S·R + D) time and memory for S sends, R receivers per message and D deliveries (plus a sort
 * of each duplicated message's few deliveries).
 *
 * @throws Error if two send records share a message id: ids must name one message each.
 *
 * @example
 * ```ts
 * const verdict = checkExactlyOnce({
 *   sent: [{ node: 'n1', messageId: 'm1', atMs: 0 }],
 *   delivered: [{ node: 'n2', messageId: 'm1', from: 'n1', atMs: 40 }],
 *   expectedReceivers: ['n2', 'n3'],
 * });
 * // verdict.ok === false: "message m1 from n1 (sent at t=0 ms) was never delivered to n3"
 * ```
 */
export function checkExactlyOnce(input: ExactlyOnceInput): ExactlyOnceVerdict {
  const sentById = indexSends(input.sent);
  const deliveriesByMessage = groupDeliveries(input.delivered);
  const violations: ExactlyOnceViolation[] = [];

  for (const [messageId, byNode] of deliveriesByMessage) {
    const sent = sentById.get(messageId);
    for (const [node, records] of byNode) {
      if (sent === undefined) {
        violations.push(neverSent(node, messageId, records));
        continue;
      }
      const misattributed = records.find((record) => record.from !== undefined && record.from !== sent.node);
      if (misattributed !== undefined) violations.push(wrongSender(misattributed, sent));
      const early = records.find((record) => record.atMs < sent.atMs);
      if (early !== undefined) violations.push(beforeSent(early, sent));
      if (records.length > 1) violations.push(duplicate(node, sent, records));
    }
  }

  const receiversOf = receiversFunction(input.expectedReceivers);
  for (const sent of input.sent) {
    const byNode = deliveriesByMessage.get(sent.messageId);
    for (const receiver of new Set(receiversOf(sent.messageId, sent))) {
      if (byNode?.has(receiver) !== true) violations.push(lost(sent, receiver, input.healedAtMs));
    }
  }

  const summary: ExactlyOnceSummary = { messagesSent: input.sent.length, deliveries: input.delivered.length };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/**
 * Like {@link checkExactlyOnce}, but throws when the check fails.
 *
 * @returns the passing verdict.
 * @throws Error whose message starts with the broken property names and lists up to five violations.
 */
export function assertExactlyOnce(input: ExactlyOnceInput): Extract<ExactlyOnceVerdict, { ok: true }> {
  return throwOnViolations(checkExactlyOnce(input));
}

/**
 * Builds an {@link ExpectedReceivers} function for protocols where a node does not deliver its own
 * messages: every node in `nodes` except the message's sender must deliver it.
 *
 * @example
 * ```ts
 * checkExactlyOnce({ sent, delivered, expectedReceivers: everyNodeButSender(['n1', 'n2', 'n3']) });
 * ```
 */
export function everyNodeButSender(
  nodes: readonly string[],
): (messageId: string, sent: SentRecord) => readonly string[] {
  return (_messageId, sent) => nodes.filter((node) => node !== sent.node);
}

function indexSends(sent: readonly SentRecord[]): Map<string, SentRecord> {
  const sentById = new Map<string, SentRecord>();
  for (const record of sent) {
    const earlier = sentById.get(record.messageId);
    if (earlier !== undefined) {
      throw new Error(
        `Message id ${record.messageId} was sent twice: by ${earlier.node} at ${at(earlier.atMs)} and by ` +
          `${record.node} at ${at(record.atMs)}. Give every originated message its own id, and record ` +
          'only its first send, not retransmissions.',
      );
    }
    sentById.set(record.messageId, record);
  }
  return sentById;
}

/** messageId → node → that node's deliveries of it, in input order. Maps keep first-seen order. */
function groupDeliveries(delivered: readonly DeliveryRecord[]): Map<string, Map<string, DeliveryRecord[]>> {
  const byMessage = new Map<string, Map<string, DeliveryRecord[]>>();
  for (const record of delivered) {
    let byNode = byMessage.get(record.messageId);
    if (byNode === undefined) {
      byNode = new Map();
      byMessage.set(record.messageId, byNode);
    }
    const records = byNode.get(record.node);
    if (records === undefined) byNode.set(record.node, [record]);
    else records.push(record);
  }
  return byMessage;
}

function receiversFunction(expected: ExpectedReceivers): (messageId: string, sent: SentRecord) => readonly string[] {
  return typeof expected === 'function' ? expected : () => expected;
}

function byTime(records: readonly DeliveryRecord[]): DeliveryRecord[] {
  return [...records].sort((a, b) => a.atMs - b.atMs);
}

function timesList(records: readonly DeliveryRecord[]): string {
  return listSome(byTime(records).map((record) => at(record.atMs)));
}

function fromPhrase(from: string | undefined): string {
  return from === undefined ? '' : ` from ${from}`;
}

function neverSent(node: string, messageId: string, records: readonly DeliveryRecord[]): InventedDelivery {
  const first = byTime(records)[0]!;
  const count = records.length === 1 ? `at ${at(first.atMs)}` : `${times(records.length)} (${timesList(records)})`;
  return {
    property: 'no-invention',
    node,
    messageId,
    message: `${node} delivered message ${messageId}${fromPhrase(first.from)} ${count}, but no node ever sent ${messageId}`,
    evidence: byTime(records),
    focus: { atMs: first.atMs },
  };
}

function wrongSender(record: DeliveryRecord, sent: SentRecord): InventedDelivery {
  return {
    property: 'no-invention',
    node: record.node,
    messageId: record.messageId,
    message:
      `${record.node} delivered message ${record.messageId} as if from ${record.from} at ${at(record.atMs)}, ` +
      `but ${sent.node} sent it (at ${at(sent.atMs)})`,
    evidence: [sent, record],
    focus: { atMs: record.atMs },
  };
}

function beforeSent(record: DeliveryRecord, sent: SentRecord): InventedDelivery {
  return {
    property: 'no-invention',
    node: record.node,
    messageId: record.messageId,
    message:
      `${record.node} delivered message ${record.messageId} at ${at(record.atMs)}, before ${sent.node} ` +
      `sent it at ${at(sent.atMs)}`,
    evidence: [sent, record],
    focus: { atMs: record.atMs },
  };
}

function duplicate(node: string, sent: SentRecord, records: readonly DeliveryRecord[]): DuplicateDelivery {
  return {
    property: 'exactly-once',
    node,
    messageId: sent.messageId,
    message: `${node} delivered message ${sent.messageId} from ${sent.node} ${times(records.length)} (${timesList(records)})`,
    evidence: byTime(records),
    // The second delivery is the one that broke the promise.
    focus: { nodes: [sent.node], atMs: byTime(records)[1]!.atMs },
  };
}

function lost(sent: SentRecord, receiver: string, healedAtMs: number | undefined): LostMessage {
  const healed = healedAtMs === undefined ? '' : `, although the network healed at ${at(healedAtMs)}`;
  return {
    property: 'no-loss',
    node: receiver,
    messageId: sent.messageId,
    message: `message ${sent.messageId} from ${sent.node} (sent at ${at(sent.atMs)}) was never delivered to ${receiver}${healed}`,
    evidence: [sent],
    // The promise to deliver it dates from its send: what happened to it since is the story.
    focus: { atMs: sent.atMs },
  };
}
