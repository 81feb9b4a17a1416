/**
 * Tests for exercise 1.2: Unique IDs. See README.md for what each group checks.
 */
import { describe, test } from 'vitest';
import type { ClientContext, NodeId, RpcResult } from '#harness';
import {
  cluster,
  describeSchedule,
  forEachSwarmSeed,
  scenario,
  simulate,
  type Simulation,
  type TraceEvent,
  sweepSeedCount,
} from '#harness/testing';
import type { GenerateReply, GenerateRequest } from './protocol.ts';
import { createUniqueIdNode } from './unique-ids.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** One `generate` a client sent, and what came back. */
interface IdRequest {
  readonly client: NodeId;
  readonly node: NodeId;
  readonly sentAtMs: number;
  readonly timeoutMs: number;
  readonly result: RpcResult<GenerateReply>;
}

/** Asks `node` for an id with `ctx.rpc` and records the request in `log`. */
async function generate(c: ClientContext, node: NodeId, log: IdRequest[], timeoutMs = 1_000): Promise<IdRequest> {
  const sentAtMs = c.now();
  const request: GenerateRequest = { type: 'generate' };
  const result = await c.rpc<GenerateReply>(node, request, { timeoutMs });
  const entry = { client: c.id, node, sentAtMs, timeoutMs, result };
  log.push(entry);
  return entry;
}

type SendEvent = Extract<TraceEvent, { kind: 'send' }>;

/** Is `event` a `generate_ok` a server node sent to a client, that is, an id handed out? */
function isHandOut(sim: Simulation, event: TraceEvent): event is SendEvent {
  return (
    event.kind === 'send' &&
    event.type === 'generate_ok' &&
    sim.nodeIds.includes(event.from) &&
    !sim.nodeIds.includes(event.to)
  );
}

/** Why two hand-outs of one id may have happened, as far as the trace can tell. */
function explainDuplicate(sim: Simulation, first: SendEvent, second: SendEvent): string {
  if (first.from !== second.from) return ' (two nodes picked the same id)';
  const restarts = sim.trace.filter(
    (event) => event.kind === 'restart' && event.node === first.from && event.t > first.t && event.t <= second.t,
  );
  const restartTimes = `restarted at t=${restarts.map((event) => event.t).join(' ms and t=')} ms`;
  if (restarts.length > 0 && crashedRightAfter(sim, first)) {
    return (
      ` (${first.from} crashed right after handing it out, in the middle of that step, and ${restartTimes}: ` +
      `the id left in the reply before ${first.from} had saved that it was used; save first, reply second)`
    );
  }
  if (restarts.length > 0) return ` (${first.from} ${restartTimes} in between)`;
  if (first.t === second.t) return ' (both in the same millisecond)';
  return '';
}

/** Did a crash strike `handOut`'s node later in the very step that sent `handOut`? */
function crashedRightAfter(sim: Simulation, handOut: SendEvent): boolean {
  const trace = sim.trace;
  for (let index = trace.indexOf(handOut) + 1; index < trace.length; index++) {
    const event = trace[index]!;
    if (event.t !== handOut.t) return false;
    if (event.kind === 'crash' && event.node === handOut.from) return event.midStep !== undefined;
    // The node's next step begins: the hand-out's step ended without a crash.
    const nextStep =
      (event.kind === 'deliver' && event.to === handOut.from) ||
      (event.kind === 'timer-fire' && event.node === handOut.from);
    if (nextStep) return false;
  }
  return false;
}

/**
 * A checker that reads the trace as it grows and stops the run (with `sim.fail`) as soon as an id is
 * handed out twice. Sending the same answer again to the same request (same client, same rpc id) is
 * not a second hand-out.
 */
function watchUniqueness(sim: Simulation): { check(): void } {
  const firstHandOut = new Map<string, SendEvent>();
  let readUpTo = 0;
  return {
    check() {
      const trace = sim.trace;
      for (; readUpTo < trace.length; readUpTo++) {
        const event = trace[readUpTo]!;
        if (!isHandOut(sim, event)) continue;
        const { id, inReplyTo } = event.message as { id?: unknown; inReplyTo?: unknown };
        const key = JSON.stringify(id);
        const first = firstHandOut.get(key);
        if (first === undefined) {
          firstHandOut.set(key, event);
          continue;
        }
        const sameRequest = first.to === event.to && (first.message as { inReplyTo?: unknown }).inReplyTo === inReplyTo;
        if (sameRequest) continue;
        sim.fail(
          `id ${typeof id === 'string' ? `'${id}'` : key} was handed out twice: by ${first.from} to ${first.to} at t=${first.t} ms ` +
            `and by ${event.from} to ${event.to} at t=${event.t} ms${explainDuplicate(sim, first, event)}.`,
          event.from,
        );
      }
    },
  };
}

