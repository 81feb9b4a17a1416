/**
 * Exercise 4.1's client messages, error codes and timing. This file is given: the stub, the solution
 * and the tests all import it. The messages between replicas are yours to design.
 *
 * The error codes are Maelstrom's: a *definite* error (`TEMPORARILY_UNAVAILABLE`) promises that the
 * operation did not happen; an *indefinite* one (`TIMEOUT`) says that it may or may not have.
 */
import type { Message } from '#harness';

/** Client → node: read the register. Sent with `ctx.rpc`. */
export interface ReadRequest extends Message {
  readonly type: 'read';
}

/** Client → node: write `value` to the register. Sent with `ctx.rpc`. Every write in the tests has a value of its own. */
export interface WriteRequest extends Message {
  readonly type: 'write';
  readonly value: number;
}

/** A request a client sends. */
export type RegisterRequest = ReadRequest | WriteRequest;

/** Node → client: the register holds `value` (`null` when it was never written). */
export interface ReadOk extends Message {
  readonly type: 'read_ok';
  readonly value: number | null;
}

/** Node → client: the write is done. */
export interface WriteOk extends Message {
  readonly type: 'write_ok';
}

/**
 * Maelstrom's code 11, temporarily unavailable: the node could not reach a majority and the operation
 * did **not** happen. The client records it as failed.
 */
export const TEMPORARILY_UNAVAILABLE = 11;

/**
 * Maelstrom's code 0, timeout: the node gave up, but the operation **may** have happened (a write that
 * reached some replicas before the node gave up). The client records it as indeterminate.
 */
export const TIMEOUT = 0;

/** Node → client: the operation was refused (see the codes). */
export interface ErrorReply extends Message {
  readonly type: 'error';
  readonly code: typeof TEMPORARILY_UNAVAILABLE | typeof TIMEOUT;
  /** Why, in words, e.g. `no majority answered within 500 ms`. */
  readonly text: string;
}

/** What a node answers a client. */
export type RegisterReply = ReadOk | WriteOk | ErrorReply;

/**
 * How long a node waits for a majority before it answers the client with an error, ms. The README
 * asks for an answer (ok or error) within this, plus the network's delays.
 */
export const QUORUM_TIMEOUT_MS = 500;

/** How long the tests' clients wait for any answer before they give up (indeterminate), ms. */
export const CLIENT_TIMEOUT_MS = 1_000;
