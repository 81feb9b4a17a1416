import { describe, expect, test } from 'vitest';
import type { Node, NodeFactory } from '#harness';
import {
  describeSchedule,
  drawSwarmSettings,
  formatTrace,
  randomFaultSchedule,
  scenario,
  Simulation,
  type FaultSchedule,
  type TraceEvent,
} from '#harness/testing';
import { nodeOf } from './helpers.ts';

type Of<K extends TraceEvent['kind']> = Extract<TraceEvent, { kind: K }>;
const eventsOf = <K extends TraceEvent['kind']>(sim: Simulation, kind: K): Array<Of<K>> =>
  sim.trace.filter((event): event is Of<K> => event.kind === kind);

/** n0 sends n1 a `ping` every 10 ms (five in all) and, with the third, one `rare` message. */
const sender: NodeFactory = nodeOf({
  onStart(ctx) {
    ctx.setTimer(1, { type: 'go', round: 1 });
  },
  onTimer(ctx, timer) {
    const round = (timer as { readonly round?: number }).round ?? 1;
    ctx.send('n1', { type: 'ping' });
    if (round === 3) ctx.send('n1', { type: 'rare' });
    if (round < 5) ctx.setTimer(10, { type: 'go', round: round + 1 });
  },
});

/** n1's handler: it counts pings; a `rare` message it acknowledges first and records second. */
const countPingsAckRare: Node['onMessage'] = (ctx, from, message) => {
  if (message.type === 'ping') ctx.storage.set('pings', (ctx.storage.get<number>('pings') ?? 0) + 1);
  if (message.type === 'rare') {
    ctx.send(from, { type: 'ack' });
    ctx.storage.set('rare', true);
  }
};
const receiver: NodeFactory = nodeOf({ onMessage: countPingsAckRare });

function run(faults: FaultSchedule, nodes = { n0: sender, n1: receiver }, seed = 1): Promise<Simulation> {
  const sim = new Simulation({ seed, nodes, faults, network: { delayMs: 1 } });
  return sim.run({ untilMs: 200 }).then(() => sim);
}

