/**
 * Tests for exercise 2.5: hybrid logical clocks. See README.md for what each group checks.
 *
 * Two properties, from the paper's section 3: causality (e → f ⇒ hlc(e) < hlc(f), against the
 * ground-truth happened-before of `causalHistory`), and bounded divergence: l is never behind the node's
 * own physical clock, and never ahead of every physical clock in the cluster. The physical clocks are
 * recomputed from the clock settings the trace records.
 */
import { describe, it } from 'vitest';
import type { NodeId } from '#harness';
import {
  type CausalEvent,
  causalHistory,
  type CausalHistory,
  changeClock,
  type ClockState,
  cluster,
  deriveSeed,
  forEachSwarmSeed,
  localTimeMs,
  PERFECT_CLOCK,
  readClock,
  Rng,
  scenario,
  simulate,
  type Simulation,
  startClock,
  sweepSeedCount,
  check,
} from '#harness/testing';
import type { Clocks } from '../_test-support/clocks.ts';
import { runToQuiet, sendCommands, type Command } from '../_test-support/commands.ts';
import { matchReportedEvents, type NoteEventKind, type ReadReport } from '../_test-support/note-events.ts';
import { createHlcNode, hlcReceive, hlcSendOrLocal } from './hlc.ts';
import type { Hlc } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** Commands start at t=1 s, so that every physical clock (skew at most ±500 ms) reads above 0 by then. */
const START_MS = 1_000;

/** A `logEvent` line, matched to the ground-truth event it stamps. */
interface Stamped {
  readonly node: NodeId;
  readonly kind: NoteEventKind;
  readonly id: string;
  readonly hlc: Hlc;
  readonly event: CausalEvent;
}

/** Plain digits: a thousands separator would read as the comma inside an (l, c) pair. */
function show(ms: number): string {
  return String(ms);
}

function showHlc(hlc: Hlc): string {
  return `(${show(hlc.l)}, ${hlc.c})`;
}

function what(e: Stamped): string {
  return e.kind === 'local' ? `local event ${e.id}` : `${e.kind === 'send' ? 'send' : 'delivery'} of note ${e.id}`;
}

function describeEvent(e: Stamped): string {
  return `${e.node}'s ${what(e)} (t=${show(e.event.event.t)} ms, hlc=${showHlc(e.hlc)})`;
}

/** The order the tests use: l first, then c. (Not the learner's: a test must not trust the code it tests.) */
function hlcLess(a: Hlc, b: Hlc): boolean {
  return a.l < b.l || (a.l === b.l && a.c < b.c);
}

const LOG_LINE = /^(local|send|deliver) (\S+) l=(-?\d+(?:\.\d+)?) c=(-?\d+(?:\.\d+)?)$/;

/** Reads one `logEvent` line, `<kind> <id> l=<ms> c=<n>`; fails, in words, on a malformed one. */
const readReport: ReadReport<Hlc> = (log) => {
  if (!/^(local|send|deliver) /.test(log.text)) return undefined;
  const match = LOG_LINE.exec(log.text);
  if (match === null) {
    throw new Error(
      `${log.node} logged "${log.text}" at t=${log.t} ms: report events with logEvent(ctx, kind, id, hlc), which writes "send <id> l=<ms> c=<n>"`,
    );
  }
  const [, kind, id, l, c] = match as unknown as [string, NoteEventKind, string, string, string];
  return { kind, id, stamp: { l: Number(l), c: Number(c) } };
};

/** Every reported event, matched to the trace event it stamps (see {@link matchReportedEvents}), in trace order. */
function stampedEvents(history: CausalHistory): Stamped[] {
  return matchReportedEvents(history, readReport, 'hlc').map(({ stamp, ...event }) => ({ ...event, hlc: stamp }));
}

/** HLC §3, requirement 1: if e happened before f, then hlc(e) < hlc(f). Checked on every pair. */
function assertCausality(history: CausalHistory, stamped: readonly Stamped[]): void {
  for (const f of stamped) {
    for (const e of stamped) {
      if (!history.happenedBefore(e.event, f.event) || hlcLess(e.hlc, f.hlc)) continue;
      throw new Error(
        `causality broken: ${describeEvent(e)} happened before ${describeEvent(f)}, but ${showHlc(e.hlc)} is not less than ${showHlc(f.hlc)}`,
      );
    }
  }
}

/**
 * HLC §3, requirement 3 (l stays close to physical time): at each event, the node's own clock ≤ l ≤ the
 * highest reading any node's clock had shown by then. The clocks are recomputed from the `clock` events
 * of the trace (initial settings and changes), so a clock set back is accounted for.
 */
