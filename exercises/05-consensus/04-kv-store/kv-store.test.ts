/**
 * Tests for exercise 5.4: a linearizable key-value store on Raft (Raft §8). See README.md for what each
 * group checks.
 *
 * Every run is watched after EVERY event for Raft's safety properties (durability included). Every
 * history the clients record is judged by the linearizability checker, and an `unknown` verdict fails.
 * Every value written is a unique token, so an operation that takes effect twice is caught in the store.
 */
import { describe, test } from 'vitest';
import { cluster, simulate, type Simulation, sweepSeedCount } from '#harness/testing';
import { Clerk, assertNoWriteTookEffectTwice } from '../_test-support/kv-client.ts';
import { assertHistoryIsSound, expectOk, runClient, sweepKvUnderFaults } from '../_test-support/kv-runs.ts';
import { awaitLeader, reportFigure, trafficBetween } from '../_test-support/liveness.ts';
import { CLIENTS_RECOVERY_MS } from '../_test-support/recovery.ts';
import { append, nodeOf, watchEveryProperty, withPuppets } from '../_test-support/scripted-runs.ts';
import { awaitApplied, describeServers } from '../_test-support/workload.ts';
import { createRaftNode, type RaftNode } from './raft.ts';
import type { KvReply, KvRequest } from '../_given/kv-protocol.ts';
import type { RequestVoteReply } from '../_given/raft-protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const serverOf = nodeOf<RaftNode>;

function voteReply(term: number, voteGranted: boolean): RequestVoteReply {
  return { type: 'RequestVoteReply', term, voteGranted };
}

/** What a client's KvRequest to n1 brought back, and when. */
interface Answer {
  readonly reply: KvReply | undefined;
  readonly atMs: number;
}

/** Client c1 sends one put to n1 now; the answer (or none, after `timeoutMs`) lands in the returned box. */
function putToN1(sim: Simulation, timeoutMs: number): { answer?: Answer } {
  const box: { answer?: Answer } = {};
  sim.client('c1', async (c) => {
    const request: KvRequest = { type: 'KvRequest', clientId: 'c1', seq: 1, op: { f: 'put', key: 'k', value: 'v' } };
    const result = await c.rpc<KvReply>('n1', request, { timeoutMs });
    box.answer = { reply: result.ok ? result.reply : undefined, atMs: c.now() };
  });
  return box;
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test("a client's put, append and get go through the leader, and the get sees both writes", async () => {
    // Raft §8
    await simulate({ seed: 1, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        expectOk("put('k', 'x;')", await clerk.put('k', 'x;'));
        expectOk("append('k', 'y;')", await clerk.append('k', 'y;'));
        expectOk("get('k') after put x; and append y;", await clerk.get('k'), 'x;y;');
        expectOk("get('never-written')", await clerk.get('never-written'), '');
      });
      assertHistoryIsSound(sim);
    });
  });

  test('every server applies the same operations: after a while, every store holds the same values', async () => {
    // Raft §5.4.3
    await simulate({ seed: 2, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        for (let i = 0; i < 5; i++) expectOk(`append #${i + 1}`, await clerk.append(`k${i % 2}`));
      });
      await sim.run({ untilMs: sim.nowMs + 300 });
      const stores = sim.nodeIds.map((node) => JSON.stringify(serverOf(sim, node).store));
      if (new Set(stores).size !== 1)
        throw new Error(
          `300 ms after the last operation the stores differ:\n  ${sim.nodeIds.map((node, i) => `${node}: ${stores[i]}`).join('\n  ')}`,
        );
      assertHistoryIsSound(sim);
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Redirects', () => {
  test('a follower answers not_leader with a leaderHint naming the leader', async () => {
    // Raft §8 (clients find the leader)
    await simulate({ seed: 11, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      await sim.run({ untilMs: sim.nowMs + 200 });
      const follower = sim.nodeIds.find((node) => node !== leader)!;
      let reply: KvReply | undefined;
      sim.client('c1', async (c) => {
        const request: KvRequest = { type: 'KvRequest', clientId: 'c1', seq: 1, op: { f: 'get', key: 'k' } };
        const result = await c.rpc<KvReply>(follower, request, { timeoutMs: 200 });
        reply = result.ok ? result.reply : undefined;
      });
      await sim.runUntilClientsDone({ timeoutMs: 500 });
      if (reply === undefined)
        throw new Error(
          `${follower}, a follower, never answered a KvRequest: it answers at once with ok: false, error: 'not_leader' and a leaderHint.`,
        );
      if (reply.type !== 'KvReply' || reply.ok || reply.error !== 'not_leader' || reply.leaderHint !== leader) {
        throw new Error(
          `${follower}, a follower of ${leader}, answered a KvRequest with ${JSON.stringify(reply)}; expected ok: false, error: 'not_leader', leaderHint: '${leader}' (its leaderId), so the client goes straight to the leader.`,
        );
      }
    });
  });
});