describe('a crash aimed at one kind of step', () => {
  test('strikes at the k-th effect of the first step of its kind, and not in the steps before', async () => {
    const sim = await run(scenario().at(0).targetedCrash('n1', { message: 'rare' }, { afterEffects: 1 }).build());
    const [crash, ...more] = eventsOf(sim, 'crash');
    expect(more).toEqual([]);
    expect(crash?.midStep).toMatchObject({ afterEffects: 1, target: 'rare message' });
    expect(crash?.midStep?.during).toMatch(/handling message #\d+ \(rare\) from n0/);
    expect(
      sim.storageOf('n1'),
      'the three pings before it were handled; the write after the ack never happened',
    ).toEqual({
      pings: 3,
    });
    expect(
      eventsOf(sim, 'send').some((event) => event.type === 'ack'),
      'the effect before the crash happened',
    ).toBe(true);
    expect(sim.isUp('n1'), 'without restartAfterMs the node stays down').toBe(false);
  });

  test('a crash aimed at onStart hits the recovery after a restart, then restarts the node after restartAfterMs', async () => {
    const recovering = nodeOf({
      onStart(ctx) {
        ctx.storage.set('boots', (ctx.storage.get<number>('boots') ?? 0) + 1);
        ctx.setTimer(1_000, { type: 'idle' });
      },
    });
    const faults = scenario()
      .at(5)
      .targetedCrash('n1', { start: true }, { afterEffects: 1, restartAfterMs: 50 })
      .at(20)
      .crash('n1')
      .at(30)
      .restart('n1')
      .build();
    const sim = await run(faults, { n0: sender, n1: recovering });
    const crashes = eventsOf(sim, 'crash').filter((event) => event.node === 'n1');
    expect(crashes.map((event) => [event.t, event.midStep?.target])).toEqual([
      [20, undefined],
      [30, 'onStart'],
    ]);
    expect(eventsOf(sim, 'restart').map((event) => event.t)).toEqual([30, 80]);
    expect(sim.storageOf('n1'), 'boot, recovery cut short after its write, recovery at t=80').toEqual({ boots: 3 });
    expect(sim.isUp('n1')).toBe(true);
    const idleTimers = eventsOf(sim, 'timer-set').filter((event) => event.node === 'n1' && event.type === 'idle');
    expect(
      idleTimers.map((event) => event.t),
      'the crashed recovery set no timer',
    ).toEqual([0, 80]);
  });

  test('with provokeStart, a crash aimed at onStart crashes an up node at once, so that its recovery comes', async () => {
    const recovering = nodeOf({
      onStart(ctx) {
        ctx.storage.set('boots', (ctx.storage.get<number>('boots') ?? 0) + 1);
        ctx.setTimer(1_000, { type: 'idle' });
      },
    });
    const faults = scenario()
      .at(5)
      .targetedCrash('n1', { start: true }, { afterEffects: 1, restartAfterMs: 20, provokeStart: true })
      .build();
    const sim = await run(faults, { n0: sender, n1: recovering });
    const lines = formatTrace(
      sim.trace.filter((event) => 'node' in event && event.node === 'n1' && /crash|restart/.test(event.kind)),
    );
    expect(lines).toBe(
      [
        't=5ms       n1 crash armed for its next onStart, after 1 effect(s); it crashes now so that it recovers',
        't=5ms       n1 CRASH',
        't=25ms      n1 RESTART',
        't=25ms      n1 CRASH while starting after a restart, after 1 effect(s) (targeted: onStart)',
        't=45ms      n1 RESTART',
      ].join('\n'),
    );
    expect(sim.storageOf('n1')).toEqual({ boots: 3 });
  });

  test('with no step of its kind before untilMs it never strikes, and the trace says so', async () => {
    const faults = scenario()
      .at(0)
      .targetedCrash('n1', { timer: 'election' }, { untilMs: 150 })
      .targetedCrash('n1', { message: 'rare' }, { untilMs: 15 })
      .build();
    const sim = await run(faults);
    expect(eventsOf(sim, 'crash'), 'the rare message came at t=22 ms, after its crash was disarmed').toEqual([]);
    expect(sim.storageOf('n1')).toEqual({ pings: 5, rare: true });
    expect(formatTrace([...eventsOf(sim, 'crash-armed'), ...eventsOf(sim, 'crash-expired')])).toBe(
      [
        't=0ms       n1 crash armed for its next election timer, after 0 effect(s), until t=150ms',
        't=0ms       n1 crash armed for its next rare message, after 0 effect(s), until t=15ms',
        't=15ms      n1 crash never struck: no rare message reached n1 before t=15ms',
        't=150ms     n1 crash never struck: no election timer of n1 fired before t=150ms',
      ].join('\n'),
    );
  });

  test('bad settings are refused, naming the fault', async () => {
    const bad = (afterEffects: number, untilMs?: number) =>
      run([
        {
          atMs: 10,
          kind: 'targeted-crash',
          node: 'n1',
          step: { start: true },
          afterEffects,
          ...(untilMs === undefined ? {} : { untilMs }),
        },
      ]);
    await expect(bad(-1)).rejects.toThrow(/crash n1 during its next onStart.*afterEffects must be a whole number/);
    await expect(bad(0, 5)).rejects.toThrow(/untilMs must be a time no earlier than the fault/);
  });

  test('the schedule describes it in words', () => {
    const faults = scenario()
      .at(10)
      .targetedCrash('n2', { message: 'InstallSnapshot' }, { afterEffects: 2, restartAfterMs: 300, untilMs: 2_000 })
      .targetedCrash('n3', 'any-seen')
      .build();
    expect(describeSchedule(faults)).toBe(
      [
        't=10ms crash n2 during its next InstallSnapshot message, after 2 effect(s), restart 300 ms later (armed until t=2000ms)',
        't=10ms crash n3 during its next step of a kind drawn from those it has taken, after 0 effect(s)',
      ].join('\n'),
    );
  });
});

describe('a crash aimed at a kind of step drawn from those the node has taken', () => {
  /** n1 ticks every 2 ms: many tick timers, many pings, one rare message, one onStart. */
  const busyReceiver: NodeFactory = nodeOf({
    onStart(ctx) {
      ctx.setTimer(2, { type: 'tick' });
    },
    onTimer(ctx) {
      ctx.setTimer(2, { type: 'tick' });
    },
    onMessage: countPingsAckRare,
  });
  const aimedAt = async (seed: number): Promise<Of<'crash-armed'>> => {
    const sim = await run(
      [{ atMs: 100, kind: 'targeted-crash', node: 'n1', step: 'any-seen', afterEffects: 0 }],
      {
        n0: sender,
        n1: busyReceiver,
      },
      seed,
    );
    return eventsOf(sim, 'crash-armed')[0]!;
  };

  test('each distinct kind is drawn about as often, however often the node takes it; the same seed draws the same', async () => {
    const seeds = Array.from({ length: 200 }, (_, index) => index + 1);
    const picks = new Map<string, number>();
    for (const seed of seeds) {
      const armed = await aimedAt(seed);
      expect(armed.drawnFrom).toEqual(['onStart', 'ping message', 'rare message', 'tick timer']);
      picks.set(armed.step, (picks.get(armed.step) ?? 0) + 1);
    }
    // Weighted by how often each happened, onStart and rare (once each, against ~50 ticks and 5 pings)
    // would almost never be drawn; uniform over kinds gives each about 50 of 200.
    for (const kind of ['onStart', 'ping message', 'rare message', 'tick timer'])
      expect(picks.get(kind) ?? 0, `draws of ${kind} in 200 seeds`).toBeGreaterThan(30);
    expect(await aimedAt(7)).toEqual(await aimedAt(7));
  });

  test('a node that has taken no step yet has nothing to draw from: the crash never strikes', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: { n1: receiver },
      faults: [{ atMs: 0, kind: 'targeted-crash', node: 'n1', step: 'any-seen', afterEffects: 0 }],
    });
    await sim.run({ untilMs: 10 });
    expect(formatTrace(eventsOf(sim, 'crash-expired'))).toBe(
      't=0ms       n1 crash never struck: n1 had taken no step yet, so there was no kind to draw',
    );
  });
});

