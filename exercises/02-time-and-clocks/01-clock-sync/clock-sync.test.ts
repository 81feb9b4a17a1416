/**
 * Tests for exercise 2.1: clock synchronisation. See README.md for what each group checks.
 *
 * The tests read everything from the trace: the `read_clock_ok` answers a node sent (with the true time
 * at which it sent them), and its round trips to the server. True time is the simulator's virtual time.
 */
import { describe, it } from 'vitest';
import type { NodeFactory, NodeId } from '#harness';
import {
  cluster,
  deriveSeed,
  describeSchedule,
  expectRecovered,
  type FaultSchedule,
  forEachSwarmSeed,
  Rng,
  scenario,
  type ScheduledFault,
  simulate,
  type Simulation,
  type TraceEvent,
  sweepSeedCount,
  check,
} from '#harness/testing';
import type { Clocks } from '../_test-support/clocks.ts';
import { createClockSyncNode, estimateOffset } from './clock-sync.ts';
import { SYNC_INTERVAL_MS, TIME_SERVER, type ReadClock, type SyncSample } from './protocol.ts';
import { createTimeServer } from './time-server.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** Slack for whole-ms clock readings (each of t0, t1 and the reading itself is rounded down). */
const ROUNDING_SLACK_MS = 2;
/** With the network calm, a node must ask the server again at least this often (true ms). */
const MAX_SYNC_GAP_MS = 2 * SYNC_INTERVAL_MS;

/** The time server plus one synchronising node per id. */
function timeCluster(ids: readonly NodeId[]): Record<NodeId, NodeFactory> {
  return { [TIME_SERVER]: createTimeServer, ...cluster(ids, createClockSyncNode) };
}

/** Client c1 asks every node for its clock every `everyMs`, until `untilMs`. It need not wait for answers. */
function readClocksEvery(sim: Simulation, nodes: readonly NodeId[], everyMs: number, untilMs: number): void {
  sim.client('c1', async (c) => {
    while (c.now() < untilMs) {
      for (const node of nodes) {
        const request: ReadClock = { type: 'read_clock' };
        void c.rpc(node, request, { timeoutMs: 200 });
      }
      await c.sleep(everyMs);
    }
  });
}

/** One answer to `read_clock`, at the true time `t` at which the node sent it. */
interface Reading {
  readonly t: number;
  readonly timeMs: number | null;
  readonly errorBoundMs: number | null;
}

