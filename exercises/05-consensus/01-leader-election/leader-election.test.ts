/**
 * Tests for exercise 5.1: leader election (Raft §5.1, §5.2). See README.md for what each group checks.
 *
 * Election Safety (at most one leader per term) and "one vote per term" are watched after EVERY event
 * of EVERY run, so a violation stops the run at the event that caused it.
 */
import { describe, test } from 'vitest';
import type { NodeId } from '#harness';
import { cluster, forEachSeed, simulate, type Simulation, sweepSeedCount, withArticle } from '#harness/testing';
import { watchRaft } from '../_test-support/invariants.ts';
import { awaitLeader, describeTermChanges, reportFigure, trafficBetween } from '../_test-support/liveness.ts';
import { type Puppets, stableLeader, viewOf } from '../_test-support/raft-view.ts';
import { sweepRaftUnderFaults } from '../_test-support/raft-sweeps.ts';
import { LEADER_RECOVERY_MS } from '../_test-support/recovery.ts';
import { answerAsFollowers } from '../_test-support/follower-puppets.ts';
import { withPuppets } from '../_test-support/scripted-runs.ts';
import { createRaftNode, type RaftNode } from './raft.ts';
import {
  ELECTION_TIMEOUT_MS,
  type AppendEntries,
  type AppendEntriesReply,
  type RequestVote,
  type RequestVoteReply,
} from '../_given/raft-protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** Election Safety and one vote per term: all that exercise 1 can be held to. */
function watchElection(sim: Simulation): void {
  watchRaft(sim, { properties: ['election-safety', 'terms-and-votes'] });
}

function requestVote(term: number, candidateId: NodeId): RequestVote {
  return { type: 'RequestVote', term, candidateId, lastLogIndex: 0, lastLogTerm: 0 };
}

function heartbeat(term: number, leaderId: NodeId): AppendEntries {
  return { type: 'AppendEntries', term, leaderId, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 };
}

function voteReply(term: number, voteGranted: boolean): RequestVoteReply {
  return { type: 'RequestVoteReply', term, voteGranted };
}

/** Runs until n1 is a candidate in term `term` or later; fails with a sentence if it never gets there. */
async function awaitCandidacy(sim: Simulation, term: number): Promise<number> {
  const standing = await sim.runUntil(
    () => viewOf(sim, 'n1')?.role === 'candidate' && viewOf(sim, 'n1')!.currentTerm >= term,
    { timeoutMs: 2_000 },
  );
  if (!standing)
    throw new Error(
      `n1 is a ${node1(sim).role} in term ${node1(sim).currentTerm} at t=${sim.nowMs} ms: a server that hears from no leader ` +
        `stands for election, and stands again in the next term when an election goes nowhere (§5.2).`,
    );
  return node1(sim).currentTerm;
}

/** The one reply of `type` that `to` received from n1 after `afterMs`; fails with a sentence if there is none. */
function replyFromN1<M extends RequestVoteReply | AppendEntriesReply>(
  puppets: Puppets,
  type: M['type'],
  to: NodeId,
  afterMs: number,
  asked: string,
): M {
  const replies = puppets.messages<M>(type, 'n1').filter((d) => d.to === to && d.t >= afterMs);
  if (replies.length === 0)
    throw new Error(`n1 never answered ${asked}: every request gets ${withArticle(type)}, granted or not.`);
  return replies[0]!.message;
}

