/**
 * Known mistake: the node replies to `ctx.id` (its own id) instead of `from` (the sender). Both are
 * node ids close at hand in the handler, and with a single node in a quick manual test "n1" even looks
 * like the right address.
 *
 * Breaks: "instead of to the sender"
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
  onMessage(ctx, _from, message) {
    if (message.type !== 'echo') return;
    const request = message as EchoRequest;
    const reply: EchoReply = { type: 'echo_ok', text: request.text };
    ctx.reply(ctx.id, request, reply); // the mistake: the reply goes back to this node, not to the client
  },
});
