/**
 * Tests for exercise 2.3: vector clocks. See README.md for what each group checks.
 *
 * The ground truth comes from the simulator: `causalHistory(sim.trace)` says, for every pair of events,
 * whether one happened before the other or they are concurrent. Each line a node logs with `logEvent` is
 * matched to the trace event it stamps, and for every pair of stamped events both the vectors and
 * `compareVectors` must tell the truth.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { NodeId } from '#harness';
import {
  type CausalEvent,
  causalHistory,
  type CausalHistory,
  type CausalRelation,
  cluster,
  deriveSeed,
  forEachSwarmSeed,
  replayProperty,
  Rng,
  simulate,
  type Simulation,
  SimulationTestFailure,
  sweepSeedCount,
  checkEqual,
} from '#harness/testing';
import { runToQuiet, sendCommands, type Command } from '../_test-support/commands.ts';
import { matchReportedEvents, type NoteEventKind, type ReadReport } from '../_test-support/note-events.ts';
import type { Relation, VectorClock } from './protocol.ts';
import { compareVectors, createVectorClockNode } from './vector-clock.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** A `logEvent` line, matched to the ground-truth event it stamps. */
interface Stamped {
  readonly node: NodeId;
  readonly kind: NoteEventKind;
  readonly id: string;
  readonly vector: VectorClock;
  readonly event: CausalEvent;
}

function showVector(vector: VectorClock): string {
  return `{${Object.keys(vector)
    .sort()
    .map((node) => `${node}:${vector[node]}`)
    .join(', ')}}`;
}

function describeEvent(e: Stamped): string {
  const what =
    e.kind === 'local' ? `local event ${e.id}` : `${e.kind === 'send' ? 'send' : 'delivery'} of note ${e.id}`;
  return `${e.node}'s ${what} (t=${e.event.event.t} ms, V=${showVector(e.vector)})`;
}

const PHRASE: Record<CausalRelation, string> = {
  before: 'happened before',
  after: 'happened after',
  concurrent: 'is concurrent with',
  same: 'is the same event as',
};

function isVector(value: unknown): value is VectorClock {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((count) => typeof count === 'number' && Number.isInteger(count) && count >= 0)
  );
}

/** Reads one `logEvent` line, `<kind> <id> <vector as JSON>`; fails, in words, on a malformed vector. */
const readReport: ReadReport<VectorClock> = (log) => {
  const match = /^(local|send|deliver) (\S+) (.*)$/.exec(log.text);
  if (match === null) return undefined;
  const [, kind, id, vectorText] = match as unknown as [string, NoteEventKind, string, string];
  let vector: unknown;
  try {
    vector = JSON.parse(vectorText);
  } catch {
    vector = undefined;
  }
  if (!isVector(vector)) {
    throw new Error(
      `${log.node} logged "${log.text}" at t=${log.t} ms: a vector timestamp is an object of counts, e.g. {"n1":2,"n2":0}; report events with logEvent(ctx, kind, id, vector)`,
    );
  }
  return { kind, id, stamp: vector };
};

/** Every reported event, matched to the trace event it stamps (see {@link matchReportedEvents}), in trace order. */
function stampedEvents(history: CausalHistory): Stamped[] {
  return matchReportedEvents(history, readReport, 'vector').map(({ stamp, ...event }) => ({ ...event, vector: stamp }));
}

/** The definition, written out by the tests: used to tell a wrong vector from a wrong comparison. */
function referenceCompare(a: VectorClock, b: VectorClock): Relation {
  const nodes = new Set([...Object.keys(a), ...Object.keys(b)]);
  const le = [...nodes].every((node) => (a[node] ?? 0) <= (b[node] ?? 0));
  const ge = [...nodes].every((node) => (a[node] ?? 0) >= (b[node] ?? 0));
  return le && ge ? 'same' : le ? 'before' : ge ? 'after' : 'concurrent';
}

/**
 * For every ordered pair of stamped events: first, the vectors must encode the true relation (checked
 * with the definition); then `compareVectors` on them must return it.
 */
