/**
 * Known mistake: the node keeps its counter in a variable only. Node id plus counter is the right
 * idea, and every test without a crash passes. But a crash wipes the variable, the restarted node
 * counts from 1 again, and hands out `n1-1` a second time.
 *
 * Breaks: "restarted at"
 */
import type { Message, NodeFactory } from '../../../../harness/index.ts';

export interface GenerateRequest extends Message {
  readonly type: 'generate';
}

export interface GenerateReply extends Message {
  readonly type: 'generate_ok';
  readonly id: string;
}

export const createUniqueIdNode: NodeFactory = () => {
  let counter = 0; // the mistake: lost in a crash, and nothing saves it to ctx.storage
  return {
    onMessage(ctx, from, message) {
      if (message.type !== 'generate') return;
      counter++;
      const reply: GenerateReply = { type: 'generate_ok', id: `${ctx.id}-${counter}` };
      ctx.reply(from, message, reply);
    },
  };
};
