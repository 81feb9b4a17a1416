/**
 * Known mistake: the node "echoes" by sending the request itself back: `ctx.reply(from, message,
 * message)`. The text is right, so it looks like an echo, but the reply's type is still `echo`, and a
 * client that checks the type (as every protocol must) cannot tell the answer from a request.
 *
 * Breaks: "instead of 'echo_ok'"
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
    ctx.reply(from, message, message); // the mistake: the answer is the request, type 'echo' included
  },
});
