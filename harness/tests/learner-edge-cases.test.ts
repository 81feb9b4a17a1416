import { describe, expect, test } from 'vitest';
import type { NodeFactory } from '#harness';
import { Simulation, SimulationError } from '#harness/testing';
import { nodeOf } from './helpers.ts';

/** Runs the nodes and returns the error that stopped the run. */
async function failureOf(nodes: Record<string, NodeFactory>, untilMs = 5_000): Promise<SimulationError> {
  const sim = new Simulation({ seed: 41, nodes });
  const error = await sim.run({ untilMs }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SimulationError))
    throw new Error(`expected the run to stop with a SimulationError, got ${String(error)}`);
  return error;
}

describe('a range delay with no whole number inside', () => {
  test('is refused with advice instead of making virtual time NaN', async () => {
    const error = await failureOf({
      n1: nodeOf({ onStart: (ctx) => void ctx.setTimer({ min: 0.2, max: 0.8 }, { type: 'tick' }) }),
    });
    expect(error.context).toMatchObject({ kind: 'bad-request', node: 'n1', atMs: 0 });
    expect(error.message).toContain('n1 set a tick timer with delay {"min":0.2,"max":0.8}');
    expect(error.message).toContain('holds no whole number');
  });

  test('a range with a whole number inside still works', async () => {
    const fired: number[] = [];
    const sim = new Simulation({
      seed: 41,
      nodes: {
        n1: nodeOf({
          onStart: (ctx) => void ctx.setTimer({ min: 0.5, max: 1.5 }, { type: 'tick' }),
          onTimer: (ctx) => void fired.push(ctx.now()),
        }),
      },
    });
    await sim.run({ untilMs: 10 });
    expect(fired).toEqual([1]);
  });
});

describe('a thrown value that is not an ordinary Error still gets a headline', () => {
  const throwers: Array<[string, () => unknown, RegExp]> = [
    ['an object with no prototype', () => Object.create(null), /an object with no prototype/],
    [
      'an object whose toString throws',
      () => ({
        toString() {
          throw new Error('no');
        },
      }),
      /an object that is not an Error/,
    ],
    [
      'an Error whose message getter throws',
      () => {
        const error = new Error('hidden');
        Object.defineProperty(error, 'message', {
          get() {
            throw new Error('no');
          },
        });
        return error;
      },
      /Error \(its message could not be read\)/,
    ],
    [
      'an object whose getters throw',
      () => ({
        get name(): string {
          throw new Error('no');
        },
        get message(): string {
          throw new Error('no');
        },
      }),
      /an object that is not an Error/,
    ],
    ['a string', () => 'gave up', /: gave up/],
  ];

  test.each(throwers)('%s, thrown synchronously', async (_label, make, headline) => {
    const error = await failureOf({
      n1: nodeOf({
        onStart: () => {
          throw make();
        },
      }),
    });
    expect(error.message).toMatch(/^n1 threw while starting at t=0 ms \(seed 41\): /);
    expect(error.message).toMatch(headline);
  });

  test.each(throwers)('%s, thrown after an await', async (_label, make, headline) => {
    const error = await failureOf({
      n1: nodeOf({
        async onStart(ctx) {
          await ctx.sleep(3);
          throw make();
        },
      }),
    });
    expect(error.message).toMatch(/^n1 threw while starting at t=3 ms \(seed 41\): /);
    expect(error.message).toMatch(headline);
  });
});

