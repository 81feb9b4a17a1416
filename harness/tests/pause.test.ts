import { describe, expect, test } from 'vitest';
import type { Message, NodeContext } from '#harness';
import {
  cluster,
  describeSchedule,
  drawSwarmSettings,
  formatTrace,
  randomFaultSchedule,
  scenario,
  Simulation,
  swarmFaultSchedule,
  traceHash,
  type TraceEvent,
} from '#harness/testing';
import { buildViewModel } from '../viewer/index.ts';
import { nodeOf } from './helpers.ts';

/** A node that ticks every 10 ms and writes down, for every tick and message, its own clock's reading. */
function diaryNode() {
  return () => {
    const diary: string[] = [];
    return {
      diary,
      onStart(ctx: NodeContext) {
        ctx.setTimer(10, { type: 'tick' });
      },
      onTimer(ctx: NodeContext) {
        diary.push(`tick at ${ctx.now()}`);
        ctx.setTimer(10, { type: 'tick' });
      },
      onMessage(ctx: NodeContext, from: string, message: Message) {
        diary.push(`${message.type} from ${from} at ${ctx.now()}`);
      },
    };
  };
}

describe('a process pause: the node stops, keeps its state, and wakes with its clock moved on', () => {
  test('a paused node takes no step; its due timer and the messages that reached it wait, in order, until it wakes', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(2, diaryNode()),
      network: { delayMs: 1 },
      faults: scenario().at(15).pause('n1', 40).build(),
    });
    sim.at(20, () => sim.client('c1', async (client) => client.send('n1', { type: 'hello' })));
    sim.at(30, () => sim.client('c2', async (client) => client.send('n1', { type: 'bye' })));
    await sim.run({ untilMs: 70 });
    const diary = (sim.nodeInstance('n1') as unknown as { diary: string[] }).diary;
    expect(diary).toEqual([
      'tick at 10',
      // The tick due at t=20 came due during the pause: it fires on waking, before the messages that arrived later.
      'tick at 55',
      'hello from c1 at 55',
      'bye from c2 at 55',
      'tick at 65',
    ]);
    const n2 = (sim.nodeInstance('n2') as unknown as { diary: string[] }).diary;
    expect(n2, 'the other node ran on').toEqual([
      'tick at 10',
      'tick at 20',
      'tick at 30',
      'tick at 40',
      'tick at 50',
      'tick at 60',
      'tick at 70',
    ]);
    const lines = formatTrace(sim.trace.filter((event) => 'node' in event && event.node === 'n1'));
    expect(lines).toContain('t=15ms      n1 PAUSE until t=55ms');
    expect(lines).toContain('t=55ms      n1 RESUME after 40 ms paused (its clock now reads 55 ms)');
  });

  test('the clock of a skewed node jumps by the whole pause', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(1, diaryNode()),
      clocks: { n1: { skewMs: 1_000, driftPpm: 0 } },
      faults: scenario().at(12).pause('n1', 1_000).build(),
    });
    await sim.run({ untilMs: 1_015 });
    const diary = (sim.nodeInstance('n1') as unknown as { diary: string[] }).diary;
    expect(diary).toEqual(['tick at 1010', 'tick at 2012']);
    expect(sim.trace.find((event) => event.kind === 'resume')).toMatchObject({ pausedMs: 1_000, localMs: 2_012 });
  });

  test("a message sent to a paused node is held even if a partition starts before it wakes; the node's rpcs time out late", async () => {
    let result: unknown;
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(2, (ctx) => ({
        onStart() {
          void ctx.rpc('n2', { type: 'ask' }, { timeoutMs: 20 }).then((answer) => {
            result = { answer, at: ctx.now() };
          });
        },
        onMessage(c: NodeContext, from: string, message: Message) {
          if (message.type === 'ask') c.reply(from, message, { type: 'ask_ok' });
        },
      })),
      network: { delayMs: 5 },
      faults: scenario().at(1).pause('n1', 100).at(50).partition(['n1'], ['n2']).build(),
    });
    await sim.run({ untilMs: 200 });
    // n2 answered at t=5; the answer reached n1 at t=10, while it was paused; n1 took it on waking at t=101.
    expect(result).toEqual({ answer: { ok: true, reply: { type: 'ask_ok', inReplyTo: 1 } }, at: 101 });
  });

  test('a longer pause extends a pause; a shorter one changes nothing', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(1, diaryNode()),
      faults: scenario().at(11).pause('n1', 50).at(20).pause('n1', 10).at(30).pause('n1', 70).build(),
    });
    await sim.run({ untilMs: 99 });
    expect(sim.isPaused('n1')).toBe(true);
    await sim.run({ untilMs: 101 });
    expect(sim.isPaused('n1')).toBe(false);
    const diary = (sim.nodeInstance('n1') as unknown as { diary: string[] }).diary;
    expect(diary).toEqual(['tick at 10', 'tick at 100']);
    expect(sim.trace.filter((event) => event.kind === 'resume')).toHaveLength(1);
  });

  test('a crash ends a pause: the messages it held are lost, and the restarted node runs at once', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(1, diaryNode()),
      network: { delayMs: 1 },
      faults: scenario().at(5).pause('n1', 100).at(30).crash('n1').at(40).restart('n1').build(),
    });
    sim.at(20, () => sim.client('c1', async (client) => client.send('n1', { type: 'lost' })));
    await sim.run({ untilMs: 55 });
    const diary = (sim.nodeInstance('n1') as unknown as { diary: string[] }).diary;
    expect(diary).toEqual(['tick at 50']);
    expect(sim.isPaused('n1')).toBe(false);
    expect(sim.trace.find((event) => event.kind === 'drop')).toMatchObject({ type: 'lost', reason: 'node-down' });
  });

  test('pausing a crashed node does nothing, and says so; a bad duration is refused', async () => {
    const sim = new Simulation({ seed: 1, nodes: cluster(1, nodeOf({})) });
    sim.crash('n1');
    sim.pause('n1', 10);
    expect(sim.isPaused('n1')).toBe(false);
    expect(formatTrace(sim.trace)).toContain('the pause of n1 did nothing: n1 is down');
    expect(() => sim.pause('n1', 0)).toThrow(/whole number of ms, at least 1/);
  });
});

