/**
 * A ctx acts only for its own node, in its own simulation: using another node's ctx (sending as that
 * node), or a ctx kept from a simulation that ended, stops the run naming both.
 */
import { describe, expect, test } from 'vitest';
import type { NodeContext } from '#harness';
import { simulate, Simulation, SimulationError } from '#harness/testing';
import { nodeOf } from './helpers.ts';

async function failureOf(sim: Simulation, untilMs = 100): Promise<SimulationError> {
  const error = await sim.run({ untilMs }).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SimulationError)) throw new Error(`expected a SimulationError, got ${String(error)}`);
  return error;
}

describe("another node's ctx", () => {
  test('used to send as that node stops the run, naming both nodes', async () => {
    const contexts = new Map<string, NodeContext>();
    const sim = new Simulation({
      seed: 3,
      nodes: {
        n1: nodeOf({ onStart: (ctx) => void contexts.set('n1', ctx) }),
        n2: nodeOf({
          onStart: (ctx) => {
            ctx.setTimer(5, { type: 'impersonate' });
          },
          onTimer: () => contexts.get('n1')!.send('n2', { type: 'vote' }),
        }),
      },
    });
    const error = await failureOf(sim);
    expect(error.message).toMatch(
      /^n2 used n1's ctx to send a message to n2 while handling timer #1 \(impersonate\) at t=5 ms \(seed 3\)\. A node acts only through the ctx its own handlers receive: to have n1 act, send it a message\./,
    );
    expect(error.context).toMatchObject({ kind: 'bad-request', node: 'n2' });
  });

  test('an endless loop through it is stopped at once, not by running out of memory', async () => {
    let other: NodeContext | null = null;
    const sim = new Simulation({
      seed: 3,
      nodes: {
        n1: nodeOf({ onStart: (ctx) => void (other = ctx) }),
        n2: nodeOf({
          onStart: (ctx) => {
            ctx.setTimer(1, { type: 'go' });
          },
          onTimer: () => {
            for (;;) other!.send('n1', { type: 'flood' });
          },
        }),
      },
    });
    expect((await failureOf(sim)).message).toMatch(/^n2 used n1's ctx to send a message to n1/);
    expect(sim.stats().messagesSent).toBe(0);
  });
});

describe('a ctx kept from a simulation that ended', () => {
  test('used by a node of the next run is an error naming the node and when its simulation ended', async () => {
    let kept: NodeContext | null = null;
    await simulate({ seed: 1, nodes: { n1: nodeOf({ onStart: (ctx) => void (kept ??= ctx) }) } }, (sim) =>
      sim.run({ untilMs: 50 }),
    );
    const sim = new Simulation({
      seed: 2,
      nodes: {
        n1: nodeOf({
          onStart: (ctx) => {
            ctx.setTimer(7, { type: 'ping' });
          },
          onTimer: () => kept!.send('n1', { type: 'hello' }),
        }),
      },
    });
    const error = await failureOf(sim);
    expect(error.message).toMatch(
      /^n1 used a ctx of n1 from another run to send a message to n1 while handling timer #1 \(ping\) at t=7 ms \(seed 2\): its simulation ended at t=50 ms\./,
    );
  });

  test('used outside any handler (async code, a test) throws instead of losing the message', async () => {
    let kept: NodeContext | null = null;
    await simulate({ seed: 1, nodes: { n1: nodeOf({ onStart: (ctx) => void (kept = ctx) }) } }, (sim) =>
      sim.run({ untilMs: 20 }),
    );
    expect(() => kept!.send('n1', { type: 'late' })).toThrow(
      "n1's ctx was used to send a message to n1 after its simulation ended at t=20 ms.",
    );
  });
});
