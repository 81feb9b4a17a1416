/**
 * Known mistake: the id is the node id and the node's clock, `${ctx.id}-${ctx.now()}`. Time only
 * moves forward, so it looks unique and needs no storage. But two requests can reach a node in the same
 * millisecond, and then they get the same id. (Snowflake ids add a sequence number for exactly this.)
 *
 * Breaks: "in the same millisecond"
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
    const reply: GenerateReply = { type: 'generate_ok', id: `${ctx.id}-${ctx.now()}` }; // the mistake: no sequence number
    ctx.reply(from, message, reply);
  },
});
