/**
 * Exercise 4.4's messages between the nodes, its timing, and what the tests read from a node. This
 * file is given: the stub, the solution and the tests all import it. Not yours to edit.
 *
 * ```text
 *   primary ──Heartbeat { epoch }──────────────────▶ others     "I am the primary of this epoch"
 *   candidate ──RequestVote { epoch }──────────────▶ others     "make me the primary of this epoch"
 *   candidate ◀─Vote { epoch, granted, version, state }─ each   "yes, and here is the newest state I hold"
 *   primary ──Accept { epoch, version, state }────▶ others     "keep this state: it has one more operation"
 *   primary ◀─Accepted { epoch, version, ok }────── each       "I keep it" (or: "no, I promised a newer epoch")
 * ```
 *
 * The clients' requests and answers (`KvRequest`, `KvReply`) and the store with its client sessions
 * (`KvState`, `execute`) are chapter 3's, in `../../03-replication/_given/kv-protocol.ts`.
 *
 * @module
 */
import type { Message, Node, TimerPayload } from '#harness';
import type { KvState } from '../../03-replication/_given/kv-protocol.ts';

/**
 * Where a state stands in the order of all states: the epoch of the primary that made it, and how many
 * operations that primary had applied in its epoch. Compare the epochs first, then `n`.
 */
export interface Version {
  readonly epoch: number;
  readonly n: number;
}

/** The version of the empty store that every node starts with. */
export const INITIAL_VERSION: Version = { epoch: 0, n: 0 };

/** Primary → every other node, every {@link HEARTBEAT_INTERVAL_MS}: "I am the primary of `epoch`". Sent with `ctx.send`. */
export interface Heartbeat extends Message {
  readonly type: 'Heartbeat';
  readonly epoch: number;
}

/** Candidate → every other node: "make me the primary of `epoch`". Sent with `ctx.send`. */
export interface RequestVote extends Message {
  readonly type: 'RequestVote';
  readonly epoch: number;
}

/**
 * Node → candidate: the answer to a {@link RequestVote}. With `granted: true`, the voter promises to
 * accept nothing from an older epoch, and sends the newest state it accepted, so that the new primary
 * starts from everything a majority was told. With `granted: false`, `epoch` is the voter's own epoch.
 */
export interface Vote extends Message {
  readonly type: 'Vote';
  readonly epoch: number;
  readonly granted: boolean;
  readonly version: Version;
  readonly state: KvState;
}

/**
 * Primary → every other node: "keep `state`, the store after operation `version.n` of my epoch". The
 * whole store travels in every Accept (the tests' stores are small), so a node that missed one catches
 * up with the next. Sent with `ctx.send`.
 */
export interface Accept extends Message {
  readonly type: 'Accept';
  readonly epoch: number;
  readonly version: Version;
  readonly state: KvState;
}

/**
 * Node → primary: the answer to an {@link Accept}. `ok: true` when the node keeps the state (saved in
 * its storage first); `ok: false` when it promised a newer epoch, which `epoch` then names.
 */
export interface Accepted extends Message {
  readonly type: 'Accepted';
  readonly epoch: number;
  readonly version: Version;
  readonly ok: boolean;
}

/** Every message between the nodes. */
export type NodeMessage = Heartbeat | RequestVote | Vote | Accept | Accepted;

/** How often a primary sends its heartbeat, ms. */
export const HEARTBEAT_INTERVAL_MS = 50;

/**
 * How long a node waits without hearing from a primary of its epoch before it asks to become the
 * primary of the next epoch, ms: drawn anew each time from this range, so that two nodes rarely ask at
 * once (pass it to `ctx.setTimer` as it is).
 */
export const ELECTION_TIMEOUT_MS = { min: 300, max: 600 } as const;

/**
 * How long a primary waits for a majority to accept an operation before it answers the client
 * `unavailable`, ms. The client then retries, with the same `seq`.
 */
export const ACCEPT_TIMEOUT_MS = 200;

/** Who a node believes it is in its current epoch. */
export type Role = 'primary' | 'candidate' | 'backup';

/** What the tests read from each node (the node instance your factory returns). */
export interface FailoverNode<Timer extends TimerPayload = TimerPayload> extends Node<Timer> {
  /** The newest epoch this node has heard of or promised. */
  readonly epoch: number;
  /** Who it believes it is in that epoch. */
  readonly role: Role;
  /** The version of the state it holds. */
  readonly version: Version;
  /** Its copy of the store and the client sessions. */
  readonly state: KvState;
}
