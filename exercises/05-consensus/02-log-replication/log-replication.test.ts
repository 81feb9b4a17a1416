/**
 * Tests for exercise 5.2: log replication (Raft §5.3, §5.4). See README.md for what each group checks.
 *
 * Every run is watched after EVERY event: Election Safety, Log Matching, Leader Completeness (committed
 * entries are in every later leader's log and never leave a log), the commit rule of §5.4.2 and State
 * Machine Safety. A violation stops the run at the event that caused it.
 */
import { describe, test } from 'vitest';
import type { NodeId } from '#harness';
import { cluster, plural, simulate, type Simulation, sweepSeedCount } from '#harness/testing';
import { watchRaft } from '../_test-support/invariants.ts';
import { awaitLeader, reportFigure, trafficBetween } from '../_test-support/liveness.ts';
import { describeLog, type Puppets, viewOf } from '../_test-support/raft-view.ts';
import { append, entry, lastReply, nodeOf, withPuppets } from '../_test-support/scripted-runs.ts';
import { sweepRaftUnderFaults } from '../_test-support/raft-sweeps.ts';
import { COMMITTED_RECOVERY_MS } from '../_test-support/recovery.ts';
import {
  answerAsFollowers,
  type FollowerPuppetOptions,
  type FollowerPuppets,
} from '../_test-support/follower-puppets.ts';
import { APPLY_WITHIN_MS, appliedCommands, awaitApplied, proposeOn } from '../_test-support/workload.ts';
import { createRaftNode, type RaftNode } from './raft.ts';
import type { AppendEntries, AppendEntriesReply, RequestVote, RequestVoteReply } from '../_given/raft-protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const raftOf = nodeOf<RaftNode>;

function logOf(sim: Simulation): string {
  return describeLog(raftOf(sim, 'n1'));
}

/**
 * Puppets that vote for whoever asks and answer AppendEntries as real followers with empty logs. A
 * real follower may refuse a vote; these grant it so that n1 wins at its first election.
 */
