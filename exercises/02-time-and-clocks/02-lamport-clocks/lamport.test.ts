/**
 * Tests for exercise 2.2: Lamport clocks. See README.md for what each group checks.
 *
 * The ground truth comes from the simulator: `causalHistory(sim.trace)` knows, for every pair of events,
 * whether one happened before the other. Each `send` / `deliver` line a node logs with `logEvent` is
 * matched to the trace event it stamps, and the timestamps are checked against that truth.
 */
import { describe, it } from 'vitest';
import type { NodeId } from '#harness';
import {
  type CausalEvent,
  causalHistory,
  type CausalHistory,
  cluster,
  deriveSeed,
  Rng,
  simulate,
  type Simulation,
  type TraceEvent,
  sweepSeedCount,
  checkEqual,
} from '#harness/testing';
import { runToQuiet, sendCommands, type Command } from '../_test-support/commands.ts';
import { forEachLosslessSwarmSeed } from '../_test-support/lossless-swarm.ts';
import { compareStamps, createLamportNode } from './lamport.ts';
import type { BroadcastCommand, Stamp, TranscriptOk, TranscriptRequest } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** Each command asks its node to broadcast chat `id`. */
function chat({ id }: Command): BroadcastCommand {
  return { type: 'broadcast', id, text: `chat ${id}` };
}

/** A `logEvent` line, matched to the trace event it stamps. */
interface Stamped {
  readonly node: NodeId;
  readonly kind: 'send' | 'deliver';
  readonly id: string;
  readonly lamport: number;
  /** The ground-truth event: the broadcast's first send, or the delivery. */
  readonly event: CausalEvent;
}

function describeEvent(e: Stamped): string {
  const what = e.kind === 'send' ? 'send' : 'delivery';
  return `the ${what} of chat ${e.id} at ${e.node} (t=${e.event.event.t} ms, L=${e.lamport})`;
}

const LOG_LINE = /^(send|deliver) (\S+) L=(-?\d+(?:\.\d+)?)$/;

/**
 * Reads every `logEvent` line and matches it to the trace: `send X` at n to n's first send of chat X, the
 * k-th `deliver X` at n to n's k-th delivery of chat X. Fails, in words, on an event that was not
 * reported or a report with no event.
 */
function stampedEvents(history: CausalHistory): Stamped[] {
  const chatId = new Map<number, string>(); // trace message id → chat id
  const sends = new Map<string, CausalEvent>(); // `${node} ${chat}` → first send
  const deliveries = new Map<string, CausalEvent[]>(); // `${node} ${chat}` → deliveries, in order
  for (const causal of history.events) {
    const event = causal.event;
    if (event.kind === 'send' && event.type === 'chat') {
      const id = String((event.message as { id?: unknown }).id);
      chatId.set(event.id, id);
      const key = `${event.from} ${id}`;
      if (!sends.has(key)) sends.set(key, causal);
    } else if (event.kind === 'deliver' && event.type === 'chat') {
      const key = `${event.to} ${chatId.get(event.id)}`;
      deliveries.set(key, [...(deliveries.get(key) ?? []), causal]);
    }
  }
  const stamped: Stamped[] = [];
  const used = new Map<string, number>();
  for (const causal of history.events) {
    const event = causal.event;
    if (event.kind !== 'log' || !/^(send|deliver) /.test(event.text)) continue;
    const match = LOG_LINE.exec(event.text);
    if (match === null) {
      throw new Error(
        `${event.node} logged "${event.text}" at t=${event.t} ms: report events with logEvent(ctx, kind, id, lamport), which writes "send <id> L=<n>"`,
      );
    }
    const [, kind, id, lamportText] = match as unknown as [string, 'send' | 'deliver', string, string];
    const key = `${event.node} ${id}`;
    if (kind === 'send') {
      const send = sends.get(key);
      if (send === undefined)
        throw new Error(
          `${event.node} reported sending chat ${id} at t=${event.t} ms, but it sent no chat with that id`,
        );
      if (used.has(`send ${key}`))
        throw new Error(`${event.node} reported the broadcast of chat ${id} twice: a broadcast is one event`);
      used.set(`send ${key}`, 1);
      stamped.push({ node: event.node, kind, id, lamport: Number(lamportText), event: send });
    } else {
      const index = used.get(`deliver ${key}`) ?? 0;
      const delivery = deliveries.get(key)?.[index];
      if (delivery === undefined) {
        throw new Error(
          `${event.node} reported delivery number ${index + 1} of chat ${id} at t=${event.t} ms, but chat ${id} reached it only ${index} time(s)`,
        );
      }
      used.set(`deliver ${key}`, index + 1);
      stamped.push({ node: event.node, kind, id, lamport: Number(lamportText), event: delivery });
    }
  }
  for (const [key, send] of sends) {
    if (!used.has(`send ${key}`)) {
      const [node, id] = key.split(' ');
      throw new Error(
        `${node} broadcast chat ${id} at t=${send.event.t} ms but never reported it: call logEvent(ctx, 'send', id, lamport) for every broadcast`,
      );
    }
  }
  for (const [key, list] of deliveries) {
    const reported = used.get(`deliver ${key}`) ?? 0;
    if (reported < list.length) {
      const [node, id] = key.split(' ');
      const missed = list[reported]!;
      throw new Error(
        `${node} delivered chat ${id} at t=${missed.event.t} ms but reported no 'deliver ${id}' event: call logEvent(ctx, 'deliver', id, lamport) for every delivery`,
      );
    }
  }
  return stamped;
}