function assertVectorsTellTheTruth(history: CausalHistory, stamped: readonly Stamped[]): void {
  for (const a of stamped) {
    for (const b of stamped) {
      if (a === b) continue;
      const truth = history.relation(a.event, b.event);
      const encoded = referenceCompare(a.vector, b.vector);
      if (encoded !== truth) {
        throw new Error(
          `vector timestamps wrong: ${describeEvent(a)} ${PHRASE[truth]} ${describeEvent(b)}, but their vectors say '${encoded}'`,
        );
      }
    }
  }
  for (const a of stamped) {
    for (const b of stamped) {
      if (a === b) continue;
      const truth = history.relation(a.event, b.event);
      const answer = compareVectors(a.vector, b.vector);
      if (answer !== truth) {
        throw new Error(
          `compareVectors wrong: ${describeEvent(a)} ${PHRASE[truth]} ${describeEvent(b)}, ` +
            `but compareVectors(${showVector(a.vector)}, ${showVector(b.vector)}) returned '${String(answer)}' instead of '${truth}'`,
        );
      }
    }
  }
}

function checkRun(sim: Simulation): Stamped[] {
  const history = causalHistory(sim.trace);
  const stamped = stampedEvents(history);
  assertVectorsTellTheTruth(history, stamped);
  return stamped;
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  it('n1 writes and tells n2; n2 writes after reading; n3 writes alone: before, after and concurrent', async () => {
    const commands: Command[] = [
      { atMs: 0, node: 'n1', id: 'draft' },
      { atMs: 10, node: 'n1', id: 'tell', to: 'n2' },
      { atMs: 100, node: 'n2', id: 'edit' },
      { atMs: 50, node: 'n3', id: 'alone' },
    ];
    await simulate({ seed: 1, nodes: cluster(3, createVectorClockNode) }, async (sim) => {
      sendCommands(sim, commands);
      await runToQuiet(sim);
      const stamped = checkRun(sim);
      checkEqual(
        stamped.length,
        5,
        `expected 5 stamped events (draft, tell sent and delivered, edit, alone), got ${stamped.length}`,
      );
    });
  });

  it('n1 and n2 write to each other at the same moment: the two sends are concurrent, each delivery comes after both', async () => {
    const commands: Command[] = [
      { atMs: 0, node: 'n1', id: 'from-n1', to: 'n2' },
      { atMs: 0, node: 'n2', id: 'from-n2', to: 'n1' },
    ];
    await simulate({ seed: 2, nodes: cluster(2, createVectorClockNode), network: { delayMs: 5 } }, async (sim) => {
      sendCommands(sim, commands);
      await runToQuiet(sim);
      checkRun(sim);
    });
  });
});

// ───────────────────────────── 2. spec ─────────────────────────────

// Fidge (1988) and Mattern (1989): V(a) < V(b) exactly when a → b.
describe('Comparing vectors', () => {
  const cases: ReadonlyArray<{
    readonly a: VectorClock;
    readonly b: VectorClock;
    readonly expected: Relation;
    readonly why: string;
  }> = [
    {
      a: { n1: 1, n2: 0 },
      b: { n1: 2, n2: 0 },
      expected: 'before',
      why: 'every entry of a is at most b, and one is smaller',
    },
    {
      a: { n1: 2, n2: 3 },
      b: { n1: 1, n2: 3 },
      expected: 'after',
      why: 'every entry of b is at most a, and one is smaller',
    },
    { a: { n1: 1, n2: 0 }, b: { n1: 0, n2: 1 }, expected: 'concurrent', why: 'a is ahead for n1, b for n2' },
    {
      a: { n1: 3, n2: 1, n3: 0 },
      b: { n1: 2, n2: 1, n3: 4 },
      expected: 'concurrent',
      why: '"not before" is not "after"',
    },
    { a: { n1: 2, n2: 5 }, b: { n1: 2, n2: 5 }, expected: 'same', why: 'equal entries' },
    { a: { n1: 1 }, b: { n1: 1, n2: 1 }, expected: 'before', why: 'a missing entry counts as 0' },
    { a: { n1: 2, n3: 1 }, b: { n1: 2 }, expected: 'after', why: 'a missing entry counts as 0' },
    { a: { n2: 1 }, b: { n1: 1 }, expected: 'concurrent', why: 'a missing entry counts as 0' },
    { a: { n1: 0 }, b: {}, expected: 'same', why: 'a missing entry counts as 0' },
  ];
  for (const { a, b, expected, why } of cases) {
    it(`compareVectors(${showVector(a)}, ${showVector(b)}) is '${expected}': ${why}`, () => {
      const answer = compareVectors(a, b);
      checkEqual(
        answer,
        expected,
        `compareVectors(${showVector(a)}, ${showVector(b)}) returned '${String(answer)}' instead of '${expected}' (${why})`,
      );
    });
  }
});

