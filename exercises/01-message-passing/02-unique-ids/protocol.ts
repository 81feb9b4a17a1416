/**
 * Exercise 1.2's messages. This file is given: the stub, the solution and the tests all import it.
 */
import type { Message } from '#harness';

/** A client asks for a fresh id. */
export interface GenerateRequest extends Message {
  readonly type: 'generate';
}

/** The node's answer: an id that was never handed out before, by any node. */
export interface GenerateReply extends Message {
  readonly type: 'generate_ok';
  readonly id: string;
}