function obligingFollowers(puppets: Puppets, options: FollowerPuppetOptions = {}): FollowerPuppets {
  puppets.on('RequestVote', (puppet, from, message) => {
    puppets.send(puppet, from, {
      type: 'RequestVoteReply',
      term: message['term'] as number,
      voteGranted: true,
    } satisfies RequestVoteReply);
  });
  return answerAsFollowers(puppets, options);
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('commands proposed to the leader are replicated, committed and applied by every server, in the same order', async () => {
    // Raft §5.3
    await simulate({ seed: 1, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchRaft(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      const first = proposeOn(sim, leader, 'x');
      const placed = raftOf(sim, leader).log[first.index - 1];
      if (
        first.term !== raftOf(sim, leader).currentTerm ||
        placed?.command !== 'x' ||
        raftOf(sim, leader).log.length !== first.index
      ) {
        throw new Error(
          `propose('x') on the leader returned ${JSON.stringify(first)} and its log is ${describeLog(raftOf(sim, leader))}: expected the index of the new last entry, holding 'x', and the leader's term.`,
        );
      }
      await awaitApplied(sim, sim.nodeIds, first.index, 500, "after proposing 'x'");
      let last = first;
      for (const command of ['y', 'z', 'w']) last = proposeOn(sim, leader, command);
      await awaitApplied(sim, sim.nodeIds, last.index, 500, "after proposing 'y', 'z' and 'w'");
      for (const node of sim.nodeIds) {
        const applied = appliedCommands(sim, node).join(',');
        if (applied !== 'x,y,z,w')
          throw new Error(
            `${node} applied ${applied}: every server applies the same commands in the same order (x,y,z,w).`,
          );
      }
      const follower = sim.nodeIds.find((node) => node !== leader)!;
      if (raftOf(sim, follower).propose('nope') !== null) {
        throw new Error(
          `${follower}, a follower, accepted propose('nope'): only the leader appends new entries; a follower returns null.`,
        );
      }
    });
  });

  test('Figure 8: an entry of an earlier term is not committed by counting replicas, so overwriting it later is safe', async () => {
    // Raft §5.4.2, Figure 8, played with partitions on five servers (a–e below are the figure's panels).
    await simulate({ seed: 8, nodes: cluster(5, createRaftNode) }, async (sim) => {
      watchRaft(sim);
      // A partition adds cuts to those already there: heal first, so each step states the whole picture.
      const partition = (...groups: NodeId[][]) => {
        sim.apply({ kind: 'heal' });
        sim.apply({ kind: 'partition', groups });
      };
      const l1 = await awaitLeader(sim, { withinMs: 1_000 });
      const a = proposeOn(sim, l1, 'A');
      await awaitApplied(sim, sim.nodeIds, a.index, 500, "after committing 'A'");
      // (a) l1 replicates B (index 2 without a no-op entry on election, 3 with one) to f1 only.
      const others = sim.nodeIds.filter((node) => node !== l1);
      const f1 = others[0]!;
      const rest = others.slice(1);
      partition([l1, f1], rest);
      const b = proposeOn(sim, l1, 'B');
      const holdsB = (node: NodeId) => viewOf(sim, node)?.log[b.index - 1]?.command === 'B';
      if (!(await sim.runUntil(() => holdsB(f1), { timeoutMs: 300 }))) {
        throw new Error(
          `(a) ${f1} never received B from its leader ${l1} (log ${describeLog(raftOf(sim, f1))}): the leader sends new entries to every follower it can reach.`,
        );
      }
      // (b) l1 and f1 are cut off; the three others elect l2, which takes C at index 2 and is cut off at once.
      partition([l1], [f1], rest);
      const l2 = await awaitLeader(sim, {
        withinMs: 1_500,
        among: rest,
        context: ' among the three servers without B',
      });
      partition(
        [l1],
        [f1],
        [l2],
        rest.filter((node) => node !== l2),
      );
      proposeOn(sim, l2, 'C');
      // (c) l1, f1 and the two others meet again; only a server holding B can win.
      const twoOthers = rest.filter((node) => node !== l2);
      partition([l1, f1, ...twoOthers], [l2]);
      const l3 = await awaitLeader(sim, {
        withinMs: 1_500,
        among: [l1, f1, ...twoOthers],
        context: ' after l1, f1 and two others reconnected',
      });
      if (![l1, f1].includes(l3)) {
        throw new Error(
          `(c) ${l3}, whose log ${describeLog(raftOf(sim, l3))} lacks B, won an election against ${l1} and ${f1}, whose logs hold B: the election restriction (§5.4.1) should have stopped it.`,
        );
      }
      await sim.runUntil(() => twoOthers.every(holdsB), { timeoutMs: 500 });
      await sim.run({ untilMs: sim.nowMs + 200 });
      const holders = sim.nodeIds.filter(holdsB);
      if (holders.length < 3)
        throw new Error(
          `(c) B should now be on a majority (${l3} replicates its log), but ${holders.length === 0 ? 'no server holds it' : `only ${holders.join(', ')} hold it`}.`,
        );
      // A leader that appends a no-op entry when it wins (§8) commits B together with it, legitimately:
      // no entry of an earlier term then waits for a command, so the rest of Figure 8 cannot happen.
      // The watchers checked the commit rule and Leader Completeness at every event up to here.
      const l3View = raftOf(sim, l3);
      if (l3View.log.some((e) => e.index > b.index && e.term === l3View.currentTerm)) return;
      const committedB = sim.nodeIds.filter((node) => (viewOf(sim, node)?.commitIndex ?? 0) >= b.index);
      if (committedB.length > 0) {
        throw new Error(
          `(c) ${committedB.join(', ')} committed B (term ${raftOf(sim, l3).log[b.index - 1]!.term}) although ${l3} leads term ${raftOf(sim, l3).currentTerm} and has no entry of its own term: a leader commits older entries only together with one of its own term (§5.4.2). Counting replicas of an old entry is what Figure 8 shows to be unsafe.`,
        );
      }
      // (d) l2 comes back with C (a later term than B) and wins with the votes of the two others; it overwrites B.
      const otherHolder = [l1, f1].find((node) => node !== l3)!;
      partition([l3], [otherHolder], [l2, ...twoOthers]);
      const l4 = await awaitLeader(sim, {
        withinMs: 2_000,
        among: [l2, ...twoOthers],
        context: ` after ${l2} (holding C) reconnected with ${twoOthers.join(' and ')}`,
      });
      if (l4 !== l2)
        throw new Error(
          `(d) ${l4} won, but ${l2}'s log ends with C, of a later term than their B: ${l2}'s log is more up-to-date (§5.4.1), and only it can win.`,
        );
      // (e) l2 commits an entry of its own term, and with it C; everyone converges on A, C, D.
      const d = proposeOn(sim, l2, 'D');
      sim.apply({ kind: 'heal' });
      await awaitApplied(sim, sim.nodeIds, d.index, 2_000, "(e) after the partition healed and 'D' was proposed");
      for (const node of sim.nodeIds) {
        const applied = appliedCommands(sim, node).slice(0, 3).join(',');
        if (applied !== 'A,C,D')
          throw new Error(
            `(e) ${node} applied ${applied}; every server should apply A, C, D: B was never committed and C was.`,
          );
      }
    });
  });

  test('a leader in a minority partition commits nothing, and its entries are replaced once the partition heals', async () => {
    // Raft §5.3, §5.4.2
    await simulate({ seed: 5, nodes: cluster(5, createRaftNode) }, async (sim) => {
      watchRaft(sim);
      const old = await awaitLeader(sim, { withinMs: 1_000 });
      const before = proposeOn(sim, old, 'before');
      await awaitApplied(sim, sim.nodeIds, before.index, 500, "after committing 'before'");
      const minority = [old, sim.nodeIds.find((node) => node !== old)!];
      const majority = sim.nodeIds.filter((node) => !minority.includes(node));
      sim.apply({ kind: 'partition', groups: [minority, majority] });
      for (const command of ['lost-1', 'lost-2']) proposeOn(sim, old, command);
      const fresh = await awaitLeader(sim, { withinMs: 1_500, among: majority, context: ' in the majority partition' });
      const kept = proposeOn(sim, fresh, 'kept');
      await awaitApplied(sim, majority, kept.index, 500, "after proposing 'kept' in the majority");
      await sim.run({ untilMs: sim.nowMs + 500 });
      for (const node of minority) {
        const view = raftOf(sim, node);
        if (view.commitIndex > before.index) {
          throw new Error(
            `${node}, in a partition of 2 of 5 servers, has commitIndex ${view.commitIndex} (log ${describeLog(view)}): without a majority nothing can be committed.`,
          );
        }
      }
      sim.apply({ kind: 'heal' });
      const converged = () => sim.nodeIds.every((node) => appliedCommands(sim, node).join(',') === 'before,kept');
      if (!(await sim.runUntil(converged, { timeoutMs: 1_000 }))) {
        const states = sim.nodeIds.map(
          (node) => `${node} log ${describeLog(raftOf(sim, node))}, applied ${appliedCommands(sim, node).join(',')}`,
        );
        throw new Error(
          `1 s after the partition healed, not every server applied exactly before,kept:\n  ${states.join('\n  ')}\nThe old leader's uncommitted entries must be replaced by the new leader's.`,
        );
      }
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('AppendEntries, receiver (§5.3)', () => {
  test('a follower stores entries that follow a matching prevLogIndex and prevLogTerm, and acknowledges them', async () => {
    // Raft §5.3, Figure 2 (AppendEntries receiver, rules 2 and 4)
    await withPuppets(createRaftNode, { size: 3, seed: 11 }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b')])));
      sim.at(15, () => puppets.send('n2', 'n1', append(1, 'n2', 2, 1, [entry(3, 1, 'c')])));
      await sim.run({ untilMs: 30 });
      const reply = lastReply<AppendEntriesReply>(puppets, 'AppendEntriesReply', 'n2', 'the AppendEntries of n2');
      if (logOf(sim) !== '[1:t1 "a", 2:t1 "b", 3:t1 "c"]' || !reply.success || reply.matchIndex !== 3) {
        throw new Error(
          `After AppendEntries [1 a, 2 b] then [3 c] (prevLogIndex 2, prevLogTerm 1), n1's log is ${logOf(sim)} and its last reply ${JSON.stringify(reply)}; expected [1:t1 "a", 2:t1 "b", 3:t1 "c"] and success: true, matchIndex: 3.`,
        );
      }
    });
  });

  test('the consistency check: a follower refuses entries when it lacks prevLogIndex, or holds another term there', async () => {
    // Raft §5.3, Figure 2 (AppendEntries receiver, rule 2)
    await withPuppets(createRaftNode, { size: 3, seed: 12 }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', append(2, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 2, 'b')])));
      sim.at(15, () => puppets.send('n2', 'n1', append(2, 'n2', 5, 2, [entry(6, 2, 'f')])));
      sim.at(25, () => puppets.send('n2', 'n1', append(2, 'n2', 2, 1, [entry(3, 2, 'c')])));
      await sim.run({ untilMs: 40 });
      const replies = puppets.messages<AppendEntriesReply>('AppendEntriesReply', 'n1').map((d) => d.message);
      if (replies.length !== 3)
        throw new Error(`n1 sent ${plural(replies.length, 'reply', 'replies')} to 3 AppendEntries.`);
      if (replies[1]!.success)
        throw new Error(
          `n1 (log ends at index 2) accepted entries after prevLogIndex 5: it must refuse when it has no entry at prevLogIndex (§5.3).`,
        );
      if (replies[2]!.success)
        throw new Error(
          `n1 accepted entries after prevLogIndex 2, prevLogTerm 1, but its entry 2 has term 2: it must refuse when the terms differ (§5.3).`,
        );
      if (logOf(sim) !== '[1:t1 "a", 2:t2 "b"]')
        throw new Error(
          `n1's log is ${logOf(sim)} after two refused AppendEntries: a refused request changes nothing.`,
        );
    });
  });

  test('a follower deletes a conflicting entry and all that follow it, then appends the new ones', async () => {
    // Raft §5.3, Figure 2 (AppendEntries receiver, rule 3)
    await withPuppets(createRaftNode, { size: 3, seed: 13 }, async (sim, puppets) => {
      sim.at(5, () =>
        puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')])),
      );
      sim.at(15, () => puppets.send('n3', 'n1', append(2, 'n3', 1, 1, [entry(2, 2, 'x')])));
      await sim.run({ untilMs: 30 });
      if (logOf(sim) !== '[1:t1 "a", 2:t2 "x"]') {
        throw new Error(
          `n1 held [1 a, 2 b, 3 c] of term 1; the leader of term 2 sent [2 x] after prevLogIndex 1. n1's log is now ${logOf(sim)}; expected [1:t1 "a", 2:t2 "x"]: entry 2 conflicts, so it and everything after it go (Figure 2, AppendEntries rule 3).`,
        );
      }
    });
  });

  test('a stale AppendEntries that arrives after a newer one does not cut the log short', async () => {
    // Raft §5.3, Figure 2 (AppendEntries receiver, rule 3: only on a conflict)
    await withPuppets(createRaftNode, { size: 3, seed: 14 }, async (sim, puppets) => {
      // The network delivered the leader's second message first; the first one arrives late.
      sim.at(5, () =>
        puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')])),
      );
      sim.at(15, () => puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'a')])));
      await sim.run({ untilMs: 30 });
      if (logOf(sim) !== '[1:t1 "a", 2:t1 "b", 3:t1 "c"]') {
        throw new Error(
          `n1 acknowledged entries 1–3 at t=7 ms; then a stale AppendEntries (prevLogIndex 0, entries [1 a]) arrived and n1's log became ${logOf(sim)}. A follower truncates only at an entry that conflicts (same index, other term); the leader may already have committed entries 2–3 on the strength of n1's acknowledgement.`,
        );
      }
      const reply = lastReply<AppendEntriesReply>(puppets, 'AppendEntriesReply', 'n2', 'the stale AppendEntries');
      if (!reply.success || reply.matchIndex !== 1) {
        throw new Error(
          `n1 answered the stale AppendEntries with ${JSON.stringify(reply)}: it matches n1's log, so success: true with matchIndex 1 (what that request covers).`,
        );
      }
    });
  });

  test('a follower sets commitIndex to min(leaderCommit, index of last new entry) and applies entries in order', async () => {
    // Raft §5.3, Figure 2 (AppendEntries receiver, rule 5; All servers)
    await withPuppets(createRaftNode, { size: 3, seed: 15 }, async (sim, puppets) => {
      // n1 holds a stale entry 4 of term 1 that the leader of term 2 has not checked yet.
      sim.at(5, () =>
        puppets.send(
          'n2',
          'n1',
          append(1, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c'), entry(4, 1, 'stale')]),
        ),
      );
      // Each AppendEntries arrives 2 ms after it is sent; n1 has APPLY_WITHIN_MS to apply what it commits.
      const heartbeatAtMs = 17 + APPLY_WITHIN_MS + 1;
      sim.at(15, () => puppets.send('n3', 'n1', append(2, 'n3', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b')], 1)));
      sim.at(heartbeatAtMs, () => puppets.send('n3', 'n1', append(2, 'n3', 3, 1, [], 5)));
      await sim.run({ untilMs: 17 + APPLY_WITHIN_MS });
      const n1 = raftOf(sim, 'n1');
      if (n1.commitIndex !== 1 || appliedCommands(sim, 'n1').join(',') !== 'a') {
        throw new Error(
          `${APPLY_WITHIN_MS} ms after an AppendEntries with leaderCommit 1 reached it, n1 has commitIndex ${n1.commitIndex} and applied [${appliedCommands(sim, 'n1').join(',')}]; expected 1 and [a].`,
        );
      }
      await sim.run({ untilMs: heartbeatAtMs + 2 + APPLY_WITHIN_MS });
      if (raftOf(sim, 'n1').commitIndex !== 3) {
        throw new Error(
          `A heartbeat with prevLogIndex 3 and leaderCommit 5 reached n1 (log ${logOf(sim)}); its commitIndex is ${raftOf(sim, 'n1').commitIndex}, expected 3: commitIndex = min(leaderCommit, index of last new entry). Entry 4 was not checked against the leader's log and may not match it.`,
        );
      }
      if (appliedCommands(sim, 'n1').join(',') !== 'a,b,c' || raftOf(sim, 'n1').lastApplied !== 3) {
        throw new Error(
          `n1 applied [${appliedCommands(sim, 'n1').join(',')}] (lastApplied ${raftOf(sim, 'n1').lastApplied}) ${APPLY_WITHIN_MS} ms after it set commitIndex 3; expected [a,b,c] and lastApplied 3.`,
        );
      }
    });
  });
});

describe('Replication, leader (§5.3, §5.4.2)', () => {
  test('a leader sends new entries to every follower, and commits and applies them once a majority stored them', async () => {
    // Raft §5.3, Figure 2 (Leaders)
    await withPuppets(createRaftNode, { size: 5, seed: 21 }, async (sim, puppets) => {
      obligingFollowers(puppets);
      await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'leader', { timeoutMs: 1_000 });
      await sim.run({ untilMs: sim.nowMs + 20 });
      const proposedAt = sim.nowMs;
      const a = proposeOn(sim, 'n1', 'a');
      await sim.run({ untilMs: proposedAt + 20 });
      for (const puppet of ['n2', 'n3', 'n4', 'n5']) {
        const got = puppets
          .messages<AppendEntries>('AppendEntries', 'n1')
          .some((d) => d.to === puppet && d.t >= proposedAt && d.message.entries.some((e) => e.command === 'a'));
        if (!got)
          throw new Error(
            `n1 proposed 'a' at t=${proposedAt} ms but sent it to ${puppet} in no AppendEntries within 20 ms: a leader replicates a new entry at once.`,
          );
      }
      // The acknowledgements are back 4 ms after the proposal; then n1 has APPLY_WITHIN_MS to apply.
      await sim.run({ untilMs: proposedAt + 4 + APPLY_WITHIN_MS });
      const n1 = raftOf(sim, 'n1');
      if (n1.commitIndex !== a.index || appliedCommands(sim, 'n1').join(',') !== 'a') {
        throw new Error(
          `Every follower acknowledged 'a' (matchIndex ${a.index}), yet n1 has commitIndex ${n1.commitIndex} and applied [${appliedCommands(sim, 'n1').join(',')}]: with a majority of matchIndex ≥ ${a.index} and log[${a.index}].term = currentTerm, commit and apply.`,
        );
      }
      if (n1.matchIndex['n2'] !== a.index || n1.nextIndex['n2'] !== a.index + 1) {
        throw new Error(
          `After n2 acknowledged entry ${a.index}, n1 has matchIndex[n2] = ${n1.matchIndex['n2']} and nextIndex[n2] = ${n1.nextIndex['n2']}; expected ${a.index} and ${a.index + 1}.`,
        );
      }
    });
  });

  test('a leader backs up nextIndex when a follower refuses, until their logs match', async () => {
    // Raft §5.3
    await withPuppets(createRaftNode, { size: 3, seed: 22 }, async (sim, puppets) => {
      // n1 first follows n3 (term 1) and stores three entries; then it wins term 2 with n3's vote.
      const entries = [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')];
      sim.at(5, () => puppets.send('n3', 'n1', append(1, 'n3', 0, 0, entries)));
      puppets.on('RequestVote', (puppet, from, message) => {
        puppets.send(puppet, from, {
          type: 'RequestVoteReply',
          term: message['term'] as number,
          voteGranted: puppet === 'n3',
        } satisfies RequestVoteReply);
      });
      // Real followers: n3 holds what it sent as leader of term 1; n2's log is empty, so it refuses
      // until n1 backs up to prevLogIndex 0, and then stores what n1 sends.
      const followers = answerAsFollowers(puppets, { logs: { n3: entries } });
      await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'leader', { timeoutMs: 1_000 });
      const wonAt = sim.nowMs;
      await sim.run({ untilMs: wonAt + 300 });
      const n1 = raftOf(sim, 'n1');
      const n2Log = describeLog({ ...n1, log: followers.logOf('n2') });
      if (n2Log !== logOf(sim) || n1.matchIndex['n2'] !== n1.log.length) {
        const sent = puppets
          .messages<AppendEntries>('AppendEntries', 'n1')
          .filter((d) => d.to === 'n2')
          .slice(0, 6)
          .map((d) => `prevLogIndex ${d.message.prevLogIndex} with ${d.message.entries.length} entries`);
        throw new Error(
          `n1 became leader at t=${wonAt} ms with the log ${logOf(sim)}; n2 started with an empty log. 300 ms later n2 holds ${n2Log} ` +
            `and n1's matchIndex[n2] is ${n1.matchIndex['n2']}. n1's first AppendEntries to n2: ${sent.join('; ')}. ` +
            `After a refusal the leader tries again further back (nextIndex - 1, §5.3) until n2 accepts, and then sends n2 the rest of its log.`,
        );
      }
    });
  });

  test('Figure 8: a leader does not commit an entry of an earlier term by counting its replicas', async () => {
    // Raft §5.4.2. n1 stores entry 1 in term 1, wins term 2, and learns that n3 stores entry 1 too.
    await withPuppets(createRaftNode, { size: 3, seed: 23 }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'old')])));
      // n2 has gone quiet; n3's log is empty at first, so it refuses until the leader sends from index 1.
      obligingFollowers(puppets, { silent: ['n2'] });
      await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'leader', { timeoutMs: 1_000 });
      await sim.runUntil(() => (raftOf(sim, 'n1').matchIndex['n3'] ?? 0) >= 1, { timeoutMs: 300 });
      await sim.run({ untilMs: sim.nowMs + 100 });
      const n1 = raftOf(sim, 'n1');
      if ((n1.matchIndex['n3'] ?? 0) < 1)
        throw new Error(`n3 acknowledged entry 1, yet n1's matchIndex[n3] is ${n1.matchIndex['n3']}.`);
      // A leader that appended a no-op entry of its term when it won (§8) commits it, and entry 1 with it.
      const committedTerm = n1.log[n1.commitIndex - 1]?.term;
      if (n1.commitIndex > 0 && committedTerm !== n1.currentTerm) {
        throw new Error(
          `n1, leader of term ${n1.currentTerm}, committed entry ${n1.commitIndex} of term ${committedTerm} because a majority (n1, n3) stores it: a leader never commits an entry of an earlier term by counting replicas (§5.4.2, Figure 8).`,
        );
      }
      const fresh = proposeOn(sim, 'n1', 'new');
      await sim.run({ untilMs: sim.nowMs + 4 + APPLY_WITHIN_MS });
      const after = raftOf(sim, 'n1');
      if (after.commitIndex !== fresh.index || appliedCommands(sim, 'n1').join(',') !== 'old,new') {
        throw new Error(
          `n3 acknowledged entry ${fresh.index} (term ${after.currentTerm}, the leader's own), yet n1 has commitIndex ${after.commitIndex} and applied [${appliedCommands(sim, 'n1').join(',')}]: committing entry ${fresh.index} commits entry 1 with it.`,
        );
      }
    });
  });
});

