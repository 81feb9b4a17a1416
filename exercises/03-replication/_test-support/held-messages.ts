/**
 * Test support for chapter 3 (not a learner file): a server wrapped so that the test decides the
 * order in which its Transfers and Forwards arrive. The network of a real data centre reorders
 * messages now and then; here a story can make it happen on purpose, every time.
 *
 * The wrapper stands between the network and the server: the messages it holds reach the server's
 * `onMessage` later, in the order the plan says; everything else goes through at once. The server
 * answers with `ctx.reply` as usual, so the primary sees nothing but late (or missing) answers.
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeFactory, NodeId, TimerPayload } from '#harness';

/** What to do with the messages held. */
export type HoldPlan =
  /** Hold the next two Forwards; when the second arrives, deliver it, then the first. */
  | { readonly kind: 'reverse-two-forwards' }
  /** Hold the next two Forwards; when the second arrives, deliver only it (the first is lost). */
  | { readonly kind: 'only-the-second-forward' }
  /**
   * Hold the next Transfer; deliver the Forwards that come after it at once, and the Transfer once
   * `forwards` of them have arrived, or `maxHoldMs` after it arrived, whichever comes first.
   */
  | { readonly kind: 'transfer-after-forwards'; readonly forwards: number; readonly maxHoldMs: number }
  /**
   * Deliver the next Transfer at once, and a copy of it again once `forwards` Forwards have come after
   * it: the network's late duplicate.
   */
  | { readonly kind: 'transfer-again-after-forwards'; readonly forwards: number };

/** What a story reads from a wrapped server: what was held and when it was let through. */
export interface HoldLog {
  /** Set by the story when the plan starts: messages before that go through. */
  armed: boolean;
  /** Every message held, in the order it arrived: `Forward n=3 (t=120 ms)`. */
  readonly held: string[];
  /** Every held message in the order it was delivered to the server (the ones dropped are not here). */
  readonly delivered: string[];
  /** Whether the plan has run to its end. */
  done: boolean;
}

interface Held {
  readonly from: NodeId;
  readonly message: Message & { readonly n?: number };
}

interface ReleaseTimer extends TimerPayload {
  readonly type: 'held-messages:release';
}

const RELEASE: ReleaseTimer = { type: 'held-messages:release' };

/** `factory`'s server, with its incoming Transfers and Forwards ordered by `plan` once `log.armed` is set. */
export function holdingMessages(factory: NodeFactory, plan: HoldPlan, log: HoldLog): NodeFactory {
  return (startCtx) => {
    const inner = factory(startCtx);
    const held: Held[] = [];
    const name = (item: Held, ctx: NodeContext): string =>
      `${item.message.type} n=${item.message.n ?? '?'} (t=${ctx.now()} ms)`;
    const deliver = (ctx: NodeContext, items: readonly Held[]): void => {
      for (const item of items) {
        log.delivered.push(`${item.message.type} n=${item.message.n ?? '?'}`);
        void inner.onMessage(ctx, item.from, item.message);
      }
    };
    const finish = (ctx: NodeContext, items: readonly Held[]): void => {
      log.done = true;
      held.length = 0;
      deliver(ctx, items);
    };
    const wrapper: Node = {
      onStart: (ctx) => inner.onStart?.(ctx),
      onTimer: (ctx, timer) => {
        if (timer.type !== RELEASE.type) return inner.onTimer?.(ctx, timer);
        if (!log.done && held.length > 0) finish(ctx, [...held]);
      },
      onMessage: (ctx, from, message) => {
        const item: Held = { from, message };
        if (!log.armed || log.done) return inner.onMessage(ctx, from, message);
        if (plan.kind === 'transfer-after-forwards' || plan.kind === 'transfer-again-after-forwards') {
          if (held.length === 0 && message.type === 'Transfer') {
            if (plan.kind === 'transfer-again-after-forwards') {
              // A copy of its own, as the network's duplicate is: the server may keep the message's state
              // as its store, and change it.
              held.push({ from, message: structuredClone(message) });
              log.held.push(`${name(item, ctx)}, delivered, and a copy kept`);
              return inner.onMessage(ctx, from, message);
            }
            held.push(item);
            log.held.push(name(item, ctx));
            ctx.setTimer(plan.maxHoldMs, RELEASE);
            return;
          }
          const result = inner.onMessage(ctx, from, message);
          if (held.length > 0 && message.type === 'Forward') {
            log.delivered.push(`Forward n=${(message as Held['message']).n ?? '?'}`);
            log.held.push(`${name(item, ctx)}, let through`);
            if (log.held.length > plan.forwards) finish(ctx, [...held]);
          }
          return result;
        }
        if (message.type !== 'Forward') return inner.onMessage(ctx, from, message);
        held.push(item);
        log.held.push(name(item, ctx));
        if (held.length < 2) return;
        const [first, second] = held as [Held, Held];
        finish(ctx, plan.kind === 'reverse-two-forwards' ? [second, first] : [second]);
      },
    };
    // The server's own fields (view, state) are read by the tests through the wrapper.
    return new Proxy(wrapper, {
      get: (target, key) =>
        key in target ? target[key as keyof Node] : (inner as unknown as Record<string | symbol, unknown>)[key],
    });
  };
}

/** A fresh log for {@link holdingMessages}, not armed yet. */
export function holdLog(): HoldLog {
  return { armed: false, held: [], delivered: [], done: false };
}
