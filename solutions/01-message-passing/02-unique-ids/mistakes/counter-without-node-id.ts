/**
 * Known mistake: the node saves its counter in durable storage (so it survives crashes) and hands out
 * the bare number. Each node's ids are unique, and with one node every test would pass; but n1 and n2
 * both hand out '1'.
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
    const reply: GenerateReply = { type: 'generate_ok', id: String(counter) }; // the mistake: no node id
    ctx.reply(from, message, reply);
  },
});
