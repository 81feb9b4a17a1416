import { describe, expect, test } from 'vitest';
import type { NodeContext, NodeFactory } from '#harness';
import { cluster, scenario, Simulation, SimulationError } from '#harness/testing';
import { nodeOf } from './helpers.ts';

/** Runs a one- or two-node simulation and returns the error that stopped it. */
async function failureOf(
  nodes: Record<string, NodeFactory>,
  options: { untilMs?: number; limits?: Record<string, number> } = {},
): Promise<SimulationError> {
  const sim = new Simulation({ seed: 77, nodes, limits: options.limits ?? {} });
  const error = await sim.run(options.untilMs === undefined ? {} : { untilMs: options.untilMs }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SimulationError))
    throw new Error(`expected the run to stop with a SimulationError, got ${String(error)}`);
  expect(sim.failure).toBe(error);
  expect(sim.trace.at(-1)).toMatchObject({ kind: 'failure', message: error.message });
  return error;
}

const sendOnStart = (to: string, message: unknown): NodeFactory =>
  nodeOf({ onStart: (ctx) => ctx.send(to, message as { type: string }) });

describe('a handler that throws', () => {
  test('is reported with the node, the event, the time and the seed, and nothing is swallowed', async () => {
    const error = await failureOf({
      n1: sendOnStart('n2', { type: 'boom' }),
      n2: nodeOf({
        onMessage: () => {
          throw new TypeError('cannot read x of undefined');
        },
      }),
    });
    expect(error.message).toMatch(
      /^n2 threw while handling message #1 \(boom\) from n1 at t=\d+ ms \(seed 77\): TypeError: cannot read x of undefined/,
    );
    expect(error.context).toMatchObject({ kind: 'handler-threw', node: 'n2', seed: 77 });
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  test('an async handler that rejects is reported the same way', async () => {
    const error = await failureOf({
      n1: nodeOf({
        async onStart(ctx) {
          await ctx.sleep(10);
          throw new Error('late failure');
        },
      }),
    });
    expect(error.message).toMatch(/^n1 threw while starting at t=10 ms \(seed 77\): Error: late failure/);
  });
});

describe('sending', () => {
  test('to an unknown node names the sender, the message type and the known nodes', async () => {
    const error = await failureOf({ n1: sendOnStart('n9', { type: 'hello' }) });
    expect(error.message).toContain(
      'n1 sent a hello message to "n9", which is not a node or client of this simulation. Known: n1.',
    );
  });

  test('a function in the payload is rejected, naming sender, receiver, type and where it sits', async () => {
    const error = await failureOf({ n1: sendOnStart('n2', { type: 'job', spec: { run: () => 1 } }), n2: nodeOf({}) });
    expect(error.message).toContain(
      'n1 sent a job message to n2 that cannot cross a network: message.spec.run is a function',
    );
  });

  test('a class instance is rejected with a hint to convert it', async () => {
    const error = await failureOf({ n1: sendOnStart('n2', { type: 'state', seen: new Set([1]) }), n2: nodeOf({}) });
    expect(error.message).toContain('message.seen is an instance of Set');
    expect(error.message).toContain('a Set to an array');
  });

  test('a cycle is rejected', async () => {
    const looped: Record<string, unknown> = { type: 'loop' };
    looped['self'] = looped;
    const error = await failureOf({ n1: sendOnStart('n2', looped), n2: nodeOf({}) });
    expect(error.message).toContain('message.self refers back to one of its own parents (a cycle)');
  });

  test('a message without a string type is rejected', async () => {
    const error = await failureOf({ n1: sendOnStart('n2', { text: 'no type' }), n2: nodeOf({}) });
    expect(error.message).toContain('a message must be an object with a string `type`');
  });
});

describe('timers', () => {
  test.each([
    [-5, 'a delay must be a finite number of ms, 0 or more'],
    [Number.NaN, 'a delay must be a finite number of ms, 0 or more'],
    [Number.POSITIVE_INFINITY, 'a delay must be a finite number of ms, 0 or more'],
    [{ min: 50, max: 10 }, 'use a number of ms or { min, max } with 0 <= min <= max'],
  ])('a delay of %s is rejected', async (delay, explanation) => {
    const error = await failureOf({
      n1: nodeOf({ onStart: (ctx) => void ctx.setTimer(delay as number, { type: 'retry' }) }),
    });
    expect(error.message).toContain('n1 set a retry timer with delay');
    expect(error.message).toContain(explanation);
  });

  test('a timer without an onTimer handler is reported', async () => {
    const error = await failureOf({ n1: nodeOf({ onStart: (ctx) => void ctx.setTimer(5, { type: 'tick' }) }) });
    expect(error.message).toContain('n1 set a timer (tick) but has no onTimer(ctx, timer) handler');
  });
});

describe('a crashed node', () => {
  test('cannot ask for effects through a context kept from before its crash', async () => {
    let kept: NodeContext | undefined;
    const sim = new Simulation({
      seed: 1,
      nodes: {
        n1: nodeOf({ onStart: (ctx) => void (kept ??= ctx) }),
        n2: nodeOf({}),
      },
      faults: scenario().at(10).crash('n1').build(),
    });
    sim.at(20, () => kept!.send('n2', { type: 'ghost' }));
    await expect(sim.run()).rejects.toThrow(
      'n1 tried to send a message to n2 after it crashed at t=10 ms. A crashed node can do nothing',
    );
  });

  test('after a restart, the old context is refused and the new one works', async () => {
    const contexts: NodeContext[] = [];
    const sim = new Simulation({
      seed: 1,
      nodes: { n1: nodeOf({ onStart: (ctx) => void contexts.push(ctx) }) },
      faults: scenario().at(10).crash('n1').at(20).restart('n1').build(),
    });
    await sim.run();
    expect(contexts).toHaveLength(2);
    sim.at(30, () => contexts[0]!.log('stale'));
    await expect(sim.run()).rejects.toThrow('n1 tried to log before its restart');
  });
});

describe('real time, randomness and timers inside a handler', () => {
  test.each([
    ['Math.random()', () => Math.random(), 'ctx.random()'],
    ['Date.now()', () => Date.now(), 'ctx.now()'],
    ['performance.now()', () => performance.now(), 'ctx.now()'],
    ['setTimeout()', () => setTimeout(() => {}, 10), 'ctx.setTimer(delay, payload)'],
    ['setInterval()', () => setInterval(() => {}, 10), 'ctx.setTimer(delay, payload)'],
    ['crypto.randomUUID()', () => crypto.randomUUID(), 'ctx.randomInt'],
    ['new Date()', () => new Date(), 'new Date(ctx.now())'],
    ['Date()', () => Date(), 'ctx.now()'],
  ])('%s is detected and the context method to use is named', async (call, misuse, insteadUse) => {
    const error = await failureOf({ n1: nodeOf({ onStart: () => void misuse() }) });
    expect(error.context.kind).toBe('nondeterminism');
    expect(error.message).toContain(`n1 called ${call} inside a handler`);
    expect(error.message).toContain(insteadUse);
  });

  test('is detected after an await too', async () => {
    const error = await failureOf({
      n1: nodeOf({
        async onStart(ctx) {
          await ctx.sleep(5);
          Math.random();
        },
      }),
    });
    expect(error.message).toContain('n1 called Math.random() inside a handler');
  });

  test('is detected even if the node catches the error', async () => {
    const error = await failureOf({
      n1: nodeOf({
        onStart() {
          try {
            Date.now();
          } catch {
            // a learner's catch-all
          }
        },
      }),
    });
    expect(error.message).toContain('n1 called Date.now() inside a handler');
  });

  test('outside handlers, the real functions work as usual', async () => {
    const stamps: string[] = [];
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(1, nodeOf({ onStart: (ctx) => void stamps.push(new Date(ctx.now()).toISOString()) })),
    });
    await sim.run();
    expect(stamps, 'new Date(ms) is allowed inside a handler: it reads no clock').toEqual(['1970-01-01T00:00:00.000Z']);
    expect(new Date(0) instanceof Date).toBe(true);
    expect(typeof Date.now()).toBe('number');
    expect(Math.random()).toBeLessThan(1);
  });
});