describe('The election restriction (§5.4.1)', () => {
  const cases = [
    { lastLogIndex: 5, lastLogTerm: 1, grant: false, why: 'its last entry has an older term' },
    { lastLogIndex: 1, lastLogTerm: 2, grant: false, why: 'its last entry has the same term but a lower index' },
    { lastLogIndex: 2, lastLogTerm: 2, grant: true, why: 'its log ends at the same entry' },
    { lastLogIndex: 1, lastLogTerm: 3, grant: true, why: 'its last entry has a newer term, even with a shorter log' },
  ];
  for (const [position, c] of cases.entries()) {
    test(`n1 (log ends 2:t2) ${c.grant ? 'grants' : 'refuses'} a candidate whose log ends ${c.lastLogIndex}:t${c.lastLogTerm}: ${c.why}`, async () => {
      await withPuppets(createRaftNode, { size: 3, seed: 31 + position }, async (sim, puppets) => {
        sim.at(5, () => puppets.send('n2', 'n1', append(2, 'n2', 0, 0, [entry(1, 1, 'a'), entry(2, 2, 'b')])));
        const request: RequestVote = {
          type: 'RequestVote',
          term: 3,
          candidateId: 'n3',
          lastLogIndex: c.lastLogIndex,
          lastLogTerm: c.lastLogTerm,
        };
        sim.at(15, () => puppets.send('n3', 'n1', request));
        await sim.run({ untilMs: 30 });
        const reply = lastReply<RequestVoteReply>(puppets, 'RequestVoteReply', 'n3', "n3's RequestVote");
        if (reply.voteGranted !== c.grant) {
          throw new Error(
            `n1 (log ${logOf(sim)}) ${reply.voteGranted ? 'granted' : 'refused'} its vote in term 3 to n3, whose log ends at ${c.lastLogIndex}:t${c.lastLogTerm}: ` +
              `${c.why}, so n1 should ${c.grant ? 'grant' : 'refuse'} it (the election restriction, §5.4.1: compare the last entries' terms, then the indexes).`,
          );
        }
      });
    });
  }
});

