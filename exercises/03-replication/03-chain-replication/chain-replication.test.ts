/**
 * Tests for exercise 3.3: chain replication. See README.md for what each group checks.
 *
 * Every run is watched after EVERY event for "only the tail answers" (an ok answer comes only from the
 * tail of the configuration it names). Every history the clients record is judged by the
 * linearizability checker, and every value written is a unique token, so an operation that takes
 * effect twice is caught in a store. Comments name the section of van Renesse and Schneider's paper
 * (OSDI 2004) each test checks.
 */
import { describe, test } from 'vitest';
import type { ClientContext, NodeId } from '#harness';
import type { KvInput, KvOutput } from '#harness/check';
import { check, simulate, type Simulation, sweepSeedCount, type TraceEvent } from '#harness/testing';
import { CHAIN_DEAD_AFTER_MS, type ChainConfig } from '../_given/chain-master.ts';
import type { KvReply } from '../_given/kv-protocol.ts';
import {
  CHAIN_RECOVERY_MS,
  chainService,
  describeChain,
  masterOf,
  stateOf,
  sweepChainUnderFaults,
  watchOnlyTheTailAnswers,
} from '../_test-support/chain.ts';
import { ChainClerk } from '../_test-support/chain-clerk.ts';
import { expectOk } from '../_test-support/runs.ts';
import { assertHistoryIsSound, reportFigure, trafficBetween } from '../_test-support/service.ts';
import { createChainServer } from './chain-replication.ts';
import type { Update } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** A chain s1 → s2 → ... of `servers` servers and the master, watched for "only the tail answers". */
async function withChain(seed: number, servers: number, body: (sim: Simulation) => Promise<void>): Promise<void> {
  await simulate({ seed, nodes: chainService(servers, createChainServer) }, async (sim) => {
    watchOnlyTheTailAnswers(sim);
    await sim.run({ untilMs: 50 });
    await body(sim);
  });
}

/** Adds client `id` running `work` and runs until it is done; fails with the chain's state if it is not. */
async function runClient(
  sim: Simulation,
  id: string,
  withinMs: number,
  work: (c: ClientContext, clerk: ChainClerk) => Promise<void>,
  prepare?: (clerk: ChainClerk) => void,
): Promise<ChainClerk> {
  let clerk: ChainClerk | undefined;
  sim.client(id, async (c) => {
    clerk = new ChainClerk(c);
    prepare?.(clerk);
    await work(c, clerk);
  });
  if (!(await sim.runUntilClientsDone({ timeoutMs: withinMs })))
    throw new Error(
      `${id} did not finish within ${withinMs} ms of virtual time (its clerk: ${JSON.stringify(clerk?.stats)}).\n  ${describeChain(sim)}`,
    );
  return clerk!;
}

/** Starts client `id` running `work`, without waiting for it. */
function startClient(sim: Simulation, id: string, work: (c: ClientContext, clerk: ChainClerk) => Promise<void>): void {
  sim.client(id, async (c) => work(c, new ChainClerk(c)));
}

/** Runs until the master's chain is `chain` and every server in it has taken that configuration in. */
async function awaitChain(sim: Simulation, chain: readonly NodeId[], withinMs: number): Promise<ChainConfig> {
  const wanted = chain.join(' → ');
  const ok = await sim.runUntil(
    () => {
      const config = masterOf(sim)?.current;
      if (config?.chain.join(' → ') !== wanted) return false;
      return chain.every(
        (node) => (sim.nodeInstance(node) as unknown as { config?: ChainConfig })?.config?.num === config.num,
      );
    },
    { timeoutMs: withinMs },
  );
  check(
    ok,
    `the chain did not become ${wanted} within ${withinMs} ms (t=${sim.nowMs} ms), with every member knowing it. Servers take in ` +
      `each newer configuration from the answers to their pings and from the master's ChainReply.\n  ${describeChain(sim)}`,
  );
  return masterOf(sim)!.current;
}

/** Fails unless every server of `servers` holds the same store. */
function expectSameStores(sim: Simulation, servers: readonly NodeId[], story: string): void {
  const stores = servers.map((node) => JSON.stringify(stateOf(sim, node)?.store ?? null));
  check(
    stores.every((store) => store === stores[0]),
    `${story}, the servers hold different stores (${servers.map((node, i) => `${node} ${stores[i]}`).join(', ')}): every update ` +
      'travels the whole chain, and each server applies it with execute(), in the order of n.\n  ' +
      describeChain(sim),
  );
}