function node1(sim: Simulation): RaftNode {
  const view = sim.nodeInstance<RaftNode>('n1');
  if (view === undefined) throw new Error('n1 is down');
  return view;
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('three servers elect one leader, and the other two follow it', async () => {
    // Raft §5.2
    await simulate({ seed: 1, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchRaft(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      await sim.run({ untilMs: sim.nowMs + 200 });
      const term = viewOf(sim, leader)!.currentTerm;
      for (const node of sim.nodeIds.filter((id) => id !== leader)) {
        const view = viewOf(sim, node)!;
        if (view.role !== 'follower' || view.currentTerm !== term || view.leaderId !== leader) {
          throw new Error(
            `200 ms after ${leader} won term ${term}, ${node} is a ${view.role} in term ${view.currentTerm} with leaderId ` +
              `${JSON.stringify(view.leaderId ?? null)}: a follower that receives AppendEntries from the leader of its term records it in leaderId.`,
          );
        }
      }
    });
  });

  test('the leader crashes, and the two others elect a new leader in a higher term', async () => {
    // Raft §5.2
    await simulate({ seed: 2, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchRaft(sim);
      const first = await awaitLeader(sim, { withinMs: 1_000 });
      const firstTerm = viewOf(sim, first)!.currentTerm;
      await sim.run({ untilMs: sim.nowMs + 500 });
      sim.crash(first);
      const survivors = sim.nodeIds.filter((id) => id !== first);
      const second = await awaitLeader(sim, { withinMs: 1_000, among: survivors, context: ` after ${first} crashed` });
      const secondTerm = viewOf(sim, second)!.currentTerm;
      if (secondTerm <= firstTerm)
        throw new Error(
          `${second} leads term ${secondTerm}, not higher than ${first}'s term ${firstTerm}: a new election needs a new term.`,
        );
    });
  });

  test('a leader cut off from the others is replaced, and steps down when the partition heals', async () => {
    // Raft §5.1: a server that sees a higher term in any message updates its term and becomes a follower.
    await simulate({ seed: 3, nodes: cluster(5, createRaftNode) }, async (sim) => {
      watchRaft(sim);
      const old = await awaitLeader(sim, { withinMs: 1_000 });
      sim.apply({ kind: 'isolate', node: old });
      const rest = sim.nodeIds.filter((id) => id !== old);
      const replacement = await awaitLeader(sim, {
        withinMs: 1_000,
        among: rest,
        context: ` after ${old} was cut off`,
      });
      await sim.run({ untilMs: sim.nowMs + 300 });
      sim.apply({ kind: 'heal' });
      const healedAt = sim.nowMs;
      const steppedDown = await sim.runUntil(() => viewOf(sim, old)?.role !== 'leader', { timeoutMs: 300 });
      if (!steppedDown) {
        const view = viewOf(sim, old)!;
        throw new Error(
          `${old} still acts as leader of term ${view.currentTerm} at t=${sim.nowMs} ms, 300 ms after the partition healed (t=${healedAt} ms), ` +
            `while ${replacement} leads term ${viewOf(sim, replacement)?.currentTerm}: a leader that sees a higher term steps down (§5.1).`,
        );
      }
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Terms (§5.1)', () => {
  test('a server that sees a higher term adopts it, and a candidate or leader becomes a follower', async () => {
    // Raft §5.1
    await withPuppets(createRaftNode, { size: 3, seed: 11, watch: watchElection }, async (sim, puppets) => {
      // Raft §5.1: n1 first becomes a candidate on its own (nobody answers it), then hears of term 7.
      await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'candidate', { timeoutMs: 1_000 });
      const candidateTerm = node1(sim).currentTerm;
      if (node1(sim).role !== 'candidate')
        throw new Error('n1 never became a candidate although it heard from no leader for 1 s.');
      puppets.send('n2', 'n1', heartbeat(candidateTerm + 5, 'n2'));
      await sim.run({ untilMs: sim.nowMs + 10 });
      const n1 = node1(sim);
      if (n1.currentTerm !== candidateTerm + 5 || n1.role !== 'follower') {
        throw new Error(
          `n1 was a candidate in term ${candidateTerm} and received AppendEntries of term ${candidateTerm + 5} from n2; it is now a ` +
            `${n1.role} in term ${n1.currentTerm}: it should be a follower in term ${candidateTerm + 5} (§5.1).`,
        );
      }
    });
  });

  test('a request from an older term is refused, and the reply carries the newer term', async () => {
    // Raft §5.1
    await withPuppets(createRaftNode, { size: 3, seed: 12, watch: watchElection }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', requestVote(5, 'n2')));
      sim.at(20, () => puppets.send('n3', 'n1', heartbeat(3, 'n3')));
      sim.at(30, () => puppets.send('n3', 'n1', requestVote(4, 'n3')));
      await sim.run({ untilMs: 60 });
      // Raft §5.1: "If a server receives a request with a stale term number, it rejects the request."
      const append = replyFromN1<AppendEntriesReply>(
        puppets,
        'AppendEntriesReply',
        'n3',
        20,
        'an AppendEntries of term 3 (n1 is in term 5)',
      );
      if (append.success !== false || append.term !== 5) {
        throw new Error(
          `n1 (term 5) answered an AppendEntries of term 3 with success: ${append.success}, term: ${append.term}; expected success: false, term: 5, so the stale leader learns it is stale.`,
        );
      }
      const vote = replyFromN1<RequestVoteReply>(
        puppets,
        'RequestVoteReply',
        'n3',
        30,
        'a RequestVote of term 4 (n1 is in term 5)',
      );
      if (vote.voteGranted !== false || vote.term !== 5) {
        throw new Error(
          `n1 (term 5) answered a RequestVote of term 4 with voteGranted: ${vote.voteGranted}, term: ${vote.term}; expected voteGranted: false, term: 5.`,
        );
      }
    });
  });
  test('a vote request from an older term is refused, even by a server that has not voted in its own term', async () => {
    // Raft §5.1, Figure 2 (RequestVote receiver: "Reply false if term < currentTerm")
    await withPuppets(createRaftNode, { size: 3, seed: 13, watch: watchElection }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', heartbeat(5, 'n2'))); // n1 learns of term 5, votes for no one
      sim.at(20, () => puppets.send('n3', 'n1', requestVote(4, 'n3')));
      await sim.run({ untilMs: 40 });
      const vote = replyFromN1<RequestVoteReply>(
        puppets,
        'RequestVoteReply',
        'n3',
        20,
        'a RequestVote of term 4 (n1 is in term 5)',
      );
      if (vote.voteGranted || node1(sim).votedFor === 'n3') {
        throw new Error(
          `n1 (term 5, no vote cast in term 5) granted its vote to n3's RequestVote of term 4: a request from an older term is refused, ` +
            `whether or not the server has voted in its own term (§5.1).`,
        );
      }
    });
  });

  test('a candidate that receives a RequestVoteReply of a higher term adopts that term and becomes a follower', async () => {
    // Raft §5.1: "If a server receives ... a response ... with term T > currentTerm: set currentTerm = T, convert to follower"
    await withPuppets(createRaftNode, { size: 3, seed: 14, watch: watchElection }, async (sim, puppets) => {
      const term = await awaitCandidacy(sim, 1);
      puppets.send('n2', 'n1', voteReply(term + 3, false));
      await sim.run({ untilMs: sim.nowMs + 10 });
      const n1 = node1(sim);
      if (n1.role !== 'follower' || n1.currentTerm !== term + 3) {
        throw new Error(
          `Candidate n1 (term ${term}) got a RequestVoteReply of term ${term + 3} from n2; it is now a ${n1.role} in term ${n1.currentTerm}: ` +
            `a reply is a message like any other, and a higher term in it makes n1 a follower in that term (§5.1).`,
        );
      }
    });
  });

  test('a leader that learns of a higher term from an AppendEntriesReply steps down, and stands again when it hears nothing', async () => {
    // Raft §5.1, Figure 2 (All servers; Followers)
    await withPuppets(createRaftNode, { size: 3, seed: 15, watch: watchElection }, async (sim, puppets) => {
      puppets.on('RequestVote', (puppet, from, message) => {
        puppets.send(puppet, from, voteReply(message['term'] as number, true));
      });
      const won = await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'leader', { timeoutMs: 1_000 });
      if (!won) throw new Error(`n1 got the votes of n2 and n3 but is a ${node1(sim).role} at t=${sim.nowMs} ms.`);
      const term = node1(sim).currentTerm;
      const reply: AppendEntriesReply = { type: 'AppendEntriesReply', term: term + 1, success: false, matchIndex: 0 };
      puppets.send('n2', 'n1', reply);
      await sim.run({ untilMs: sim.nowMs + 10 });
      const n1 = node1(sim);
      if (n1.role !== 'follower' || n1.currentTerm !== term + 1) {
        throw new Error(
          `Leader n1 (term ${term}) got an AppendEntriesReply of term ${term + 1} from n2; it is now a ${n1.role} in term ${n1.currentTerm}: ` +
            `a leader that sees a higher term in a reply steps down to follower in that term (§5.1).`,
        );
      }
      const steppedDownAt = sim.nowMs;
      await sim.run({ untilMs: steppedDownAt + ELECTION_TIMEOUT_MS.max + 50 });
      const stood = puppets.messages<RequestVote>('RequestVote', 'n1').some((d) => d.message.term > term + 1);
      if (!stood) {
        throw new Error(
          `n1 stepped down at t=${steppedDownAt} ms and then heard from no leader, yet it stood for no election by t=${sim.nowMs} ms: ` +
            `a leader that becomes a follower needs its election timer running again, or the cluster can be left with no leader.`,
        );
      }
    });
  });
});