describe('a payload crosses as its JSON would', () => {
  /** Sends `message` from n1 to n2 and returns what n2 received. */
  async function received(message: Record<string, unknown>): Promise<{ got: unknown; trace: unknown }> {
    let got: unknown;
    const sim = new Simulation({
      seed: 41,
      nodes: {
        n1: nodeOf({ onStart: (ctx) => ctx.send('n2', message as { type: string }) }),
        n2: nodeOf({ onMessage: (_ctx, _from, arrived) => void (got = arrived) }),
      },
    });
    await sim.run({ untilMs: 100 });
    const send = sim.trace.find((event) => event.kind === 'send');
    return { got, trace: (send as { message?: unknown } | undefined)?.message };
  }

  test('undefined fields are left out, undefined in an array arrives as null, -0 as 0', async () => {
    const { got, trace } = await received({ type: 'note', missing: undefined, list: [1, undefined], zero: -0 });
    expect(got).toStrictEqual({ type: 'note', list: [1, null], zero: 0 });
    expect(Object.is((got as { zero: number }).zero, -0), '-0 became 0').toBe(false);
    expect(got, 'what arrived is what the trace shows').toStrictEqual(trace);
    expect(got).toStrictEqual(JSON.parse(JSON.stringify(got)));
  });

  test.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('%s is refused, naming the field', async (text, value) => {
    const error = await failureOf({
      n1: nodeOf({ onStart: (ctx) => ctx.send('n2', { type: 'vote', term: { current: value } }) }),
      n2: nodeOf({}),
    });
    expect(error.context).toMatchObject({ kind: 'bad-request', node: 'n1' });
    expect(error.message).toContain(
      `n1 sent a vote message to n2 that cannot cross a network: message.term.current is ${text}: JSON cannot carry it`,
    );
  });

  test('an own __proto__ key from JSON.parse arrives as plain data', async () => {
    const parsed = JSON.parse('{"type":"config","__proto__":{"admin":true}}') as Record<string, unknown>;
    const { got } = await received(parsed);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.hasOwn(got as object, '__proto__'), 'kept as an own key').toBe(true);
    expect((got as { admin?: unknown }).admin, 'it did not become the prototype').toBeUndefined();
    expect(JSON.stringify(got)).toBe('{"type":"config","__proto__":{"admin":true}}');
  });

  test('timers and storage follow the same rules', async () => {
    const error = await failureOf({
      n1: nodeOf({ onStart: (ctx) => ctx.storage.set('score', { best: Number.NaN }) }),
    });
    expect(error.message).toContain('storage["score"].best is NaN');
  });
});

describe("the rpc layer's tag does not collide with a learner's own fields", () => {
  test("an ack of the learner's own with an inReplyTo field reaches onMessage after the node made an rpc", async () => {
    const received: unknown[] = [];
    const sim = new Simulation({
      seed: 41,
      nodes: {
        n1: nodeOf({
          async onStart(ctx) {
            await ctx.rpc('n2', { type: 'ping' }, { timeoutMs: 50 });
          },
          onMessage: (_ctx, _from, message) => void received.push(message),
        }),
        n2: nodeOf({
          onMessage(ctx, from, message) {
            ctx.reply(from, message, { type: 'pong' });
            // The learner's own protocol: an ack that names the entry it acknowledges.
            ctx.send(from, { type: 'ack', inReplyTo: 1 });
            ctx.send(from, { type: 'ack', inReplyTo: 7 });
          },
        }),
      },
    });
    await sim.run({ untilMs: 500 });
    expect(received).toEqual([
      { type: 'ack', inReplyTo: 1 },
      { type: 'ack', inReplyTo: 7 },
    ]);
  });

  test('a message sent with ctx.send does not resolve a pending rpc, and the trace says why', async () => {
    let outcome: unknown;
    const received: unknown[] = [];
    const sim = new Simulation({
      seed: 41,
      nodes: {
        n1: nodeOf({
          async onStart(ctx) {
            outcome = await ctx.rpc('n2', { type: 'ping' }, { timeoutMs: 50 });
          },
          onMessage: (_ctx, _from, message) => void received.push(message),
        }),
        n2: nodeOf({
          onMessage: (ctx, from) => ctx.send(from, { type: 'ack', inReplyTo: 1 }),
        }),
      },
    });
    await sim.run({ untilMs: 500 });
    expect(outcome).toEqual({ ok: false, error: 'timeout' });
    expect(received).toEqual([{ type: 'ack', inReplyTo: 1 }]);
    expect(sim.trace).toContainEqual(
      expect.objectContaining({
        kind: 'log',
        node: 'n1',
        text: "(simulator) n2's ack has inReplyTo: 1 but was sent with ctx.send, so it is not the reply to n1's rpc 1: only ctx.reply answers an rpc",
      }),
    );
  });
});
