/**
 * Given code for exercises 5.4 and 5.5: what clients send the key-value store, what it answers, and
 * what its log and client sessions hold. Your `raft.ts`, the reference solutions and the tests (and the
 * clerk in `_test-support/kv-client.ts`) all import them from here. Not yours to edit.
 *
 * @module
 */
import type { Message, NodeId } from '#harness';

/** What a client asks the store to do (the same shape as the linearizability checker's kv model). */
export type KvOperation =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'append'; readonly key: string; readonly value: string };

/** What an operation returns: a get carries the value read ('' for a key never written); put and append carry nothing. */
export interface KvOutput {
  readonly value?: string;
}

/** A client's request, sent with `ctx.rpc` to any server. Retries of one operation carry the same `seq`. */
export interface KvRequest extends Message {
  readonly type: 'KvRequest';
  /** The client's id: with `seq`, it names the operation, so that a retry is recognised. */
  readonly clientId: string;
  /** 1, 2, 3, ... per client; a client has one operation in flight at a time. */
  readonly seq: number;
  readonly op: KvOperation;
}

/** The answer to a KvRequest, sent with `ctx.reply`. */
export interface KvReply extends Message {
  readonly type: 'KvReply';
  /** True: the operation took effect (once) and `output` is its result. */
  readonly ok: boolean;
  readonly output?: KvOutput;
  /** Why not: this server is not the leader (or lost its leadership before the operation committed). */
  readonly error?: 'not_leader';
  /** Where the client should try next: the leader as far as this server knows, or null. */
  readonly leaderHint?: NodeId | null;
}

/** What the log holds in these exercises: one client operation, named by its client and sequence number. */
export interface KvCommand {
  readonly clientId: string;
  readonly seq: number;
  readonly op: KvOperation;
}

/** The last operation the state machine applied for one client, and its result (a "client session", thesis §6.3). */
export interface Session {
  readonly seq: number;
  readonly output: KvOutput;
}
