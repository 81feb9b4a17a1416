/**
 * Given code for chapter 3: what clients send the replicated key-value store, what it answers, and
 * the store itself with its client sessions ({@link execute}). Your servers, the reference solutions
 * and the tests (and the clerk in `_test-support/clerk.ts`) all import them from here. Not yours to edit.
 *
 * The store is given so that the chapter is about replication: keeping two or more copies of it
 * the same. {@link execute} applies an operation exactly once per client and sequence number, so a
 * retried request, or one forwarded twice, changes nothing the second time.
 *
 * @module
 */
import type { Message } from '#harness';

/** What a client asks the store to do (the same shape as the linearizability checker's kv model). */
export type KvOperation =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'append'; readonly key: string; readonly value: string };

/** What an operation returns: a get carries the value read ('' for a key never written); put and append carry nothing. */
export interface KvOutput {
  readonly value?: string;
}

/** One client operation, named by its client and sequence number. */
export interface KvCommand {
  /** The client's id: with `seq`, it names the operation, so that a retry is recognised. */
  readonly clientId: string;
  /** 1, 2, 3, ... per client; a client has one operation in flight at a time, and retries it with the same seq. */
  readonly seq: number;
  readonly op: KvOperation;
}

/** A client's request, sent with `ctx.rpc` to the server the client believes is the primary. */
export interface KvRequest extends Message, KvCommand {
  readonly type: 'KvRequest';
}

/**
 * The answer to a {@link KvRequest}, sent with `ctx.reply`: either the operation took effect and
 * `output` is its result, or the server could not serve it and the client should ask the view service
 * again and retry.
 */
export type KvReply =
  | {
      readonly type: 'KvReply';
      readonly ok: true;
      readonly output: KvOutput;
      /** The view in which this server served the operation, as its primary. */
      readonly viewnum: number;
    }
  | {
      readonly type: 'KvReply';
      readonly ok: false;
      /**
       * `not_primary`: this server is not the primary of the latest view it knows.
       * `unavailable`: it is, but could not get the operation to its backup (or the backup refused).
       */
      readonly error: 'not_primary' | 'unavailable';
    };

/** The last operation the store applied for one client, and its result (a "client session"). */
export interface Session {
  readonly seq: number;
  readonly output: KvOutput;
}

/** The replicated state: the data, and the client sessions that make retries harmless. Plain data, so it can be sent. */
export interface KvState {
  /** key → value; a key never written is absent (and reads as ''). */
  readonly store: Record<string, string>;
  /** clientId → the last operation applied for that client. */
  readonly sessions: Record<string, Session>;
}

/** An empty store with no sessions. */
export function emptyKvState(): KvState {
  return { store: {}, sessions: {} };
}

/**
 * Applies `command` to `state` (in place) and returns its output. A command whose `seq` is not newer
 * than its client's session was applied before: it changes nothing, and its output is the recorded
 * one (for an older seq, whose output is forgotten, `{}`). Gets go through here too, so that each
 * copy of the state applies exactly the same sequence of commands.
 */
export function execute(state: KvState, command: KvCommand): KvOutput {
  const session = state.sessions[command.clientId];
  if (session !== undefined && command.seq <= session.seq) return command.seq === session.seq ? session.output : {};
  const { op } = command;
  let output: KvOutput = {};
  if (op.f === 'get') output = { value: state.store[op.key] ?? '' };
  else if (op.f === 'put') state.store[op.key] = op.value;
  else state.store[op.key] = (state.store[op.key] ?? '') + op.value;
  state.sessions[command.clientId] = { seq: command.seq, output };
  return output;
}
