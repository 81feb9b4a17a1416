/**
 * Simulator throughput: message deliveries per second of wall time, for plain handler nodes and for
 * nodes that use `rpc`, against a bare event-queue loop that does the least a simulator must do
 * (pop an event, push the next one). The ratio says how much the harness costs on top of that floor.
 */
import { EventQueue } from '../../harness/sim/event-queue.ts';
import { Rng } from '../../harness/random.ts';
import type { NodeFactory } from '#harness';
import { cluster, Simulation } from '#harness/sim';
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

async function measureSimulation(
  factory: NodeFactory,
  untilMs: number,
  recordTrace: boolean,
): Promise<{ deliveries: number; seconds: number }> {
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
function measureBareLoop(events: number): { deliveries: number; seconds: number } {
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

async function best<T extends { deliveries: number; seconds: number }>(
  runs: number,
  measure: () => Promise<T> | T,
): Promise<T> {
  let fastest: T | undefined;
  for (let run = 0; run < runs; run++) {
    const result = await measure();
    if (fastest === undefined || result.deliveries / result.seconds > fastest.deliveries / fastest.seconds)
      fastest = result;
  }
  return fastest!;
}

/** The simulator's bench suite. */
export const simulatorBench: BenchSuite = {
  title: 'Simulator throughput (5 nodes, 100 messages in flight, best of 3)',
  async run(): Promise<BenchFigure[]> {
    const untilMs = 100_000;
    const handlers = await best(3, () => measureSimulation(forwardingNode, untilMs, true));
    const handlersNoTrace = await best(3, () => measureSimulation(forwardingNode, untilMs, false));
    const rpc = await best(3, () => measureSimulation(rpcNode, untilMs / 4, true));
    const bare = await best(3, () => measureBareLoop(handlers.deliveries));
    const rate = (result: { deliveries: number; seconds: number }) => Math.round(result.deliveries / result.seconds);
    return [
      {
        name: 'handler nodes, trace on',
        value: rate(handlers),
        unit: 'deliveries/s',
        detail: `${handlers.deliveries} deliveries in ${handlers.seconds.toFixed(2)} s`,
      },
      {
        name: 'handler nodes, trace off',
        value: rate(handlersNoTrace),
        unit: 'deliveries/s',
        detail: `${handlersNoTrace.deliveries} deliveries in ${handlersNoTrace.seconds.toFixed(2)} s`,
      },
      {
        name: 'rpc nodes (async/await), trace on',
        value: rate(rpc),
        unit: 'deliveries/s',
        detail: `${rpc.deliveries} deliveries in ${rpc.seconds.toFixed(2)} s`,
      },
      {
        name: 'bare event-queue loop (baseline)',
        value: rate(bare),
        unit: 'events/s',
        detail: `${bare.deliveries} events in ${bare.seconds.toFixed(2)} s`,
      },
      {
        name: 'harness cost over the baseline (handlers, trace on)',
        value: Number((rate(bare) / rate(handlers)).toFixed(2)),
        unit: 'x',
      },
      {
        name: 'harness cost over the baseline (handlers, trace off)',
        value: Number((rate(bare) / rate(handlersNoTrace)).toFixed(2)),
        unit: 'x',
      },
    ];
  },
};