describe('Who serves clients (§5.2, §8)', () => {
  test('a leader that steps down tells the client it was serving not_leader at once', async () => {
    // Raft §8: a deposed leader's waiting clients look elsewhere; their retries are recognised by seq
    await withPuppets(createRaftNode, { size: 3, seed: 71, watch: watchEveryProperty }, async (sim, puppets) => {
      puppets.on('RequestVote', (puppet, from, message) => {
        puppets.send(puppet, from, voteReply(message['term'] as number, true));
      });
      const won = await sim.runUntil(() => sim.nodeInstance<RaftNode>('n1')?.role === 'leader', { timeoutMs: 1_000 });
      if (!won) throw new Error(`n1 got the votes of n2 and n3 but is not leader at t=${sim.nowMs} ms.`);
      const term = serverOf(sim, 'n1').currentTerm;
      // n2 and n3 never acknowledge it, as if n1's links to them failed right after the election: it cannot commit.
      const box = putToN1(sim, 500);
      const deposedAtMs = sim.nowMs + 20;
      sim.at(deposedAtMs, () => puppets.send('n2', 'n1', append(term + 1, 'n2', 0, 0, [])));
      await sim.runUntilClientsDone({ timeoutMs: 1_000 });
      const answer = box.answer;
      if (answer?.reply === undefined || answer.atMs > deposedAtMs + 50) {
        throw new Error(
          `n1, leader of term ${term}, was serving c1's put when n2's AppendEntries of term ${term + 1} reached it (t=${deposedAtMs + 2} ms), ` +
            `and c1 got ${answer?.reply === undefined ? 'no answer' : `its answer only at t=${answer.atMs} ms`}: a leader that steps down ` +
            `answers the clients it was serving with not_leader at once, so they look for the new leader.`,
        );
      }
      const reply = answer.reply;
      if (reply.type !== 'KvReply' || reply.ok || reply.error !== 'not_leader') {
        throw new Error(
          `n1 stepped down while serving c1's put, and answered ${JSON.stringify(reply)}; expected a KvReply with ok: false, error: 'not_leader': ` +
            `the put never committed, so it must not be reported as done.`,
        );
      }
    });
  });

  test('a candidate answers not_leader: votes of an older term, or one vote delivered twice, do not make it leader', async () => {
    // Raft §5.2: a candidate wins with votes from a majority of the servers for the same term
    await withPuppets(createRaftNode, { size: 5, seed: 72, watch: watchEveryProperty }, async (sim, puppets) => {
      const standing = await sim.runUntil(
        () => {
          const n1 = sim.nodeInstance<RaftNode>('n1');
          return n1 !== undefined && n1.role === 'candidate' && n1.currentTerm >= 2;
        },
        { timeoutMs: 2_000 },
      );
      if (!standing)
        throw new Error(
          `n1 heard from no leader for 2 s, but did not stand for election twice (it is in term ${serverOf(sim, 'n1').currentTerm}).`,
        );
      const term = serverOf(sim, 'n1').currentTerm;
      for (const puppet of ['n2', 'n3']) puppets.send(puppet, 'n1', voteReply(term - 1, true));
      puppets.send('n4', 'n1', voteReply(term, true));
      puppets.send('n4', 'n1', voteReply(term, true)); // the network may deliver a reply twice
      await sim.run({ untilMs: sim.nowMs + 10 });
      const box = putToN1(sim, 200);
      await sim.runUntilClientsDone({ timeoutMs: 1_000 });
      const reply = box.answer?.reply;
      if (reply === undefined || reply.ok || reply.error !== 'not_leader') {
        throw new Error(
          `Candidate n1 of term ${term} had its own vote, n4's (delivered twice) and n2's and n3's of term ${term - 1}, and answered c1's put with ` +
            `${reply === undefined ? 'nothing' : JSON.stringify(reply)}: that is no majority of term ${term}, so n1 is not leader and answers not_leader at once.`,
        );
      }
    });
  });
});

