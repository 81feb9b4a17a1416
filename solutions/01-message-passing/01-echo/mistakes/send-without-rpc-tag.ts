/**
 * Known mistake: the node answers with `ctx.send(from, ...)`. The echo_ok reaches the right client
 * with the right text, so the trace looks fine, but it carries no `inReplyTo` tag: the client's
 * `ctx.rpc` cannot match it to its request, and times out.
 *
 * Breaks: "no inReplyTo tag"
 */
import type { Message, NodeFactory } from '../../../../harness/index.ts';

export interface EchoRequest extends Message {
  readonly type: 'echo';
  readonly text: string;
}

export interface EchoReply extends Message {
  readonly type: 'echo_ok';
  readonly text: string;
}

export const createEchoNode: NodeFactory = () => ({
  onMessage(ctx, from, message) {
    if (message.type !== 'echo') return;
    const request = message as EchoRequest;
    const reply: EchoReply = { type: 'echo_ok', text: request.text };
    ctx.send(from, reply); // the mistake: `send` does not tag the answer with the request's rpc id
  },
});