describe('Voting (§5.2)', () => {
  test('a server votes for the first candidate of a term and for no other; a repeated request gets the same answer', async () => {
    // Raft §5.2, Figure 2 (RequestVote receiver)
    await withPuppets(createRaftNode, { size: 3, seed: 21, watch: watchElection }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', requestVote(2, 'n2')));
      sim.at(15, () => puppets.send('n3', 'n1', requestVote(2, 'n3')));
      sim.at(25, () => puppets.send('n2', 'n1', requestVote(2, 'n2')));
      await sim.run({ untilMs: 50 });
      const first = replyFromN1<RequestVoteReply>(puppets, 'RequestVoteReply', 'n2', 5, "n2's RequestVote for term 2");
      const second = replyFromN1<RequestVoteReply>(
        puppets,
        'RequestVoteReply',
        'n3',
        15,
        "n3's RequestVote for term 2",
      );
      const again = replyFromN1<RequestVoteReply>(
        puppets,
        'RequestVoteReply',
        'n2',
        25,
        "n2's repeated RequestVote for term 2",
      );
      if (!first.voteGranted || first.term !== 2) {
        throw new Error(
          `n1 (term 0, no vote yet) answered n2's RequestVote for term 2 with voteGranted: ${first.voteGranted}, term: ${first.term}; it should grant it, in term 2.`,
        );
      }
      if (second.voteGranted) {
        throw new Error(
          'n1 voted twice in term 2: for n2 at t=5 ms and for n3 at t=15 ms. A server votes for at most one candidate per term (votedFor, §5.2).',
        );
      }
      if (!again.voteGranted) {
        throw new Error(
          "n1 refused n2's repeated RequestVote for term 2 although it had voted for n2 in term 2: the network may duplicate a request, and the answer must stay the same (votedFor is candidateId).",
        );
      }
      if (node1(sim).votedFor !== 'n2')
        throw new Error(`n1's votedFor is ${JSON.stringify(node1(sim).votedFor)} after voting for n2 in term 2.`);
    });
  });

  test('a follower that hears nothing starts an election: next term, votes for itself, asks every server', async () => {
    // Raft §5.2, Figure 2 (Candidates)
    await withPuppets(createRaftNode, { size: 5, seed: 22, watch: watchElection }, async (sim, puppets) => {
      await sim.run({ untilMs: ELECTION_TIMEOUT_MS.max + 20 });
      const requests = puppets.messages<RequestVote>('RequestVote', 'n1');
      const asked = new Set(requests.map((d) => d.to));
      if (asked.size !== 4)
        throw new Error(
          `By t=${sim.nowMs} ms n1 had asked ${[...asked].join(', ') || 'nobody'} for a vote: a candidate sends RequestVote to every other server.`,
        );
      const request = requests[0]!.message;
      if (
        request.term !== 1 ||
        request.candidateId !== 'n1' ||
        request.lastLogIndex !== 0 ||
        request.lastLogTerm !== 0
      ) {
        throw new Error(
          `n1's first RequestVote was ${JSON.stringify(request)}; expected term 1, candidateId 'n1', lastLogIndex 0 and lastLogTerm 0 (its log is empty).`,
        );
      }
      const n1 = node1(sim);
      if (n1.role !== 'candidate' || n1.votedFor !== 'n1') {
        throw new Error(
          `After asking for votes, n1 is a ${n1.role} with votedFor ${JSON.stringify(n1.votedFor)}: a candidate votes for itself.`,
        );
      }
    });
  });

  test('the election timeout is drawn at random, so servers that start together do not time out together', async () => {
    // Raft §5.2 (randomized election timeouts)
    const starts: number[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      await withPuppets(createRaftNode, { size: 3, seed: seed, watch: watchElection }, async (sim, puppets) => {
        await sim.run({ untilMs: ELECTION_TIMEOUT_MS.max + 50 });
        const first = puppets.messages<RequestVote>('RequestVote', 'n1')[0];
        if (first === undefined)
          throw new Error(`n1 started no election within ${sim.nowMs} ms although it heard from no leader.`);
        starts.push(first.t - 2); // sent 2 ms before the puppet received it
      });
    }
    const earliest = Math.min(...starts);
    const latest = Math.max(...starts);
    const distinct = new Set(starts).size;
    if (earliest < ELECTION_TIMEOUT_MS.min || latest > ELECTION_TIMEOUT_MS.max) {
      throw new Error(
        `n1's first election started between t=${earliest} and t=${latest} ms over 30 seeds: the timeout must lie in ${ELECTION_TIMEOUT_MS.min}–${ELECTION_TIMEOUT_MS.max} ms.`,
      );
    }
    if (distinct < 10 || latest - earliest < 60) {
      throw new Error(
        `n1's first election started at ${distinct} different times over 30 seeds (t=${earliest}–${latest} ms): draw the election timeout at random ` +
          `from ${ELECTION_TIMEOUT_MS.min}–${ELECTION_TIMEOUT_MS.max} ms (ctx.setTimer({ min, max }, ...)), or servers that start together time out together and split the votes forever.`,
      );
    }
  });
});

