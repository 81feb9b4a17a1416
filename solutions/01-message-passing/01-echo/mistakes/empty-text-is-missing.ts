/**
 * Known mistake: the node guards against a missing text with `message.text || '(empty)'`. It looks
 * defensive, but `''` is falsy in JavaScript, so an empty echo comes back as "(empty)".
 *
 * Breaks: "the text must come back exactly"
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
    const reply: EchoReply = { type: 'echo_ok', text: request.text || '(empty)' }; // the mistake: '' is falsy
    ctx.reply(from, request, reply);
  },
});
