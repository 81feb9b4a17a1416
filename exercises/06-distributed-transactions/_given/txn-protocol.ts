/**
 * Chapter 6's cluster, messages and data: the coordinator `tc`, the two shards `s1` and `s2`, which
 * shard holds which key, the operations a transaction is made of ({@link evaluate} computes what they
 * read and write), and what a participant shows the tests ({@link ParticipantState}). This file is
 * given: the stub, the solution and the tests all import it.
 */
import type { Message, Node, NodeId, RpcRequest } from '#harness';

/** The transaction coordinator: clients send it their transactions. */
export const COORDINATOR: NodeId = 'tc';

/** The participants: each shard holds part of the keys. */
export const SHARDS: readonly NodeId[] = ['s1', 's2'];

/** Every node of the cluster. */
export const NODES: readonly NodeId[] = [COORDINATOR, ...SHARDS];

/**
 * The shard that holds `key`: keys that start with a letter from `a` to `m` live on `s1`, from `n` to
 * `z` on `s2`. So `a` and `b` are on s1, `n` and `o` on s2.
 *
 * @throws Error for a key that does not start with a lowercase letter.
 */
export function shardOf(key: string): NodeId {
  const first = key.charAt(0);
  if (first < 'a' || first > 'z') throw new Error(`Key ${JSON.stringify(key)} does not start with a lowercase letter.`);
  return first <= 'm' ? 's1' : 's2';
}

/** The bank's accounts and their opening balances: two on each shard, 400 in all. */
export const OPENING_BALANCES: Readonly<Record<string, number>> = { a: 100, b: 100, n: 100, o: 100 };

/** What shard `shard` holds when it first starts: its accounts from {@link OPENING_BALANCES}. */
export function initialStore(shard: NodeId): Map<string, number> {
  return new Map(Object.entries(OPENING_BALANCES).filter(([key]) => shardOf(key) === shard));
}

/** Read `key`: the transaction's answer carries its value (`null` if never written). */
export interface ReadOp {
  readonly f: 'read';
  readonly key: string;
}

/** Set `key` to `value`. */
export interface WriteOp {
  readonly f: 'write';
  readonly key: string;
  readonly value: number;
}

/** Add `amount` to `key` (a missing key counts as 0); negative to take money out. The result may not go below zero. */
export interface AddOp {
  readonly f: 'add';
  readonly key: string;
  readonly amount: number;
}

/** One operation of a transaction. */
export type TxnOp = ReadOp | WriteOp | AddOp;

/** Client → coordinator: run these operations as one transaction. Answer it with a {@link TxnReply}. */
export interface TxnRequest extends RpcRequest {
  readonly type: 'txn';
  /** Chosen by the client, unique. A client that got no answer may send the same request again. */
  readonly txnId: string;
  readonly ops: readonly TxnOp[];
}

/** Coordinator → client: the transaction committed; `reads` has the value of every key it read. */
export interface TxnCommitted extends Message {
  readonly type: 'txn_committed';
  readonly txnId: string;
  readonly reads: Readonly<Record<string, number | null>>;
}

/** Coordinator → client: the transaction aborted, at every participant; nothing it wrote happened. */
export interface TxnAborted extends Message {
  readonly type: 'txn_aborted';
  readonly txnId: string;
  /** Why, in words: "s2 voted no: key n is locked by t7", "s2 did not answer". */
  readonly reason: string;
}

/** The coordinator's answer to a {@link TxnRequest}. */
export type TxnReply = TxnCommitted | TxnAborted;

/**
 * Coordinator → participant, phase 1: "can you commit these operations (the ones on your keys)?"
 * Sent with `rpc`; the participant answers with a {@link Vote}.
 */
export interface Prepare extends RpcRequest {
  readonly type: 'prepare';
  readonly txnId: string;
  readonly ops: readonly TxnOp[];
  /**
   * (Exercise 6.3) Every participant of the transaction, the receiver among them: the peers a
   * participant asks about the outcome when the coordinator is silent (see {@link TerminationQuery}).
   */
  readonly participants?: readonly NodeId[];
}

/** Participant → coordinator: its vote on a {@link Prepare}. */
export interface Vote extends Message {
  readonly type: 'vote';
  readonly txnId: string;
  /** `true`: "I have locked the keys and will commit if told to". `false`: "I cannot; abort". */
  readonly yes: boolean;
  /** With a yes vote: the values of the keys the operations read. */
  readonly reads?: Readonly<Record<string, number | null>>;
  /** With a no vote: why. */
  readonly reason?: string;
}