describe('targeted crashes in random schedules and swarms', () => {
  test('a random targeted crash draws its kind at its time, is armed until the healing, and the node restarts then', () => {
    const faults = randomFaultSchedule(3, {
      nodes: ['n1', 'n2'],
      healAtMs: 1_000,
      kinds: ['targeted-crash'],
      maxFaults: 4,
    });
    const aimed = faults.filter((fault) => fault.kind === 'targeted-crash');
    expect(aimed.length).toBeGreaterThan(0);
    for (const fault of aimed) {
      expect(fault).toMatchObject({ step: 'any-seen', untilMs: 1_000, provokeStart: true });
      expect(
        faults.some((other) => other.kind === 'restart' && other.atMs === 1_000 && other.node === fault.node),
        `${fault.node} restarts at the healing`,
      ).toBe(true);
    }
  });

  test('swarms switch targeted crashes on by default, drawn after every other setting', () => {
    const without = ['partition', 'isolate', 'cut', 'crash', 'network'] as const;
    let on = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const settings = drawSwarmSettings(seed, { timeoutMs: 300, clusterSizes: { min: 3, max: 5 } });
      const before = drawSwarmSettings(seed, { timeoutMs: 300, clusterSizes: { min: 3, max: 5 }, kinds: without });
      expect({ ...settings, kinds: settings.kinds.filter((kind) => kind !== 'targeted-crash') }).toEqual(before);
      if (settings.kinds.includes('targeted-crash')) on++;
    }
    expect(on).toBeGreaterThan(30);
    expect(on).toBeLessThan(70);
  });
});
