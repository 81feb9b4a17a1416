/**
 * Exercise 3.5's messages, settings, ring and hash. This file is given: the stub, the solution and the
 * tests all import it. The ring (which nodes hold a key), the storage layout of a replica's copies and
 * the hash function are given so that the tests can read every replica's copy of every key, and so that
 * the exercise is about hand-offs and Merkle trees, not about hashing.
 *
 * @module
 */
import type { Message, NodeId } from '#harness';

// ───────────────────────────── settings ─────────────────────────────

/** N: how many home replicas each key has (its preference list's first N nodes). */
export const REPLICAS = 3;

/** W: how many distinct nodes (homes or stand-ins) must confirm a put before the coordinator answers put_ok. */
export const WRITE_QUORUM = 2;

/** A home that has not confirmed a put this long after the coordinator sent it gets a stand-in, ms. */
export const STAND_IN_AFTER_MS = 100;

/** How long a coordinator waits for W confirmations before it answers an {@link ErrorReply}, ms. */
export const QUORUM_TIMEOUT_MS = 500;

/** How often a stand-in tries to hand each hint it holds back to the hint's home, ms. */
export const HANDOFF_INTERVAL_MS = 200;

/** How often a node starts one Merkle exchange with one other home of one of its ranges, ms. */
export const SYNC_INTERVAL_MS = 100;

/** How many levels the Merkle tree has below its root: a key's path is this many bits of its hash. */
export const TREE_DEPTH = 16;

/**
 * A differing subtree in which either side holds at most this many keys is not descended further: the
 * two sides exchange its entries instead.
 */
export const LEAF_KEYS = 4;

/** How long the tests' clients wait for an answer before they give up (the put is then indeterminate), ms. */
export const CLIENT_TIMEOUT_MS = 1_000;

// ───────────────────────────── versions ─────────────────────────────

