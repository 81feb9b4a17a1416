/**
 * Async node code that resumes on a new event (a sleep's timer, an rpc's reply) runs in a step of its
 * own: its effects count against `limits.maxEffectsPerStep` afresh, so a long-lived loop is fine and
 * only a flood inside one step is stopped.
 */
import { describe, expect, test } from 'vitest';
import { Simulation, SimulationError } from '#harness/testing';
import { nodeOf } from './helpers.ts';

describe('a long-lived async loop', () => {
  test('that sleeps between rounds never trips the per-step limit', async () => {
    let rounds = 0;
    const sim = new Simulation({
      seed: 1,
      nodes: {
        n1: nodeOf({
          async onStart(ctx) {
            for (;;) {
              await ctx.sleep(10);
              rounds++;
            }
          },
        }),
      },
      limits: { maxEffectsPerStep: 50 },
    });
    await sim.run({ untilMs: 100_000 });
    expect(sim.failure).toBeNull();
    expect(rounds).toBe(10_000);
  });

  test('that waits for rpc replies between rounds never trips it either', async () => {
    let replies = 0;
    const sim = new Simulation({
      seed: 1,
      nodes: {
        n1: nodeOf({
          async onStart(ctx) {
            for (;;) {
              const result = await ctx.rpc('n2', { type: 'ping' }, { timeoutMs: 100 });
              if (result.ok) replies++;
            }
          },
        }),
        n2: nodeOf({ onMessage: (ctx, from, message) => ctx.reply(from, message, { type: 'pong' }) }),
      },
      limits: { maxEffectsPerStep: 50 },
    });
    await sim.run({ untilMs: 10_000 });
    expect(sim.failure).toBeNull();
    expect(replies).toBeGreaterThan(100);
  });

  test('that floods after resuming is stopped, and the step is named', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: {
        n1: nodeOf({
          async onStart(ctx) {
            await ctx.sleep(10);
            for (;;) ctx.send('n1', { type: 'flood' });
          },
        }),
      },
      limits: { maxEffectsPerStep: 50 },
    });
    const error = await sim.run({ untilMs: 1_000 }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SimulationError);
    expect((error as SimulationError).message).toMatch(
      /^n1 asked for more than 50 messages and timers while running its async code, resumed by timer #1 \(sleep\)/,
    );
  });
});