function show(ms: number): string {
  return ms.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** Reads a `read_clock_ok` from the trace, checking its shape; returns a problem sentence when it is malformed. */
function readingOf(event: Extract<TraceEvent, { kind: 'send' }>): Reading | string {
  const { timeMs, errorBoundMs } = event.message as { timeMs?: unknown; errorBoundMs?: unknown };
  const isTime = (value: unknown) => value === null || (typeof value === 'number' && Number.isFinite(value));
  if (!isTime(timeMs) || !isTime(errorBoundMs) || (timeMs === null) !== (errorBoundMs === null)) {
    return (
      `${event.from} answered read_clock at t=${event.t} ms with timeMs=${JSON.stringify(timeMs)} and errorBoundMs=${JSON.stringify(errorBoundMs)}: ` +
      'both must be numbers of ms, or both null before the first sync'
    );
  }
  if (typeof errorBoundMs === 'number' && errorBoundMs < 0) {
    return `${event.from} answered read_clock at t=${event.t} ms with a negative error bound (${errorBoundMs} ms)`;
  }
  return { t: event.t, timeMs: timeMs as number | null, errorBoundMs: errorBoundMs as number | null };
}

/** What the watcher remembers about one node. */
interface Watched {
  /** The last reading that showed a time. */
  shown?: Reading;
  /** The true time at which the node last received the server's reply, if ever. */
  lastSyncMs?: number;
  /** The node's last reading. */
  last?: Reading;
}

/**
 * Checks one reading against Cristian's promise and against monotonicity. The slack allows for whole-ms
 * readings and for the drift of the node's clock since its last round trip (the bound does not include it).
 */
function problemWith(node: NodeId, reading: Reading, watched: Watched, driftPpm: number): string | undefined {
  if (reading.timeMs === null || reading.errorBoundMs === null) {
    if (watched.shown === undefined) return undefined;
    return (
      `${node} answered read_clock with timeMs: null at t=${reading.t} ms, after showing ${show(watched.shown.timeMs!)} ms at t=${watched.shown.t} ms: ` +
      'once synchronised, the clock keeps running'
    );
  }
  const previous = watched.shown;
  if (previous !== undefined && reading.timeMs < previous.timeMs!) {
    const jumped =
      `${node}'s clock jumped backwards from ${show(previous.timeMs!)} to ${show(reading.timeMs)} ms at t=${reading.t} ms ` +
      `(it read ${show(previous.timeMs!)} at t=${previous.t} ms)`;
    const syncedBetween = watched.lastSyncMs !== undefined && watched.lastSyncMs > previous.t;
    if (!syncedBetween) {
      // No reply from the server came between the two readings: nothing new was learned, yet the clock went back.
      return (
        `${jumped}, and no reply from the server came in between. Between syncs the clock must run on from the last ` +
        'estimate: count the time elapsed on your local clock from the moment that estimate was made.'
      );
    }
    return (
      `${jumped}, after the server's reply reached it at t=${watched.lastSyncMs} ms. Never step a clock back: slew the ` +
      'correction in by running the clock slower. If you do, check which local time the estimate counts from: ' +
      "the server's time plus half the round trip is the time when the reply arrived, so anchor it to your clock's " +
      'reading at that arrival, not at the request.'
    );
  }
  if (watched.lastSyncMs === undefined) {
    return (
      `${node} answered read_clock with ${show(reading.timeMs)} ms at t=${reading.t} ms, before any reply from the server had reached it: ` +
      'until the first sync completes, answer timeMs: null'
    );
  }
  const slackMs = ROUNDING_SLACK_MS + (Math.abs(driftPpm) * (reading.t - watched.lastSyncMs)) / 1_000_000;
  const offMs = reading.timeMs - reading.t;
  if (Math.abs(offMs) > reading.errorBoundMs + slackMs) {
    return (
      `${node}'s clock read ${show(reading.timeMs)} ms at true time t=${reading.t} ms: ${show(Math.abs(offMs))} ms ${offMs > 0 ? 'ahead' : 'behind'}, ` +
      `outside its error bound of ±${show(reading.errorBoundMs)} ms (allowing ${show(slackMs)} ms more for rounding and drift). ` +
      "Cristian's estimate is the server's time plus half the round trip, good to ± half the round trip; a correction not yet slewed in adds to the bound."
    );
  }
  return undefined;
}

/**
 * Watches the trace as it grows, checking every `read_clock_ok` the moment it is sent: a reading outside
 * its error bound, or earlier than the one before, stops the run right there (`sim.fail`), so the
 * report's time and last events show the moment it happened. `watched` is what it saw of each node.
 *
 * The drift allowed for is the largest a node's clock had since its last sync: its drift in `clocks`,
 * and any drift a `clock` fault set since. A node that restarts has lost its clock: it starts over, with
 * `timeMs: null` until its first sync, and from there on it must never go back.
 */
function watchClocks(sim: Simulation, clocks: Clocks): { check(): void; readonly watched: Map<NodeId, Watched> } {
  const watched = new Map<NodeId, Watched>();
  const driftPpm = new Map<NodeId, number>();
  const driftSinceSyncPpm = new Map<NodeId, number>();
  const of = (node: NodeId) => watched.get(node) ?? watched.set(node, {}).get(node)!;
  const currentDrift = (node: NodeId) => Math.abs(driftPpm.get(node) ?? clocks[node]?.driftPpm ?? 0);
  let seen = sim.trace.length;
  const check = () => {
    while (seen < sim.trace.length) {
      const event = sim.trace[seen++]!;
      if (event.kind === 'clock') {
        driftPpm.set(event.node, event.driftPpm);
        driftSinceSyncPpm.set(event.node, Math.max(driftSinceSyncPpm.get(event.node) ?? 0, Math.abs(event.driftPpm)));
      }
      if (event.kind === 'restart') watched.set(event.node, {});
      if (event.kind === 'deliver' && event.from === TIME_SERVER && event.type === 'time_response') {
        of(event.to).lastSyncMs = event.t;
        driftSinceSyncPpm.set(event.to, currentDrift(event.to));
      }
      if (event.kind !== 'send' || event.type !== 'read_clock_ok') continue;
      const node = event.from;
      const reading = readingOf(event);
      const drift = Math.max(currentDrift(node), driftSinceSyncPpm.get(node) ?? 0);
      const problem = typeof reading === 'string' ? reading : problemWith(node, reading, of(node), drift);
      if (problem !== undefined) sim.fail(problem, node);
      const state = of(node);
      state.last = reading as Reading;
      if ((reading as Reading).timeMs !== null) state.shown = reading as Reading;
    }
  };
  return { check, watched };
}

/** Runs until `untilMs` with {@link watchClocks} watching; returns what it saw of each node. */
async function runWatchingClocks(sim: Simulation, clocks: Clocks, untilMs: number): Promise<Map<NodeId, Watched>> {
  const watcher = watchClocks(sim, clocks);
  await sim.runUntil(
    () => {
      watcher.check();
      return false;
    },
    { timeoutMs: untilMs - sim.nowMs },
  );
  return watcher.watched;
}

/** True times at which `node` sent a request to the server. */
function requestTimesOf(sim: Simulation, node: NodeId): number[] {
  return sim.trace.filter((e) => e.kind === 'send' && e.from === node && e.to === TIME_SERVER).map((e) => e.t);
}

/** On a calm network, a node asks the server again at least every MAX_SYNC_GAP_MS. */
function assertSyncsRegularly(sim: Simulation, node: NodeId, untilMs: number): void {
  let last = 0;
  let lastLabel = 'the start of the run';
  for (const t of [...requestTimesOf(sim, node), untilMs]) {
    if (t - last > MAX_SYNC_GAP_MS) {
      const now = t === untilMs ? `the run ended at t=${t} ms` : `its next request came at t=${t} ms`;
      throw new Error(
        `${node} has not synced with the server since ${lastLabel} (${now}): clocks drift, so a node must ask the server ` +
          `again every ${SYNC_INTERVAL_MS} ms of its clock`,
      );
    }
    last = t;
    lastLabel = `its request at t=${t} ms`;
  }
}

/** By the end of the run, the node shows a time with a small error bound. */
function assertSettled(
  sim: Simulation,
  watched: Map<NodeId, Watched>,
  node: NodeId,
  maxBoundMs: number,
  why: string,
): void {
  const last = watched.get(node)?.last;
  if (last === undefined || last.timeMs === null || last.errorBoundMs === null) {
    throw new Error(
      `${node} still had no synchronised time at t=${last?.t ?? sim.nowMs} ms, ${why}: did its syncs with the server ever complete?`,
    );
  }
  if (last.errorBoundMs > maxBoundMs) {
    throw new Error(
      `${node}'s error bound was still ±${show(last.errorBoundMs)} ms at t=${last.t} ms, ${why} (at most ±${maxBoundMs} ms expected: ` +
        'half a round trip on that network). Does the node keep syncing, and does its slewing finish?',
    );
  }
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  it("n1's clock is 300 ms fast; after one round trip it reads true time to within half the round trip", async () => {
    const clocks: Clocks = { n1: { skewMs: 300 } };
    const network = { delayMs: { min: 1, max: 40 } };
    await simulate({ seed: 1, nodes: timeCluster(['n1']), clocks, network }, async (sim) => {
      readClocksEvery(sim, ['n1'], 10, 2_000);
      const watched = await runWatchingClocks(sim, clocks, 2_000);
      assertSettled(sim, watched, 'n1', 41, 'after 2 s of syncing over a network with 1–40 ms delays');
    });
  });

  it("n1's quartz gains 2% (20 ms a second): every sync pulls it back, and it never goes back in time", async () => {
    const clocks: Clocks = { n1: { driftPpm: 20_000 } };
    await simulate({ seed: 2, nodes: timeCluster(['n1']), clocks }, async (sim) => {
      readClocksEvery(sim, ['n1'], 2, 3_000);
      await runWatchingClocks(sim, clocks, 3_000);
      assertSyncsRegularly(sim, 'n1', 3_000);
    });
  });

  it("n1's quartz loses 2%: it falls behind between syncs, and each sync moves it forward", async () => {
    const clocks: Clocks = { n1: { skewMs: -1_000, driftPpm: -20_000 } };
    await simulate({ seed: 3, nodes: timeCluster(['n1']), clocks }, async (sim) => {
      readClocksEvery(sim, ['n1'], 5, 3_000);
      const watched = await runWatchingClocks(sim, clocks, 3_000);
      assertSyncsRegularly(sim, 'n1', 3_000);
      assertSettled(sim, watched, 'n1', 11, 'on a calm network');
    });
  });
});

