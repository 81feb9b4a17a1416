import { describe, expect, test } from 'vitest';
import {
  cluster,
  describeSwarmSettings,
  drawSwarmWorld,
  expectRecovered,
  forEachSwarmSeed,
  RecoveryBoundMissed,
  Simulation,
  type SwarmWorldOptions,
} from '#harness/testing';
import { chattyNode, nodeOf } from './helpers.ts';

const options: SwarmWorldOptions = {
  swarm: { timeoutMs: 300, clusterSizes: { min: 3, max: 7 } },
  nodes: (size) => Object.keys(cluster(size!, chattyNode())),
  healAtMs: 5_000,
};

describe('swarm worlds', () => {
  test('a seed draws its world again: settings, nodes of the drawn size, schedule, details', () => {
    const world = drawSwarmWorld(8, options);
    expect(drawSwarmWorld(8, options)).toEqual(world);
    expect(world.nodes).toHaveLength(world.settings.clusterSize!);
    expect(world.faults[0]).toEqual({ atMs: 0, kind: 'network', settings: world.settings.network });
    expect(world.healAtMs).toBe(5_000);
    expect(world.details['swarm settings']).toBe(describeSwarmSettings(world.settings));
    expect(world.details['fault schedule']).toMatch(/t=5000ms heal/);
  });

  test('a fixed list of nodes is used as given', () => {
    const world = drawSwarmWorld(2, { swarm: { timeoutMs: 100 }, nodes: ['a', 'b'], healAtMs: 1_000 });
    expect(world.nodes).toEqual(['a', 'b']);
    expect(world.settings.clusterSize).toBeUndefined();
  });

  test('a sweep runs each seed in its own world, from firstSeed', async () => {
    const seen: number[] = [];
    await forEachSwarmSeed({ ...options, count: 4, firstSeed: 10 }, async (seed, world) => {
      expect(world).toEqual(drawSwarmWorld(seed, options));
      seen.push(seed);
    });
    expect(seen).toEqual([10, 11, 12, 13]);
  });

  test('over many seeds, even cluster sizes and long tails past the timeout both occur', () => {
    const worlds = Array.from({ length: 100 }, (_, index) => drawSwarmWorld(index + 1, options));
    expect(worlds.some((world) => world.nodes.length % 2 === 0)).toBe(true);
    expect(worlds.some((world) => (world.settings.network.delayMs.tail?.maxMs ?? 0) > 300)).toBe(true);
  });
});

describe('recovery bounds', () => {
  /** A node that says hello to n2 at `atMs` (local time), so `holds` becomes true then. */
  const greeter = (atMs: number) =>
    cluster(
      2,
      nodeOf({
        onStart(c) {
          if (c.id === 'n1') c.setTimer(atMs, { type: 'hello' });
        },
        onTimer(c) {
          c.send('n2', { type: 'hello' });
        },
      }),
    );
  const delivered = (sim: Simulation) => () => sim.trace.some((event) => event.kind === 'deliver');

  test('met: returns how long after the heal it held', async () => {
    const sim = new Simulation({ seed: 1, nodes: greeter(1_300), network: { delayMs: 5 } });
    const after = await expectRecovered(sim, {
      what: 'the greeting delivered',
      healedAtMs: 1_000,
      withinMs: 500,
      holds: delivered(sim),
    });
    expect(after).toBe(305);
  });

  test('holding already at the heal counts as 0 ms; checked later, as the time since the heal', async () => {
    const sim = new Simulation({ seed: 1, nodes: greeter(10), network: { delayMs: 5 } });
    expect(await expectRecovered(sim, { what: 'x', healedAtMs: 50, withinMs: 100, holds: delivered(sim) })).toBe(0);
    await sim.run({ untilMs: 100 });
    expect(await expectRecovered(sim, { what: 'x', healedAtMs: 50, withinMs: 100, holds: delivered(sim) })).toBe(50);
  });

  test('missed: says what, the bound, the deadline and why', async () => {
    const sim = new Simulation({ seed: 1, nodes: greeter(2_000), network: { delayMs: 5 } });
    const error = await expectRecovered(sim, {
      what: 'the greeting delivered',
      healedAtMs: 1_000,
      withinMs: 500,
      holds: delivered(sim),
      explain: () => 'n1 had not sent it yet',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecoveryBoundMissed);
    const message = (error as Error).message;
    expect(message).toContain('the greeting delivered within 500 ms of the last fault healing');
    expect(message).toContain('healed at t=1000 ms, so by t=1500 ms');
    expect(message).toContain('n1 had not sent it yet');
    expect(sim.nowMs).toBe(1_500);
  });

  test('checking a bound after its deadline is refused', async () => {
    const sim = new Simulation({ seed: 1, nodes: greeter(10) });
    await sim.run({ untilMs: 3_000 });
    await expect(
      expectRecovered(sim, { what: 'x', healedAtMs: 1_000, withinMs: 500, holds: () => true }),
    ).rejects.toThrow(/after its deadline t=1500 ms/);
  });
});