/**
 * Runs until every client is done, with a checker watching every event: the run stops at the moment an
 * id is handed out a second time, so the failure report shows the events around it. A run that never
 * finishes fails with a sentence, not a bare `false`.
 */
async function runToCompletion(sim: Simulation, timeoutMs: number): Promise<void> {
  const uniqueness = watchUniqueness(sim);
  const done = await sim.runUntil(
    () => {
      uniqueness.check();
      return sim.clientsDone;
    },
    { timeoutMs },
  );
  if (!done) throw new Error(`The clients did not finish within ${timeoutMs} ms of virtual time.`);
}

/** The times at which `node` was down, as [crash, restart] intervals (restart is Infinity if it never came back). */
function downIntervals(sim: Simulation, node: NodeId): Array<[number, number]> {
  const intervals: Array<[number, number]> = [];
  for (const event of sim.trace) {
    if (event.kind === 'crash' && event.node === node) intervals.push([event.t, Infinity]);
    if (event.kind === 'restart' && event.node === node && intervals.length > 0)
      intervals[intervals.length - 1]![1] = event.t;
  }
  return intervals;
}

/**
 * The times at which `client` and `node` could not reach each other (a cut link in either direction),
 * as [cut, heal] intervals. A partition of the nodes leaves clients' links alone; an isolated node is cut
 * off from its clients too.
 */
function unreachableIntervals(sim: Simulation, client: NodeId, node: NodeId): Array<[number, number]> {
  const intervals: Array<[number, number]> = [];
  for (const event of sim.trace) {
    if (event.kind !== 'links') continue;
    const cut = event.cut.some(([from, to]) => (from === client && to === node) || (from === node && to === client));
    const open = intervals.length > 0 && intervals[intervals.length - 1]![1] === Infinity;
    if (cut && !open) intervals.push([event.t, Infinity]);
    if (!cut && open) intervals[intervals.length - 1]![1] = event.t;
  }
  return intervals;
}

/**
 * Did the network lose or delay `client`'s request to `node` (sent at `sentAtMs`) or the node's answer, so
 * that no answer could reach the client by `waitedUntilMs`? Then the node is not to blame: it either
 * never had the request in time, or answered and its answer was lost or slow.
 */
function lostOrLate(sim: Simulation, client: NodeId, node: NodeId, sentAtMs: number, waitedUntilMs: number): boolean {
  const request = sim.trace.find(
    (event): event is SendEvent =>
      event.kind === 'send' &&
      event.from === client &&
      event.to === node &&
      event.t === sentAtMs &&
      event.type === 'generate',
  );
  if (request === undefined) return false;
  const arrivedInTime = (id: number) =>
    sim.trace.some((event) => event.kind === 'deliver' && event.id === id && event.t <= waitedUntilMs);
  if (!arrivedInTime(request.id)) return true;
  const rpcId = (request.message as { rpcId?: unknown }).rpcId;
  const answers = sim.trace.filter(
    (event): event is SendEvent =>
      event.kind === 'send' &&
      event.from === node &&
      event.to === client &&
      (event.message as { inReplyTo?: unknown }).inReplyTo === rpcId,
  );
  return answers.length > 0 && !answers.some((answer) => arrivedInTime(answer.id));
}

/**
 * Fails unless every request got a `generate_ok` with a string id. A request is excused only if, at some
 * moment while the client waited, its node was down or the client could not reach it, or if the network
 * lost or delayed the request or its answer past the client's timeout.
 */
function assertAllAnswered(sim: Simulation, requests: readonly IdRequest[], during = ''): void {
  for (const { client, node, sentAtMs, timeoutMs, result } of requests) {
    const what = `${client}'s generate to ${node} (sent t=${sentAtMs} ms)`;
    if (!result.ok) {
      const waitedUntilMs = sentAtMs + timeoutMs;
      const overlaps = ([startMs, endMs]: [number, number]) => startMs <= waitedUntilMs && endMs >= sentAtMs;
      if (downIntervals(sim, node).some(overlaps) || unreachableIntervals(sim, client, node).some(overlaps)) continue;
      if (lostOrLate(sim, client, node, sentAtMs, waitedUntilMs)) continue;
      const askedOthers = sim.trace.find(
        (event): event is SendEvent =>
          event.kind === 'send' &&
          event.from === node &&
          sim.nodeIds.includes(event.to) &&
          event.t >= sentAtMs &&
          event.t <= waitedUntilMs,
      );
      const why =
        askedOthers === undefined
          ? ''
          : ` Meanwhile ${node} sent a ${askedOthers.type} to ${askedOthers.to} at t=${askedOthers.t} ms: it waited for another node.`;
      throw new Error(
        `${what} got no answer within ${timeoutMs} ms${during}, though ${node} was up and reachable the whole time: ` +
          `a node must answer on its own, whatever happens to the other nodes.${why}`,
      );
    }
    const { reply } = result;
    if (reply.type !== 'generate_ok' || typeof reply.id !== 'string' || reply.id === '') {
      throw new Error(`${what} got back ${JSON.stringify(reply)} instead of a generate_ok with a non-empty string id.`);
    }
  }
}