/** Lamport's clock condition: if a happened before b, then L(a) < L(b). Checked on every pair. */
function assertClockCondition(history: CausalHistory, stamped: readonly Stamped[]): void {
  for (const b of stamped) {
    for (const a of stamped) {
      if (!history.happenedBefore(a.event, b.event)) continue;
      if (a.lamport < b.lamport) continue;
      throw new Error(
        `clock condition broken: ${describeEvent(a)} happened before ${describeEvent(b)}, but ${a.lamport} is not less than ${b.lamport}`,
      );
    }
  }
}

/** Runs the checks every test shares: reports complete and matched, clock condition on every pair. */
function checkClocks(sim: Simulation): { history: CausalHistory; stamped: Stamped[] } {
  const history = causalHistory(sim.trace);
  const stamped = stampedEvents(history);
  assertClockCondition(history, stamped);
  return { history, stamped };
}

/** Asks every node for its transcript, once everything has arrived. */
async function readTranscripts(sim: Simulation): Promise<Map<NodeId, readonly string[]>> {
  const transcripts = new Map<NodeId, readonly string[]>();
  sim.client('reader', async (c) => {
    for (const node of sim.nodeIds) {
      const request: TranscriptRequest = { type: 'transcript' };
      const result = await c.rpc<TranscriptOk>(node, request, { timeoutMs: 1_000 });
      if (!result.ok) throw new Error(`${node} did not answer the transcript request within 1 s`);
      if (!Array.isArray(result.reply.ids))
        throw new Error(
          `${node} answered transcript with ${JSON.stringify(result.reply)}: expected { type: 'transcript_ok', ids: [...] }`,
        );
      transcripts.set(node, result.reply.ids);
    }
  });
  const done = await sim.runUntilClientsDone({ timeoutMs: 10_000 });
  if (!done) throw new Error('the transcript requests were not all answered');
  return transcripts;
}

/**
 * Every transcript lists every chat once; all transcripts are the same; and none puts an effect before
 * its cause (a chat after one whose broadcast happened before its own).
 */