describe('limits on everything', () => {
  test('a node that floods the network in one handler is named', async () => {
    const error = await failureOf({
      n1: nodeOf({
        onStart: (ctx) => {
          for (;;) ctx.send('n2', { type: 'spam' });
        },
      }),
      n2: nodeOf({}),
    });
    expect(error.context).toMatchObject({ kind: 'limit', node: 'n1' });
    expect(error.message).toContain('n1 asked for more than 10000 messages and timers while starting');
  });

  test('a zero-delay timer loop that stops time is named, not a hang', async () => {
    const error = await failureOf(
      {
        n1: nodeOf({
          onStart: (ctx) => void ctx.setTimer(0, { type: 'spin' }),
          onTimer: (ctx) => void ctx.setTimer(0, { type: 'spin' }),
        }),
      },
      { limits: { maxEventsAtOneTime: 1_000 } },
    );
    expect(error.message).toContain(
      'Virtual time stopped advancing: 1000 events happened at t=0 ms, the last of them at n1',
    );
  });

  test('too many pending timers are named', async () => {
    const error = await failureOf(
      {
        n1: nodeOf({
          onStart: (ctx) => {
            for (let i = 0; i < 50; i++) ctx.setTimer(1_000 + i, { type: 'leak' });
          },
        }),
      },
      { limits: { maxTimersPerNode: 20 } },
    );
    expect(error.message).toContain('n1 has 20 timers pending (limits.maxTimersPerNode)');
  });

  test('a run with endless heartbeats and no untilMs stops at maxTimeMs with advice', async () => {
    const error = await failureOf(
      {
        n1: nodeOf({
          onStart: (ctx) => void ctx.setTimer(100, { type: 'beat' }),
          onTimer: (ctx) => void ctx.setTimer(100, { type: 'beat' }),
        }),
      },
      { limits: { maxTimeMs: 10_000 } },
    );
    expect(error.message).toContain('The run reached t=10000 ms (limits.maxTimeMs)');
    expect(error.message).toContain('give run() an untilMs');
  });

  test('the total number of events is bounded', async () => {
    const error = await failureOf(
      {
        n1: nodeOf({
          onStart: (ctx) => void ctx.setTimer(1, { type: 'beat' }),
          onTimer: (ctx) => void ctx.setTimer(1, { type: 'beat' }),
        }),
      },
      { untilMs: 1_000_000, limits: { maxEvents: 500 } },
    );
    expect(error.message).toContain('more than 500 events (limits.maxEvents)');
  });
});

describe('configuration mistakes are caught when the simulation is built', () => {
  test('a bad seed', () => {
    expect(() => new Simulation({ seed: -1, nodes: cluster(1, nodeOf({})) })).toThrow(
      'The seed must be an integer from 0 to 4294967295',
    );
  });

  test('a bad network setting', () => {
    expect(() => new Simulation({ seed: 1, nodes: cluster(1, nodeOf({})), network: { dropRate: 2 } })).toThrow(
      'dropRate must be a probability from 0 to 1',
    );
  });

  test('a fault naming an unknown node', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(1, nodeOf({})),
      faults: scenario().at(5).crash('n7').build(),
    });
    await expect(sim.run()).rejects.toThrow('crash: there is no node or client called "n7". Known: n1.');
  });
});