describe('Stamping events', () => {
  it('local events, sends and deliveries among three nodes over a reordering network: every pair tells the truth', async () => {
    const script: Array<[number, NodeId, NodeId?]> = [
      [0, 'n1'],
      [0, 'n2', 'n3'],
      [5, 'n1', 'n2'],
      [8, 'n3'],
      [20, 'n3', 'n1'],
      [25, 'n2'],
      [30, 'n1', 'n3'],
      [40, 'n2', 'n1'],
      [60, 'n3', 'n2'],
      [90, 'n1'],
    ];
    const commands = script.map(([atMs, node, to], i) => ({
      atMs,
      node,
      id: `e${i + 1}`,
      ...(to === undefined ? {} : { to }),
    }));
    await simulate(
      { seed: 11, nodes: cluster(3, createVectorClockNode), network: { delayMs: { min: 1, max: 50 } } },
      async (sim) => {
        sendCommands(sim, commands);
        await runToQuiet(sim);
        checkRun(sim);
      },
    );
  });

  it('a note delivered twice (the network duplicates it) is two events, each stamped', async () => {
    const commands: Command[] = [
      { atMs: 0, node: 'n1', id: 'once', to: 'n2' },
      { atMs: 30, node: 'n2', id: 'reply', to: 'n1' },
    ];
    await simulate(
      {
        seed: 12,
        nodes: cluster(2, createVectorClockNode),
        network: { duplicateRate: 1, delayMs: { min: 1, max: 20 } },
      },
      async (sim) => {
        sendCommands(sim, commands);
        await runToQuiet(sim);
        checkRun(sim);
      },
    );
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

/** A randomly generated run: which node does what, when, and how bad the network is. */
interface RandomRun {
  readonly seed: number;
  readonly nodeCount: number;
  readonly maxDelayMs: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly commands: readonly Command[];
}

const randomRun: fc.Arbitrary<RandomRun> = fc
  .record({
    seed: fc.nat({ max: 0xffff_ffff }),
    nodeCount: fc.integer({ min: 2, max: 4 }),
    maxDelayMs: fc.integer({ min: 1, max: 150 }),
    dropRate: fc.constantFrom(0, 0, 0.2),
    duplicateRate: fc.constantFrom(0, 0, 0.2),
    steps: fc.array(
      fc.record({ atMs: fc.integer({ min: 0, max: 300 }), node: fc.nat(3), send: fc.boolean(), to: fc.nat(2) }),
      { minLength: 1, maxLength: 25 },
    ),
  })
  .map(({ steps, ...run }) => ({
    ...run,
    commands: steps.map(({ atMs, node, send, to }, i) => {
      const from = node % run.nodeCount;
      const target = (from + 1 + (to % (run.nodeCount - 1))) % run.nodeCount;
      return { atMs, node: `n${from + 1}`, id: `e${i + 1}`, ...(send ? { to: `n${target + 1}` } : {}) };
    }),
  }));

function describeRun(run: RandomRun): string {
  const network = `${run.nodeCount} nodes, delays 1–${run.maxDelayMs} ms, drop rate ${run.dropRate}, duplicate rate ${run.duplicateRate}`;
  const lines = [...run.commands]
    .sort((a, b) => a.atMs - b.atMs)
    .map((c) => `t=${c.atMs}ms ${c.node} ${c.to === undefined ? `local ${c.id}` : `sends ${c.id} to ${c.to}`}`);
  return [network, ...lines].join('\n');
}

/**
 * Runs `body` on `numRuns` generated runs with fast-check, from a fixed seed so that every machine runs
 * the same cases. A failing run is shrunk to a small one, then reported like any simulation failure,
 * with a `KATA_REPLAY=...` command that reruns exactly that case.
 */
async function checkRandomRuns(
  numRuns: number,
  body: (sim: Simulation, run: RandomRun) => Promise<void>,
): Promise<void> {
  const replay = replayProperty();
  const runOne = (run: RandomRun, replayWith?: string) =>
    simulate(
      {
        seed: run.seed,
        nodes: cluster(run.nodeCount, createVectorClockNode),
        network: { delayMs: { min: 1, max: run.maxDelayMs }, dropRate: run.dropRate, duplicateRate: run.duplicateRate },
        details: { run: describeRun(run) },
        ...(replayWith === undefined ? {} : { replayWith }),
      },
      (sim) => body(sim, run),
    );
  const property = fc.asyncProperty(randomRun, async (run) => {
    await runOne(run);
  });
  const details = await fc.check(property, {
    numRuns: sweepSeedCount(numRuns),
    ...(replay === undefined ? { seed: 1 } : { seed: replay.seed, path: replay.path, endOnFailure: true }),
  });
  if (!details.failed) return;
  if (details.counterexample === null)
    throw new Error(`fast-check failed without a counterexample: ${String(details.errorInstance)}`);
  const [run] = details.counterexample;
  try {
    await runOne(run, `KATA_REPLAY=${details.seed}:${details.counterexamplePath ?? ''}`);
  } catch (error) {
    if (!(error instanceof SimulationTestFailure)) throw error;
    throw new SimulationTestFailure(
      `${error.message}\n\n  (fast-check shrank this run after ${details.numRuns} runs and ${details.numShrinks} shrinks)`,
      error.seed,
      error.tracePath,
      error.cause,
    );
  }
  throw new Error(
    `A generated run failed but passed when rerun: the test is not deterministic. First failure: ${String(details.errorInstance)}`,
  );
}

describe('sweeps', () => {
  /** 10–30 local events and notes at random times and nodes, up to 1,500 ms: drawn from the seed. */
  function workload(seed: number, nodes: readonly NodeId[]): Command[] {
    const rng = new Rng(deriveSeed(seed, 'workload'));
    return Array.from({ length: rng.int(10, 30) }, (_, i): Command => {
      const from = rng.int(0, nodes.length - 1);
      const to = (from + rng.int(1, Math.max(1, nodes.length - 1))) % nodes.length;
      const note = nodes.length > 1 && rng.chance(0.6);
      return { atMs: rng.int(0, 1_500), node: nodes[from]!, id: `e${i + 1}`, ...(note ? { to: nodes[to]! } : {}) };
    });
  }

  it(`${sweepSeedCount(100)} seeds of swarm worlds (1–7 nodes, drops, duplicates, long delays, partitions): every pair of events tells the truth`, async () => {
    await forEachSwarmSeed(
      {
        count: 100,
        // No timeout in this protocol: ordinary delays reach 50 ms, the long tail ten times 100 ms. No
        // crashes: this node keeps its vector in memory.
        swarm: {
          timeoutMs: 100,
          clusterSizes: { min: 1, max: 7 },
          kinds: ['partition', 'isolate', 'cut', 'network'],
        },
        nodes: (size) => Object.keys(cluster(size!, createVectorClockNode)),
        healAtMs: 1_500,
      },
      async (seed, world) => {
        const commands = workload(seed, world.nodes);
        const details = {
          ...world.details,
          commands: commands
            .map((c) => `t=${c.atMs}ms ${c.node} ${c.to === undefined ? `local ${c.id}` : `sends ${c.id} to ${c.to}`}`)
            .join('\n'),
        };
        const nodes = cluster(world.nodes, createVectorClockNode);
        await simulate({ seed, nodes, faults: world.faults, details }, async (sim) => {
          sendCommands(sim, commands);
          await runToQuiet(sim);
          checkRun(sim);
        });
      },
    );
  });

  it('100 generated runs (2–4 nodes, random local events and notes, delays, drops, duplicates): every pair of events tells the truth', async () => {
    await checkRandomRuns(100, async (sim, run) => {
      sendCommands(sim, run.commands);
      await runToQuiet(sim);
      checkRun(sim);
    });
  });
});