function assertTranscripts(
  transcripts: Map<NodeId, readonly string[]>,
  stamped: readonly Stamped[],
  history: CausalHistory,
): void {
  const broadcasts = new Map(stamped.filter((e) => e.kind === 'send').map((e) => [e.id, e]));
  for (const [node, ids] of transcripts) {
    for (const id of broadcasts.keys()) {
      const count = ids.filter((x) => x === id).length;
      if (count !== 1)
        throw new Error(
          `${node}'s transcript lists chat ${id} ${count} times: it must list every chat it sent or delivered, once (it lists ${ids.join(', ')})`,
        );
    }
    for (const id of ids)
      if (!broadcasts.has(id)) throw new Error(`${node}'s transcript lists chat ${id}, which nobody broadcast`);
    for (let later = 0; later < ids.length; later++) {
      for (let earlier = 0; earlier < later; earlier++) {
        const first = broadcasts.get(ids[earlier]!)!;
        const second = broadcasts.get(ids[later]!)!;
        if (history.happenedBefore(second.event, first.event)) {
          throw new Error(
            `${node}'s transcript puts an effect before its cause: ${first.id} comes before ${second.id}, but ${describeEvent(second)} ` +
              `happened before ${describeEvent(first)}`,
          );
        }
      }
    }
  }
  const [[firstNode, reference]] = [...transcripts] as [[NodeId, readonly string[]]];
  for (const [node, ids] of transcripts) {
    const position = ids.findIndex((id, index) => id !== reference[index]);
    if (position === -1) continue;
    // Say what the wrong list is sorted by, from the stamps the nodes logged.
    const wrong = isTotalOrder(reference, broadcasts) ? node : firstNode;
    throw new Error(
      `${firstNode} and ${node} list the chats in a different order: at position ${position + 1}, ${firstNode} has ${reference[position]} and ${node} has ${ids[position]} ` +
        `(${firstNode}: ${reference.join(', ')}; ${node}: ${ids.join(', ')}). ` +
        whyOutOfOrder(wrong, transcripts.get(wrong)!, broadcasts, stamped),
    );
  }
}

/** Whether `ids` is sorted by the broadcast's (timestamp, node id): the one order every node can compute. */
function isTotalOrder(ids: readonly string[], broadcasts: ReadonlyMap<string, Stamped>): boolean {
  return ids.every(
    (id, index) => index === 0 || byTimestampThenNode(broadcasts.get(ids[index - 1]!)!, broadcasts.get(id)!) < 0,
  );
}

/** The total order of the spec, computed here and not with the learner's compareStamps. */
function byTimestampThenNode(a: Pick<Stamped, 'lamport' | 'node'>, b: Pick<Stamped, 'lamport' | 'node'>): number {
  return a.lamport - b.lamport || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
}

/** What `node`'s wrong transcript `ids` is sorted by instead of the broadcasts' (timestamp, node id). */
function whyOutOfOrder(
  node: NodeId,
  ids: readonly string[],
  broadcasts: ReadonlyMap<string, Stamped>,
  stamped: readonly Stamped[],
): string {
  const own = new Map(stamped.filter((e) => e.node === node).map((e) => [e.id, e.lamport]));
  const sortedBy = (key: (id: string) => number): boolean =>
    ids.every((id, index) => index === 0 || key(ids[index - 1]!) <= key(id));
  const byOwnClock = sortedBy((id) => own.get(id) ?? Number.NaN);
  const byBroadcast = sortedBy((id) => broadcasts.get(id)!.lamport);
  if (byOwnClock && !byBroadcast) {
    return (
      `${node} sorts the chats by the timestamps its own clock gave them when it sent or delivered them, not by the ` +
      'timestamp each chat was broadcast with. Nodes deliver at different times, so those stamps differ from node to ' +
      "node: sort by the broadcast's (timestamp, node id), which every node receives alike."
    );
  }
  if (byOwnClock) {
    return (
      `${node} lists chats with equal broadcast timestamps in the order it sent or delivered them: that order differs ` +
      "from node to node. Break ties by the broadcaster's node id, and sort by the broadcast's timestamp, not by " +
      'the stamp your own clock gave the delivery.'
    );
  }
  if (byBroadcast) {
    return (
      `${node} sorts by the broadcast timestamps, but orders chats with equal timestamps differently: break ties by ` +
      "the broadcaster's node id, so every node computes the same order."
    );
  }
  return "Sort by the broadcast's (timestamp, node id), the stamp each chat carries: every node must compute the same order.";
}

