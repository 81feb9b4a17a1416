/**
 * Exercise 4.3's client messages, consistency levels, the replica's storage layout and the timing.
 * This file is given: the stub, the solution and the tests all import it. The messages between
 * replicas are yours to design.
 *
 * The levels are Cassandra's: a request says how many replicas must answer before the coordinator
 * (the node the client asked) answers the client. The error codes are exercise 4.1's (Maelstrom's).
 */
import type { Message, NodeId } from '#harness';
import { compareHlc, type Hlc } from '../_given/hlc.ts';

export { TEMPORARILY_UNAVAILABLE, TIMEOUT, type ErrorReply } from '../01-cp-register/protocol.ts';

/**
 * How many replicas must answer a request: `ONE` (any one), `QUORUM` (a majority, `floor(N / 2) + 1`
 * of the N replicas) or `ALL` (every replica).
 */
export type ConsistencyLevel = 'ONE' | 'QUORUM' | 'ALL';

/** The levels, weakest first. */
export const CONSISTENCY_LEVELS: readonly ConsistencyLevel[] = ['ONE', 'QUORUM', 'ALL'];

/** Client → node: read the register at `level`. Sent with `ctx.rpc`. */
export interface ReadRequest extends Message {
  readonly type: 'read';
  readonly level: ConsistencyLevel;
}

/** Client → node: write `value` at `level`. Sent with `ctx.rpc`. Every write in the tests has a value of its own. */
export interface WriteRequest extends Message {
  readonly type: 'write';
  readonly value: number;
  readonly level: ConsistencyLevel;
}

/** A request a client sends. */
export type StoreRequest = ReadRequest | WriteRequest;

/** Node → client: the newest value among the replicas that answered (`null` when none was ever written). */
export interface ReadOk extends Message {
  readonly type: 'read_ok';
  readonly value: number | null;
}

/** Node → client: as many replicas as the level asks for keep the write. */
export interface WriteOk extends Message {
  readonly type: 'write_ok';
}

/**
 * A write's place among all writes: the coordinator's hybrid logical clock when it took the write,
 * ties broken by the coordinator's id (one node never gives two writes the same clock reading).
 */
export interface Stamp {
  readonly hlc: Hlc;
  readonly node: NodeId;
}

/** What a replica holds: a value and the stamp of the write that made it. */
export interface Version {
  readonly value: number | null;
  readonly stamp: Stamp;
}

/**
 * The storage key under which every replica keeps its {@link Version} (`ctx.storage.set(VERSION_KEY,
 * version)`). The tests read it there to see when the replicas have converged.
 */
export const VERSION_KEY = 'version';

/** What a replica holds before any write reached it: the oldest stamp there is. */
export const NEVER_WRITTEN: Version = { value: null, stamp: { hlc: { l: 0, c: 0 }, node: '' } };

/** Negative, zero or positive as stamp `a` is older than, the same as, or newer than `b`. */
export function compareStamps(a: Stamp, b: Stamp): number {
  const byClock = compareHlc(a.hlc, b.hlc);
  if (byClock !== 0) return byClock;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

/**
 * How long a coordinator waits for the replicas its level needs before it answers the client with an
 * error, ms.
 */
export const REQUEST_TIMEOUT_MS = 500;

/** How often each replica sends its version to every other replica (anti-entropy), ms of its own clock. */
export const ANTI_ENTROPY_INTERVAL_MS = 1_000;

/** How long the tests' clients wait for any answer before they give up (indeterminate), ms. */
export const CLIENT_TIMEOUT_MS = 1_000;