/** Fails if a server node sent anything to another server node: ids must be made without coordination. */
function assertNoNodeToNodeMessages(sim: Simulation): void {
  const stats = sim.stats();
  const sentByNodes = sim.nodeIds.reduce((sum, node) => sum + (stats.bySender[node]?.messages ?? 0), 0);
  const replies = stats.byType['generate_ok']?.messages ?? 0;
  if (sentByNodes === replies) return;
  const talk = sim.trace.filter(
    (event): event is SendEvent =>
      event.kind === 'send' && sim.nodeIds.includes(event.from) && sim.nodeIds.includes(event.to),
  );
  const first = talk[0];
  const example =
    first === undefined ? '' : ` The first: ${first.from} → ${first.to} ${first.type} at t=${first.t} ms.`;
  throw new Error(
    `The nodes sent ${sentByNodes} messages but only ${replies} generate_ok replies; ${talk.length} went from one node to another.${example} ` +
      'A node must make its ids without talking to another node, or it cannot answer while it is cut off.',
  );
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('three nodes, three clients: every id is different', async () => {
    await simulate({ seed: 1, nodes: cluster(3, createUniqueIdNode) }, async (sim) => {
      const requests: IdRequest[] = [];
      for (const client of ['c1', 'c2', 'c3']) {
        sim.client(client, async (c) => {
          for (let round = 0; round < 4; round++) {
            for (const node of sim.nodeIds) await generate(c, node, requests);
          }
        });
      }
      await runToCompletion(sim, 10_000);
      assertAllAnswered(sim, requests);
    });
  });

  test('n1 crashes at t=400 ms and restarts at t=500 ms, and never repeats an id it handed out before', async () => {
    const faults = scenario().at(400).crash('n1').at(500).restart('n1').build();
    await simulate(
      { seed: 2, nodes: cluster(3, createUniqueIdNode), faults, details: { faults: describeSchedule(faults) } },
      async (sim) => {
        const requests: IdRequest[] = [];
        sim.client('c1', async (c) => {
          for (let i = 0; i < 5; i++) await generate(c, 'n1', requests);
          await c.sleep(600 - c.now());
          for (let i = 0; i < 5; i++) await generate(c, 'n1', requests);
        });
        await runToCompletion(sim, 10_000);
        assertAllAnswered(sim, requests);
      },
    );
  });

  test('n1 crashes in the middle of answering its 4th request, after one effect; after the restart it does not repeat that id', async () => {
    // At t=100 a crash is armed: n1 dies during its next step (c1's 4th generate, at about t=105),
    // after one effect. A node that saves first dies before replying; one that replies first dies
    // before saving, with the id already out in the world.
    const faults = scenario().at(100).crash('n1', { afterEffects: 1 }).at(200).restart('n1').build();
    await simulate(
      { seed: 7, nodes: cluster(3, createUniqueIdNode), faults, details: { faults: describeSchedule(faults) } },
      async (sim) => {
        const requests: IdRequest[] = [];
        sim.client('c1', async (c) => {
          for (let i = 0; i < 3; i++) await generate(c, 'n1', requests);
          await c.sleep(100 - c.now());
          await generate(c, 'n1', requests, 150); // n1 crashes while handling this one
          await c.sleep(300 - c.now());
          for (let i = 0; i < 3; i++) await generate(c, 'n1', requests);
        });
        await runToCompletion(sim, 10_000);
        assertAllAnswered(sim, requests);
      },
    );
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Unique across nodes', () => {
  test("n1's ids and n11's ids never clash, though one node's name starts with the other's", async () => {
    await simulate({ seed: 3, nodes: cluster(11, createUniqueIdNode) }, async (sim) => {
      const requests: IdRequest[] = [];
      sim.client('c1', async (c) => {
        for (let i = 0; i < 12; i++) await generate(c, 'n1', requests);
        for (const node of sim.nodeIds) await generate(c, node, requests);
      });
      await runToCompletion(sim, 10_000);
      assertAllAnswered(sim, requests);
    });
  });

  test('requests that reach a node in the same millisecond get different ids', async () => {
    // Every message takes exactly 5 ms, so the three clients' first requests all reach n1 at t=5 ms.
    await simulate({ seed: 4, nodes: cluster(2, createUniqueIdNode), network: { delayMs: 5 } }, async (sim) => {
      const requests: IdRequest[] = [];
      for (const client of ['c1', 'c2', 'c3']) {
        sim.client(client, async (c) => {
          await Promise.all([generate(c, 'n1', requests), generate(c, 'n1', requests), generate(c, 'n2', requests)]);
        });
      }
      await runToCompletion(sim, 10_000);
      assertAllAnswered(sim, requests);
    });
  });
});

describe('Other messages', () => {
  test('a message of another type gets no answer, and the node goes on handing out ids', async () => {
    await simulate({ seed: 8, nodes: cluster(2, createUniqueIdNode) }, async (sim) => {
      const requests: IdRequest[] = [];
      let strayAnswer: RpcResult | undefined;
      sim.client('c1', async (c) => {
        await generate(c, 'n1', requests);
        strayAnswer = await c.rpc('n1', { type: 'ping' }, { timeoutMs: 300 });
        await generate(c, 'n1', requests);
      });
      await runToCompletion(sim, 10_000);
      assertAllAnswered(sim, requests);
      if (strayAnswer?.ok === true) {
        throw new Error(
          `n1 answered a 'ping' message with ${JSON.stringify(strayAnswer.reply)}: a node must ignore every message ` +
            "that is not a 'generate', and hand out ids only when asked for one.",
        );
      }
    });
  });
});

describe('Unique across crashes', () => {
  test('every node crashes and restarts twice, and no id comes back', async () => {
    let builder = scenario();
    for (const [index, node] of ['n1', 'n2', 'n3'].entries()) {
      const offsetMs = 100 * index;
      builder = builder
        .at(300 + offsetMs)
        .crash(node)
        .at(350 + offsetMs)
        .restart(node);
      builder = builder
        .at(900 + offsetMs)
        .crash(node)
        .at(920 + offsetMs)
        .restart(node);
    }
    const faults = builder.build();
    await simulate(
      { seed: 5, nodes: cluster(3, createUniqueIdNode), faults, details: { faults: describeSchedule(faults) } },
      async (sim) => {
        const requests: IdRequest[] = [];
        for (const client of ['c1', 'c2']) {
          sim.client(client, async (c) => {
            while (c.now() < 1_500) {
              for (const node of sim.nodeIds) await generate(c, node, requests, 100);
              await c.sleep(40);
            }
          });
        }
        await runToCompletion(sim, 10_000);
        assertAllAnswered(sim, requests);
      },
    );
  });
});

describe('Available during partitions', () => {
  test('every node cut off from every other node still answers every request, without a word to the others', async () => {
    // Clients are in no group, so they still reach every node; the nodes cannot reach each other.
    const faults = scenario().at(0).partition(['n1'], ['n2'], ['n3']).build();
    await simulate(
      { seed: 6, nodes: cluster(3, createUniqueIdNode), faults, details: { faults: describeSchedule(faults) } },
      async (sim) => {
        const requests: IdRequest[] = [];
        for (const client of ['c1', 'c2', 'c3']) {
          sim.client(client, async (c) => {
            for (let round = 0; round < 3; round++) {
              await Promise.all(sim.nodeIds.map((node) => generate(c, node, requests)));
            }
          });
        }
        await runToCompletion(sim, 10_000);
        assertNoNodeToNodeMessages(sim);
        assertAllAnswered(sim, requests, ' while the nodes were partitioned from each other');
      },
    );
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Crashes, partitions, isolated nodes and a duplicating network', () => {
  const seeds = sweepSeedCount(150);
  const healAtMs = 2_000;
  /** The clients' timeout: the swarm's delays reach ten times past it. */
  const clientTimeoutMs = 300;

  test(`ids stay unique and every node that is up and reachable answers: ${seeds} seeds of swarm worlds (1–7 nodes, drops, duplicates, long delays, partitions, crashes)`, async () => {
    await forEachSwarmSeed(
      {
        count: seeds,
        swarm: { timeoutMs: clientTimeoutMs, clusterSizes: { min: 1, max: 7 } },
        nodes: (size) => Object.keys(cluster(size!, createUniqueIdNode)),
        healAtMs,
      },
      async (seed, world) => {
        const nodes = cluster(world.nodes, createUniqueIdNode);
        await simulate({ seed, nodes, faults: world.faults, details: world.details }, async (sim) => {
          const requests: IdRequest[] = [];
          for (const client of ['c1', 'c2', 'c3', 'c4']) {
            sim.client(client, async (c) => {
              for (let i = 0; i < 12; i++) {
                await c.sleep(c.randomInt(0, 250));
                await generate(c, sim.nodeIds[c.randomInt(0, sim.nodeIds.length - 1)]!, requests, clientTimeoutMs);
              }
            });
          }
          await runToCompletion(sim, 20_000);
          assertAllAnswered(sim, requests);
        });
      },
    );
  });
});
