/**
 * Exercise 3.4's messages, versions and settings. This file is given: the stub, the solution and the
 * tests all import it. The messages between a coordinator and the replicas are given too, so that the
 * tests can delay one replica's answer on purpose and show what a quorum does then.
 *
 * @module
 */
import type { DurableStorage, Message, NodeId, RpcRequest } from '#harness';

/** Client → any node: the value of `key`. Sent with `ctx.rpc`. */
export interface GetRequest extends Message {
  readonly type: 'get';
  readonly key: string;
}

/** Client → any node: set `key` to `value`. Sent with `ctx.rpc`. Every put in the tests writes a value of its own. */
export interface PutRequest extends Message {
  readonly type: 'put';
  readonly key: string;
  readonly value: string;
}

/** A request a client sends. */
export type ClientRequest = GetRequest | PutRequest;

/** Node → client: `key` holds `value` (`''` for a key never written). */
export interface GetOk extends Message {
  readonly type: 'get_ok';
  readonly value: string;
}

/** Node → client: the put is done: W replicas hold it. */
export interface PutOk extends Message {
  readonly type: 'put_ok';
}

/**
 * Maelstrom's code 0, timeout: the coordinator gave up, and the operation **may** have happened (a put
 * that reached fewer than W replicas is still kept by those). The client records it as indeterminate.
 */
export const TIMEOUT = 0;

/** Node → client: the coordinator gave up waiting for its quorum. */
export interface ErrorReply extends Message {
  readonly type: 'error';
  readonly code: typeof TIMEOUT;
  /** Why, in words, e.g. `1 of 2 replicas answered within 500 ms`. */
  readonly text: string;
}

/** What a node answers a client. */
export type ClientReply = GetOk | PutOk | ErrorReply;

/**
 * A write's place in the order of a key's writes: a counter, ties broken by `writer`, a string no other
 * write has. Two versions are compared by counter first, then by writer, never by value or by when they
 * arrived.
 */
export interface Version {
  readonly counter: number;
  readonly writer: string;
}

/** A value with the version of the write that put it there. */
export interface Versioned {
  readonly version: Version;
  readonly value: string;
}

/** What a replica holds for a key nobody wrote: counter 0, older than every write. */
export const NEVER_WRITTEN: Versioned = { version: { counter: 0, writer: '' }, value: '' };

/** Coordinator → replica: what do you hold for `key`? `op` names the coordinator's operation. */
export interface ReplicaRead extends Message {
  readonly type: 'replica_read';
  readonly op: string;
  readonly key: string;
}

/** Replica → coordinator: what I hold for `key`. */
export interface ReplicaReadOk extends Message {
  readonly type: 'replica_read_ok';
  readonly op: string;
  readonly key: string;
  readonly versioned: Versioned;
}

/** Coordinator → replica: keep `versioned` for `key` if its version is newer than yours. */
export interface ReplicaWrite extends Message {
  readonly type: 'replica_write';
  readonly op: string;
  readonly key: string;
  readonly versioned: Versioned;
}

/** Replica → coordinator: I hold that version of `key`, or a newer one. */
export interface ReplicaWriteOk extends Message {
  readonly type: 'replica_write_ok';
  readonly op: string;
  readonly key: string;
}

/** A message between a coordinator and a replica. */
export type ReplicaMessage = ReplicaRead | ReplicaReadOk | ReplicaWrite | ReplicaWriteOk;

/**
 * How a store is set up. N is the number of nodes (`ctx.nodeIds.length`): every node holds a copy of
 * every key, and any node coordinates the requests its clients send it.
 */
export interface QuorumConfig {
  /** R: how many replicas must answer a read before the coordinator picks the newest answer. 1 ≤ R ≤ N. */
  readonly r: number;
  /** W: how many replicas must confirm a write before the coordinator answers put_ok. 1 ≤ W ≤ N. */
  readonly w: number;
  /**
   * Part two (ABD): before it answers a get, the coordinator writes the newest value it read back to
   * the replicas, and waits until W of them confirmed. `false` is part one: answer at once.
   */
  readonly writeBack: boolean;
}

/**
 * How long a coordinator waits for its quorum before it gives up on an operation and answers an
 * {@link ErrorReply}, ms.
 */
export const QUORUM_TIMEOUT_MS = 500;

/** How long the tests' clients wait for any answer before they give up (indeterminate), ms. */
export const CLIENT_TIMEOUT_MS = 1_000;

/** Where {@link RequestFilter} keeps the newest request id taken from each client. */
const TAKEN_KEY = 'quorums:taken';

/**
 * Tells a client's new request from a copy the network delivered again (exercise 4.1's README, "The same
 * request twice", explains why a copy must not run again). A client's `rpcId`s grow with each request,
 * so a request at or below the newest one taken from that client is a copy. The newest ids are kept in
 * storage, so that a copy delayed past a restart is refused too.
 */
export class RequestFilter {
  readonly #storage: DurableStorage;
  readonly #taken: Record<NodeId, number>;

  /** Loads the ids taken so far from `storage` (the node's `ctx.storage`, or `boot.storage`). */
  constructor(storage: DurableStorage) {
    this.#storage = storage;
    this.#taken = { ...(storage.get<Record<NodeId, number>>(TAKEN_KEY) ?? {}) };
  }

  /** True when `request` from `client` is new (and records it); false for a copy of one already taken. */
  take(client: NodeId, request: Message): boolean {
    const rpcId = (request as RpcRequest).rpcId;
    if (rpcId === undefined) return true;
    if (rpcId <= (this.#taken[client] ?? 0)) return false;
    this.#taken[client] = rpcId;
    this.#storage.set(TAKEN_KEY, this.#taken);
    return true;
  }
}