describe('Efficiency', () => {
  test('one agreement costs a few messages per follower, and a stream of entries sends each entry about once per follower', async () => {
    // Raft §5.3
    await simulate({ seed: 41, nodes: cluster(5, createRaftNode) }, async (sim) => {
      watchRaft(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      await sim.run({ untilMs: sim.nowMs + 200 });
      // One agreement: from the proposal until every server applied it.
      let before = sim.stats();
      const startMs = sim.nowMs;
      proposeOn(sim, leader, 'one');
      await awaitApplied(sim, sim.nodeIds, 1, 500, "after proposing 'one'");
      const one = trafficBetween(before, sim.stats());
      const heartbeatRounds = Math.ceil((sim.nowMs - startMs) / 50) + 1;
      const budget = 4 * 2 * (1 + heartbeatRounds);
      if (one.messages > budget) {
        throw new Error(
          `one agreement on 5 servers took ${one.messages} messages in ${sim.nowMs - startMs} ms (${JSON.stringify(one.byType)}): expected at most ${budget} (an AppendEntries and a reply per follower, plus heartbeats).`,
        );
      }
      // A stream: 200 entries, one every 5 ms, much faster than heartbeats.
      await sim.run({ untilMs: sim.nowMs + 100 });
      before = sim.stats();
      for (let k = 0; k < 200; k++)
        sim.at(sim.nowMs + 5 * k, () => void raftOf(sim, leader).propose(`cmd-${k}-${'x'.repeat(40)}`));
      await awaitApplied(sim, sim.nodeIds, 201, 3_000, 'after a stream of 200 proposals');
      const stream = trafficBetween(before, sim.stats());
      const appendBytes = (stream.byType['AppendEntries']?.bytes ?? 0) / 200;
      const messagesPerEntry = stream.messages / 200;
      reportFigure(
        `one agreement, 5 servers: ${one.messages} messages; a stream of 200 entries: ${messagesPerEntry.toFixed(1)} messages and ${Math.round(appendBytes)} AppendEntries bytes per entry`,
      );
      if (appendBytes > 2_500) {
        throw new Error(
          `a stream of 200 entries of ~60 bytes sent ${Math.round(appendBytes)} AppendEntries bytes per entry to 4 followers: too many bytes per entry. Send each follower the entries from nextIndex on, not the whole log.`,
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
    `proposals under partitions, cut links, drops, duplicates, reordering and late replies keep every safety property, and every committed entry reaches every server within ${COMMITTED_RECOVERY_MS} ms of the heal: ${seeds} swarm worlds of 3 to 7 servers`,
    { timeout },
    async () => {
      // Raft §5.3, §5.4 (Figure 3: every property, on every event)
      // No crashes until exercise 3: without persistence a restarted server forgets its vote and its log.
      await sweepRaftUnderFaults(createRaftNode, {
        seeds,
        healAtMs: 3_000,
        kinds: ['partition', 'isolate', 'cut', 'network'],
        watch: (sim) => watchRaft(sim),
        commands: { convergeWithinMs: 2_000 },
      });
    },
  );
});