type Sent = Extract<TraceEvent, { kind: 'send' }>;

/** The sends of `type` from `from` (to `to`, if named) at or after `sinceMs`. */
function sends(sim: Simulation, type: string, from: NodeId, to?: NodeId, sinceMs = 0): Sent[] {
  return sim.trace.filter(
    (e): e is Sent =>
      e.kind === 'send' && e.type === type && e.from === from && (to === undefined || e.to === to) && e.t >= sinceMs,
  );
}

/** The ok answers to clients that `server` sent from `sinceMs` on. */
function okAnswersFrom(sim: Simulation, server: NodeId, sinceMs: number): Sent[] {
  return sends(sim, 'KvReply', server, undefined, sinceMs).filter((e) => (e.message as KvReply).ok);
}

/** The value an ok get answer carried. */
function valueOf(answer: Sent): string {
  const reply = answer.message as KvReply;
  return JSON.stringify(reply.ok ? reply.output.value : undefined);
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('a write enters at the head and travels down the chain; the tail answers it, and a read at the tail returns it', async () => {
    // section 2, "Chain Replication Protocol": updates at the head, queries and replies at the tail
    await withChain(1, 3, async (sim) => {
      const startMs = sim.nowMs;
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        expectOk("put('k', 'x;')", await clerk.put('k', 'x;'));
        expectOk("append('k', 'y;')", await clerk.append('k', 'y;'));
        expectOk("get('k') after put x; and append y;", await clerk.get('k'), 'x;y;');
        expectOk("get('never-written')", await clerk.get('never-written'), '');
      });
      for (const [from, to] of [
        ['s1', 's2'],
        ['s2', 's3'],
      ] as const)
        check(
          sends(sim, 'Update', from, to, startMs).length >= 2,
          `${from} sent ${to} ${sends(sim, 'Update', from, to, startMs).length} Update(s) for c1's two writes: each write enters at the ` +
            'head s1 and travels down the chain, one Update to each successor, to the tail s3.',
        );
      await sim.run({ untilMs: sim.nowMs + 50 });
      expectSameStores(sim, ['s1', 's2', 's3'], "after c1's writes");
      assertHistoryIsSound(sim);
    });
  });

  test('a read at a middle server is refused: it would return a write the tail has not got, and a later read at the tail the older value', async () => {
    // section 2: only the tail answers queries; the classic stale read of a chain read elsewhere
    await withChain(2, 3, async (sim) => {
      await runClient(sim, 'c1', 2_000, async (_c, clerk) =>
        expectOk("c1's put('k', 'v1;')", await clerk.put('k', 'v1;')),
      );
      // v2 reaches s1 and s2, but not the tail s3.
      sim.apply({ kind: 'cut', from: 's2', to: 's3' });
      startClient(sim, 'c2', async (_c, clerk) => {
        clerk.patience(300);
        await clerk.put('k', 'v2;');
      });
      await sim.run({ untilMs: sim.nowMs + 50 });
      const askedAtMs = sim.nowMs;
      await runClient(
        sim,
        'c3',
        2_000,
        async (_c, clerk) => void (await clerk.get('k')),
        (clerk) => clerk.tryFirst('s2'),
      );
      const middle = okAnswersFrom(sim, 's2', askedAtMs)[0];
      check(
        middle === undefined,
        `the middle server s2 answered c3's get('k') with ${middle === undefined ? '' : valueOf(middle)} at t=${middle?.t} ms: s2 holds c2's ` +
          'put of "v2;", which has not reached the tail s3, so it is not done and may yet be lost; a read at the tail, later, ' +
          'returns "v1;". A value that appears and then disappears is the stale read that only-the-tail-answers prevents: ' +
          'a server that is not the tail answers a get with not_primary.\n  ' +
          describeChain(sim),
      );
      sim.apply({ kind: 'heal' });
      await runClient(sim, 'c4', 2_000, async (_c, clerk) =>
        expectOk("c4's get('k') after the heal", await clerk.get('k')),
      );
      assertHistoryIsSound(sim);
    });
  });

  test('the head crashes: its successor becomes the head, and every acknowledged write is still there', async () => {
    // section 3, "Failure of the Head": the master removes it, and the next server takes the writes
    await withChain(3, 3, async (sim) => {
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        for (const value of ['a;', 'b;', 'c;'])
          expectOk(`c1's append('k', '${value}')`, await clerk.append('k', value));
      });
      sim.apply({ kind: 'crash', node: 's1' });
      await awaitChain(sim, ['s2', 's3'], CHAIN_DEAD_AFTER_MS + 1_000);
      await runClient(sim, 'c2', 3_000, async (_c, clerk) => {
        expectOk("c2's append('k', 'd;') at the new head s2", await clerk.append('k', 'd;'));
        expectOk("c2's get('k') after the head's crash", await clerk.get('k'), 'a;b;c;d;');
      });
      assertHistoryIsSound(sim);
    });
  });

  test('a middle server crashes with an update it never passed on: its predecessor sends its Sent again to its new successor', async () => {
    // section 3, "Failure of Other Servers": the predecessor re-sends Sent, what the tail has not acknowledged
    await withChain(4, 3, async (sim) => {
      await runClient(sim, 'c1', 2_000, async (_c, clerk) =>
        expectOk("c1's append('k', 'a;')", await clerk.append('k', 'a;')),
      );
      sim.apply({ kind: 'cut', from: 's2', to: 's3' });
      const cutAtMs = sim.nowMs;
      let outcome = 'not done';
      startClient(sim, 'c2', async (_c, clerk) => {
        clerk.patience(5_000);
        outcome = (await clerk.append('k', 'b;')).status;
      });
      await sim.run({ untilMs: sim.nowMs + 50 });
      const passed = sends(sim, 'Update', 's1', 's2', cutAtMs).map((e) => (e.message as Update).n);
      check(passed.length > 0, `s1, the head, never passed c2's append to s2.\n  ${describeChain(sim)}`);
      sim.apply({ kind: 'crash', node: 's2' });
      await awaitChain(sim, ['s1', 's3'], CHAIN_DEAD_AFTER_MS + 1_000);
      await sim.run({ untilMs: sim.nowMs + 200 });
      const again = sends(sim, 'Update', 's1', 's3').map((e) => (e.message as Update).n);
      check(
        passed.some((n) => again.includes(n)),
        `s1 never sent its new successor s3 the update it had passed to the crashed s2 (n=${passed.join(', ')}; it sent s3 ` +
          `${again.length === 0 ? 'nothing' : `n=${again.join(', ')}`}): s2 crashed before passing it on, so s3 never got it. ` +
          'A server keeps what it passed on (Sent) until the tail acknowledged it, and sends its Sent again to a new successor.\n  ' +
          describeChain(sim),
      );
      const done = await sim.runUntil(() => outcome === 'ok', { timeoutMs: 3_000 });
      check(
        done,
        `c2's append('k', 'b;') was not done 3 s after the chain became s1 → s3 (${outcome}).\n  ${describeChain(sim)}`,
      );
      await runClient(sim, 'c3', 2_000, async (_c, clerk) =>
        expectOk("c3's get('k') after the middle server's crash", await clerk.get('k'), 'a;b;'),
      );
      expectSameStores(sim, ['s1', 's3'], "after the middle server's crash");
      assertHistoryIsSound(sim);
    });
  });

  test('the tail crashes: its predecessor becomes the tail, answers the write it held, and no acknowledged write is lost', async () => {
    // section 3, "Failure of the Tail": the predecessor becomes the tail; what it holds is done
    await withChain(5, 3, async (sim) => {
      await runClient(sim, 'c1', 2_000, async (_c, clerk) => {
        expectOk("c1's append('k', 'a;')", await clerk.append('k', 'a;'));
        expectOk("c1's append('k', 'b;')", await clerk.append('k', 'b;'));
      });
      sim.apply({ kind: 'cut', from: 's2', to: 's3' });
      let outcome = 'not done';
      startClient(sim, 'c2', async (_c, clerk) => {
        clerk.patience(5_000);
        outcome = (await clerk.append('k', 'c;')).status;
      });
      await sim.run({ untilMs: sim.nowMs + 50 });
      sim.apply({ kind: 'crash', node: 's3' });
      const config = await awaitChain(sim, ['s1', 's2'], CHAIN_DEAD_AFTER_MS + 1_000);
      const done = await sim.runUntil(() => outcome === 'ok', { timeoutMs: 3_000 });
      check(
        done,
        `c2's append('k', 'c;') was not done 3 s after s2 became the tail of configuration ${config.num} (${outcome}).\n  ${describeChain(sim)}`,
      );
      await runClient(sim, 'c3', 2_000, async (_c, clerk) =>
        expectOk("c3's get('k') at the new tail s2", await clerk.get('k'), 'a;b;c;'),
      );
      assertHistoryIsSound(sim);
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Roles', () => {
  test('the tail refuses a write and the head and middle refuse a read, with not_primary', async () => {
    // section 2: updates go to the head, queries to the tail
    await withChain(11, 3, async (sim) => {
      const asks: Array<[NodeId, KvInput, string]> = [
        ['s3', { f: 'put', key: 'k', value: 'x;' }, 'the tail, a put'],
        ['s1', { f: 'get', key: 'k' }, 'the head, a get'],
        ['s2', { f: 'get', key: 'k' }, 'the middle server, a get'],
      ];
      for (const [server, op, what] of asks) {
        let reply: KvReply | undefined;
        sim.client(`c-${server}`, async (c) => {
          const result = await c.rpc<KvReply>(
            server,
            { type: 'KvRequest', clientId: c.id, seq: 1, op },
            { timeoutMs: 300 },
          );
          reply = result.ok ? result.reply : undefined;
        });
        await sim.runUntilClientsDone({ timeoutMs: 500 });
        check(
          reply?.type === 'KvReply' && !reply.ok && reply.error === 'not_primary',
          `${server}, ${what}: it answered ${reply === undefined ? 'nothing within 300 ms' : JSON.stringify(reply)}; expected ` +
            "{ type: 'KvReply', ok: false, error: 'not_primary' } at once, so the client asks the master for the chain.",
        );
      }
    });
  });

  test('an old tail cut off from the master stops answering reads once its lease has run out', async () => {
    // section 3 assumes fail-stop servers; a lease makes an old tail stop before the master replaces it
    await withChain(12, 3, async (sim) => {
      await runClient(sim, 'c1', 2_000, async (_c, clerk) =>
        expectOk("c1's put('k', 'v1;')", await clerk.put('k', 'v1;')),
      );
      sim.apply({ kind: 'partition', groups: [['s3'], ['master']] });
      const config = await awaitChain(sim, ['s1', 's2'], CHAIN_DEAD_AFTER_MS + 1_000);
      await runClient(sim, 'c2', 2_000, async (_c, clerk) =>
        expectOk("c2's put('k', 'v2;') through the new chain s1 → s2", await clerk.put('k', 'v2;')),
      );
      const askedAtMs = sim.nowMs;
      await runClient(
        sim,
        'c3',
        2_000,
        async (_c, clerk) => void (await clerk.get('k')),
        (clerk) => clerk.tryFirst('s3'),
      );
      const stale = okAnswersFrom(sim, 's3', askedAtMs)[0];
      check(
        stale === undefined,
        `an old tail answered a read after the chain changed: s3 answered c3's get('k') with ${stale === undefined ? '' : valueOf(stale)} at ` +
          `t=${stale?.t} ms, after the master had made s2 the tail of configuration ${config.num} and c2's put of "v2;" had returned. ` +
          's3 was cut off from the master and did not know. A tail answers a read only within its lease: until CHAIN_LEASE_MS after ' +
          'it sent a ping that the master answered.\n  ' +
          describeChain(sim),
      );
      assertHistoryIsSound(sim);
    });
  });
});

describe('Efficiency', () => {
  test('on a chain of 3, a write costs at most 6 messages and a read 2, beyond pings and look-ups of the chain', async () => {
    // section 2: a write visits every server and its Ack comes back; a read is one round trip to the tail
    await withChain(41, 3, async (sim) => {
      await sim.run({ untilMs: sim.nowMs + 200 });
      const before = sim.stats();
      const startMs = sim.nowMs;
      const ops = 30;
      await runClient(sim, 'c1', 5_000, async (_c, clerk) => {
        for (let i = 0; i < ops; i++)
          expectOk(`operation #${i + 1}`, await (i % 3 === 0 ? clerk.get('k') : clerk.append('k')));
      });
      const traffic = trafficBetween(before, sim.stats());
      const history = sim.history<KvInput, KvOutput>().filter((op) => op.clientId === 'c1');
      const reads = history.filter((op) => op.input.f === 'get');
      const writes = history.filter((op) => op.input.f !== 'get');
      const requests = sim.trace.filter(
        (e): e is Sent => e.kind === 'send' && e.type === 'KvRequest' && e.t >= startMs,
      );
      const readRequests = requests.filter((e) => (e.message as { op: KvInput }).op.f === 'get').length;
      // Every request is answered once, by the tail; a write also travels down as Updates and back up as Acks.
      const readMessages = 2 * readRequests;
      const writeMessages =
        2 * (requests.length - readRequests) + (traffic.byType['Update'] ?? 0) + (traffic.byType['Ack'] ?? 0);
      const perRead = readMessages / reads.length;
      const perWrite = writeMessages / writes.length;
      const mean = (list: typeof history): number =>
        list.reduce((sum, op) => sum + (op.returnMs! - op.callMs), 0) / list.length;
      reportFigure(
        `chain of 3: ${perWrite.toFixed(1)} messages per write, ${perRead.toFixed(1)} per read; mean latency ${mean(writes).toFixed(1)} ms per write, ` +
          `${mean(reads).toFixed(1)} ms per read, virtual (${JSON.stringify(traffic.byType)})`,
      );
      check(
        perWrite <= 6.5,
        `one write cost ${perWrite.toFixed(1)} messages on a steady chain of 3 (${JSON.stringify(traffic.byType)}): the request, an Update to ` +
          'each of the 2 successors, the answer, and an Ack from each of the 2 should do. Send Sent again only to a new successor, or after ' +
          'an update waited too long.',
      );
      check(
        perRead <= 2.5,
        `one read cost ${perRead.toFixed(1)} messages on a steady chain of 3 (${JSON.stringify(traffic.byType)}): the tail answers it alone.`,
      );
    });
  });
});

describe('Throughput', () => {
  test('three busy clients on a chain of 3: every operation done, at most 5.5 messages per operation, and the figures printed', async () => {
    // section 2: updates pipeline down the chain; the figures for the chapter README's comparison
    await withChain(41, 3, async (sim) => {
      await sim.run({ untilMs: sim.nowMs + 200 });
      const before = sim.stats();
      const startMs = sim.nowMs;
      const perClient = 20;
      const clients = ['c1', 'c2', 'c3'];
      for (const id of clients)
        startClient(sim, id, async (_c, clerk) => {
          for (let i = 0; i < perClient; i++)
            expectOk(`${id}'s operation #${i + 1}`, await (i % 3 === 0 ? clerk.get('k') : clerk.append('k')));
        });
      check(
        await sim.runUntilClientsDone({ timeoutMs: 10_000 }),
        `the three clients did not finish within 10 s.\n  ${describeChain(sim)}`,
      );
      const elapsedMs = sim.nowMs - startMs;
      const ops = perClient * clients.length;
      const traffic = trafficBetween(before, sim.stats());
      const background =
        (traffic.byType['ChainPing'] ?? 0) + (traffic.byType['ChainReply'] ?? 0) + (traffic.byType['GetChain'] ?? 0);
      const perOp = (traffic.messages - background) / ops;
      reportFigure(
        `chain of 3, three clients: ${ops} operations in ${elapsedMs} ms of virtual time (${Math.round((ops * 1_000) / elapsedMs)} per second), ` +
          `${perOp.toFixed(1)} messages per operation beyond pings and look-ups (${JSON.stringify(traffic.byType)})`,
      );
      check(
        perOp <= 5.5,
        `one operation cost ${perOp.toFixed(1)} messages with three busy clients (${JSON.stringify(traffic.byType)}): two writes in three ` +
          'cost 6 (request, 2 Updates, 2 Acks, answer) and a read 2, about 4.7 on average. Send Sent again only to a new successor, ' +
          'or after an update waited too long.',
      );
      assertHistoryIsSound(sim);
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Sweeps', () => {
  const seeds = sweepSeedCount(200);

  test(
    `three clients that repeat themselves, under partitions, cut links, drops, duplicates, late messages and crashes of the head, middle servers and tail: only the tail answers, linearizable, no acknowledged write lost, and every client served within ${CHAIN_RECOVERY_MS} ms of the heal (${seeds} swarm worlds of 2 to 5 servers)`,
    { timeout: 600_000 },
    async () => {
      await sweepChainUnderFaults(createChainServer, { seeds, ops: 30, maxPauseMs: 20 });
    },
  );
});
