/**
 * Known mistake: the node keeps its counter in durable storage, as it should, but answers first and
 * saves second. Both calls are in the same handler, one line apart, so it looks as safe as the other
 * order, and every test with whole-step crashes passes. But a crash can strike between the two lines:
 * the reply has left with `n1-4`, storage still says 3, and after the restart the node hands out
 * `n1-4` again.
 *
 * Breaks: "right after handing it out"
 */
import type { Message, NodeFactory } from '../../../../harness/index.ts';

export interface GenerateRequest extends Message {
  readonly type: 'generate';
}

export interface GenerateReply extends Message {
  readonly type: 'generate_ok';
  readonly id: string;
}

const LAST_SEQUENCE_KEY = 'lastSequence';

export const createUniqueIdNode: NodeFactory = () => ({
  onMessage(ctx, from, message) {
    if (message.type !== 'generate') return;
    const sequence = (ctx.storage.get<number>(LAST_SEQUENCE_KEY) ?? 0) + 1;
    const reply: GenerateReply = { type: 'generate_ok', id: `${ctx.id}-${sequence}` };
    ctx.reply(from, message, reply);
    ctx.storage.set(LAST_SEQUENCE_KEY, sequence); // the mistake: saved after the id has already left
  },
});