function assertBoundedDivergence(sim: Simulation, stamped: readonly Stamped[]): void {
  const clocks = new Map<NodeId, ClockState>(sim.nodeIds.map((node) => [node, startClock(PERFECT_CLOCK)]));
  const highest = new Map<NodeId, number>(sim.nodeIds.map((node) => [node, -Infinity]));
  const byTraceIndex = new Map(stamped.map((e) => [e.event.traceIndex, e]));
  sim.trace.forEach((event, index) => {
    if (event.kind === 'clock' && clocks.has(event.node)) {
      // The old clock's last reading still counts: a node may have read it just before the change.
      const before = clocks.get(event.node)!;
      highest.set(event.node, Math.max(highest.get(event.node)!, readClock(before, event.t)));
      clocks.set(event.node, changeClock(before, event.t, { skewMs: event.skewMs, driftPpm: event.driftPpm }));
    }
    const e = byTraceIndex.get(index);
    if (e === undefined) return;
    for (const [node, clock] of clocks) highest.set(node, Math.max(highest.get(node)!, readClock(clock, event.t)));
    const ptMs = readClock(clocks.get(e.node)!, event.t);
    if (e.hlc.l < ptMs) {
      throw new Error(
        `${e.node}'s HLC l=${show(e.hlc.l)} for its ${what(e)} at t=${show(event.t)} ms is behind its own physical clock, which read ${show(ptMs)} ms: ` +
          'l is never less than the physical clock',
      );
    }
    const [fastestNode, fastestMs] = [...highest].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
    if (e.hlc.l > fastestMs) {
      throw new Error(
        `${e.node}'s HLC l=${show(e.hlc.l)} for its ${what(e)} at t=${show(event.t)} ms is ahead of every physical clock in the cluster: ` +
          `the fastest, ${fastestNode}'s, had reached ${show(fastestMs)} ms (${e.node}'s own read ${show(ptMs)} ms). l is always some node's ` +
          `clock reading, so l − pt never exceeds the skew between the clocks (ε = ${show(fastestMs - ptMs)} ms here); count extra events in c, not in l`,
      );
    }
  });
}

function checkRun(sim: Simulation): Stamped[] {
  const history = causalHistory(sim.trace);
  const stamped = stampedEvents(history);
  assertCausality(history, stamped);
  assertBoundedDivergence(sim, stamped);
  return stamped;
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  it("n1's clock is 100 ms ahead: n2 takes n1's time from its note, counts in c until its own clock passes it, then follows its own clock", async () => {
    const clocks: Clocks = { n1: { skewMs: 100 } };
    const commands: Command[] = [{ atMs: START_MS, node: 'n1', id: 'hello', to: 'n2' }];
    for (let i = 1; i <= 20; i++) commands.push({ atMs: START_MS + 10 * i, node: 'n2', id: `n2-${i}` });
    await simulate({ seed: 1, nodes: cluster(2, createHlcNode), clocks, network: { delayMs: 5 } }, async (sim) => {
      sendCommands(sim, commands);
      await runToQuiet(sim);
      const stamped = checkRun(sim);
      const last = stamped.filter((e) => e.node === 'n2').at(-1)!;
      const ptMs = localTimeMs(PERFECT_CLOCK, last.event.event.t);
      check(
        last.hlc.l === ptMs && last.hlc.c === 0,
        `${describeEvent(last)}: by then n2's own clock (${show(ptMs)} ms) had long passed n1's note, so its HLC should be (${show(ptMs)}, 0): ` +
          'when the physical clock moves past l, l follows it and the counter starts again at 0',
      );
    });
  });

  it('n1, the fastest clock, handles twenty events in the same millisecond: c counts them, l does not run ahead', async () => {
    const clocks: Clocks = { n1: { skewMs: 50 }, n3: { skewMs: -50 } };
    const commands: Command[] = Array.from({ length: 20 }, (_, i) => ({
      atMs: START_MS,
      node: 'n1',
      id: `burst-${i + 1}`,
    }));
    commands.push(
      { atMs: START_MS, node: 'n1', id: 'after-burst', to: 'n2' },
      { atMs: START_MS + 20, node: 'n2', id: 'pass-on', to: 'n3' },
    );
    await simulate({ seed: 2, nodes: cluster(3, createHlcNode), clocks, network: { delayMs: 5 } }, async (sim) => {
      sendCommands(sim, commands);
      await runToQuiet(sim);
      checkRun(sim);
    });
  });

  it('a note from a busy node to a slower one: the delivery must come after the send, though both have the same l', async () => {
    const clocks: Clocks = { n1: { skewMs: 100 } };
    const commands: Command[] = [
      { atMs: START_MS, node: 'n1', id: 'a' },
      { atMs: START_MS, node: 'n1', id: 'b' },
      { atMs: START_MS, node: 'n1', id: 'c' },
      { atMs: START_MS, node: 'n1', id: 'note', to: 'n2' },
    ];
    await simulate({ seed: 3, nodes: cluster(2, createHlcNode), clocks, network: { delayMs: 5 } }, async (sim) => {
      sendCommands(sim, commands);
      await runToQuiet(sim);
      checkRun(sim);
    });
  });
});

