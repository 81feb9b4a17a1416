import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  cluster,
  describeSchedule,
  describeSwarmSettings,
  drawSwarmSettings,
  formatTrace,
  Simulation,
  simulate,
  SimulationTestFailure,
  swarmDetails,
  swarmFaultSchedule,
  type RandomFaultKind,
  type SwarmSettings,
  type TraceEvent,
  type TraceFile,
} from '#harness/testing';
import { chattyNode } from './helpers.ts';

type DeliverEvent = Extract<TraceEvent, { kind: 'deliver' }>;
type SendEvent = Extract<TraceEvent, { kind: 'send' }>;

/** Every message's travel time in a run of chatty nodes over `network`. */
async function travelTimesMs(network: ConstructorParameters<typeof Simulation>[0]['network']): Promise<number[]> {
  const sim = new Simulation({ seed: 5, nodes: cluster(3, chattyNode()), ...(network ? { network } : {}) });
  await sim.run({ untilMs: 2_000 });
  const sentAt = new Map<number, number>();
  for (const event of sim.trace) if (event.kind === 'send') sentAt.set((event as SendEvent).id, event.t);
  return sim.trace
    .filter((event): event is DeliverEvent => event.kind === 'deliver')
    .map((event) => event.t - sentAt.get(event.id)!);
}

describe('a network with a long tail of slow messages', () => {
  test('a few messages take longer than max, none longer than the tail allows', async () => {
    const times = await travelTimesMs({ delayMs: { min: 1, max: 10, tail: { rate: 0.1, maxMs: 500 } } });
    const slow = times.filter((ms) => ms > 10);
    expect(
      times.every((ms) => ms >= 1 && ms <= 500),
      'every delay within 1–500 ms',
    ).toBe(true);
    expect(slow.length, 'messages in the tail').toBeGreaterThan(0);
    expect(slow.length / times.length, 'share of the tail').toBeLessThan(0.2);
  });

  test('a tail of rate 0 is no tail: the same run as without one', async () => {
    const plain = await travelTimesMs({ delayMs: { min: 1, max: 10 } });
    const zero = await travelTimesMs({ delayMs: { min: 1, max: 10, tail: { rate: 0, maxMs: 500 } } });
    expect(zero).toEqual(plain);
  });

  test('bad tail settings are refused, naming the setting', () => {
    const withTail = (tail: { rate: number; maxMs: number }) => () =>
      new Simulation({ seed: 1, nodes: cluster(1, chattyNode()), network: { delayMs: { min: 1, max: 10, tail } } });
    expect(withTail({ rate: 1.5, maxMs: 100 })).toThrow(/delayMs\.tail\.rate must be a probability/);
    expect(withTail({ rate: Number.NaN, maxMs: 100 })).toThrow(RangeError);
    expect(withTail({ rate: 0.1, maxMs: 10 })).toThrow(/delayMs\.tail\.maxMs must be whole milliseconds above/);
    expect(withTail({ rate: 0.1, maxMs: 20.5 })).toThrow(RangeError);
  });

  test('the trace shows the tail; a later delay without one removes it', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(1, chattyNode()),
      faults: [
        { atMs: 0, kind: 'network', settings: { delayMs: { min: 1, max: 10, tail: { rate: 0.02, maxMs: 3_000 } } } },
        { atMs: 5, kind: 'network', settings: { delayMs: { min: 1, max: 10 } } },
      ],
    });
    await sim.run({ untilMs: 10 });
    const text = formatTrace(sim.trace);
    expect(text).toContain('network: drop 0, duplicate 0, delay 1–10 ms, 2% up to 3000 ms');
    expect(text).toMatch(/network: drop 0, duplicate 0, delay 1–10 ms$/m);
  });
});

const allKinds: readonly RandomFaultKind[] = ['partition', 'isolate', 'cut', 'crash', 'network', 'clock'];
const options = { timeoutMs: 300, maxPartitionMs: 20_000, clusterSizes: { min: 3, max: 7 }, kinds: allKinds };
const seeds = Array.from({ length: 200 }, (_, index) => index + 1);

