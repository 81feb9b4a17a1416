import { describe, expect, test } from 'vitest';
import type { Node, NodeContext, NodeFactory, TimerPayload } from '#harness';
import { cluster, simulate } from '#harness/testing';

/** A node's own timer type: declared once, it types both setTimer and onTimer. */
interface RetransmitTimer extends TimerPayload {
  readonly type: 'retransmit';
  readonly id: string;
  readonly attempt: number;
}

/** Sets a retransmit timer for m1 and logs every one that fires, up to the third. */
function retransmitter(): Node<RetransmitTimer> {
  return {
    onStart(ctx) {
      if (ctx.id === 'n1') schedule(ctx, 'm1', 1);
    },
    onMessage() {},
    onTimer(ctx, timer) {
      // `timer.id` and `timer.attempt` need no cast: onTimer receives the declared type.
      ctx.log(`retransmit ${timer.id}, attempt ${timer.attempt}`);
      if (timer.attempt < 3) schedule(ctx, timer.id, timer.attempt + 1);
    },
  };
}

function schedule(ctx: NodeContext<RetransmitTimer>, id: string, attempt: number): void {
  ctx.setTimer(10, { type: 'retransmit', id, attempt });
}

describe('typed timers', () => {
  test('onTimer receives the payload type the node declared, with its fields as set', async () => {
    const factory: NodeFactory<RetransmitTimer> = retransmitter;
    await simulate({ seed: 1, nodes: cluster(['n1'], factory) }, async (sim) => {
      await sim.run({ untilMs: 100 });
      const logs = sim.trace.flatMap((event) => (event.kind === 'log' ? [event.text] : []));
      expect(logs).toEqual(['retransmit m1, attempt 1', 'retransmit m1, attempt 2', 'retransmit m1, attempt 3']);
    });
  });

  test('setTimer refuses a payload that is not of the declared type (checked by npm run typecheck)', () => {
    const typed = (ctx: NodeContext<RetransmitTimer>): void => {
      // @ts-expect-error: a retransmit timer needs its id and attempt.
      ctx.setTimer(10, { type: 'retransmit' });
      // @ts-expect-error: not a type this node declared.
      ctx.setTimer(10, { type: 'election', id: 'x', attempt: 1 });
    };
    // A node that declares nothing takes any payload with a string type, extra fields included.
    const untyped = (ctx: NodeContext): void => {
      ctx.setTimer(10, { type: 'tick', round: 3 });
    };
    // A typed context still goes where an untyped one is asked for.
    const helper = (ctx: NodeContext): string => ctx.id;
    const passes = (ctx: NodeContext<RetransmitTimer>): string => helper(ctx);
    expect([typed, untyped, passes].every((f) => typeof f === 'function')).toBe(true);
  });
});
