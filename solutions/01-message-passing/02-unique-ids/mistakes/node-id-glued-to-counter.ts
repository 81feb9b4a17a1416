/**
 * Known mistake: the id is the node id and the counter glued together, `${ctx.id}${counter}`, with
 * no separator. It looks unique, and with fewer than eleven nodes it is. But n1's 11th id and n11's
 * 1st id are both 'n111'.
 *
 * Breaks: "two nodes picked the same id"
 */
import type { Message, NodeFactory } from '../../../../harness/index.ts';

export interface GenerateRequest extends Message {
  readonly type: 'generate';
}

export interface GenerateReply extends Message {
  readonly type: 'generate_ok';
  readonly id: string;
}

export const createUniqueIdNode: NodeFactory = () => ({
  onMessage(ctx, from, message) {
    if (message.type !== 'generate') return;
    const counter = (ctx.storage.get<number>('counter') ?? 0) + 1;
    ctx.storage.set('counter', counter);
    const reply: GenerateReply = { type: 'generate_ok', id: `${ctx.id}${counter}` }; // the mistake: n1 + 11 = n11 + 1
    ctx.reply(from, message, reply);
  },
});
