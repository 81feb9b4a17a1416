/**
 * Reference solution for exercise 1.2: Unique IDs.
 *
 * An id is `<node id>-<sequence number>`, e.g. `n2-17`. The node id makes ids from different nodes
 * differ; the sequence number makes ids from one node differ; the `-` keeps n1's 11th id (`n1-11`) apart
 * from n11's 1st (`n11-1`). The sequence number is saved in durable storage before each reply, so a
 * restarted node continues where it stopped.
 */
import type { NodeFactory } from '#harness';
import type { GenerateReply } from './protocol.ts';

/** The storage key of the last sequence number this node handed out. */
const LAST_SEQUENCE_KEY = 'lastSequence';

/** Creates a unique-id node. */
export const createUniqueIdNode: NodeFactory = () => {
  // Invariant: every id this node ever handed out has a sequence number <= lastSequence, and
  // lastSequence is never ahead of what storage holds. Read again from storage at every (re)start.
  let lastSequence = 0;
  return {
    onStart(ctx) {
      lastSequence = ctx.storage.get<number>(LAST_SEQUENCE_KEY) ?? 0;
    },
    onMessage(ctx, from, message) {
      if (message.type !== 'generate') return;
      const sequence = lastSequence + 1;
      // Persist before reply: once the reply is sent, the id exists in the world. If the node crashed
      // after replying but before saving, it would hand out the same id again after the restart.
      ctx.storage.set(LAST_SEQUENCE_KEY, sequence);
      lastSequence = sequence;
      const reply: GenerateReply = { type: 'generate_ok', id: `${ctx.id}-${sequence}` };
      ctx.reply(from, message, reply);
    },
  };
};