// ───────────────────────────── 2. spec ─────────────────────────────

// Kulkarni, Demirbas, Madappa, Avva, Leone, "Logical Physical Clocks" (2014), Figure 5.
describe('Figure 5: send or local event', () => {
  const cases: ReadonlyArray<{
    readonly clock: Hlc;
    readonly ptMs: number;
    readonly expected: Hlc;
    readonly why: string;
  }> = [
    {
      clock: { l: 0, c: 0 },
      ptMs: 100,
      expected: { l: 100, c: 0 },
      why: 'the physical clock passed l: l follows it, and the counter starts again at 0',
    },
    {
      clock: { l: 100, c: 0 },
      ptMs: 100,
      expected: { l: 100, c: 1 },
      why: 'a second event in the same ms: same l, next counter',
    },
    {
      clock: { l: 120, c: 3 },
      ptMs: 100,
      expected: { l: 120, c: 4 },
      why: 'l is ahead of the physical clock (it heard from a faster node): keep l, count',
    },
    {
      clock: { l: 120, c: 3 },
      ptMs: 130,
      expected: { l: 130, c: 0 },
      why: 'the physical clock passed l: the counter starts again at 0',
    },
  ];
  for (const { clock, ptMs, expected, why } of cases) {
    it(`hlcSendOrLocal(${showHlc(clock)}, pt=${ptMs}) is ${showHlc(expected)}: ${why}`, () => {
      const result = hlcSendOrLocal(clock, ptMs);
      check(
        result.l === expected.l && result.c === expected.c,
        `hlcSendOrLocal(${showHlc(clock)}, pt=${ptMs}) returned ${showHlc(result)} instead of ${showHlc(expected)}: ${why}`,
      );
    });
  }
});

describe('Figure 5: receive event', () => {
  const cases: ReadonlyArray<{
    readonly clock: Hlc;
    readonly received: Hlc;
    readonly ptMs: number;
    readonly expected: Hlc;
    readonly why: string;
  }> = [
    {
      clock: { l: 100, c: 2 },
      received: { l: 100, c: 5 },
      ptMs: 90,
      expected: { l: 100, c: 6 },
      why: "own l and the message's are equal and largest: above both counters",
    },
    {
      clock: { l: 100, c: 7 },
      received: { l: 100, c: 1 },
      ptMs: 100,
      expected: { l: 100, c: 8 },
      why: 'all three equal: above both counters',
    },
    {
      clock: { l: 100, c: 2 },
      received: { l: 80, c: 9 },
      ptMs: 90,
      expected: { l: 100, c: 3 },
      why: 'own l is largest: own counter + 1',
    },
    {
      clock: { l: 80, c: 2 },
      received: { l: 100, c: 5 },
      ptMs: 90,
      expected: { l: 100, c: 6 },
      why: "the message's l is largest: the message's counter + 1",
    },
    {
      clock: { l: 80, c: 2 },
      received: { l: 90, c: 5 },
      ptMs: 100,
      expected: { l: 100, c: 0 },
      why: 'the physical clock is largest: the counter starts again at 0',
    },
  ];
  for (const { clock, received, ptMs, expected, why } of cases) {
    it(`hlcReceive(${showHlc(clock)}, message ${showHlc(received)}, pt=${ptMs}) is ${showHlc(expected)}: ${why}`, () => {
      const result = hlcReceive(clock, received, ptMs);
      check(
        result.l === expected.l && result.c === expected.c,
        `hlcReceive(${showHlc(clock)}, message ${showHlc(received)}, pt=${ptMs}) returned ${showHlc(result)} instead of ${showHlc(expected)}: ${why}`,
      );
    });
  }
});