describe('swarm settings', () => {
  test('the same seed draws the same settings, and they survive JSON', () => {
    const settings = drawSwarmSettings(42, options);
    expect(drawSwarmSettings(42, options)).toEqual(settings);
    expect(JSON.parse(JSON.stringify(settings))).toEqual(settings);
  });

  test('different seeds explore different worlds', () => {
    const drawn = seeds.map((seed) => drawSwarmSettings(seed, options));
    const distinct = new Set(drawn.map((settings) => JSON.stringify(settings)));
    expect(distinct.size).toBe(seeds.length);
    for (const kind of allKinds) {
      expect(
        drawn.some((settings) => settings.kinds.includes(kind)),
        `${kind} on for some seed`,
      ).toBe(true);
      expect(
        drawn.some((settings) => !settings.kinds.includes(kind)),
        `${kind} off for some seed`,
      ).toBe(true);
    }
    expect(drawn.some((settings) => settings.kinds.length === 0)).toBe(true);
    for (const rate of ['dropRate', 'duplicateRate'] as const) {
      expect(
        drawn.some((settings) => settings.network[rate] === 0),
        `${rate} exactly 0`,
      ).toBe(true);
      expect(
        drawn.some((settings) => settings.network[rate] > 0),
        `${rate} above 0`,
      ).toBe(true);
      expect(
        drawn.every((settings) => settings.network[rate] <= 0.3),
        `${rate} at most 0.3`,
      ).toBe(true);
    }
    const sizes = new Set(drawn.map((settings) => settings.clusterSize));
    expect([...sizes].sort()).toEqual([3, 4, 5, 6, 7]);
    const tails = drawn.map((settings) => settings.network.delayMs.tail);
    expect(
      tails.some((tail) => tail === undefined),
      'no tail for some seed',
    ).toBe(true);
    expect(tails.some((tail) => tail !== undefined && tail.maxMs > 5 * options.timeoutMs)).toBe(true);
    for (const tail of tails) {
      if (tail === undefined) continue;
      expect(tail.maxMs).toBeLessThanOrEqual(10 * options.timeoutMs);
      expect(tail.rate).toBeGreaterThan(0);
      expect(tail.rate).toBeLessThanOrEqual(0.05);
    }
    expect(drawn.every((settings) => settings.network.delayMs.max <= options.timeoutMs / 2)).toBe(true);
    const lengths = drawn.flatMap((settings) => [settings.faultMs.min, settings.faultMs.max]);
    expect(Math.min(...lengths), 'some faults last a few ms').toBeLessThanOrEqual(10);
    expect(Math.max(...lengths), 'some last tens of seconds').toBeGreaterThanOrEqual(10_000);
    expect(lengths.every((ms) => ms >= 1 && ms <= options.maxPartitionMs)).toBe(true);
  });

  test('every drawn network is one the simulator accepts', () => {
    for (const seed of seeds) {
      const { network } = drawSwarmSettings(seed, options);
      expect(() => new Simulation({ seed, nodes: cluster(1, chattyNode()), network })).not.toThrow();
    }
  });

  test('without clusterSizes no size is drawn; without clock in kinds no clock faults', () => {
    for (const seed of seeds.slice(0, 50)) {
      const settings = drawSwarmSettings(seed, { timeoutMs: 300 });
      expect(settings).not.toHaveProperty('clusterSize');
      expect(settings.kinds).not.toContain('clock');
    }
  });

  test('bad options are refused, naming the option', () => {
    expect(() => drawSwarmSettings(1, { timeoutMs: 0 })).toThrow(/Swarm timeoutMs/);
    expect(() => drawSwarmSettings(1, { timeoutMs: 300, maxPartitionMs: 1.5 })).toThrow(/Swarm maxPartitionMs/);
    expect(() => drawSwarmSettings(1, { timeoutMs: 300, clusterSizes: { min: 5, max: 3 } })).toThrow(
      /Swarm clusterSizes/,
    );
  });

  test('the settings read as one line', () => {
    const settings: SwarmSettings = {
      network: { dropRate: 0.12, duplicateRate: 0, delayMs: { min: 3, max: 40, tail: { rate: 0.015, maxMs: 2_400 } } },
      kinds: ['partition', 'crash'],
      faultMs: { min: 12, max: 8_000 },
      maxFaults: 5,
      clusterSize: 5,
    };
    expect(describeSwarmSettings(settings)).toBe(
      'drop 0.12, duplicate 0, delay 3–40 ms, 1.5% up to 2400 ms; partition, crash lasting 12–8000 ms, at most 5; 5 servers',
    );
    expect(describeSwarmSettings({ ...settings, kinds: [] })).toContain('; no faults; 5 servers');
  });
});

