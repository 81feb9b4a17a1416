/**
 * Exercise 4.2's client messages and timing. This file is given: the stub, the solution and the tests
 * all import it. The messages between replicas (the gossip of their states) are yours to design.
 *
 * The register's messages are exercise 4.1's: `read`, `write`, `read_ok`, `write_ok`. The counter's
 * are Maelstrom's `pn-counter` workload's: `add` with a `delta`, answered `add_ok`, and `read`.
 */
import type { Message } from '#harness';

export type { ReadRequest, ReadOk, WriteOk, WriteRequest } from '../01-cp-register/protocol.ts';

/** Client → node: add `delta` to the counter (a negative delta takes away). Sent with `ctx.rpc`. */
export interface AddRequest extends Message {
  readonly type: 'add';
  readonly delta: number;
}

/** Node → client: the add is done. */
export interface AddOk extends Message {
  readonly type: 'add_ok';
}

/** How often a replica sends its state to every other replica, ms (its own clock). */
export const GOSSIP_INTERVAL_MS = 100;

/** How long the tests' clients wait for an answer before they give up (indeterminate), ms. */
export const CLIENT_TIMEOUT_MS = 1_000;
