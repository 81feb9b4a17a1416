/**
 * Simulator throughput: message deliveries per second of wall time, for plain handler nodes and for
 * nodes that use `rpc`, against a bare event-queue loop that does the least a simulator must do
 * (pop an event, push the next one). The ratio says how much the harness costs on top of that floor.
 * The four kinds run in turns, round after round, and every ratio is taken within a round.
 */
import { EventQueue } from '../../harness/sim/event-queue.ts';
import { Rng } from '../../harness/random.ts';
import type { NodeFactory } from '#harness';
import { cluster, Simulation } from '#harness/sim';
import { interleaved, maxAndMedian, minAndMedian, ratioFigure } from './sampling.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const NODES = 5;
const MESSAGES_IN_FLIGHT = 100;

/** Each node forwards every message it receives to a random peer: a steady stream of deliveries. */
const forwardingNode: NodeFactory = () => ({
  onStart(ctx) {
    for (let index = 0; index < MESSAGES_IN_FLIGHT / NODES; index++)
      ctx.send(peerOf(ctx.id, ctx.randomInt(1, NODES - 1)), { type: 'hop', hops: 0 });
  },
  onMessage(ctx, _from, message) {
    ctx.send(peerOf(ctx.id, ctx.randomInt(1, NODES - 1)), {
      type: 'hop',
      hops: (message as unknown as { hops: number }).hops + 1,
    });
  },
});

/** Each node keeps a few rpc loops going against random peers, which answer with `reply`. */
const rpcNode: NodeFactory = () => ({
  onStart(ctx) {
    for (let loop = 0; loop < MESSAGES_IN_FLIGHT / NODES / 2; loop++) {
      void (async () => {
        for (;;) await ctx.rpc(peerOf(ctx.id, ctx.randomInt(1, NODES - 1)), { type: 'ping' }, { timeoutMs: 1_000 });
      })();
    }
  },
  onMessage(ctx, from, message) {
    ctx.reply(from, message, { type: 'pong' });
  },
});

function peerOf(id: string, offset: number): string {
  const index = Number(id.slice(1)) - 1;
  return `n${((index + offset) % NODES) + 1}`;
}

async function measureSimulation(factory: NodeFactory, untilMs: number, recordTrace: boolean): Promise<Run> {
  const sim = new Simulation({
    seed: 1,
    nodes: cluster(NODES, factory),
    recordTrace,
    network: { delayMs: { min: 1, max: 10 } },
    limits: { maxEvents: 50_000_000 },
  });
  const started = performance.now();
  await sim.run({ untilMs });
  const seconds = (performance.now() - started) / 1000;
  return { deliveries: sim.stats().messagesDelivered, seconds };
}

/** The floor: the same number of events through the same queue, with one random draw each, and nothing else. */
function measureBareLoop(events: number): Run {
  const queue = new EventQueue<{ to: number }>();
  const rng = new Rng(1);
  for (let index = 0; index < MESSAGES_IN_FLIGHT; index++) queue.push(rng.int(1, 10), { to: index % NODES });
  const started = performance.now();
  let processed = 0;
  while (processed < events) {
    const next = queue.pop()!;
    processed++;
    queue.push(next.timeMs + rng.int(1, 10), { to: (next.event.to + 1) % NODES });
  }
  return { deliveries: processed, seconds: (performance.now() - started) / 1000 };
}

interface Run {
  readonly deliveries: number;
  readonly seconds: number;
}

function rate(run: Run): number {
  return run.deliveries / run.seconds;
}

/** Rounds measured in turns, after one warm-up round. */
const ROUNDS = 5;
/** Virtual time each run covers: about 90,000 deliveries for handler nodes. */
const UNTIL_MS = 5_000;
/** Events the bare loop processes per run. */
const BARE_EVENTS = 100_000;
/** The goals: the harness within 5x of the bare loop with the trace on, rpc nodes within 2x of handler nodes. */
const TRACE_ON_GOAL_X = 5;
const RPC_GOAL_X = 2;

function rateFigure(name: string, runs: readonly Run[], unit = 'deliveries/s'): BenchFigure {
  const { max, median } = maxAndMedian(runs.map(rate));
  const deliveries = runs[0]!.deliveries.toLocaleString('en-US');
  const seconds = minAndMedian(runs.map((run) => run.seconds)).median.toFixed(2);
  return {
    name,
    value: Math.round(max),
    median: Math.round(median),
    unit,
    detail: `${deliveries} per run, median ${seconds} s`,
  };
}

/** The simulator's bench suite. */
export const simulatorBench: BenchSuite = {
  title: `Simulator throughput (5 nodes, 100 messages in flight; ${ROUNDS} rounds in turns after a warm-up)`,
  async run(): Promise<BenchFigure[]> {
    const runs = await interleaved(
      {
        handlers: () => measureSimulation(forwardingNode, UNTIL_MS, true),
        handlersNoTrace: () => measureSimulation(forwardingNode, UNTIL_MS, false),
        rpc: () => measureSimulation(rpcNode, UNTIL_MS, true),
        bare: () => measureBareLoop(BARE_EVENTS),
      },
      ROUNDS,
    );
    const rates = (kind: keyof typeof runs): number[] => runs[kind].map(rate);
    return [
      rateFigure('handler nodes, trace on', runs.handlers),
      rateFigure('handler nodes, trace off', runs.handlersNoTrace),
      rateFigure('rpc nodes (async/await), trace on', runs.rpc),
      rateFigure('bare event-queue loop (baseline)', runs.bare, 'events/s'),
      ratioFigure(
        'harness cost over the baseline (handlers, trace on)',
        rates('bare'),
        rates('handlers'),
        TRACE_ON_GOAL_X,
      ),
      ratioFigure(
        'harness cost over the baseline (handlers, trace off)',
        rates('bare'),
        rates('handlersNoTrace'),
        undefined,
      ),
      ratioFigure(
        "rpc nodes' cost over handler nodes (trace on)",
        rates('handlers'),
        rates('rpc'),
        RPC_GOAL_X,
        'handler deliveries/s over rpc deliveries/s, round by round',
      ),
    ];
  },
};