// ───────────────────────────── 2. spec ─────────────────────────────

// Cristian, "Probabilistic clock synchronization" (1989): T + RTT/2, wrong by at most RTT/2.
describe("Cristian's estimate", () => {
  const cases: ReadonlyArray<{
    readonly sample: SyncSample;
    readonly offsetMs: number;
    readonly errorBoundMs: number;
    readonly story: string;
  }> = [
    {
      sample: { requestSentAtMs: 1_000, serverTimeMs: 5_000, replyReceivedAtMs: 1_020 },
      offsetMs: 3_990,
      errorBoundMs: 10,
      story: 'a 20 ms round trip to a server 4 s ahead',
    },
    {
      sample: { requestSentAtMs: 10_000, serverTimeMs: 9_600, replyReceivedAtMs: 10_100 },
      offsetMs: -450,
      errorBoundMs: 50,
      story: 'a local clock that is ahead of the server',
    },
    {
      sample: { requestSentAtMs: 250, serverTimeMs: 250, replyReceivedAtMs: 250 },
      offsetMs: 0,
      errorBoundMs: 0,
      story: 'an instant round trip to a server that agrees',
    },
    {
      sample: { requestSentAtMs: 7, serverTimeMs: 100, replyReceivedAtMs: 10 },
      offsetMs: 91.5,
      errorBoundMs: 1.5,
      story: 'an odd round trip of 3 ms',
    },
  ];

  for (const { sample, offsetMs, errorBoundMs, story } of cases) {
    it(story, () => {
      const estimate = estimateOffset(sample);
      const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;
      check(
        close(estimate.offsetMs, offsetMs) && close(estimate.errorBoundMs, errorBoundMs),
        `estimateOffset(${JSON.stringify(sample)}) gave offset ${estimate.offsetMs} ± ${estimate.errorBoundMs} ms; Cristian's estimate is ` +
          `${offsetMs} ± ${errorBoundMs} ms: when the reply arrives, the server's clock shows about serverTimeMs + half the round trip`,
      );
    });
  }
});