describe('Exactly once', () => {
  test('an append whose reply is lost is retried with the same seq, and takes effect once', async () => {
    // Raft §8 (exactly once: client sessions)
    await simulate({ seed: 21, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      // The leader's replies to c1 are lost for 150 ms: the first attempt takes effect, its answer does not arrive.
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        sim.apply({ kind: 'cut', from: leader, to: 'c1' });
        sim.at(sim.nowMs + 150, () => sim.apply({ kind: 'heal' }));
        clerk.tryFirst(leader);
        expectOk('the append whose first reply was lost', await clerk.append('k', 'c1:1;'));
        expectOk("get('k')", await clerk.get('k'));
      });
      assertHistoryIsSound(sim);
    });
  });

  test('a retry that reaches a new leader takes effect once: client sessions are part of the replicated state', async () => {
    // Raft §8 (exactly once: client sessions)
    await simulate({ seed: 22, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      let appended = false;
      sim.client('c1', async (c) => {
        sim.apply({ kind: 'cut', from: leader, to: 'c1' });
        const clerk = new Clerk(c, sim.nodeIds, { rpcTimeoutMs: 300 });
        clerk.tryFirst(leader);
        expectOk('the append retried at a new leader', await clerk.append('k', 'c1:1;'));
        appended = true;
        expectOk("get('k')", await clerk.get('k'));
      });
      // Every server applies the append; then its leader crashes before c1 hears back.
      await awaitApplied(sim, sim.nodeIds, 1, 500, "after c1's append");
      sim.crash(leader);
      if (!(await sim.runUntilClientsDone({ timeoutMs: 3_000 }))) {
        throw new Error(
          `c1 did not finish within 3 s after ${leader} crashed (appended: ${appended}).\n  ${describeServers(sim)}`,
        );
      }
      assertHistoryIsSound(sim);
    });
  });
});

describe('Exactly once, when the network duplicates a request', () => {
  test('a request delivered twice before it commits takes effect once: duplicates are recognised when applied', async () => {
    // Raft §8 (exactly once: client sessions)
    await simulate({ seed: 23, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      let replies: Array<KvReply | undefined> = [];
      sim.client('c1', async (c) => {
        // The same request twice at once, as a network that duplicates messages would deliver it.
        const request: KvRequest = {
          type: 'KvRequest',
          clientId: 'c1',
          seq: 1,
          op: { f: 'append', key: 'k', value: 'c1:1;' },
        };
        const results = await Promise.all([
          c.rpc<KvReply>(leader, request, { timeoutMs: 300 }),
          c.rpc<KvReply>(leader, request, { timeoutMs: 300 }),
        ]);
        replies = results.map((result) => (result.ok ? result.reply : undefined));
      });
      await sim.runUntilClientsDone({ timeoutMs: 1_000 });
      await sim.run({ untilMs: sim.nowMs + 200 });
      assertNoWriteTookEffectTwice(sim);
      if (!replies.some((reply) => reply?.ok === true)) {
        throw new Error(
          `${leader}, a steady leader, answered neither copy of c1's append with ok: ${JSON.stringify(replies)}. Both copies name the same operation (clientId c1, seq 1): answer them with its one result.`,
        );
      }
    });
  });
});

