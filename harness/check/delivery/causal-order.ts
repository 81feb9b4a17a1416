/**
 * Causal order: no node delivers an effect before its cause.
 *
 * Message `a` *happened before* message `b` (Lamport's →) when the sender of `b` had sent or delivered
 * `a` before sending `b`, or through a chain of such steps. A reply cannot make sense before the
 * question it answers, so causal broadcast promises: if `a` happened before `b`, every node that
 * delivers `b` has already delivered `a`.
 *
 * The checker takes each message's *dependencies*: the messages that happened before it. You can write
 * them by hand for a scripted scenario, or compute them from a run's event log with
 * {@link causalDependencies}.
 *
 * @module
 */
import { at } from '../_internals/format.ts';
import { nodeSequences } from './_internals/sequences.ts';
import type { DeliveryRecord, SentRecord } from './records.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/**
 * For each message id, the ids of messages that happened before it (its causes). Messages with no
 * entry have no causes. Either a `Map` or a plain object.
 *
 * Direct causes are enough: if `c` → `a` → `b`, listing `a` under `b` and `c` under `a` lets the
 * checker follow the chain. Listing every transitive cause is also correct, only slower.
 */
export type CausalDependencies = ReadonlyMap<string, readonly string[]> | Readonly<Record<string, readonly string[]>>;

/** Input to {@link checkCausalOrder}. */
export interface CausalOrderInput {
  /** Every delivery, on every node, in any order. */
  readonly deliveries: readonly DeliveryRecord[];
  /** Each message's causes, e.g. from {@link causalDependencies}. */
  readonly happenedBefore: CausalDependencies;
  /**
   * Who originated each message. Used to name senders in messages and to recognise a node's own
   * messages. Optional when every delivery record carries `from`; otherwise pass it, or a node that
   * does not deliver its own messages is blamed for never delivering them.
   */
  readonly sent?: readonly SentRecord[] | undefined;
}

/**
 * A node delivered a message before one of its causes, or without ever delivering the cause.
 * Evidence: the early delivery, then the cause's later delivery at the same node if there was one, or
 * the cause's send record if known.
 */
export interface CausalOrderViolation extends Violation<'causal-order', DeliveryRecord | SentRecord> {
  /** The node that delivered out of order. */
  readonly node: string;
  /** The message it delivered too early. */
  readonly messageId: string;
  /** The cause it had not delivered yet. */
  readonly causeId: string;
}

/** What {@link checkCausalOrder} saw, reported whether or not it passed. */
export interface CausalOrderSummary {
  /** Number of nodes that delivered anything. */
  readonly nodes: number;
  /** Number of (node, message) deliveries judged: first deliveries only. */
  readonly deliveries: number;
  /** Number of (delivery, cause) pairs checked. */
  readonly causesChecked: number;
}

/** The answer of {@link checkCausalOrder}. */
export type CausalOrderVerdict = Verdict<CausalOrderViolation, CausalOrderSummary>;

/**
 * Checks that every node delivered each message's causes before the message itself.
 *
 * A node's delivery order is its records sorted by `atMs`, ties broken by input position; only the
 * first delivery of a message at a node counts. For each delivery of `m` at node `n` and each listed
 * cause `c` of `m`, `n` must have delivered `c` strictly earlier. One exception: if `n` originated `c`
 * itself and never delivers its own messages, `n` has known `c` since sending it, which is fine. (If
 * `n` does deliver its own `c`, then it must do so in causal order like everyone else.)
 *
 * Only direct causes are checked, and that is enough: if `c` → `a` → `b` and `n` delivered `b` without
 * `c` before it, then either `n` delivered `b` before `a` (reported on `b`) or it delivered `a` before
 * `c` (reported on `a`). The report names the first broken link of the chain.
 *
 * Cost: O(D log D + Σ causes of each delivered message) for D deliveries. With direct causes (as
 * {@link causalDependencies} computes) that is linear in the size of the run; listing every transitive
 * cause makes it quadratic.
 *
 * @throws Error if a message lists itself among its causes.
 *
 * @example From a run's event log:
 * ```ts
 * const verdict = checkCausalOrder({
 *   deliveries: events.filter((e) => e.kind === 'deliver'),
 *   sent: events.filter((e) => e.kind === 'send'),
 *   happenedBefore: causalDependencies(events),
 * });
 * ```
 *
 * @example A scripted story:
 * ```ts
 * checkCausalOrder({
 *   deliveries: [
 *     { node: 'n3', messageId: 'm7', from: 'n2', atMs: 500 },
 *     { node: 'n3', messageId: 'm4', from: 'n1', atMs: 620 },
 *   ],
 *   happenedBefore: { m7: ['m4'] },
 * });
 * // ok: false — "n3 delivered m7 (from n2) at t=500 ms before its cause m4 (from n1), delivered at t=620 ms"
 * ```
 */
