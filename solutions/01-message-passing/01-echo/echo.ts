/**
 * Reference solution for exercise 1.1: Echo.
 */
import type { NodeFactory } from '#harness';
import type { EchoReply, EchoRequest } from './protocol.ts';

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
