/**
 * Reference solution for exercise 1.1: Echo.
 */
import type { Message, NodeFactory } from '#harness';

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

/** Creates an echo node: it answers each `echo` request, and nothing else. */
export const createEchoNode: NodeFactory = () => ({
  onMessage(ctx, from, message) {
    if (message.type !== 'echo') return;
    const request = message as EchoRequest;
    const reply: EchoReply = { type: 'echo_ok', text: request.text };
    // `reply` (not `send`) copies the request's rpc id into the answer, so the caller's `rpc` resolves.
    ctx.reply(from, request, reply);
  },
});
