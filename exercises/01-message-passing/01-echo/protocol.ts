/**
 * Exercise 1.1's messages. This file is given: the stub, the solution and the tests all import it.
 */
import type { Message } from '#harness';

/** A client asks a node to send `text` back. */
export interface EchoRequest extends Message {
  readonly type: 'echo';
  readonly text: string;
}

/** The node's answer: the same `text`, unchanged. */
export interface EchoReply extends Message {
  readonly type: 'echo_ok';
  readonly text: string;
}