describe('swarm fault schedules', () => {
  const healAtMs = 30_000;
  const scheduleOf = (seed: number) => {
    const settings = drawSwarmSettings(seed, options);
    const nodes = Object.keys(cluster(settings.clusterSize!, chattyNode()));
    return { settings, nodes, schedule: swarmFaultSchedule(seed, settings, { nodes, healAtMs }) };
  };

  test('the same seed gives the same schedule', () => {
    expect(scheduleOf(7).schedule).toEqual(scheduleOf(7).schedule);
  });

  test('the drawn network from t=0, only the drawn kinds and lengths, then the healing phase', () => {
    for (const seed of seeds) {
      const { settings, nodes, schedule } = scheduleOf(seed);
      expect(schedule[0]).toEqual({ atMs: 0, kind: 'network', settings: settings.network });
      const before = schedule.slice(1).filter((fault) => fault.atMs < healAtMs);
      // A partition with every node on one side is drawn as an isolation.
      const allowed = new Set<string>([...settings.kinds, 'heal', 'restart']);
      if (settings.kinds.includes('partition')) allowed.add('isolate');
      for (const fault of before) {
        expect(allowed, `t=${fault.atMs} ${fault.kind} (seed ${seed})`).toContain(fault.kind);
        if (fault.kind === 'network') {
          const delayMs = fault.settings.delayMs as { max: number; tail?: unknown };
          expect(delayMs.max).toBeLessThanOrEqual(settings.network.delayMs.max);
          expect(delayMs.tail).toEqual(settings.network.delayMs.tail);
          expect(fault.settings.dropRate).toBeLessThanOrEqual(settings.network.dropRate);
        }
        if ('node' in fault) expect(nodes).toContain(fault.node);
      }
      const atHeal = schedule.filter((fault) => fault.atMs === healAtMs);
      expect(atHeal).toContainEqual({ atMs: healAtMs, kind: 'heal' });
      expect(atHeal).toContainEqual({
        atMs: healAtMs,
        kind: 'network',
        settings: { dropRate: 0, duplicateRate: 0, delayMs: { min: 1, max: 10 } },
      });
      for (const crash of schedule.filter((fault) => fault.kind === 'crash')) {
        expect(atHeal).toContainEqual({ atMs: healAtMs, kind: 'restart', node: (crash as { node: string }).node });
      }
      expect(schedule.every((fault, index) => index === 0 || schedule[index - 1]!.atMs <= fault.atMs)).toBe(true);
    }
  });

  test('each fault lasts as long as the settings say (cut short at the heal)', () => {
    let crashes = 0;
    for (const seed of seeds) {
      // One crash at most, so its restart is the one that ends it.
      const settings = { ...drawSwarmSettings(seed, { timeoutMs: 300 }), kinds: ['crash'] as const, maxFaults: 1 };
      const schedule = swarmFaultSchedule(seed, settings, { nodes: ['n1', 'n2', 'n3'], healAtMs });
      const crash = schedule.find((fault) => fault.kind === 'crash');
      if (crash === undefined) continue;
      crashes++;
      const restart = schedule.find((fault) => fault.kind === 'restart')!;
      const lengthMs = restart.atMs - crash.atMs;
      expect(lengthMs).toBeLessThanOrEqual(settings.faultMs.max);
      if (restart.atMs < healAtMs) expect(lengthMs).toBeGreaterThanOrEqual(settings.faultMs.min);
    }
    expect(crashes, 'seeds with a crash').toBeGreaterThan(50);
  });

  test('a swarm run replays: same seed, same trace', async () => {
    const run = async (seed: number) => {
      // A short run: faults of at most 1 s, healed at 1.5 s.
      const settings = drawSwarmSettings(seed, { ...options, maxPartitionMs: 1_000 });
      const nodes = cluster(settings.clusterSize!, chattyNode());
      const faults = swarmFaultSchedule(seed, settings, { nodes: Object.keys(nodes), healAtMs: 1_500 });
      const sim = new Simulation({ seed, nodes, faults });
      await sim.run({ untilMs: 2_000 });
      return formatTrace(sim.trace);
    };
    const first = await run(3);
    expect(await run(3)).toBe(first);
    expect(await run(4)).not.toBe(first);
  });

  test('a failing swarm run reports its settings and saves them in the trace', async () => {
    const seed = 11;
    const { settings, schedule } = scheduleOf(seed);
    const outcome = await simulate(
      {
        seed,
        nodes: cluster(settings.clusterSize!, chattyNode()),
        faults: schedule,
        details: { ...swarmDetails(settings), 'fault schedule': describeSchedule(schedule) },
      },
      async (sim) => {
        await sim.run({ untilMs: 100 });
        throw new Error('the system could not cope');
      },
    ).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(SimulationTestFailure);
    const failure = outcome as SimulationTestFailure;
    expect(failure.message).toMatch(/swarm settings:\n +drop /);
    expect(failure.message).toContain(describeSwarmSettings(settings));
    expect(failure.message).toContain(`KATA_SEED=${seed}`);
    const trace = JSON.parse(readFileSync(failure.tracePath, 'utf8')) as TraceFile;
    expect(trace.details?.['swarm settings']).toBe(describeSwarmSettings(settings));
    rmSync(failure.tracePath);
    rmSync(failure.tracePath.replace(/\.json$/, '.html'));
  });
});