function traceFile(events: readonly TraceEvent[], nodes: readonly string[], endMs: number) {
  return { version: 1 as const, seed: 1, nodes, clients: [], endMs, hash: traceHash(events), events };
}

describe('pauses in schedules, reports and the viewer', () => {
  test('a schedule describes a pause in words', () => {
    expect(describeSchedule(scenario().at(3_000).pause('n2', 1_500).build())).toBe('t=3000ms pause n2 for 1500 ms');
  });

  test('random schedules draw pauses only when asked, each ending by the healing', () => {
    const nodes = ['n1', 'n2', 'n3'];
    for (let seed = 1; seed <= 50; seed++) {
      const plain = randomFaultSchedule(seed, { nodes, healAtMs: 5_000 });
      expect(plain.some((fault) => fault.kind === 'pause')).toBe(false);
      const settings = drawSwarmSettings(seed, { timeoutMs: 300 });
      expect(settings.kinds).not.toContain('pause');
    }
    const pauses = [];
    for (let seed = 1; seed <= 50; seed++) {
      for (const fault of randomFaultSchedule(seed, { nodes, healAtMs: 5_000, kinds: ['pause'] })) {
        if (fault.kind !== 'pause') continue;
        pauses.push(fault);
        expect(fault.atMs + fault.durationMs).toBeLessThanOrEqual(5_000);
      }
    }
    expect(pauses.length).toBeGreaterThan(20);
    const swarmed = Array.from({ length: 40 }, (_, index) => index + 1).filter((seed) => {
      const settings = drawSwarmSettings(seed, { timeoutMs: 300, kinds: ['partition', 'pause'] });
      return swarmFaultSchedule(seed, settings, { nodes, healAtMs: 5_000 }).some((fault) => fault.kind === 'pause');
    });
    expect(swarmed.length).toBeGreaterThan(5);
  });

  test('the viewer shades a paused stretch of the lane and marks where it began and ended', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(2, diaryNode()),
      faults: scenario().at(15).pause('n1', 30).at(60).pause('n2', 100).build(),
    });
    await sim.run({ untilMs: 100 });
    const model = buildViewModel(traceFile(sim.trace, sim.nodeIds, sim.nowMs));
    expect(model.intervals.map((interval) => interval.label)).toEqual([
      'n1 paused at t=15 ms, woke at t=45 ms',
      'n2 paused at t=60 ms, still paused when the run ended',
    ]);
    const paused = model.intervals[0]!;
    expect(paused.kind).toBe('paused');
    expect(sim.trace[paused.start]).toMatchObject({ kind: 'pause', node: 'n1' });
    expect(sim.trace[paused.end]).toMatchObject({ kind: 'resume', node: 'n1' });
    const kinds = model.marks.kind.map((kind) => model.markKinds[kind]);
    expect(kinds.filter((kind) => kind === 'pause' || kind === 'resume')).toEqual(['pause', 'resume', 'pause']);
  });
});
