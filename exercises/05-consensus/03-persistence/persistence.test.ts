/**
 * Tests for exercise 5.3: persistence (Raft Figure 2, "persistent state on all servers"). See README.md
 * for what each group checks.
 *
 * Every run is watched after EVERY event for all of Raft's safety properties, and for durability: when
 * a server restarts, whatever it revealed in a message before its crash (a term, a vote, an
 * acknowledged entry, an entry it counted when committing) must have survived.
 */
import { describe, test } from 'vitest';
import type { NodeId } from '#harness';
import { cluster, deriveSeed, forEachSeed, Rng, simulate, type Simulation, sweepSeedCount } from '#harness/testing';
import { awaitLeader } from '../_test-support/liveness.ts';
import { describeLog, leaders, stableLeader, type Puppets } from '../_test-support/raft-view.ts';
import { append, entry, lastReply, nodeOf, watchEveryProperty, withPuppets } from '../_test-support/scripted-runs.ts';
import { sweepRaftUnderFaults } from '../_test-support/raft-sweeps.ts';
import { COMMITTED_RECOVERY_MS } from '../_test-support/recovery.ts';
import {
  APPLY_WITHIN_MS,
  appliedCommands,
  awaitApplied,
  awaitConvergence,
  describeServers,
  proposeOn,
} from '../_test-support/workload.ts';
import { createRaftNode, type RaftNode } from './raft.ts';
import type { AppendEntriesReply, RequestVote, RequestVoteReply } from '../_given/raft-protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const raftOf = nodeOf<RaftNode>;

/** Crashes `node` at `atMs` and restarts it `downMs` later. */
function crashAt(sim: Simulation, node: NodeId, atMs: number, downMs: number): void {
  sim.at(atMs, () => sim.crash(node));
  sim.at(atMs + downMs, () => sim.restart(node));
}

/** Runs until n1 is a candidate in term `term` or later, and returns its term; fails with a sentence if it never is. */
async function awaitCandidacy(sim: Simulation, term: number, context: string): Promise<number> {
  const standing = await sim.runUntil(
    () => {
      const n1 = sim.nodeInstance<RaftNode>('n1');
      return n1 !== undefined && n1.role === 'candidate' && n1.currentTerm >= term;
    },
    { timeoutMs: 2_000 },
  );
  const n1 = raftOf(sim, 'n1');
  if (!standing)
    throw new Error(
      `${context}, n1 is a ${n1.role} in term ${n1.currentTerm} at t=${sim.nowMs} ms: a server that hears from no leader stands for election in term ${term} or later.`,
    );
  return n1.currentTerm;
}