describe('Syncing with the server', () => {
  it('three nodes ask the server at once and then every 500 ms, and their clocks agree with true time', async () => {
    const clocks: Clocks = {
      n1: { skewMs: 2_500, driftPpm: 150 },
      n2: { skewMs: -800 },
      n3: { skewMs: 40, driftPpm: -200 },
    };
    await simulate({ seed: 11, nodes: timeCluster(['n1', 'n2', 'n3']), clocks }, async (sim) => {
      readClocksEvery(sim, ['n1', 'n2', 'n3'], 20, 3_000);
      const watched = await runWatchingClocks(sim, clocks, 3_000);
      for (const node of ['n1', 'n2', 'n3']) {
        assertSyncsRegularly(sim, node, 3_000);
        assertSettled(sim, watched, node, 11, 'on a calm network');
      }
    });
  });
});

describe('Reading the clock', () => {
  it('while the server is unreachable, n1 has no synchronised time to give; once it is back, n1 has one', async () => {
    const clocks: Clocks = { n1: { skewMs: -400 } };
    const faults = scenario().at(0).isolate(TIME_SERVER).at(1_000).heal().build();
    await simulate({ seed: 21, nodes: timeCluster(['n1']), clocks, faults }, async (sim) => {
      readClocksEvery(sim, ['n1'], 25, 3_000);
      const watched = await runWatchingClocks(sim, clocks, 3_000);
      assertSettled(sim, watched, 'n1', 11, '2 s after the server came back');
    });
  });
});

