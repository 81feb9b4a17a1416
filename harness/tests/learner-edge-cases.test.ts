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