function showStamp(stamp: Stamp): string {
  return `{ lamport: ${stamp.lamport}, node: '${stamp.node}' }`;
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  it('a quiet node catches up: n1 chats five times; n3, which has done nothing, stamps each delivery above its send', async () => {
    const commands = [1, 2, 3, 4, 5].map((i) => ({ atMs: i * 20, node: 'n1', id: `n1-${i}` }));
    await simulate({ seed: 1, nodes: cluster(3, createLamportNode) }, async (sim) => {
      sendCommands(sim, commands, chat);
      await runToQuiet(sim);
      checkClocks(sim);
    });
  });

  it('n2 asks, n1 answers after reading the question: every transcript lists the question first', async () => {
    const commands: Command[] = [
      { atMs: 0, node: 'n2', id: 'question' },
      { atMs: 100, node: 'n1', id: 'answer' },
    ];
    await simulate({ seed: 2, nodes: cluster(3, createLamportNode) }, async (sim) => {
      sendCommands(sim, commands, chat);
      await runToQuiet(sim);
      const { history, stamped } = checkClocks(sim);
      assertTranscripts(await readTranscripts(sim), stamped, history);
    });
  });

  it('n1 and n2 chat at the same moment, both at L=1: every node breaks the tie the same way', async () => {
    const commands: Command[] = [
      { atMs: 0, node: 'n1', id: 'from-n1' },
      { atMs: 0, node: 'n2', id: 'from-n2' },
    ];
    await simulate({ seed: 3, nodes: cluster(3, createLamportNode), network: { delayMs: 5 } }, async (sim) => {
      sendCommands(sim, commands, chat);
      await runToQuiet(sim);
      const { history, stamped } = checkClocks(sim);
      assertTranscripts(await readTranscripts(sim), stamped, history);
    });
  });
});

// ───────────────────────────── 2. spec ─────────────────────────────

// Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System" (1978).
describe("Lamport's rules", () => {
  it('IR1: every event at a node gets a larger timestamp than the one before it', async () => {
    const commands: Command[] = ['n1', 'n2', 'n1', 'n3', 'n2', 'n1'].map((node, i) => ({
      atMs: i * 15,
      node,
      id: `c${i + 1}`,
    }));
    await simulate(
      { seed: 11, nodes: cluster(3, createLamportNode), network: { delayMs: { min: 1, max: 40 } } },
      async (sim) => {
        sendCommands(sim, commands, chat);
        await runToQuiet(sim);
        const history = causalHistory(sim.trace);
        const stamped = stampedEvents(history);
        const last = new Map<NodeId, Stamped>();
        for (const event of [...stamped].sort((a, b) => a.event.traceIndex - b.event.traceIndex)) {
          const previous = last.get(event.node);
          if (previous !== undefined && event.lamport <= previous.lamport) {
            throw new Error(
              `clock condition broken (IR1): ${describeEvent(previous)} came before ${describeEvent(event)} at the same node, but ${previous.lamport} is not less than ${event.lamport}: tick before every event`,
            );
          }
          last.set(event.node, event);
        }
      },
    );
  });

  it('IR2: each chat carries its timestamp, and its delivery is stamped above it', async () => {
    const commands: Command[] = ['n1', 'n1', 'n1', 'n2', 'n3', 'n3'].map((node, i) => ({
      atMs: i * 10,
      node,
      id: `c${i + 1}`,
    }));
    await simulate(
      { seed: 12, nodes: cluster(3, createLamportNode), network: { delayMs: { min: 1, max: 60 } } },
      async (sim) => {
        sendCommands(sim, commands, chat);
        await runToQuiet(sim);
        const history = causalHistory(sim.trace);
        const stamped = stampedEvents(history);
        for (const delivery of stamped.filter((e) => e.kind === 'deliver')) {
          const deliver = delivery.event.event as Extract<TraceEvent, { kind: 'deliver' }>;
          const send = history.message(deliver.id).send!.event as Extract<TraceEvent, { kind: 'send' }>;
          const carried = (send.message as { lamport?: unknown }).lamport;
          if (typeof carried !== 'number') {
            throw new Error(
              `${send.from}'s chat ${delivery.id} to ${send.to} carries lamport=${JSON.stringify(carried)}: every chat must carry its broadcast's Lamport timestamp`,
            );
          }
          if (delivery.lamport <= carried) {
            throw new Error(
              `clock condition broken (IR2): ${describeEvent(delivery)} received a chat stamped L=${carried}, but ${delivery.lamport} is not greater: set the clock above max(own, received)`,
            );
          }
        }
      },
    );
  });
});