describe('Never backwards', () => {
  it('estimates scattered by a slow, jittery network move the clock back and forth: it only ever slews back', async () => {
    // Delays of 1–150 ms make each estimate wrong by up to 150 ms, in either direction; then the network calms down.
    const clocks: Clocks = { n1: { skewMs: 900, driftPpm: 100 }, n2: { skewMs: -900 } };
    const faults = scenario()
      .at(2_000)
      .network({ delayMs: { min: 1, max: 2 } })
      .build();
    await simulate(
      { seed: 31, nodes: timeCluster(['n1', 'n2']), clocks, network: { delayMs: { min: 1, max: 150 } }, faults },
      async (sim) => {
        readClocksEvery(sim, ['n1', 'n2'], 3, 4_000);
        const watched = await runWatchingClocks(sim, clocks, 4_000);
        for (const node of ['n1', 'n2']) {
          assertSettled(sim, watched, node, 3, '2 s after the network became fast (1–2 ms)');
        }
      },
    );
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('sweeps', () => {
  const HEAL_AT_MS = 2_500;
  /** Every node's error bound must be back to at most this ... */
  const SETTLED_BOUND_MS = 12;
  /** ... within this long after the heal (see README). */
  const SETTLED_WITHIN_MS = 3_500;
  /** Readings go on this long after the bound is checked, and must still keep every promise. */
  const END_MS = HEAL_AT_MS + SETTLED_WITHIN_MS + 1_000;

  /** Skew up to ±1 s and drift up to ±200 ppm per node, drawn from the seed. */
  function clocksFor(seed: number, nodes: readonly NodeId[]): Clocks {
    const rng = new Rng(deriveSeed(seed, 'clocks'));
    return Object.fromEntries(
      nodes.map((node) => [node, { skewMs: rng.int(-1_000, 1_000), driftPpm: rng.int(-200, 200) }]),
    );
  }

  /**
   * The drawn schedule, with its clock faults made drifts: a node's quartz may start to run faster or
   * slower (warmth, age), but nobody sets its clock by hand, and the server's clock is the reference.
   */
  function driftsOnly(faults: FaultSchedule): FaultSchedule {
    return faults.flatMap((fault): ScheduledFault[] => {
      if (fault.kind !== 'clock') return [fault];
      if (fault.node === TIME_SERVER || fault.clock.driftPpm === undefined) return [];
      return [{ ...fault, clock: { driftPpm: fault.clock.driftPpm } }];
    });
  }

  /** Whether `node`'s last reading shows a time with an error bound of at most SETTLED_BOUND_MS. */
  function settled(watched: Map<NodeId, Watched>, node: NodeId): boolean {
    const last = watched.get(node)?.last;
    return last?.errorBoundMs !== null && last?.errorBoundMs !== undefined && last.errorBoundMs <= SETTLED_BOUND_MS;
  }

  /** Why some node has not settled: its last reading, and its last round trip to the server. */
  function whyNotSettled(sim: Simulation, watched: Map<NodeId, Watched>, nodes: readonly NodeId[]): string {
    return nodes
      .filter((node) => !settled(watched, node))
      .map((node) => {
        const { last, lastSyncMs } = watched.get(node) ?? {};
        const reading =
          last === undefined
            ? 'never answered read_clock'
            : last.timeMs === null
              ? `last answered timeMs: null (t=${last.t} ms)`
              : `last read ${show(last.timeMs)} ms ±${show(last.errorBoundMs!)} ms at t=${last.t} ms`;
        const requests = requestTimesOf(sim, node);
        const asked =
          requests.length === 0 ? 'never asked the server' : `last asked the server at t=${requests.at(-1)} ms`;
        const synced =
          lastSyncMs === undefined ? 'no reply ever reached it' : `its last reply arrived at t=${lastSyncMs} ms`;
        return `${node} ${reading}; it ${asked}, ${synced}`;
      })
      .join('\n  ');
  }

  it(`${sweepSeedCount(100)} seeds of swarm worlds (1–6 nodes, skewed clocks whose drift changes, slow and lossy networks, partitions, crashes): within the bound, never backwards, settled within ${SETTLED_WITHIN_MS} ms of the heal`, async () => {
    await forEachSwarmSeed(
      {
        count: 100,
        swarm: {
          timeoutMs: SYNC_INTERVAL_MS,
          clusterSizes: { min: 1, max: 6 },
          kinds: ['partition', 'isolate', 'cut', 'crash', 'network', 'clock'],
        },
        nodes: (size) => [TIME_SERVER, ...Array.from({ length: size! }, (_, i) => `n${i + 1}`)],
        healAtMs: HEAL_AT_MS,
      },
      async (seed, world) => {
        const nodes = world.nodes.filter((node) => node !== TIME_SERVER);
        const clocks = clocksFor(seed, nodes);
        const faults = driftsOnly(world.faults);
        const details = {
          ...world.details,
          'fault schedule': describeSchedule(faults),
          clocks: JSON.stringify(clocks),
        };
        await simulate({ seed, nodes: timeCluster(nodes), clocks, faults, details }, async (sim) => {
          readClocksEvery(sim, nodes, 100, END_MS);
          const watcher = watchClocks(sim, clocks);
          const watch = () => {
            watcher.check();
            return false;
          };
          await sim.runUntil(watch, { timeoutMs: HEAL_AT_MS - sim.nowMs });
          await expectRecovered(sim, {
            what: `every node's clock shown with an error bound of at most ±${SETTLED_BOUND_MS} ms`,
            healedAtMs: world.healAtMs,
            withinMs: SETTLED_WITHIN_MS,
            holds: () => {
              watcher.check();
              return nodes.every((node) => settled(watcher.watched, node));
            },
            explain: () =>
              `${whyNotSettled(sim, watcher.watched, nodes)}\n  ` +
              'Once the network is calm a round trip takes at most 20 ms: does the node keep syncing every ' +
              `${SYNC_INTERVAL_MS} ms, and does a backward correction finish slewing in?`,
          });
          await sim.runUntil(watch, { timeoutMs: END_MS - sim.nowMs });
        });
      },
    );
  });
});