/** Coordinator → participant, phase 2: the decision. Sent with `rpc`; the participant answers with a {@link DecisionAck}. */
export interface Decision extends RpcRequest {
  readonly type: 'commit' | 'abort';
  readonly txnId: string;
}

/** Participant → coordinator: "I have applied the decision on transaction `txnId`". */
export interface DecisionAck extends Message {
  readonly type: 'decision_ack';
  readonly txnId: string;
}

/**
 * Participant → coordinator (exercise 6.2): "what did you decide about `txnId`?" A participant that voted
 * yes and has waited long for the decision asks. Sent with `rpc`; the coordinator answers with the
 * {@link Decision} (`commit` or `abort`) once it has one, and does not answer while it is still deciding.
 */
export interface DecisionQuery extends RpcRequest {
  readonly type: 'decision_query';
  readonly txnId: string;
}

/**
 * Participant → participant (exercise 6.3, cooperative termination): "do you know how `txnId` ended?"
 * A participant that voted yes and hears nothing from the coordinator asks its peers (the
 * `participants` of the {@link Prepare}). Sent with `rpc`; the peer answers with a {@link TerminationAnswer}.
 */
export interface TerminationQuery extends RpcRequest {
  readonly type: 'termination_query';
  readonly txnId: string;
}

/**
 * Participant → participant: the answer to a {@link TerminationQuery}. `commit` or `abort`: the peer
 * has decided (or, having not voted yet, has just aborted on its own and will vote no). `unknown`: the
 * peer voted yes and is waiting for the decision too.
 */
export interface TerminationAnswer extends Message {
  readonly type: 'termination_answer';
  readonly txnId: string;
  readonly outcome: 'commit' | 'abort' | 'unknown';
}

/** What a participant decided about one transaction. */
export type ParticipantOutcome = 'committed' | 'aborted';

/**
 * What every participant node shows the tests (your participant's object has these fields, kept up
 * to date): its data, its locks and its decisions.
 */
export interface ParticipantState {
  /** The shard's data: key → value. Changed only when a transaction commits. */
  readonly store: ReadonlyMap<string, number>;
  /** Each locked key → the id of the transaction holding the lock. */
  readonly locks: ReadonlyMap<string, string>;
  /** Each transaction this participant has decided → its decision. A decision never changes. */
  readonly outcomes: ReadonlyMap<string, ParticipantOutcome>;
}

/** A participant node, as `createParticipant` returns it: its handlers, and the state the tests read. */
export interface ParticipantNode extends Node, ParticipantState {}

/** What {@link evaluate} computed: the values read and the values to write, or why the operations cannot run. */
export type Evaluation =
  | {
      readonly ok: true;
      /** The value of every key read (`null` if never written), as it was before any write of these operations. */
      readonly reads: Readonly<Record<string, number | null>>;
      /** The new value of every key written. */
      readonly writes: ReadonlyMap<string, number>;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Runs `ops` against `store` without changing it: what they read, and what they would write. `add`s
 * that would take a key below zero make it fail (`ok: false`), so a transfer that would overdraw an
 * account cannot commit.
 */
export function evaluate(store: ReadonlyMap<string, number>, ops: readonly TxnOp[]): Evaluation {
  const reads: Record<string, number | null> = {};
  const writes = new Map<string, number>();
  const valueOf = (key: string): number | null => writes.get(key) ?? store.get(key) ?? null;
  for (const op of ops) {
    if (op.f === 'read') {
      if (!(op.key in reads)) reads[op.key] = store.get(op.key) ?? null;
    } else if (op.f === 'write') {
      writes.set(op.key, op.value);
    } else {
      const next = (valueOf(op.key) ?? 0) + op.amount;
      if (next < 0) return { ok: false, reason: `${op.key} would go below zero (${next})` };
      writes.set(op.key, next);
    }
  }
  return { ok: true, reads, writes };
}

/** The keys `ops` touch (read or write), each once, in order. */
export function keysOf(ops: readonly TxnOp[]): string[] {
  return [...new Set(ops.map((op) => op.key))];
}

/** `ops` grouped by the shard that holds their keys, in the order of {@link SHARDS}; shards with no operation left out. */
export function opsByShard(ops: readonly TxnOp[]): Map<NodeId, TxnOp[]> {
  const byShard = new Map<NodeId, TxnOp[]>();
  for (const shard of SHARDS) {
    const mine = ops.filter((op) => shardOf(op.key) === shard);
    if (mine.length > 0) byShard.set(shard, mine);
  }
  return byShard;
}