export function checkCausalOrder(input: CausalOrderInput): CausalOrderVerdict {
  const causesOf = dependencyLookup(input.happenedBefore);
  const origins = originIndex(input.deliveries, input.sent ?? []);
  const violations: CausalOrderViolation[] = [];
  const sequences = nodeSequences(input.deliveries);
  let judged = 0;
  let causesChecked = 0;
  for (const { node, firsts, positionOf } of sequences) {
    judged += firsts.length;
    for (let index = 0; index < firsts.length; index++) {
      const delivery = firsts[index]!;
      for (const cause of causesOf(delivery.messageId)) {
        causesChecked++;
        if (cause === delivery.messageId) {
          throw new Error(`Message ${cause} lists itself among its causes: a message cannot happen before itself.`);
        }
        const causePosition = positionOf.get(cause);
        if (causePosition !== undefined && causePosition < index) continue;
        const origin = origins.get(cause);
        if (causePosition === undefined && origin?.node === node) continue;
        const causeDelivery = causePosition === undefined ? undefined : firsts[causePosition];
        violations.push(outOfOrder(delivery, cause, origin, causeDelivery));
      }
    }
  }
  const summary: CausalOrderSummary = { nodes: sequences.length, deliveries: judged, causesChecked };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/**
 * Like {@link checkCausalOrder}, but throws when the check fails.
 *
 * @returns the passing verdict.
 * @throws Error whose message starts with `causal-order` and lists up to five violations.
 */
export function assertCausalOrder(input: CausalOrderInput): Extract<CausalOrderVerdict, { ok: true }> {
  return throwOnViolations(checkCausalOrder(input));
}

/**
 * One step of a broadcast run as a node saw it: it originated (`send`) or delivered (`deliver`) a
 * message.
 */
export interface BroadcastEvent {
  /** The node that took the step. */
  readonly node: string;
  /** `send`: the node originated the message. `deliver`: the node delivered it to its application. */
  readonly kind: 'send' | 'deliver';
  /** The message's id, unique across the run. */
  readonly messageId: string;
  /** Virtual time (ms) of the step. */
  readonly atMs: number;
}

/**
 * Computes each sent message's direct causes from a run's event log, ready for
 * {@link checkCausalOrder}.
 *
 * When node `n` sends `m`, everything `n` sent or delivered before happened before `m`. Listing all of
 * it under every message would grow quadratically, so this lists only what is new since `n`'s previous
 * send: that previous send itself, plus every message `n` delivered since. Older causes are reachable
 * through the previous send's own entry, and the checker follows such chains. A message delivered twice
 * counts once, at its first delivery.
 *
 * `events` must list each node's events in the order that node took them; how different nodes' events
 * interleave does not matter. Messages never sent in the log get no entry.
 *
 * Cost: O(E) time and memory for E events.
 *
 * @throws Error if a message is sent twice, or a node's events go back in time.
 *
 * @example
 * ```ts
 * causalDependencies([
 *   { node: 'n1', kind: 'send', messageId: 'a', atMs: 0 },
 *   { node: 'n2', kind: 'deliver', messageId: 'a', atMs: 10 },
 *   { node: 'n2', kind: 'send', messageId: 'b', atMs: 20 },
 * ]);
 * // Map { 'a' => [], 'b' => ['a'] }
 * ```
 */
export function causalDependencies(events: readonly BroadcastEvent[]): ReadonlyMap<string, readonly string[]> {
  const dependencies = new Map<string, readonly string[]>();
  const nodes = new Map<string, { lastAtMs: number; known: Set<string>; sinceLastSend: string[] }>();
  for (const event of events) {
    let state = nodes.get(event.node);
    if (state === undefined) {
      state = { lastAtMs: event.atMs, known: new Set(), sinceLastSend: [] };
      nodes.set(event.node, state);
    }
    if (event.atMs < state.lastAtMs) {
      throw new Error(
        `${event.node}'s events go back in time: its ${event.kind} of ${event.messageId} at ${at(event.atMs)} ` +
          `comes after an event at ${at(state.lastAtMs)}. List each node's events in the order it took them.`,
      );
    }
    state.lastAtMs = event.atMs;
    if (event.kind === 'deliver') {
      if (!state.known.has(event.messageId)) {
        state.known.add(event.messageId);
        state.sinceLastSend.push(event.messageId);
      }
      continue;
    }
    if (dependencies.has(event.messageId)) {
      throw new Error(
        `Message ${event.messageId} is sent twice (again by ${event.node} at ${at(event.atMs)}). Give every ` +
          'message its own id, and log only its first send, not retransmissions.',
      );
    }
    dependencies.set(
      event.messageId,
      state.sinceLastSend.filter((id) => id !== event.messageId),
    );
    state.known.add(event.messageId);
    state.sinceLastSend = [event.messageId];
  }
  return dependencies;
}

const NO_CAUSES: readonly string[] = [];

function dependencyLookup(dependencies: CausalDependencies): (messageId: string) => readonly string[] {
  if (dependencies instanceof Map) return (messageId) => dependencies.get(messageId) ?? NO_CAUSES;
  const record = dependencies as Readonly<Record<string, readonly string[]>>;
  // Object.hasOwn: a message called `constructor` must not find Object.prototype's.
  return (messageId) => (Object.hasOwn(record, messageId) ? record[messageId]! : NO_CAUSES);
}

interface Origin {
  readonly node: string;
  readonly sent?: SentRecord;
}

/** messageId → who originated it: from the send records, else from any delivery's `from`. */
function originIndex(deliveries: readonly DeliveryRecord[], sent: readonly SentRecord[]): Map<string, Origin> {
  const origins = new Map<string, Origin>();
  for (const record of sent) origins.set(record.messageId, { node: record.node, sent: record });
  for (const delivery of deliveries) {
    if (delivery.from !== undefined && !origins.has(delivery.messageId)) {
      origins.set(delivery.messageId, { node: delivery.from });
    }
  }
  return origins;
}

function outOfOrder(
  delivery: DeliveryRecord,
  cause: string,
  origin: Origin | undefined,
  causeDelivery: DeliveryRecord | undefined,
): CausalOrderViolation {
  const from = delivery.from === undefined ? '' : ` (from ${delivery.from})`;
  const causeFrom = origin === undefined ? '' : ` (from ${origin.node})`;
  const head = `${delivery.node} delivered ${delivery.messageId}${from} at ${at(delivery.atMs)}`;
  const base = {
    property: 'causal-order',
    node: delivery.node,
    messageId: delivery.messageId,
    causeId: cause,
  } as const;
  if (causeDelivery !== undefined) {
    return {
      ...base,
      message: `${head} before its cause ${cause}${causeFrom}, delivered at ${at(causeDelivery.atMs)}`,
      evidence: [delivery, causeDelivery],
    };
  }
  // Without a sender the checker cannot apply the own-message exception, so say so: this is the
  // usual cause of a false alarm (deliveries without `from`, and no `sent`).
  const unknownSender =
    origin === undefined
      ? ` (whose sender is unknown: if ${delivery.node} sent ${cause} itself, pass \`sent\` so the checker knows)`
      : '';
  return {
    ...base,
    message: `${head} but never delivered its cause ${cause}${causeFrom}${unknownSender}`,
    evidence: origin?.sent === undefined ? [delivery] : [delivery, origin.sent],
  };
}
