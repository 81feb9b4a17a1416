/**
 * Exercise 1.4's messages, and the types of `incrementWithRetries`'s options and result. This file is
 * given: the stub, the solution and the tests all import it.
 */
import type { Message, RpcRequest } from '#harness';

/** Client → server: add `delta` to the counter. Retries of one increment carry the same `requestId`. */
export interface IncrementRequest extends RpcRequest {
  readonly type: 'increment';
  /** Who asks. Request ids only need to be unique per client. */
  readonly clientId: string;
  /** Names this increment, across all its retries. */
  readonly requestId: string;
  readonly delta: number;
}

/** Server → client: the counter's value right after this increment was applied. */
export interface IncrementOk extends Message {
  readonly type: 'increment_ok';
  readonly value: number;
}

/** Client → server: what is the counter's value? */
export interface ReadRequest extends RpcRequest {
  readonly type: 'read';
}

/** Server → client: the counter's value now. */
export interface ReadOk extends Message {
  readonly type: 'read_ok';
  readonly value: number;
}

/** How hard {@link incrementWithRetries} tries. */
export interface RetryOptions {
  /** How many requests to send at most (the first one included). At least 1. */
  readonly attempts: number;
  /** How long to wait for each reply, in ms. */
  readonly timeoutMs: number;
}

/** What an increment returns when it succeeds. */
export interface IncrementOutput {
  /** The counter's value right after the increment. */
  readonly value: number;
}