describe('The total order', () => {
  const cases: ReadonlyArray<{
    readonly a: Stamp;
    readonly b: Stamp;
    readonly sign: -1 | 0 | 1;
    readonly why: string;
  }> = [
    {
      a: { lamport: 2, node: 'n1' },
      b: { lamport: 5, node: 'n1' },
      sign: -1,
      why: 'the smaller timestamp comes first',
    },
    {
      a: { lamport: 5, node: 'n1' },
      b: { lamport: 2, node: 'n2' },
      sign: 1,
      why: 'the timestamp decides before the node id does',
    },
    {
      a: { lamport: 3, node: 'n1' },
      b: { lamport: 3, node: 'n2' },
      sign: -1,
      why: 'equal timestamps: the smaller node id comes first',
    },
    {
      a: { lamport: 3, node: 'n3' },
      b: { lamport: 3, node: 'n2' },
      sign: 1,
      why: 'equal timestamps: the larger node id comes second',
    },
    { a: { lamport: 7, node: 'n2' }, b: { lamport: 7, node: 'n2' }, sign: 0, why: 'the same stamp is equal to itself' },
  ];
  for (const { a, b, sign, why } of cases) {
    it(`compareStamps(${showStamp(a)}, ${showStamp(b)}): ${why}`, () => {
      const result = compareStamps(a, b);
      const expected = sign < 0 ? 'a negative number' : sign > 0 ? 'a positive number' : '0';
      checkEqual(
        Math.sign(result),
        sign,
        `compareStamps(${showStamp(a)}, ${showStamp(b)}) returned ${result}; expected ${expected}: ${why}`,
      );
    });
  }
});

describe('The transcript', () => {
  it('three nodes chat over a slow network; every transcript lists every chat once, in the same order', async () => {
    const commands: Command[] = ['n1', 'n2', 'n3', 'n1', 'n3', 'n2', 'n2', 'n1'].map((node, i) => ({
      atMs: i * 25,
      node,
      id: `${node}-${i + 1}`,
    }));
    await simulate(
      { seed: 21, nodes: cluster(3, createLamportNode), network: { delayMs: { min: 1, max: 120 } } },
      async (sim) => {
        sendCommands(sim, commands, chat);
        await runToQuiet(sim);
        const { history, stamped } = checkClocks(sim);
        assertTranscripts(await readTranscripts(sim), stamped, history);
      },
    );
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('sweeps', () => {
  /** The network reorders until then, then calms down. */
  const HEAL_AT_MS = 1_000;
  /** No timeout in this protocol: ordinary delays reach 150 ms, the long tail ten times 300 ms. */
  const SWARM_TIMEOUT_MS = 300;

  /** 10–25 chats at random times (up to 600 ms) and nodes: drawn from the seed. */
  function workload(seed: number, nodes: readonly NodeId[]): Command[] {
    const rng = new Rng(deriveSeed(seed, 'workload'));
    return Array.from({ length: rng.int(10, 25) }, (_, i) => {
      const node = nodes[rng.int(0, nodes.length - 1)]!;
      return { atMs: rng.int(0, 600), node, id: `${node}-${i + 1}` };
    });
  }

  it(`${sweepSeedCount(150)} seeds of random chats in swarm worlds (2–7 nodes, networks that reorder, long delays): the clock condition on every pair of events, one transcript everywhere`, async () => {
    await forEachLosslessSwarmSeed(
      {
        count: 150,
        swarm: { timeoutMs: SWARM_TIMEOUT_MS, clusterSizes: { min: 2, max: 7 } },
        nodes: (size) => Object.keys(cluster(size!, createLamportNode)),
        healAtMs: HEAL_AT_MS,
        withoutDuplicates: true,
      },
      async (seed, world) => {
        const commands = workload(seed, world.nodes);
        const details = {
          ...world.details,
          workload: commands.map((c) => `t=${c.atMs}ms ${c.node} broadcasts ${c.id}`).join('\n'),
        };
        const nodes = cluster(world.nodes, createLamportNode);
        await simulate({ seed, nodes, faults: world.faults, details }, async (sim) => {
          sendCommands(sim, commands, chat);
          await runToQuiet(sim);
          // The slowest message of the reordering phase may take ten times the swarm timeout.
          await sim.run({ untilMs: Math.max(sim.nowMs, HEAL_AT_MS + 10 * SWARM_TIMEOUT_MS + 100) });
          const { history, stamped } = checkClocks(sim);
          assertTranscripts(await readTranscripts(sim), stamped, history);
        });
      },
    );
  });
});
