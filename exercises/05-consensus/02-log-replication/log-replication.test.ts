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
import { appliedCommands, awaitApplied, proposeOn } from '../_test-support/workload.ts';
import { createRaftNode, type RaftNode } from './raft.ts';
import type { AppendEntries, AppendEntriesReply, RequestVote, RequestVoteReply } from '../_given/raft-protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const raftOf = nodeOf<RaftNode>;

function logOf(sim: Simulation): string {
  return describeLog(raftOf(sim, 'n1'));
}

/** Puppets that vote for whoever asks and acknowledge every AppendEntries, like healthy followers with empty logs. */
function obligingFollowers(puppets: Puppets): void {
  puppets.on('RequestVote', (puppet, from, message) => {
    puppets.send(puppet, from, {
      type: 'RequestVoteReply',
      term: message['term'] as number,
      voteGranted: true,
    } satisfies RequestVoteReply);
  });
  puppets.on('AppendEntries', (puppet, from, message) => {
    const m = message as unknown as AppendEntries;
    puppets.send(puppet, from, {
      type: 'AppendEntriesReply',
      term: m.term,
      success: true,
      matchIndex: m.prevLogIndex + m.entries.length,
    } satisfies AppendEntriesReply);
  });
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('commands proposed to the leader are replicated, committed and applied by every server, in the same order', async () => {
    // Raft §5.3
    await simulate({ seed: 1, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchRaft(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      const first = proposeOn(sim, leader, 'x');
      if (first.index !== 1 || first.term !== raftOf(sim, leader).currentTerm) {
        throw new Error(
          `propose('x') on a leader with an empty log returned ${JSON.stringify(first)}: expected index 1 and the leader's term.`,
        );
      }
      await awaitApplied(sim, sim.nodeIds, 1, 500, "after proposing 'x'");
      for (const command of ['y', 'z', 'w']) proposeOn(sim, leader, command);
      await awaitApplied(sim, sim.nodeIds, 4, 500, "after proposing 'y', 'z' and 'w'");
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
      proposeOn(sim, l1, 'A');
      await awaitApplied(sim, sim.nodeIds, 1, 500, "after committing 'A'");
      // (a) l1 replicates B (index 2) to f1 only.
      const others = sim.nodeIds.filter((node) => node !== l1);
      const f1 = others[0]!;
      const rest = others.slice(1);
      partition([l1, f1], rest);
      proposeOn(sim, l1, 'B');
      if (!(await sim.runUntil(() => raftOf(sim, f1).log.length >= 2, { timeoutMs: 300 }))) {
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
      await sim.runUntil(() => twoOthers.every((node) => raftOf(sim, node).log.length >= 2), { timeoutMs: 500 });
      await sim.run({ untilMs: sim.nowMs + 200 });
      const holders = sim.nodeIds.filter((node) => viewOf(sim, node)?.log[1]?.command === 'B');
      if (holders.length < 3)
        throw new Error(
          `(c) B should now be on a majority (${l3} replicates its log), but only ${holders.join(', ')} hold it.`,
        );
      const committedB = sim.nodeIds.filter((node) => (viewOf(sim, node)?.commitIndex ?? 0) >= 2);
      if (committedB.length > 0) {
        throw new Error(
          `(c) ${committedB.join(', ')} committed B (term ${raftOf(sim, l3).log[1]!.term}) although ${l3} leads term ${raftOf(sim, l3).currentTerm} and has no entry of its own term: a leader commits older entries only together with one of its own term (§5.4.2). Counting replicas of an old entry is what Figure 8 shows to be unsafe.`,
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
      proposeOn(sim, l2, 'D');
      sim.apply({ kind: 'heal' });
      await awaitApplied(sim, sim.nodeIds, 3, 2_000, "(e) after the partition healed and 'D' was proposed");
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
      proposeOn(sim, old, 'before');
      await awaitApplied(sim, sim.nodeIds, 1, 500, "after committing 'before'");
      const minority = [old, sim.nodeIds.find((node) => node !== old)!];
      const majority = sim.nodeIds.filter((node) => !minority.includes(node));
      sim.apply({ kind: 'partition', groups: [minority, majority] });
      for (const command of ['lost-1', 'lost-2']) proposeOn(sim, old, command);
      const fresh = await awaitLeader(sim, { withinMs: 1_500, among: majority, context: ' in the majority partition' });
      proposeOn(sim, fresh, 'kept');
      await awaitApplied(sim, majority, 2, 500, "after proposing 'kept' in the majority");
      await sim.run({ untilMs: sim.nowMs + 500 });
      for (const node of minority) {
        const view = raftOf(sim, node);
        if (view.commitIndex > 1) {
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
      sim.at(15, () => puppets.send('n3', 'n1', append(2, 'n3', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b')], 1)));
      sim.at(25, () => puppets.send('n3', 'n1', append(2, 'n3', 3, 1, [], 5)));
      await sim.run({ untilMs: 20 });
      const n1 = raftOf(sim, 'n1');
      if (n1.commitIndex !== 1 || appliedCommands(sim, 'n1').join(',') !== 'a') {
        throw new Error(
          `After AppendEntries with leaderCommit 1, n1 has commitIndex ${n1.commitIndex} and applied [${appliedCommands(sim, 'n1').join(',')}]; expected 1 and [a].`,
        );
      }
      await sim.run({ untilMs: 40 });
      if (raftOf(sim, 'n1').commitIndex !== 3) {
        throw new Error(
          `A heartbeat with prevLogIndex 3 and leaderCommit 5 reached n1 (log ${logOf(sim)}); its commitIndex is ${raftOf(sim, 'n1').commitIndex}, expected 3: commitIndex = min(leaderCommit, index of last new entry). Entry 4 was not checked against the leader's log and may not match it.`,
        );
      }
      if (appliedCommands(sim, 'n1').join(',') !== 'a,b,c' || raftOf(sim, 'n1').lastApplied !== 3) {
        throw new Error(
          `n1 applied [${appliedCommands(sim, 'n1').join(',')}] (lastApplied ${raftOf(sim, 'n1').lastApplied}) with commitIndex 3; expected [a,b,c] and lastApplied 3.`,
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
      proposeOn(sim, 'n1', 'a');
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
      const n1 = raftOf(sim, 'n1');
      if (n1.commitIndex !== 1 || appliedCommands(sim, 'n1').join(',') !== 'a') {
        throw new Error(
          `Every follower acknowledged 'a' (matchIndex 1), yet n1 has commitIndex ${n1.commitIndex} and applied [${appliedCommands(sim, 'n1').join(',')}]: with a majority of matchIndex ≥ 1 and log[1].term = currentTerm, commit and apply.`,
        );
      }
      if (n1.matchIndex['n2'] !== 1 || n1.nextIndex['n2'] !== 2) {
        throw new Error(
          `After n2 acknowledged entry 1, n1 has matchIndex[n2] = ${n1.matchIndex['n2']} and nextIndex[n2] = ${n1.nextIndex['n2']}; expected 1 and 2.`,
        );
      }
    });
  });

  test('a leader backs up nextIndex when a follower refuses, until their logs match', async () => {
    // Raft §5.3
    await withPuppets(createRaftNode, { size: 3, seed: 22 }, async (sim, puppets) => {
      // n1 first follows n3 (term 1) and stores three entries; then it wins term 2 with n3's vote.
      sim.at(5, () =>
        puppets.send('n3', 'n1', append(1, 'n3', 0, 0, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')])),
      );
      puppets.on('RequestVote', (puppet, from, message) => {
        puppets.send(puppet, from, {
          type: 'RequestVoteReply',
          term: message['term'] as number,
          voteGranted: puppet === 'n3',
        } satisfies RequestVoteReply);
      });
      // n2's log is empty: it refuses anything but prevLogIndex 0.
      puppets.on('AppendEntries', (puppet, from, message) => {
        const m = message as unknown as AppendEntries;
        const success = puppet === 'n3' || m.prevLogIndex === 0;
        puppets.send(puppet, from, {
          type: 'AppendEntriesReply',
          term: m.term,
          success,
          matchIndex: success ? m.prevLogIndex + m.entries.length : 0,
        } satisfies AppendEntriesReply);
      });
      await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'leader', { timeoutMs: 1_000 });
      const wonAt = sim.nowMs;
      await sim.run({ untilMs: wonAt + 300 });
      const full = puppets
        .messages<AppendEntries>('AppendEntries', 'n1')
        .find((d) => d.to === 'n2' && d.message.prevLogIndex === 0 && d.message.entries.length === 3);
      if (full === undefined) {
        const sent = puppets
          .messages<AppendEntries>('AppendEntries', 'n1')
          .filter((d) => d.to === 'n2')
          .slice(0, 6)
          .map((d) => `prevLogIndex ${d.message.prevLogIndex} with ${d.message.entries.length} entries`);
        throw new Error(
          `n1 became leader at t=${wonAt} ms with 3 entries; n2 refuses everything but prevLogIndex 0, yet within 300 ms n1 never sent it the whole log. It sent: ${sent.join('; ')}. On a refusal, decrement nextIndex and retry (§5.3).`,
        );
      }
      if (raftOf(sim, 'n1').matchIndex['n2'] !== 3)
        throw new Error(
          `n2 acknowledged entries 1–3, yet n1's matchIndex[n2] is ${raftOf(sim, 'n1').matchIndex['n2']}.`,
        );
    });
  });

  test('Figure 8: a leader does not commit an entry of an earlier term by counting its replicas', async () => {
    // Raft §5.4.2. n1 stores entry 1 in term 1, wins term 2, and learns that n3 stores entry 1 too.
    await withPuppets(createRaftNode, { size: 3, seed: 23 }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', append(1, 'n2', 0, 0, [entry(1, 1, 'old')])));
      obligingFollowers(puppets);
      // n2 has gone quiet; n3's log is empty at first, so it refuses until the leader sends from index 1.
      let n3LogLength = 0;
      puppets.on('AppendEntries', (puppet, from, message) => {
        const m = message as unknown as AppendEntries;
        if (puppet === 'n2') return;
        const success = m.prevLogIndex <= n3LogLength;
        if (success) n3LogLength = Math.max(n3LogLength, m.prevLogIndex + m.entries.length);
        puppets.send(puppet, from, {
          type: 'AppendEntriesReply',
          term: m.term,
          success,
          matchIndex: success ? m.prevLogIndex + m.entries.length : 0,
        } satisfies AppendEntriesReply);
      });
      await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'leader', { timeoutMs: 1_000 });
      await sim.runUntil(() => raftOf(sim, 'n1').matchIndex['n3'] === 1, { timeoutMs: 300 });
      await sim.run({ untilMs: sim.nowMs + 100 });
      const n1 = raftOf(sim, 'n1');
      if (n1.matchIndex['n3'] !== 1)
        throw new Error(`n3 acknowledged entry 1, yet n1's matchIndex[n3] is ${n1.matchIndex['n3']}.`);
      if (n1.commitIndex !== 0) {
        throw new Error(
          `n1, leader of term ${n1.currentTerm}, committed entry 1 of term 1 because a majority (n1, n3) stores it: a leader never commits an entry of an earlier term by counting replicas (§5.4.2, Figure 8).`,
        );
      }
      proposeOn(sim, 'n1', 'new');
      await sim.run({ untilMs: sim.nowMs + 50 });
      const after = raftOf(sim, 'n1');
      if (after.commitIndex !== 2 || appliedCommands(sim, 'n1').join(',') !== 'old,new') {
        throw new Error(
          `n3 acknowledged entry 2 (term ${after.currentTerm}, the leader's own), yet n1 has commitIndex ${after.commitIndex} and applied [${appliedCommands(sim, 'n1').join(',')}]: committing entry 2 commits entry 1 with it.`,
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
