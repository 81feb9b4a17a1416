/**
 * Known mistake: one node (the first in `ctx.nodeIds`) keeps the one counter, saved in storage, and the
 * other nodes ask it for the next number. The ids are unique and short, 1, 2, 3, ... But a node cut off
 * from the counter node cannot answer at all: the service is down for everyone behind a partition, and
 * whenever the counter node crashes.
 *
 * Breaks: "without talking to another node"
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
  async onMessage(ctx, from, message) {
    if (message.type !== 'generate') return;
    const counterNode = ctx.nodeIds[0]!;
    if (ctx.id === counterNode) {
      const counter = (ctx.storage.get<number>('counter') ?? 0) + 1;
      ctx.storage.set('counter', counter);
      const reply: GenerateReply = { type: 'generate_ok', id: String(counter) };
      ctx.reply(from, message, reply);
      return;
    }
    // The mistake: forward the request to the counter node and wait for it.
    const request: GenerateRequest = { type: 'generate' };
    const result = await ctx.rpc<GenerateReply>(counterNode, request, { timeoutMs: 1_000 });
    if (result.ok) ctx.reply(from, message, { type: 'generate_ok', id: result.reply.id });
  },
});