describe('Linearizable reads and writes (§8)', () => {
  test('a deposed leader does not answer a read from its stale state', async () => {
    // Raft §8 (read-only operations)
    await simulate({ seed: 31, nodes: cluster(5, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      const old = await awaitLeader(sim, { withinMs: 1_000 });
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => expectOk("put('k', 'v1;')", await clerk.put('k', 'v1;')));
      // The old leader is cut off from the other servers (not from clients); the majority elects a new one.
      sim.apply({ kind: 'partition', groups: [[old], sim.nodeIds.filter((node) => node !== old)] });
      await awaitLeader(sim, { withinMs: 1_500, among: sim.nodeIds.filter((node) => node !== old) });
      await runClient(sim, 'c2', 3_000, async (_c, clerk) =>
        expectOk("put('k', 'v2;') in the majority", await clerk.put('k', 'v2;')),
      );
      // Strictly after c2's put returned, c3 asks the old leader first, which still believes it leads.
      await sim.run({ untilMs: sim.nowMs + 10 });
      await runClient(sim, 'c3', 5_000, async (_c, clerk) => {
        clerk.tryFirst(old);
        await clerk.get('k');
      });
      assertHistoryIsSound(sim);
    });
  });

  test('a write answered by a leader is never lost, even if that leader is cut off right after', async () => {
    // Raft §8, §5.4
    await simulate({ seed: 32, nodes: cluster(5, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      const old = await awaitLeader(sim, { withinMs: 1_000 });
      sim.apply({ kind: 'partition', groups: [[old], sim.nodeIds.filter((node) => node !== old)] });
      await runClient(sim, 'c1', 5_000, async (_c, clerk) => {
        clerk.tryFirst(old);
        await clerk.put('k', 'c1:1;');
      });
      await sim.run({ untilMs: sim.nowMs + 10 });
      await runClient(sim, 'c2', 5_000, async (_c, clerk) =>
        expectOk("get('k') in the majority", await clerk.get('k')),
      );
      sim.apply({ kind: 'heal' });
      await runClient(sim, 'c3', 5_000, async (_c, clerk) => expectOk("get('k') after healing", await clerk.get('k')));
      assertHistoryIsSound(sim);
    });
  });
});

describe('Efficiency', () => {
  test('an operation costs a handful of messages, and clients find the leader without wandering', async () => {
    // Raft §8
    await simulate({ seed: 41, nodes: cluster(5, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      await awaitLeader(sim, { withinMs: 1_000 });
      await sim.run({ untilMs: sim.nowMs + 200 });
      const before = sim.stats();
      const startMs = sim.nowMs;
      const clerk = await runClient(sim, 'c1', 5_000, async (_c, k) => {
        for (let i = 0; i < 30; i++) expectOk(`operation #${i + 1}`, await (i % 3 === 0 ? k.get('k') : k.append('k')));
      });
      const traffic = trafficBetween(before, sim.stats());
      const seconds = (sim.nowMs - startMs) / 1_000;
      const heartbeatMessages = seconds * 20 * 4 * 2;
      const perOp = (traffic.messages - heartbeatMessages) / 30;
      reportFigure(
        `kv on 5 servers: ${perOp.toFixed(1)} messages per operation beyond heartbeats, ${(30 / seconds).toFixed(0)} operations/s for one client, ${clerk.stats.attempts} attempts for 30 operations`,
      );
      if (clerk.stats.attempts > 32) {
        throw new Error(
          `one client needed ${clerk.stats.attempts} attempts for 30 operations on a steady cluster (${JSON.stringify(clerk.stats)}): a follower should answer with a leaderHint, so that the client finds the leader at once.`,
        );
      }
      if (perOp > 24) {
        throw new Error(
          `one operation on 5 servers cost ${perOp.toFixed(1)} messages beyond heartbeats (${JSON.stringify(traffic.byType)}): a request, its reply, and about two rounds of AppendEntries should do.`,
        );
      }
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Sweeps', () => {
  const seeds = sweepSeedCount(200);
  const timeout = 600_000;

  test(
    `three clients that repeat themselves, under crashes, partitions, drops, duplicates, delays and late replies: exactly once, linearizable, and every client served within ${CLIENTS_RECOVERY_MS} ms of the heal (${seeds} swarm worlds of 3 to 7 servers)`,
    { timeout },
    async () => {
      await sweepKvUnderFaults(createRaftNode, { seeds, ops: 30, maxPauseMs: 40, watch: watchEveryProperty });
    },
  );
});