describe('Causality and bounded divergence', () => {
  it('three nodes with clocks 200 ms apart send notes back and forth: causality holds, and l stays between the clocks', async () => {
    const clocks: Clocks = {
      n1: { skewMs: 200, driftPpm: 100 },
      n2: { skewMs: -200 },
      n3: { skewMs: 0, driftPpm: -150 },
    };
    const script: Array<[number, NodeId, NodeId?]> = [
      [0, 'n1', 'n2'],
      [0, 'n2', 'n3'],
      [3, 'n3', 'n1'],
      [3, 'n3'],
      [10, 'n2', 'n1'],
      [12, 'n1'],
      [15, 'n1', 'n3'],
      [20, 'n3', 'n2'],
      [20, 'n2'],
      [25, 'n2', 'n1'],
      [40, 'n1', 'n2'],
      [300, 'n2'],
      [300, 'n3', 'n2'],
      [420, 'n2', 'n3'],
      [450, 'n3'],
    ];
    const commands = script.map(([atMs, node, to], i) => ({
      atMs: START_MS + atMs,
      node,
      id: `e${i + 1}`,
      ...(to === undefined ? {} : { to }),
    }));
    await simulate(
      { seed: 11, nodes: cluster(3, createHlcNode), clocks, network: { delayMs: { min: 1, max: 20 } } },
      async (sim) => {
        sendCommands(sim, commands);
        await runToQuiet(sim);
        checkRun(sim);
      },
    );
  });

  it("n2's clock is set back 400 ms in the middle of the run: its HLC never goes back, and causality holds", async () => {
    const faults = scenario()
      .at(START_MS + 100)
      .clock('n2', { skewMs: -400 })
      .build();
    const commands: Command[] = [];
    for (let i = 0; i < 10; i++) {
      commands.push({ atMs: START_MS + 20 * i, node: 'n2', id: `n2-${i + 1}`, ...(i % 3 === 0 ? { to: 'n1' } : {}) });
      if (i % 4 === 1) commands.push({ atMs: START_MS + 20 * i + 5, node: 'n1', id: `n1-${i + 1}`, to: 'n2' });
    }
    await simulate(
      { seed: 12, nodes: cluster(2, createHlcNode), faults, network: { delayMs: { min: 1, max: 10 } } },
      async (sim) => {
        sendCommands(sim, commands);
        await runToQuiet(sim);
        checkRun(sim);
      },
    );
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('sweeps', () => {
  const HEAL_AT_MS = 2_500;
  /** No timeout in this protocol: ordinary delays reach 50 ms, the long tail ten times 100 ms. */
  const SWARM_TIMEOUT_MS = 100;

  /** Skew up to ±300 ms, drift up to ±200 ppm, 20–40 commands (some in bursts) on `nodes`: all from the seed. */
  function workload(seed: number, nodes: readonly NodeId[]): { clocks: Clocks; commands: Command[] } {
    const rng = new Rng(deriveSeed(seed, 'workload'));
    const clocks: Clocks = Object.fromEntries(
      nodes.map((node) => [node, { skewMs: rng.int(-300, 300), driftPpm: rng.int(-200, 200) }]),
    );
    const commands: Command[] = [];
    let atMs = START_MS;
    for (let i = 1, count = rng.int(20, 40); i <= count; i++) {
      if (!rng.chance(0.3)) atMs += rng.int(0, 60); // else: a burst, at the same moment as the previous command
      const from = rng.int(0, nodes.length - 1);
      const to = (from + rng.int(1, nodes.length - 1)) % nodes.length;
      commands.push({ atMs, node: nodes[from]!, id: `e${i}`, ...(rng.chance(0.6) ? { to: nodes[to]! } : {}) });
    }
    return { clocks, commands };
  }

  it(`${sweepSeedCount(150)} seeds of swarm worlds (2–7 nodes, skewed, drifting clocks that get reset, drops, duplicates, long delays, partitions): causality and bounded divergence`, async () => {
    await forEachSwarmSeed(
      {
        count: 150,
        swarm: {
          timeoutMs: SWARM_TIMEOUT_MS,
          clusterSizes: { min: 2, max: 7 },
          // No crashes: this node keeps its clock in memory, and a real HLC would persist it.
          kinds: ['partition', 'isolate', 'cut', 'network', 'clock'],
        },
        nodes: (size) => Object.keys(cluster(size!, createHlcNode)),
        healAtMs: HEAL_AT_MS,
      },
      async (seed, world) => {
        const { clocks, commands } = workload(seed, world.nodes);
        const details = {
          ...world.details,
          clocks: JSON.stringify(clocks),
          commands: commands
            .map((c) => `t=${c.atMs}ms ${c.node} ${c.to === undefined ? `local ${c.id}` : `sends ${c.id} to ${c.to}`}`)
            .join('\n'),
        };
        const nodes = cluster(world.nodes, createHlcNode);
        await simulate({ seed, nodes, clocks, faults: world.faults, details }, async (sim) => {
          sendCommands(sim, commands);
          await runToQuiet(sim);
          checkRun(sim);
        });
      },
    );
  });
});
