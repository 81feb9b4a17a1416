/**
 * Test support for exercise 3.4 (not a learner file): nodes wrapped so that a story decides which
 * replica's message arrives late, or never. A real network is slow to one replica now and then; here a
 * story makes it happen on purpose, every time: "n2 and n3 do not hear of the put yet".
 *
 * The wrapper stands between the network and the node: a message the plan holds reaches the node's
 * `onMessage` after the plan's delay (or never); everything else goes through at once. A message from
 * a node to itself passes the wrapper too, so a coordinator's own replica can be slow as well.
 *
 * @module
 */
import type { Message, Node, NodeFactory, NodeId, TimerPayload } from '#harness';

/** One message about to reach `node` from `from`, at `nowMs`. */
export interface Arrival {
  readonly node: NodeId;
  readonly from: NodeId;
  readonly message: Message & { readonly op?: string; readonly key?: string };
  readonly nowMs: number;
}

/**
 * What to do with an arrival: `0` delivers it now, a number of ms holds it that long, `'lose'` drops it,
 * and `{ copyAfterMs }` delivers it now and a copy of it that much later (the network duplicated it).
 */
export type Hold = number | 'lose' | { readonly copyAfterMs: number };

/** Decides, for every message that reaches a wrapped node, whether it is held. */
export type DelayPlan = (arrival: Arrival) => Hold;

interface ReleaseTimer extends TimerPayload {
  readonly type: 'replica-delays:release';
  readonly index: number;
}

/** `factory`'s nodes, each message to them held or lost as `plan` says. */
export function delayingReplicas(factory: NodeFactory, plan: DelayPlan): NodeFactory {
  return (startCtx) => {
    const inner = factory(startCtx);
    const held = new Map<number, { readonly from: NodeId; readonly message: Message }>();
    let next = 0;
    return {
      onStart: (ctx) => inner.onStart?.(ctx),
      onTimer: (ctx, timer) => {
        if (timer.type !== 'replica-delays:release') return inner.onTimer?.(ctx, timer);
        const index = (timer as ReleaseTimer).index;
        const item = held.get(index);
        held.delete(index);
        if (item !== undefined) return inner.onMessage(ctx, item.from, item.message);
      },
      onMessage: (ctx, from, message) => {
        const hold = plan({ node: ctx.id, from, message, nowMs: ctx.now() });
        if (hold === 'lose') return;
        const delayMs = typeof hold === 'number' ? hold : hold.copyAfterMs;
        if (typeof hold !== 'number' || hold <= 0) inner.onMessage(ctx, from, message);
        if (delayMs <= 0) return;
        const index = next++;
        held.set(index, { from, message });
        ctx.setTimer(delayMs, { type: 'replica-delays:release', index } satisfies ReleaseTimer);
      },
    } satisfies Node;
  };
}

/** One rule of a plan: messages of `type` to `to` (from `from`, between `fromMs` and `untilMs`) are held `hold`. */
export interface DelayRule {
  readonly type: string;
  readonly to: readonly NodeId[];
  readonly from?: readonly NodeId[];
  readonly fromMs?: number;
  readonly untilMs?: number;
  readonly hold: Hold;
}

/** A plan from rules: the first rule that matches an arrival decides; none delivers it now. */
export function planOf(rules: readonly DelayRule[]): DelayPlan {
  return (arrival) => {
    for (const rule of rules) {
      if (rule.type !== arrival.message.type || !rule.to.includes(arrival.node)) continue;
      if (rule.from !== undefined && !rule.from.includes(arrival.from)) continue;
      if (arrival.nowMs < (rule.fromMs ?? 0) || arrival.nowMs >= (rule.untilMs ?? Infinity)) continue;
      return rule.hold;
    }
    return 0;
  };
}