describe('Winning and losing elections (§5.2)', () => {
  test('a candidate with votes from a majority becomes leader and sends heartbeats at once, and then regularly', async () => {
    // Raft §5.2, Figure 2 (Leaders)
    await withPuppets(createRaftNode, { size: 5, seed: 31, watch: watchElection }, async (sim, puppets) => {
      puppets.on('RequestVote', (puppet, from, message) => {
        puppets.send(puppet, from, {
          type: 'RequestVoteReply',
          term: message['term'] as number,
          voteGranted: true,
        } satisfies RequestVoteReply);
      });
      // The puppets answer AppendEntries as real followers do: a leader that steps down when it stops
      // hearing from a majority (etcd's CheckQuorum) keeps leading here, as it would in a real cluster.
      answerAsFollowers(puppets);
      const won = await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'leader', { timeoutMs: 1_000 });
      if (!won)
        throw new Error(
          `n1 got votes from all 4 other servers but is a ${node1(sim).role} at t=${sim.nowMs} ms: 3 of 5 votes (its own included) win an election.`,
        );
      const wonAt = sim.nowMs;
      await sim.run({ untilMs: wonAt + 1_000 });
      for (const puppet of ['n2', 'n3', 'n4', 'n5']) {
        const beats = puppets
          .messages<AppendEntries>('AppendEntries', 'n1')
          .filter((d) => d.to === puppet && d.t >= wonAt)
          .map((d) => d.t);
        if (beats.length === 0 || beats[0]! > wonAt + 15) {
          throw new Error(
            `n1 won the election at t=${wonAt} ms but its first AppendEntries reached ${puppet} at ${beats.length === 0 ? 'no time' : `t=${beats[0]} ms`}: a new leader sends heartbeats at once, so no one else starts an election.`,
          );
        }
        const gaps = beats.slice(1).map((t, i) => t - beats[i]!);
        const widest = Math.max(...gaps);
        if (widest >= ELECTION_TIMEOUT_MS.min) {
          throw new Error(
            `n1 went ${widest} ms without sending ${puppet} an AppendEntries: heartbeats must come more often than the shortest election timeout (${ELECTION_TIMEOUT_MS.min} ms), or followers start elections.`,
          );
        }
        const message = puppets.messages<AppendEntries>('AppendEntries', 'n1').find((d) => d.to === puppet)!.message;
        if (message.term !== node1(sim).currentTerm || message.leaderId !== 'n1' || message.entries.length !== 0) {
          throw new Error(
            `n1's heartbeat to ${puppet} was ${JSON.stringify(message)}: expected term ${node1(sim).currentTerm}, leaderId 'n1', entries [].`,
          );
        }
      }
    });
  });

  test('a candidate with votes from a minority does not become leader, and tries again in a later term', async () => {
    // Raft §5.2
    await withPuppets(createRaftNode, { size: 5, seed: 32, watch: watchElection }, async (sim, puppets) => {
      puppets.on('RequestVote', (puppet, from, message) => {
        const voteGranted = puppet === 'n2';
        puppets.send(puppet, from, {
          type: 'RequestVoteReply',
          term: message['term'] as number,
          voteGranted,
        } satisfies RequestVoteReply);
      });
      await sim.run({ untilMs: 1_500 });
      const n1 = node1(sim);
      const terms = new Set(puppets.messages<RequestVote>('RequestVote', 'n1').map((d) => d.message.term));
      if (n1.role === 'leader')
        throw new Error(
          `n1 became leader of term ${n1.currentTerm} with votes from n1 and n2 only: 2 of 5 is not a majority.`,
        );
      if (terms.size < 2)
        throw new Error(
          `n1 lost its election (2 of 5 votes) and did not stand again within 1.5 s: a candidate whose election times out starts a new one in the next term.`,
        );
    });
  });

  test('a candidate that hears from the leader of its term becomes a follower', async () => {
    // Raft §5.2
    await withPuppets(createRaftNode, { size: 3, seed: 33, watch: watchElection }, async (sim, puppets) => {
      await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'candidate', { timeoutMs: 1_000 });
      const term = node1(sim).currentTerm;
      puppets.send('n2', 'n1', heartbeat(term, 'n2'));
      await sim.run({ untilMs: sim.nowMs + 10 });
      const n1 = node1(sim);
      if (n1.role !== 'follower' || n1.currentTerm !== term || n1.leaderId !== 'n2') {
        throw new Error(
          `Candidate n1 (term ${term}) received AppendEntries from n2 for term ${term}; it is now a ${n1.role} in term ${n1.currentTerm} with leaderId ${JSON.stringify(n1.leaderId)}: it should follow n2 (§5.2).`,
        );
      }
      const reply = replyFromN1<AppendEntriesReply>(puppets, 'AppendEntriesReply', 'n2', 0, "n2's heartbeat");
      if (!reply.success || reply.term !== term)
        throw new Error(
          `n1 answered the heartbeat of its leader with ${JSON.stringify(reply)}; expected success: true, term: ${term}.`,
        );
    });
  });

  test('votes granted in an older election do not count in the current one', async () => {
    // Raft §5.2: a candidate wins with votes from a majority "for the same term"
    await withPuppets(createRaftNode, { size: 5, seed: 35, watch: watchElection }, async (sim, puppets) => {
      await awaitCandidacy(sim, 1);
      const term = await awaitCandidacy(sim, 2); // the first election went nowhere: nobody answered
      for (const puppet of ['n2', 'n3']) puppets.send(puppet, 'n1', voteReply(term - 1, true));
      await sim.run({ untilMs: sim.nowMs + 10 });
      if (node1(sim).role === 'leader') {
        throw new Error(
          `n1 became leader of term ${node1(sim).currentTerm} with its own vote and two votes n2 and n3 granted in term ${term - 1}: ` +
            `a vote counts only in the term it was granted for; a reply of an older term counts for nothing.`,
        );
      }
    });
  });

  test('a vote counts once: the same granted reply delivered twice does not make a majority', async () => {
    // Raft §5.2: each server votes for at most one candidate per term, so each voter counts once
    await withPuppets(createRaftNode, { size: 5, seed: 36, watch: watchElection }, async (sim, puppets) => {
      const term = await awaitCandidacy(sim, 1);
      puppets.send('n2', 'n1', voteReply(term, true));
      puppets.send('n2', 'n1', voteReply(term, true)); // the network may deliver a reply twice
      await sim.run({ untilMs: sim.nowMs + 10 });
      if (node1(sim).role === 'leader') {
        throw new Error(
          `n1 became leader of term ${term} with votes from n1 and n2 only, n2's reply counted twice: 2 of 5 is not a majority. ` +
            `Count the servers that granted a vote, not the replies.`,
        );
      }
    });
  });

  test('a follower that keeps receiving heartbeats never starts an election', async () => {
    // Raft §5.2, Figure 2 (Followers)
    await withPuppets(createRaftNode, { size: 3, seed: 34, watch: watchElection }, async (sim, puppets) => {
      for (let t = 10; t < 3_000; t += 50) sim.at(t, () => puppets.send('n2', 'n1', heartbeat(1, 'n2')));
      await sim.run({ untilMs: 3_000 });
      const election = puppets.messages<RequestVote>('RequestVote', 'n1')[0];
      if (election !== undefined) {
        throw new Error(
          `n1 started an election at t=${election.t} ms although n2, leader of term 1, sent it a heartbeat every 50 ms: a follower restarts its election timer on each AppendEntries from the current leader.`,
        );
      }
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Sweeps', () => {
  const seeds = sweepSeedCount(200);
  // KATA_SEEDS=2000 runs ten times as many seeds: give the soak time.
  const timeout = 600_000;

  test(
    `a leader that a majority follows within ${LEADER_RECOVERY_MS} ms of the heal, never two in a term: ${seeds} swarm worlds of 3 to 7 servers`,
    { timeout },
    async () => {
      // Raft §5.2 (Election Safety, Figure 3; liveness once a majority can talk)
      // A crashed node loses its term and vote until exercise 3 (persistence), so the faults here leave nodes up.
      await sweepRaftUnderFaults(createRaftNode, {
        seeds,
        healAtMs: 3_000,
        kinds: ['partition', 'isolate', 'cut', 'network'],
        watch: (sim) => watchRaft(sim),
      });
    },
  );

  test(`a new leader within 2 s after the leader crashes, twice in a row: ${seeds} seeds`, { timeout }, async () => {
    await forEachSeed({ count: seeds }, async (seed) => {
      await simulate(
        { seed, nodes: cluster(5, createRaftNode), network: { delayMs: { min: 1, max: 20 } } },
        async (sim) => {
          watchRaft(sim);
          const crashed: NodeId[] = [];
          for (let round = 0; round < 3; round++) {
            const context = crashed.length === 0 ? '' : ` after ${crashed.join(' and ')} crashed`;
            // With two of five servers down, the three left must all agree: split votes take a few rounds.
            const leader = await awaitLeader(sim, {
              withinMs: 2_000,
              among: sim.nodeIds.filter((id) => !crashed.includes(id)),
              context,
            });
            await sim.run({ untilMs: sim.nowMs + (sim.seed % 200) });
            if (round < 2) {
              sim.crash(leader);
              crashed.push(leader);
            }
          }
        },
      );
    });
  });

  test(
    `no leader churn: with a steady network the first leader keeps its term for 10 s, and heartbeats stay cheap (${sweepSeedCount(50)} seeds)`,
    { timeout },
    async () => {
      // Raft §5.2 (heartbeats), §9.3 (timing)
      let heartbeatsPerFollowerPerSecond = 0;
      let bytesPerSecond = 0;
      await forEachSeed({ count: 50 }, async (seed) => {
        await simulate(
          { seed, nodes: cluster(5, createRaftNode), network: { delayMs: { min: 1, max: 30 } } },
          async (sim) => {
            watchRaft(sim);
            const leader = await awaitLeader(sim, { withinMs: 1_500 });
            await sim.run({ untilMs: sim.nowMs + 100 });
            const term = viewOf(sim, leader)!.currentTerm;
            const startMs = sim.nowMs;
            const before = sim.stats();
            await sim.run({ untilMs: startMs + 10_000 });
            const terms = sim.nodeIds.map((node) => viewOf(sim, node)!.currentTerm);
            if (stableLeader(sim) !== leader || terms.some((t) => t !== term)) {
              throw new Error(
                `leader churn: ${leader} led term ${term} at t=${startMs} ms, and after 10 s of a network without faults the terms are ` +
                  `${terms.join(', ')} (n1..n5). ${describeTermChanges(sim, startMs).join(' ')} Heartbeats must come well within the shortest election timeout.`,
              );
            }
            const traffic = trafficBetween(before, sim.stats());
            const appends = traffic.byType['AppendEntries']?.messages ?? 0;
            const perFollowerPerSecond = appends / 4 / 10;
            if (perFollowerPerSecond > 40) {
              throw new Error(
                `an idle leader sent ${perFollowerPerSecond.toFixed(1)} AppendEntries per follower per second: one per heartbeat interval (50 ms, so 20/s) keeps followers quiet; more is wasted traffic.`,
              );
            }
            heartbeatsPerFollowerPerSecond = Math.max(heartbeatsPerFollowerPerSecond, perFollowerPerSecond);
            bytesPerSecond = Math.max(bytesPerSecond, traffic.bytes / 10);
          },
        );
      });
      reportFigure(
        `idle 5-server cluster: ${heartbeatsPerFollowerPerSecond.toFixed(1)} heartbeats per follower per second, ${Math.round(bytesPerSecond)} bytes/s in all (worst seed)`,
      );
    },
  );
});