function voteReply(term: number, voteGranted: boolean): RequestVoteReply {
  return { type: 'RequestVoteReply', term, voteGranted };
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('a follower crashes and restarts: it comes back with its term, its vote and its log, and catches up', async () => {
    // Raft Figure 2 (persistent state)
    await simulate({ seed: 1, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      const lastOf = (commands: string[]) => commands.map((command) => proposeOn(sim, leader, command)).at(-1)!.index;
      await awaitApplied(sim, sim.nodeIds, lastOf(['a', 'b', 'c']), 500, 'after proposing a, b, c');
      const follower = sim.nodeIds.find((node) => node !== leader)!;
      const before = {
        term: raftOf(sim, follower).currentTerm,
        votedFor: raftOf(sim, follower).votedFor,
        log: describeLog(raftOf(sim, follower)),
      };
      sim.crash(follower);
      const lastIndex = lastOf(['d', 'e']);
      await sim.run({ untilMs: sim.nowMs + 300 });
      sim.restart(follower);
      const after = raftOf(sim, follower);
      if (
        after.currentTerm !== before.term ||
        after.votedFor !== before.votedFor ||
        describeLog(after) !== before.log
      ) {
        throw new Error(
          `${follower} crashed with currentTerm ${before.term}, votedFor ${JSON.stringify(before.votedFor)}, log ${before.log}, and restarted ` +
            `with currentTerm ${after.currentTerm}, votedFor ${JSON.stringify(after.votedFor)}, log ${describeLog(after)}: restore them from ctx.storage in onStart.`,
        );
      }
      await awaitApplied(sim, sim.nodeIds, lastIndex, 500, `after ${follower} restarted`);
      const applied = appliedCommands(sim, follower).join(',');
      if (applied !== 'a,b,c,d,e')
        throw new Error(`After its restart ${follower} applied ${applied}; expected a,b,c,d,e, each once.`);
    });
  });

  test('every server crashes at once and restarts: nothing committed is lost', async () => {
    // Raft Figure 2 (persistent state), §5.4
    await simulate({ seed: 2, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchEveryProperty(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      const c = ['a', 'b', 'c'].map((command) => proposeOn(sim, leader, command)).at(-1)!;
      await awaitApplied(sim, [leader], c.index, 500, 'after proposing a, b, c');
      for (const node of sim.nodeIds) sim.crash(node);
      await sim.run({ untilMs: sim.nowMs + 100 });
      for (const node of sim.nodeIds) sim.restart(node);
      const next = await awaitLeader(sim, { withinMs: 1_500, context: ' after every server restarted' });
      const d = proposeOn(sim, next, 'd');
      await awaitApplied(sim, sim.nodeIds, d.index, 500, `after every server restarted and ${next} took d`);
      for (const node of sim.nodeIds) {
        const applied = appliedCommands(sim, node).join(',');
        if (applied !== 'a,b,c,d')
          throw new Error(
            `${node} applied ${applied} after the restart of the whole cluster; expected a,b,c,d: committed entries survive any crash.`,
          );
      }
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('What must be durable before a server answers (Figure 2)', () => {
  test('a vote survives a crash: after restarting, a server does not vote for another candidate in the same term', async () => {
    // Raft Figure 2 (votedFor), §5.2
    await withPuppets(createRaftNode, { size: 3, seed: 11, watch: watchEveryProperty }, async (sim, puppets) => {
      const ask = (from: NodeId): RequestVote => ({
        type: 'RequestVote',
        term: 2,
        candidateId: from,
        lastLogIndex: 0,
        lastLogTerm: 0,
      });
      sim.at(5, () => puppets.send('n2', 'n1', ask('n2')));
      crashAt(sim, 'n1', 10, 10);
      sim.at(30, () => puppets.send('n3', 'n1', ask('n3')));
      await sim.run({ untilMs: 50 });
      const toN2 = lastReply<RequestVoteReply>(puppets, 'RequestVoteReply', 'n2', "n2's RequestVote");
      const toN3 = lastReply<RequestVoteReply>(puppets, 'RequestVoteReply', 'n3', "n3's RequestVote after the restart");
      if (toN2.voteGranted && toN3.voteGranted) {
        throw new Error(
          'n1 voted twice in term 2: for n2 at t=5 ms, then, after a crash and restart at t=10–20 ms, for n3 at t=30 ms. votedFor must be persisted before the vote is sent.',
        );
      }
    });
  });

  test('currentTerm survives a crash: after restarting, a server refuses a leader of an older term', async () => {
    // Raft Figure 2 (currentTerm), §5.1
    await withPuppets(createRaftNode, { size: 3, seed: 12, watch: watchEveryProperty }, async (sim, puppets) => {
      sim.at(5, () =>
        puppets.send('n2', 'n1', {
          type: 'RequestVote',
          term: 5,
          candidateId: 'n2',
          lastLogIndex: 0,
          lastLogTerm: 0,
        } satisfies RequestVote),
      );
      crashAt(sim, 'n1', 10, 10);
      sim.at(30, () => puppets.send('n3', 'n1', append(3, 'n3', 0, 0, [entry(1, 3, 'old-leader')])));
      await sim.run({ untilMs: 50 });
      const reply = lastReply<AppendEntriesReply>(puppets, 'AppendEntriesReply', 'n3', 'the AppendEntries of term 3');
      if (reply.success || raftOf(sim, 'n1').currentTerm !== 5) {
        throw new Error(
          `n1 answered in term 5 before its crash, then restarted with currentTerm ${raftOf(sim, 'n1').currentTerm} and ${reply.success ? 'accepted' : 'refused'} entries from a leader of term 3: currentTerm must be persisted before any message that carries it.`,
        );
      }
    });
  });

  test('acknowledged entries survive a crash', async () => {
    // Raft Figure 2 (log[])
    await withPuppets(createRaftNode, { size: 3, seed: 13, watch: watchEveryProperty }, async (sim, puppets) => {
      sim.at(5, () =>
        puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')])),
      );
      crashAt(sim, 'n1', 10, 10);
      await sim.run({ untilMs: 30 });
      const log = describeLog(raftOf(sim, 'n1'));
      if (log !== '[1:t1 "a", 2:t1 "b", 3:t1 "c"]') {
        throw new Error(
          `n1 acknowledged entries 1–3 at t=7 ms, crashed at t=10 ms and restarted with the log ${log}: the log must be persisted before entries are acknowledged, since the leader counts them.`,
        );
      }
    });
  });

  test('after a restart, every committed entry is in the state machine exactly once', async () => {
    // Raft Figure 2 (lastApplied), §5.4.3
    await withPuppets(createRaftNode, { size: 3, seed: 14, watch: watchEveryProperty }, async (sim, puppets) => {
      sim.at(5, () =>
        puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')], 3)),
      );
      crashAt(sim, 'n1', 10, 10);
      sim.at(30, () => puppets.send('n2', 'n1', append(1, 'n2', 3, 1, [], 3)));
      sim.at(40, () => puppets.send('n2', 'n1', append(1, 'n2', 3, 1, [entry(4, 1, 'd')], 4)));
      // It arrives at t=42 ms; n1 then has APPLY_WITHIN_MS to apply entry 4.
      await sim.run({ untilMs: 42 + APPLY_WITHIN_MS });
      const applied = appliedCommands(sim, 'n1').join(',');
      if (applied !== 'a,b,c,d') {
        throw new Error(
          `n1 applied a,b,c, crashed and restarted; after the leader said entries up to 4 are committed its state machine holds [${applied}], expected [a,b,c,d]: rebuild the state machine by applying the committed entries again, or restore it together with lastApplied, but never apply an entry on top of a state that already holds it.`,
        );
      }
    });
  });
});

describe('Elections after a restart (§5.2, §5.4.1)', () => {
  test('a restarted candidate counts only votes for its current term, each voter once, and steps down for a higher term', async () => {
    // Raft §5.2 (votes of one term), §5.1 (a higher term in any message), Figure 2 (currentTerm survives)
    await withPuppets(createRaftNode, { size: 5, seed: 41, watch: watchEveryProperty }, async (sim, puppets) => {
      const before = await awaitCandidacy(sim, 1, 'Before any crash');
      crashAt(sim, 'n1', sim.nowMs + 1, 10);
      await sim.run({ untilMs: sim.nowMs + 20 });
      const term = await awaitCandidacy(
        sim,
        before + 1,
        `After its restart (it stood in term ${before} before the crash)`,
      );
      for (const puppet of ['n2', 'n3']) puppets.send(puppet, 'n1', voteReply(before, true));
      await sim.run({ untilMs: sim.nowMs + 10 });
      if (raftOf(sim, 'n1').role === 'leader')
        throw new Error(
          `n1 became leader of term ${term} with its own vote and n2's and n3's votes of term ${before}, granted before its crash: ` +
            `a vote counts only for the term it was granted in.`,
        );
      puppets.send('n4', 'n1', voteReply(term, true));
      puppets.send('n4', 'n1', voteReply(term, true)); // the network may deliver a reply twice
      await sim.run({ untilMs: sim.nowMs + 10 });
      if (raftOf(sim, 'n1').role === 'leader')
        throw new Error(
          `n1 became leader of term ${term} with votes from n1 and n4 only, n4's reply counted twice: 2 of 5 is not a majority.`,
        );
      puppets.send('n5', 'n1', voteReply(term + 4, false));
      await sim.run({ untilMs: sim.nowMs + 10 });
      const n1 = raftOf(sim, 'n1');
      if (n1.role !== 'follower' || n1.currentTerm !== term + 4)
        throw new Error(
          `Candidate n1 (term ${term}) got a RequestVoteReply of term ${term + 4}; it is a ${n1.role} in term ${n1.currentTerm}: ` +
            `a higher term in any message, a reply too, makes a server a follower in that term (§5.1).`,
        );
    });
  });

  test('after a restart, a server refuses a candidate of an older term, though it has voted for no one in its own term', async () => {
    // Raft §5.1 ("Reply false if term < currentTerm"), Figure 2 (currentTerm survives)
    await withPuppets(createRaftNode, { size: 3, seed: 45, watch: watchEveryProperty }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', append(5, 'n2', 0, 0, []))); // n1 learns of term 5 and votes for no one
      crashAt(sim, 'n1', 10, 10);
      const request: RequestVote = { type: 'RequestVote', term: 4, candidateId: 'n3', lastLogIndex: 0, lastLogTerm: 0 };
      sim.at(30, () => puppets.send('n3', 'n1', request));
      await sim.run({ untilMs: 45 });
      const reply = lastReply<RequestVoteReply>(puppets, 'RequestVoteReply', 'n3', "n3's RequestVote of term 4");
      if (reply.voteGranted || reply.term !== 5)
        throw new Error(
          `n1 was in term 5 before its crash and answered n3's RequestVote of term 4 after the restart with voteGranted: ${reply.voteGranted}, term: ${reply.term}; ` +
            `expected voteGranted: false, term: 5: a request of an older term is refused, whether or not n1 has voted in its own term.`,
        );
    });
  });

  test('after a restart, a server grants its vote again to the candidate it voted for, when the request comes again', async () => {
    // Raft §5.2, Figure 2 (RequestVote receiver: "votedFor is null or candidateId"), votedFor survives
    await withPuppets(createRaftNode, { size: 3, seed: 46, watch: watchEveryProperty }, async (sim, puppets) => {
      const request: RequestVote = { type: 'RequestVote', term: 2, candidateId: 'n2', lastLogIndex: 0, lastLogTerm: 0 };
      sim.at(5, () => puppets.send('n2', 'n1', request));
      crashAt(sim, 'n1', 10, 10);
      sim.at(30, () => puppets.send('n2', 'n1', request)); // the network may deliver a request twice
      await sim.run({ untilMs: 45 });
      const reply = lastReply<RequestVoteReply>(puppets, 'RequestVoteReply', 'n2', "n2's repeated RequestVote");
      if (!reply.voteGranted)
        throw new Error(
          `n1 voted for n2 in term 2, crashed, restarted, and refused n2's repeated RequestVote for term 2: votedFor is n2, ` +
            `so the answer to the same request stays the same.`,
        );
    });
  });

  test('a restarted server that wins again, and then learns of a higher term from an AppendEntriesReply, steps down and stands again', async () => {
    // Raft §5.1 (a higher term in a reply), Figure 2 (Followers: time out and stand), currentTerm survives
    await withPuppets(createRaftNode, { size: 3, seed: 47, watch: watchEveryProperty }, async (sim, puppets) => {
      puppets.on('RequestVote', (puppet, from, message) => {
        puppets.send(puppet, from, voteReply(message['term'] as number, true));
      });
      const isLeader = () => sim.nodeInstance<RaftNode>('n1')?.role === 'leader';
      if (!(await sim.runUntil(isLeader, { timeoutMs: 1_000 })))
        throw new Error(`n1 got the votes of n2 and n3 but is not leader at t=${sim.nowMs} ms.`);
      crashAt(sim, 'n1', sim.nowMs + 1, 10);
      await sim.run({ untilMs: sim.nowMs + 20 });
      if (!(await sim.runUntil(isLeader, { timeoutMs: 1_000 })))
        throw new Error(
          `After its restart n1 got the votes of n2 and n3 again but is not leader at t=${sim.nowMs} ms.`,
        );
      const term = raftOf(sim, 'n1').currentTerm;
      const reply: AppendEntriesReply = { type: 'AppendEntriesReply', term: term + 1, success: false, matchIndex: 0 };
      puppets.send('n2', 'n1', reply);
      await sim.run({ untilMs: sim.nowMs + 10 });
      const n1 = raftOf(sim, 'n1');
      if (n1.role !== 'follower' || n1.currentTerm !== term + 1)
        throw new Error(
          `Leader n1 (term ${term}) got an AppendEntriesReply of term ${term + 1}; it is a ${n1.role} in term ${n1.currentTerm}: ` +
            `a leader that sees a higher term in a reply steps down to follower in that term (§5.1).`,
        );
      const steppedDownAt = sim.nowMs;
      await sim.run({ untilMs: steppedDownAt + 350 });
      const stood = puppets.messages<RequestVote>('RequestVote', 'n1').some((d) => d.message.term > term + 1);
      if (!stood)
        throw new Error(
          `n1 stepped down at t=${steppedDownAt} ms and then heard from no leader, yet it stood for no election by t=${sim.nowMs} ms: ` +
            `a leader that becomes a follower needs its election timer running again.`,
        );
    });
  });

  const cases = [
    { lastLogIndex: 5, lastLogTerm: 1, grant: false, why: 'its last entry has an older term' },
    { lastLogIndex: 1, lastLogTerm: 2, grant: false, why: 'its last entry has the same term but a lower index' },
    { lastLogIndex: 2, lastLogTerm: 2, grant: true, why: 'its log ends at the same entry' },
    { lastLogIndex: 1, lastLogTerm: 3, grant: true, why: 'its last entry has a newer term, even with a shorter log' },
  ];
  for (const [position, c] of cases.entries()) {
    test(`after a restart, n1 (log ends 2:t2) ${c.grant ? 'grants' : 'refuses'} a candidate whose log ends ${c.lastLogIndex}:t${c.lastLogTerm}: ${c.why}`, async () => {
      // Raft §5.4.1 (the election restriction), on the log that survived the crash
      await withPuppets(
        createRaftNode,
        { size: 3, seed: 51 + position, watch: watchEveryProperty },
        async (sim, puppets) => {
          sim.at(5, () => puppets.send('n2', 'n1', append(2, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 2, 'b')])));
          crashAt(sim, 'n1', 10, 10);
          const request: RequestVote = {
            type: 'RequestVote',
            term: 3,
            candidateId: 'n3',
            lastLogIndex: c.lastLogIndex,
            lastLogTerm: c.lastLogTerm,
          };
          sim.at(30, () => puppets.send('n3', 'n1', request));
          await sim.run({ untilMs: 45 });
          const reply = lastReply<RequestVoteReply>(
            puppets,
            'RequestVoteReply',
            'n3',
            "n3's RequestVote after the restart",
          );
          if (reply.voteGranted !== c.grant) {
            throw new Error(
              `n1 (log ${describeLog(raftOf(sim, 'n1'))}, restarted at t=20 ms) ${reply.voteGranted ? 'granted' : 'refused'} its vote in term 3 to n3, whose log ends at ` +
                `${c.lastLogIndex}:t${c.lastLogTerm}: ${c.why}, so n1 should ${c.grant ? 'grant' : 'refuse'} it (the election restriction, §5.4.1: compare the last entries' terms, then the indexes).`,
            );
          }
        },
      );
    });
  }
});

describe('Durable before the reply, wherever in the handler a crash strikes (Figure 2)', () => {
  /** More effects than one vote or one append takes: past the last one, the crash strikes at the step's end. */
  const MOST_EFFECTS = 12;

  const requests = [
    {
      what: "n2's RequestVote for term 2",
      message: {
        type: 'RequestVote',
        term: 2,
        candidateId: 'n2',
        lastLogIndex: 0,
        lastLogTerm: 0,
      } satisfies RequestVote,
      /** What n1 promised n2 before it died that the restarted n1 has forgotten, or null. */
      forgotten(sim: Simulation, puppets: Puppets): string | null {
        const granted = puppets
          .messages<RequestVoteReply>('RequestVoteReply', 'n1')
          .some((d) => d.to === 'n2' && d.message.voteGranted);
        const n1 = raftOf(sim, 'n1');
        if (!granted || (n1.currentTerm === 2 && n1.votedFor === 'n2')) return null;
        return `granted its vote in term 2 to n2, and restarted in term ${n1.currentTerm} with votedFor ${JSON.stringify(n1.votedFor ?? null)}: votedFor must be persisted before the vote is sent`;
      },
    },
    {
      what: "n2's AppendEntries with entries 1–3",
      message: append(1, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')]),
      forgotten(sim: Simulation, puppets: Puppets): string | null {
        const acknowledged = puppets
          .messages<AppendEntriesReply>('AppendEntriesReply', 'n1')
          .some((d) => d.to === 'n2' && d.message.success);
        const log = describeLog(raftOf(sim, 'n1'));
        if (!acknowledged || log === '[1:t1 "a", 2:t1 "b", 3:t1 "c"]') return null;
        return `acknowledged entries 1–3, and restarted with the log ${log}: the log must be persisted before entries are acknowledged`;
      },
    },
  ];

  test('n1 crashes after each effect of handling a request in turn: whatever it answered, it still holds after the restart', async () => {
    // Raft Figure 2: persistent state is "updated on stable storage before responding to RPCs". The
    // order inside one handler matters: a crash can strike between the reply and the save.
    for (const request of requests) {
      for (let effects = 0; effects <= MOST_EFFECTS; effects++) {
        await withPuppets(createRaftNode, { size: 3, seed: 15, watch: watchEveryProperty }, async (sim, puppets) => {
          sim.at(5, () => puppets.send('n2', 'n1', request.message));
          sim.at(6, () => sim.apply({ kind: 'crash', node: 'n1', afterEffects: effects }));
          sim.at(20, () => {
            if (!sim.isUp('n1')) sim.restart('n1');
          });
          await sim.run({ untilMs: 30 });
          const forgotten = request.forgotten(sim, puppets);
          if (forgotten !== null) {
            throw new Error(
              `n1 crashed ${effects} effect(s) into handling ${request.what} (t=7 ms); before it died it ${forgotten}.`,
            );
          }
        });
      }
    }
  });

  test('n1 deletes acknowledged entries that conflict with a leader of a later term, saves, and crashes before it answers: that is no broken promise', async () => {
    // Raft §5.3, Figure 2 (AppendEntries receiver, rule 3). Five servers: n2 led term 1 and sent a, b, c
    // to n1 only, so they were never committed (3 of 5 needed). n3 won term 2 with the votes of n4 and
    // n5, whose logs are empty, and took x at index 1. Its AppendEntries conflicts with n1's entry 1:
    // n1 must delete entries 1-3, although it acknowledged them to n2. A crash after each effect of
    // that step in turn strikes, at some point, between the save and the reply.
    for (let effects = 0; effects <= MOST_EFFECTS; effects++) {
      await withPuppets(createRaftNode, { size: 5, seed: 17, watch: watchEveryProperty }, async (sim, puppets) => {
        sim.at(5, () =>
          puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')])),
        );
        sim.at(15, () => puppets.send('n3', 'n1', append(2, 'n3', 0, 0, [entry(1, 2, 'x')])));
        sim.at(16, () => sim.apply({ kind: 'crash', node: 'n1', afterEffects: effects }));
        sim.at(30, () => {
          if (!sim.isUp('n1')) sim.restart('n1');
        });
        // The leader of term 2 tries again after the restart; n1 must end up with its log.
        sim.at(40, () => puppets.send('n3', 'n1', append(2, 'n3', 0, 0, [entry(1, 2, 'x')])));
        await sim.run({ untilMs: 50 });
        const log = describeLog(raftOf(sim, 'n1'));
        if (log !== '[1:t2 "x"]') {
          throw new Error(
            `n1 crashed ${effects} effect(s) into handling the AppendEntries of term 2 with [1 x] (t=17 ms), restarted at t=30 ms and ` +
              `received it again at t=42 ms; its log is ${log}, expected [1:t2 "x"]: entry 1 of term 1 conflicts with the leader's, ` +
              `so it and everything after it go (Figure 2, AppendEntries rule 3).`,
          );
        }
      });
    }
  });

  test('a higher term that n1 only learns, from a request it refuses, survives a crash too', async () => {
    // Raft Figure 2 (currentTerm), §5.1: a server that sees a higher term adopts it, and every reply
    // carries it, even a refusal. After a restart it must not be back in an older term.
    await withPuppets(createRaftNode, { size: 3, seed: 16, watch: watchEveryProperty }, async (sim, puppets) => {
      // n1's log is empty, so it refuses entries after index 3; it still learns term 5.
      sim.at(5, () => puppets.send('n2', 'n1', append(5, 'n2', 3, 5, [])));
      crashAt(sim, 'n1', 10, 10);
      sim.at(30, () => puppets.send('n3', 'n1', append(3, 'n3', 0, 0, [entry(1, 3, 'old-leader')])));
      await sim.run({ untilMs: 50 });
      const refusal = lastReply<AppendEntriesReply>(puppets, 'AppendEntriesReply', 'n2', 'the AppendEntries of term 5');
      const reply = lastReply<AppendEntriesReply>(puppets, 'AppendEntriesReply', 'n3', 'the AppendEntries of term 3');
      const term = raftOf(sim, 'n1').currentTerm;
      if (refusal.term !== 5 || reply.success || term !== 5) {
        throw new Error(
          `n1 refused the AppendEntries of term 5 with a reply in term ${refusal.term}, crashed at t=10 ms, restarted with currentTerm ${term} and ${reply.success ? 'accepted' : 'refused'} entries from a leader of term 3: currentTerm must be persisted before any message that carries it, even when n1 only learned the term.`,
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
    `crashes and restarts at any moment, with partitions, drops, duplicates, delays and late replies: every committed entry on every server within ${COMMITTED_RECOVERY_MS} ms of the heal (${seeds} swarm worlds of 3 to 7 servers)`,
    { timeout },
    async () => {
      // Raft Figure 2 (persistent state), Figure 3
      await sweepRaftUnderFaults(createRaftNode, {
        seeds,
        healAtMs: 3_000,
        watch: watchEveryProperty,
        commands: { convergeWithinMs: 2_500 },
      });
    },
  );

  test(
    `crash the leader at every point of its work (one run every 3 ms of its life), then a follower: ${seeds} runs on 3 servers`,
    { timeout },
    async () => {
      // Raft Figure 2 (persistent state), §5.4
      await forEachSeed({ count: seeds }, async (seed) => {
        await simulate({ seed, nodes: cluster(3, createRaftNode) }, async (sim) => {
          watchEveryProperty(sim);
          const rng = new Rng(deriveSeed(seed, 'crash points'));
          let next = 0;
          for (let t = 10; t < 1_500; t += 15)
            sim.at(t, () => leaders(sim).forEach(({ node }) => raftOf(sim, node).propose(`c${next++}`)));
          // Run k crashes the leader at t = 250 + 3k ms: one run for each point of the leader's work.
          const crashMs = 250 + 3 * (seed % 250);
          sim.at(crashMs, () => {
            const victim = stableLeader(sim) ?? 'n1';
            sim.crash(victim);
            sim.at(sim.nowMs + rng.int(0, 40), () => sim.restart(victim));
            const follower = sim.nodeIds.filter((node) => node !== victim)[rng.int(0, 1)]!;
            const followerCrashMs = sim.nowMs + rng.int(41, 300);
            sim.at(followerCrashMs, () => sim.crash(follower));
            sim.at(followerCrashMs + rng.int(0, 60), () => sim.restart(follower));
          });
          await sim.run({ untilMs: 1_500 });
          try {
            await awaitConvergence(sim, 2_000);
          } catch (error) {
            throw new Error(`${(error as Error).message}\n(the leader crashed at t=${crashMs} ms)`, { cause: error });
          }
          const reference = appliedCommands(sim, sim.nodeIds[0]!).join(',');
          for (const node of sim.nodeIds) {
            if (appliedCommands(sim, node).join(',') !== reference)
              throw new Error(`After converging, the servers applied different commands:\n  ${describeServers(sim)}`);
          }
        });
      });
    },
  );
});