/**
 * A write's place in the order of a key's writes: a counter, ties broken by `writer`. The client chooses
 * it (as a Cassandra client stamps its writes): exercise 3.4 showed how a coordinator computes one.
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

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`: counter first, then writer. */
export function compareVersions(a: Version, b: Version): number {
  if (a.counter !== b.counter) return a.counter - b.counter;
  return a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

// ───────────────────────────── the ring ─────────────────────────────

/**
 * A 32-bit FNV-1a hash of `text`: deterministic, the same on every node and in every run. Not a
 * cryptographic hash; it only has to spread keys evenly and make two different trees unlikely to look alike.
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The range of `key`: its position on the ring of `nodeIds` (sorted, as `ctx.nodeIds` is), from 0 to
 * `nodeIds.length - 1`. Every key of a range has the same homes.
 */
export function rangeOf(key: string, nodeIds: readonly NodeId[]): number {
  return hashString(`ring:${key}`) % nodeIds.length;
}

/**
 * Every node, in ring order from `range`: the first {@link REPLICAS} are the range's homes, the rest are
 * its stand-ins, in the order a coordinator picks them.
 */
export function ringFrom(range: number, nodeIds: readonly NodeId[]): NodeId[] {
  return nodeIds.map((_, index) => nodeIds[(range + index) % nodeIds.length]!);
}

/** The preference list of `key`: its home replicas (all nodes when there are no more than {@link REPLICAS}). */
export function homesOf(key: string, nodeIds: readonly NodeId[]): NodeId[] {
  return ringFrom(rangeOf(key, nodeIds), nodeIds).slice(0, REPLICAS);
}

/** The ranges `node` is a home of, in increasing order. */
export function rangesOf(node: NodeId, nodeIds: readonly NodeId[]): number[] {
  return nodeIds.map((_, range) => range).filter((range) => ringFrom(range, nodeIds).slice(0, REPLICAS).includes(node));
}

/**
 * Where `key` sits in a range's Merkle tree: {@link TREE_DEPTH} bits of its hash, as a string of `0`s and
 * `1`s. A subtree is named by a prefix of such paths (`''` is the root, `'01'` its first child's second
 * child); a key is in the subtree when its path starts with the subtree's name.
 */
export function treePathOf(key: string): string {
  return (hashString(`tree:${key}`) >>> (32 - TREE_DEPTH)).toString(2).padStart(TREE_DEPTH, '0');
}

// ───────────────────────────── storage ─────────────────────────────

/** Where a home replica keeps its copy of `key` (a {@link Versioned}) in `ctx.storage`. Keep hints elsewhere. */
export function storeKey(key: string): string {
  return `kv:${key}`;
}

/** The prefix of {@link storeKey}: `ctx.storage.keys()` that start with it are a replica's copies. */
export const STORE_PREFIX = 'kv:';

// ───────────────────────────── client messages ─────────────────────────────

/** Client → any node: write `value` under `version` to `key`'s homes. Sent with `ctx.rpc`. */
export interface PutRequest extends Message {
  readonly type: 'put';
  readonly key: string;
  readonly value: string;
  readonly version: Version;
}

/** Node → client: W distinct nodes (homes, or stand-ins holding a hint) confirmed the put. */
export interface PutOk extends Message {
  readonly type: 'put_ok';
}

/** Maelstrom's code 0, timeout: the put may or may not have happened. */
export const TIMEOUT = 0;

/** Node → client: the coordinator gave up after {@link QUORUM_TIMEOUT_MS}. */
export interface ErrorReply extends Message {
  readonly type: 'error';
  readonly code: typeof TIMEOUT;
  /** Why, in words, e.g. `1 of the 2 confirmations needed came within 500 ms`. */
  readonly text: string;
}

/** What a node answers a client. */
export type ClientReply = PutOk | ErrorReply;

// ───────────────────────────── replica messages ─────────────────────────────

/**
 * Coordinator → home or stand-in: keep `versioned` for `key` if it is newer than what you hold. `op`
 * names the coordinator's operation. Without `hint`, the receiver is one of the key's homes. With
 * `hint`, the receiver is a stand-in for the home `hint` names: it keeps the write as a hint, durably,
 * and hands it to that home later.
 */
export interface ReplicaWrite extends Message {
  readonly type: 'replica_write';
  readonly op: string;
  readonly key: string;
  readonly versioned: Versioned;
  readonly hint?: NodeId;
}

/** Home or stand-in → coordinator: I hold that version of `key` (or a newer one), durably. */
export interface ReplicaWriteOk extends Message {
  readonly type: 'replica_write_ok';
  readonly op: string;
  readonly key: string;
}

/** Stand-in → home: a write meant for you, which I kept as a hint. */
export interface Handoff extends Message {
  readonly type: 'handoff';
  readonly key: string;
  readonly versioned: Versioned;
}

/** Home → stand-in: I hold `key` at `version` or newer, durably: you may delete your hint. */
export interface HandoffOk extends Message {
  readonly type: 'handoff_ok';
  readonly key: string;
  readonly version: Version;
}

/** One subtree of a range's Merkle tree, as its sender sees it. */
export interface SubtreeSummary {
  /** The subtree's name: a prefix of {@link treePathOf} paths (`''` for the root). */
  readonly path: string;
  /** The sender's hash of the subtree: equal hashes mean equal contents. */
  readonly hash: number;
  /** How many keys the sender holds in the subtree. */
  readonly keys: number;
}

/** Home → home of the same range: my hashes of these subtrees of `range`'s tree. */
export interface SyncHashes extends Message {
  readonly type: 'sync_hashes';
  readonly range: number;
  readonly subtrees: readonly SubtreeSummary[];
}

/** One key's copy, in a {@link SyncEntries}. */
export interface Entry {
  readonly key: string;
  readonly versioned: Versioned;
}

/**
 * Home → home of the same range: my copies of the keys in these subtrees of `range`'s tree. With
 * `reply: true` the sender holds every key it has in `paths` here, and asks for the receiver's copies
 * there that are newer or that it lacks; with `reply: false` it answers such a request.
 */
export interface SyncEntries extends Message {
  readonly type: 'sync_entries';
  readonly range: number;
  readonly paths: readonly string[];
  readonly entries: readonly Entry[];
  readonly reply: boolean;
}

/** A message between nodes. */
export type ReplicaMessage = ReplicaWrite | ReplicaWriteOk | Handoff | HandoffOk | SyncHashes | SyncEntries;
