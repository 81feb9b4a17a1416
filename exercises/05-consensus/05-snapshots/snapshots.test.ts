/**
 * Tests for exercise 5.5: log compaction with snapshots (Raft §7). See README.md for what each group
 * checks.
 *
 * Every run is watched after EVERY event for Raft's safety properties (durability included) and for a
 * short log: no server may hold more than SNAPSHOT_THRESHOLD applied entries in its log. Every history
 * is judged by the linearizability checker, and every store is checked for operations that took
 * effect twice.
 */
import { describe, test } from 'vitest';
import type { NodeId } from '#harness';
import { cluster, simulate, type Simulation, sweepSeedCount } from '#harness/testing';
import { Clerk } from '../_test-support/kv-client.ts';
import { assertHistoryIsSound, expectOk, runClient, sweepKvUnderFaults } from '../_test-support/kv-runs.ts';
import { awaitLeader, reportFigure, trafficBetween } from '../_test-support/liveness.ts';
import { snapshotIndex, viewOf } from '../_test-support/raft-view.ts';
import { CLIENTS_RECOVERY_MS } from '../_test-support/recovery.ts';
import { append, nodeOf, watchEveryProperty, withPuppets } from '../_test-support/scripted-runs.ts';
import { appliedCount, describeServers } from '../_test-support/workload.ts';
import { createRaftNode, type RaftNode } from './raft.ts';
import type { AppendEntries, AppendEntriesReply, LogEntry, RequestVoteReply } from '../_given/raft-protocol.ts';
import type { KvCommand } from '../_given/kv-protocol.ts';
import { SNAPSHOT_THRESHOLD, type InstallSnapshot, type InstallSnapshotReply } from '../_given/snapshot-protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const serverOf = nodeOf<RaftNode>;

/** How long a scripted test waits for a server to apply entries it knows are committed, ms (the README states it). */
const APPLY_WITHIN_MS = 100;

/** Raft's safety properties, durability included, and the bound on the log, after every event. */
function watchAll(sim: Simulation): void {
  watchEveryProperty(sim);
  sim.watch('Log compaction (§7)', (s) => {
    for (const node of s.nodeIds) {
      const view = viewOf(s, node);
      if (view === undefined) continue;
      const appliedInLog = view.lastApplied - snapshotIndex(view);
      if (appliedInLog > SNAPSHOT_THRESHOLD) {
        return (
          `${node} holds ${appliedInLog} applied entries in its log (lastApplied ${view.lastApplied}, snapshot ${snapshotIndex(view) || 'none'}): ` +
          `take a snapshot as soon as ${SNAPSHOT_THRESHOLD} applied entries are in the log, so that the log stays short.`
        );
      }
    }
    return null;
  });
}

/** Fails unless `node`'s store equals `reference`'s. */
function assertSameStore(sim: Simulation, node: NodeId, reference: NodeId, when: string): void {
  const mine = JSON.stringify(serverOf(sim, node).store);
  const theirs = JSON.stringify(serverOf(sim, reference).store);
  if (mine !== theirs) throw new Error(`${when}, ${node}'s store is ${mine} but ${reference}'s is ${theirs}.`);
}

/**
 * Once the faults have healed, every server catches up with the leader's commit index, however far
 * behind it was: with AppendEntries, or with InstallSnapshot when the leader compacted what it misses.
 */
async function awaitEveryoneCaughtUp(sim: Simulation, withinMs: number): Promise<void> {
  const leader = await awaitLeader(sim, { withinMs, context: ' after the clients finished' });
  const target = serverOf(sim, leader).commitIndex;
  const behind = () => sim.nodeIds.filter((node) => sim.isUp(node) && appliedCount(sim, node) < target);
  if (await sim.runUntil(() => behind().length === 0, { timeoutMs: withinMs })) return;
  throw new Error(
    `${behind().join(' and ')} did not catch up with ${leader}'s commit index ${target} within ${withinMs} ms after the faults healed ` +
      `(${leader}'s snapshot ends at ${snapshotIndex(serverOf(sim, leader))}): a follower whose nextIndex is inside the leader's snapshot gets ` +
      `the snapshot: InstallSnapshot (§7).\n  ${describeServers(sim)}`,
  );
}

/** Entry `index` of term `term`: an append of `t:<index>;` to key k by client t. */
function appendEntry(index: number, term: number): LogEntry {
  const command: KvCommand = { clientId: 't', seq: index, op: { f: 'append', key: 'k', value: `t:${index};` } };
  return { index, term, command };
}

/** The store after applying entries 1..n built by {@link appendEntry}. */
function snapshotAt(lastIncludedIndex: number, term: number): InstallSnapshot {
  const value = Array.from({ length: lastIncludedIndex }, (_, k) => `t:${k + 1};`).join('');
  return {
    type: 'InstallSnapshot',
    term,
    leaderId: 'n2',
    lastIncludedIndex,
    lastIncludedTerm: term,
    data: { store: { k: value }, sessions: { t: { seq: lastIncludedIndex, output: {} } } },
  };
}

function range(from: number, to: number, term: number): LogEntry[] {
  return Array.from({ length: to - from + 1 }, (_, k) => appendEntry(from + k, term));
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('the log stays short while a client keeps writing: every server takes snapshots and drops old entries, from memory and storage', async () => {
    // Raft §7
    await simulate({ seed: 1, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchAll(sim);
      await runClient(sim, 'c1', 10_000, async (_c, clerk) => {
        for (let i = 0; i < 100; i++)
          expectOk(`operation #${i + 1}`, await (i % 4 === 3 ? clerk.get('k') : clerk.append('k')));
      });
      await sim.run({ untilMs: sim.nowMs + 200 });
      for (const node of sim.nodeIds) {
        const view = serverOf(sim, node);
        if (view.snapshot === null || view.snapshot.lastIncludedIndex < 60) {
          throw new Error(
            `After 100 committed operations ${node}'s snapshot is ${JSON.stringify(view.snapshot)}: every server takes its own snapshots (§7).`,
          );
        }
        const keys = Object.keys(sim.storageOf(node)).length;
        if (keys > SNAPSHOT_THRESHOLD + 12) {
          throw new Error(
            `${node} keeps ${keys} keys in storage after 100 operations with a snapshot at ${view.snapshot.lastIncludedIndex}: entries folded into a snapshot must leave storage too, or the disk fills up.`,
          );
        }
      }
      assertHistoryIsSound(sim);
    });
  });

  test('a follower cut off for a long time catches up through InstallSnapshot', async () => {
    // Raft §7, Figure 13
    await simulate({ seed: 2, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchAll(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      const lagging = sim.nodeIds.find((node) => node !== leader)!;
      sim.apply({ kind: 'isolate', node: lagging });
      await runClient(sim, 'c1', 10_000, async (_c, clerk) => {
        for (let i = 0; i < 60; i++) expectOk(`append #${i + 1}`, await clerk.append('k'));
      });
      const before = sim.stats();
      sim.apply({ kind: 'heal' });
      const healedAt = sim.nowMs;
      const current = await awaitLeader(sim, { withinMs: 1_000 });
      const caughtUp = () => appliedCount(sim, lagging) >= serverOf(sim, current).commitIndex;
      if (!(await sim.runUntil(caughtUp, { timeoutMs: 1_000 }))) {
        throw new Error(
          `${lagging}, cut off while the others committed 60 operations, has not caught up 1 s after it reconnected (t=${healedAt} ms): ` +
            `it applied ${appliedCount(sim, lagging)}, the leader ${current} committed ${serverOf(sim, current).commitIndex} and its snapshot ends at ` +
            `${snapshotIndex(serverOf(sim, current))}. A follower whose nextIndex is inside the leader's snapshot gets the snapshot: InstallSnapshot (§7).\n  ${describeServers(sim)}`,
        );
      }
      await sim.run({ untilMs: sim.nowMs + 100 });
      assertSameStore(sim, lagging, current, 'Once caught up');
      const traffic = trafficBetween(before, sim.stats());
      const snapshots = traffic.byType['InstallSnapshot'] ?? { messages: 0, bytes: 0 };
      reportFigure(
        `catching up 60 operations: ${snapshots.messages} InstallSnapshot (${snapshots.bytes} bytes), ${traffic.byType['AppendEntries']?.messages ?? 0} AppendEntries, ${traffic.bytes} bytes in all`,
      );
      if (snapshots.messages === 0)
        throw new Error(
          `${lagging} caught up without an InstallSnapshot: the leader should have compacted the entries it missed.`,
        );
      if (snapshots.messages > 6)
        throw new Error(
          `${snapshots.messages} InstallSnapshot messages to bring one follower up to date: send it again only when nextIndex says the follower still needs it.`,
        );
      assertHistoryIsSound(sim);
    });
  });

  test('a server restarts from its snapshot: its state machine comes back as of the snapshot, and it catches up', async () => {
    // Raft §7
    await simulate({ seed: 3, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchAll(sim);
      await runClient(sim, 'c1', 10_000, async (_c, clerk) => {
        for (let i = 0; i < 50; i++) expectOk(`append #${i + 1}`, await clerk.append('k'));
      });
      await sim.run({ untilMs: sim.nowMs + 200 });
      const victim = sim.nodeIds.find((node) => serverOf(sim, node).role !== 'leader')!;
      const before = serverOf(sim, victim).snapshot;
      sim.crash(victim);
      sim.restart(victim);
      const after = serverOf(sim, victim);
      if (
        after.snapshot?.lastIncludedIndex !== before?.lastIncludedIndex ||
        after.lastApplied !== before?.lastIncludedIndex
      ) {
        throw new Error(
          `${victim} crashed with snapshot ${JSON.stringify(before)} and restarted with snapshot ${JSON.stringify(after.snapshot)} and lastApplied ${after.lastApplied}: restore the snapshot, and with it lastApplied and commitIndex.`,
        );
      }
      const value = after.store['k'] ?? '';
      const tokens = value.split(';').filter((part) => part !== '').length;
      if (tokens !== before?.lastIncludedIndex) {
        throw new Error(
          `${victim} restarted with a snapshot at index ${before?.lastIncludedIndex} but its store holds ${tokens} appends: the store must come back as of the snapshot.`,
        );
      }
      await runClient(sim, 'c2', 5_000, async (_c, clerk) =>
        expectOk('an append after the restart', await clerk.append('k')),
      );
      await sim.run({ untilMs: sim.nowMs + 200 });
      const leader = sim.nodeIds.find((node) => serverOf(sim, node).role === 'leader')!;
      assertSameStore(sim, victim, leader, 'After the restart and one more operation');
      assertHistoryIsSound(sim);
    });
  });

  test('every server restarts from its snapshot, and a retry of an operation inside the snapshot still takes effect once', async () => {
    // Raft §7, §8
    await simulate({ seed: 4, nodes: cluster(3, createRaftNode) }, async (sim) => {
      watchAll(sim);
      const leader = await awaitLeader(sim, { withinMs: 1_000 });
      // c1's append reaches the leader and is applied, but every answer to c1 is lost for now.
      sim.client('c1', async (c) => {
        const clerk = new Clerk(c, sim.nodeIds, { giveUpAfterMs: 20_000 });
        clerk.tryFirst(leader);
        sim.apply({ kind: 'cut', from: leader, to: 'c1' });
        expectOk("c1's append, retried across the restart", await clerk.append('k', 'c1:1;'));
      });
      await sim.runUntil(() => sim.nodeIds.every((node) => (serverOf(sim, node).store['k'] ?? '').includes('c1:1;')), {
        timeoutMs: 500,
      });
      for (const node of sim.nodeIds) sim.apply({ kind: 'cut', from: node, to: 'c1' });
      // c2's appends push c1's operation into every server's snapshot.
      let c2Done = false;
      sim.client('c2', async (c) => {
        const clerk = new Clerk(c, sim.nodeIds);
        for (let i = 0; i < SNAPSHOT_THRESHOLD + 5; i++) expectOk(`c2's append #${i + 1}`, await clerk.append('k'));
        c2Done = true;
      });
      if (!(await sim.runUntil(() => c2Done, { timeoutMs: 5_000 })))
        throw new Error(`c2 did not finish its appends.\n  ${describeServers(sim)}`);
      await sim.run({ untilMs: sim.nowMs + 200 });
      for (const node of sim.nodeIds) sim.crash(node);
      for (const node of sim.nodeIds) sim.restart(node);
      await awaitLeader(sim, { withinMs: 1_500, context: ' after every server restarted' });
      sim.apply({ kind: 'heal' });
      if (!(await sim.runUntilClientsDone({ timeoutMs: 3_000 })))
        throw new Error(`c1's retry was never answered.\n  ${describeServers(sim)}`);
      await sim.run({ untilMs: sim.nowMs + 200 });
      assertHistoryIsSound(sim);
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('InstallSnapshot, receiver (Figure 13)', () => {
  test('a follower installs a snapshot: its store, snapshot, commitIndex and lastApplied move to it, and later entries follow on', async () => {
    // Raft §7, Figure 13 (receiver, steps 5–8)
    await withPuppets(createRaftNode, { size: 3, seed: 11, watch: watchAll }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', snapshotAt(30, 1)));
      sim.at(15, () => puppets.send('n2', 'n1', append(1, 'n2', 30, 1, [appendEntry(31, 1)], 31)));
      await sim.run({ untilMs: 12 });
      const n1 = serverOf(sim, 'n1');
      const reply = puppets.messages<InstallSnapshotReply>('InstallSnapshotReply', 'n1')[0]?.message;
      if (
        n1.snapshot?.lastIncludedIndex !== 30 ||
        n1.commitIndex !== 30 ||
        n1.lastApplied !== 30 ||
        n1.log.length !== 0
      ) {
        throw new Error(
          `After installing a snapshot up to index 30 (term 1) on an empty server, n1 has snapshot ${JSON.stringify(n1.snapshot)}, commitIndex ${n1.commitIndex}, lastApplied ${n1.lastApplied} and ${n1.log.length} log entries; expected the snapshot at 30, commitIndex 30, lastApplied 30 and an empty log.`,
        );
      }
      if ((n1.store['k'] ?? '').split(';').length - 1 !== 30)
        throw new Error(
          `After installing the snapshot, n1's store is ${JSON.stringify(n1.store)}: the snapshot's data replaces the state machine.`,
        );
      if (reply === undefined || reply.lastIncludedIndex !== 30 || reply.term !== 1) {
        throw new Error(
          `n1 answered the InstallSnapshot with ${JSON.stringify(reply)}; expected { type: 'InstallSnapshotReply', term: 1, lastIncludedIndex: 30 }.`,
        );
      }
      // Entry 31 arrives at t=17, committed: an applier on a timer may take a while to apply it.
      await sim.run({ untilMs: 30 });
      await sim.runUntil(() => serverOf(sim, 'n1').lastApplied >= 31, { timeoutMs: APPLY_WITHIN_MS });
      const ack = puppets.messages<AppendEntriesReply>('AppendEntriesReply', 'n1').at(-1)?.message;
      if (!ack?.success || serverOf(sim, 'n1').lastApplied !== 31) {
        throw new Error(
          `After the snapshot (up to 30), an AppendEntries with prevLogIndex 30, prevLogTerm 1 and entry 31 (committed) got ${JSON.stringify(ack)} and n1's lastApplied is ${serverOf(sim, 'n1').lastApplied} ${APPLY_WITHIN_MS} ms later: the snapshot's last entry counts as the entry at prevLogIndex.`,
        );
      }
    });
  });

  test("a snapshot whose last entry is in the follower's log keeps the entries after it", async () => {
    // Raft §7, Figure 13 (receiver, step 6)
    await withPuppets(createRaftNode, { size: 3, seed: 12, watch: watchAll }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', append(1, 'n2', 0, 0, range(1, 8, 1), 0)));
      sim.at(15, () => puppets.send('n2', 'n1', snapshotAt(5, 1)));
      await sim.run({ untilMs: 30 });
      const n1 = serverOf(sim, 'n1');
      const kept = n1.log.map((entry) => entry.index).join(',');
      if (n1.snapshot?.lastIncludedIndex !== 5 || kept !== '6,7,8') {
        throw new Error(
          `n1 held entries 1–8 and installed a snapshot up to 5 (term 1, matching its entry 5): its snapshot is ${JSON.stringify(n1.snapshot)} and its log holds [${kept}]; expected entries 6,7,8 to stay (Figure 13, step 6).`,
        );
      }
    });
  });

  test("a snapshot whose last entry conflicts with the follower's log replaces the whole log", async () => {
    // Raft §7, Figure 13 (receiver, step 7). n1 holds entries 1-8 of term 1, never committed; the
    // leader of term 2 sends a snapshot up to 5 whose last entry is of term 2: n1's entry 5 is not it,
    // so nothing after it can be trusted either.
    await withPuppets(createRaftNode, { size: 3, seed: 15, watch: watchAll }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', append(1, 'n2', 0, 0, range(1, 8, 1), 0)));
      sim.at(15, () => puppets.send('n2', 'n1', snapshotAt(5, 2)));
      await sim.run({ untilMs: 30 });
      const n1 = serverOf(sim, 'n1');
      const kept = n1.log.map((entry) => `${entry.index}:t${entry.term}`).join(', ');
      if (n1.snapshot?.lastIncludedIndex !== 5 || n1.log.length !== 0) {
        throw new Error(
          `n1 held entries 1-8 of term 1 and installed a snapshot up to 5 of term 2 (its entry 5 is of term 1, not 2): its snapshot is ` +
            `${JSON.stringify(n1.snapshot)} and its log holds [${kept}]; expected an empty log. Keep the entries after the ` +
            "snapshot only when the log holds the snapshot's last entry with the same term (Figure 13, steps 6 and 7).",
        );
      }
    });
  });

  test('a candidate that receives a snapshot from the leader of its term becomes a follower', async () => {
    // Raft §5.2: a candidate that hears from a leader of its own term has lost the election. The
    // puppets never vote, so n1 stays a candidate until n2, leader of that term, sends its snapshot.
    await withPuppets(createRaftNode, { size: 3, seed: 16, watch: watchAll }, async (sim, puppets) => {
      if (!(await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'candidate', { timeoutMs: 2_000 })))
        throw new Error('n1 heard from no leader for 2 s and did not become a candidate (§5.2).');
      const term = serverOf(sim, 'n1').currentTerm;
      puppets.send('n2', 'n1', snapshotAt(30, term));
      await sim.run({ untilMs: sim.nowMs + 10 });
      const n1 = serverOf(sim, 'n1');
      if (n1.role !== 'follower' || n1.currentTerm !== term || n1.snapshot?.lastIncludedIndex !== 30) {
        throw new Error(
          `n1 was a candidate in term ${term} and received an InstallSnapshot of term ${term} from n2: it is now ${n1.role} in term ` +
            `${n1.currentTerm} with snapshot ${JSON.stringify(n1.snapshot)}; expected a follower of n2 in term ${term} with the snapshot ` +
            'up to 30. A candidate that hears from the leader of its own term has lost the election (§5.2).',
        );
      }
    });
  });

  test("n1 replaces acknowledged entries after its snapshot with a later leader's, and crashes partway through saving them: no mix of the two logs", async () => {
    // Raft §7 with §5.3 and Figure 2 (AppendEntries receiver, rules 3 and 4). Five servers: n2 led term 1,
    // sent n1 a snapshot up to 2, then entries 3-5 that reached n1 only (never committed); n3 leads term 2
    // and sends its own entries, after entry 2 (all three conflict) or after entry 3 (which n3 holds too:
    // entries 4-5 conflict). n1 deletes the conflicting ones and saves the new. A crash after each effect
    // of that step in turn strikes, at some point, in the middle of the save: the saved log must then hold
    // what stays and a prefix of the new.
    const shapes = [
      { after: 2, entries: range(3, 4, 2), expected: '3:t2, 4:t2' },
      { after: 3, entries: range(4, 5, 2), expected: '3:t1, 4:t2, 5:t2' },
    ];
    for (const { after, entries, expected } of shapes) {
      for (let effects = 0; effects <= 12; effects++) {
        await withPuppets(createRaftNode, { size: 5, seed: 17, watch: watchAll }, async (sim, puppets) => {
          const fromN3 = () => append(2, 'n3', after, 1, entries);
          sim.at(3, () => puppets.send('n2', 'n1', snapshotAt(2, 1)));
          sim.at(5, () => puppets.send('n2', 'n1', append(1, 'n2', 2, 1, range(3, 5, 1))));
          sim.at(15, () => puppets.send('n3', 'n1', fromN3()));
          sim.at(16, () => sim.apply({ kind: 'crash', node: 'n1', afterEffects: effects }));
          sim.at(30, () => {
            if (!sim.isUp('n1')) sim.restart('n1');
          });
          // The leader of term 2 tries again after the restart; n1 must end up with its log.
          sim.at(40, () => puppets.send('n3', 'n1', fromN3()));
          await sim.run({ untilMs: 50 });
          const n1 = serverOf(sim, 'n1');
          const log = n1.log.map((entry) => `${entry.index}:t${entry.term}`).join(', ');
          if (n1.snapshot?.lastIncludedIndex !== 2 || log !== expected) {
            throw new Error(
              `n1 installed a snapshot up to 2, took entries 3-5 of term 1, crashed ${effects} effect(s) into replacing entries ` +
                `${after + 1}-5 with entries of term 2 that follow entry ${after} (t=17 ms), restarted at t=30 ms and received them ` +
                `again at t=42 ms; its snapshot is ${JSON.stringify(n1.snapshot)} and its log [${log}], expected the snapshot up to ` +
                `2 and [${expected}]. Before overwriting saved entries, cut the saved log short to the ones that stay (never below ` +
                'the snapshot): a crash partway through then leaves a prefix of the log, never new entries followed by old ones ' +
                'of an earlier term.',
            );
          }
        });
      }
    }
  });

  test('a snapshot older than what the follower already applied changes nothing', async () => {
    // Raft §7
    await withPuppets(createRaftNode, { size: 3, seed: 13, watch: watchAll }, async (sim, puppets) => {
      sim.at(5, () => puppets.send('n2', 'n1', append(1, 'n2', 0, 0, range(1, 10, 1), 10)));
      // A delayed or duplicated InstallSnapshot from earlier arrives now.
      sim.at(15, () => puppets.send('n2', 'n1', snapshotAt(4, 1)));
      sim.at(25, () => puppets.send('n2', 'n1', append(1, 'n2', 10, 1, [], 10)));
      await sim.run({ untilMs: 40 });
      await sim.runUntil(() => serverOf(sim, 'n1').lastApplied >= 10, { timeoutMs: APPLY_WITHIN_MS });
      const n1 = serverOf(sim, 'n1');
      if (n1.lastApplied !== 10 || (n1.store['k'] ?? '').split(';').length - 1 !== 10) {
        throw new Error(
          `n1 had applied entries 1–10, then received a stale snapshot up to 4: now lastApplied is ${n1.lastApplied} and its store ${JSON.stringify(n1.store)}. A snapshot that covers no more than lastApplied must not roll the state machine back.`,
        );
      }
    });
  });

  test('a snapshot from an older term is refused, and the reply carries the newer term', async () => {
    // Raft §7, Figure 13 (receiver, step 1)
    await withPuppets(createRaftNode, { size: 3, seed: 14, watch: watchAll }, async (sim, puppets) => {
      sim.at(5, () =>
        puppets.send('n3', 'n1', { type: 'RequestVote', term: 4, candidateId: 'n3', lastLogIndex: 0, lastLogTerm: 0 }),
      );
      sim.at(15, () => puppets.send('n2', 'n1', snapshotAt(30, 2)));
      await sim.run({ untilMs: 30 });
      const n1 = serverOf(sim, 'n1');
      const reply = puppets.messages<InstallSnapshotReply>('InstallSnapshotReply', 'n1')[0]?.message;
      if (n1.snapshot !== null || reply?.term !== 4) {
        throw new Error(
          `n1 (term 4) received an InstallSnapshot of term 2: its snapshot is now ${JSON.stringify(n1.snapshot)} and it answered ${JSON.stringify(reply)}; expected no snapshot and a reply with term 4.`,
        );
      }
    });
  });
});

describe('InstallSnapshot, leader (§7)', () => {
  test('a leader sends its snapshot to a follower whose next entry it has compacted, then carries on with AppendEntries', async () => {
    // Raft §7
    await withPuppets(createRaftNode, { size: 3, seed: 21, watch: watchAll }, async (sim, puppets) => {
      let n3Answers = false;
      let n3Log = 0;
      puppets.on('RequestVote', (puppet, from, message) => {
        puppets.send(puppet, from, {
          type: 'RequestVoteReply',
          term: message['term'] as number,
          voteGranted: true,
        } satisfies RequestVoteReply);
      });
      puppets.on('AppendEntries', (puppet, from, message) => {
        const m = message as unknown as AppendEntries;
        if (puppet === 'n3' && !n3Answers) return;
        const success = puppet === 'n2' || m.prevLogIndex <= n3Log;
        if (puppet === 'n3' && success) n3Log = Math.max(n3Log, m.prevLogIndex + m.entries.length);
        const reply: AppendEntriesReply = {
          type: 'AppendEntriesReply',
          term: m.term,
          success,
          matchIndex: success ? m.prevLogIndex + m.entries.length : 0,
          lastLogIndex: puppet === 'n3' ? n3Log : m.prevLogIndex + m.entries.length,
        };
        puppets.send(puppet, from, reply);
      });
      puppets.on('InstallSnapshot', (puppet, from, message) => {
        const m = message as unknown as InstallSnapshot;
        if (puppet === 'n3' && !n3Answers) return; // cut off: n3 hears nothing until it answers
        n3Log = Math.max(n3Log, m.lastIncludedIndex); // a stale snapshot changes nothing, as on a real follower
        puppets.send(puppet, from, {
          type: 'InstallSnapshotReply',
          term: m.term,
          lastIncludedIndex: m.lastIncludedIndex,
        } satisfies InstallSnapshotReply);
      });
      await sim.runUntil(() => viewOf(sim, 'n1')?.role === 'leader', { timeoutMs: 1_000 });
      const term = serverOf(sim, 'n1').currentTerm;
      for (let seq = 1; seq <= SNAPSHOT_THRESHOLD + 10; seq++) {
        serverOf(sim, 'n1').propose({
          clientId: 't',
          seq,
          op: { f: 'append', key: 'k', value: `t:${seq};` },
        } satisfies KvCommand);
        await sim.run({ untilMs: sim.nowMs + 5 });
      }
      await sim.run({ untilMs: sim.nowMs + 100 });
      const base = snapshotIndex(serverOf(sim, 'n1'));
      if (base === 0)
        throw new Error(
          `n1 applied ${serverOf(sim, 'n1').lastApplied} entries but took no snapshot (threshold ${SNAPSHOT_THRESHOLD}).`,
        );
      n3Answers = true;
      const receivedBefore = puppets.received.length;
      await sim.run({ untilMs: sim.nowMs + 300 });
      // While n3 was silent, n1 may already have sent it the snapshots it took before its latest one: each
      // must hold the store as of its own lastIncludedIndex. Once n3 answers, n1 sends its latest one.
      const toN3 = (d: { readonly to: NodeId; readonly message: { readonly type: string } }) =>
        d.to === 'n3' && d.message.type === 'InstallSnapshot';
      const snapshots = puppets.received.filter(toN3).map((d) => d.message as unknown as InstallSnapshot);
      const latest = puppets.received.slice(receivedBefore).find(toN3)?.message as InstallSnapshot | undefined;
      if (latest === undefined) {
        throw new Error(
          `n3's log is empty and n1's snapshot covers entries 1–${base}, yet within 300 ms of n3 answering n1 sent n3 no InstallSnapshot: when nextIndex falls inside the snapshot, send the snapshot (§7).`,
        );
      }
      for (const snapshot of snapshots) {
        const appends = (snapshot.data.store['k'] ?? '').split(';').length - 1;
        if (appends !== snapshot.lastIncludedIndex) {
          throw new Error(
            `n1 sent n3 ${JSON.stringify({ ...snapshot, data: '…' })} with store ${JSON.stringify(snapshot.data.store)} (${appends} appends): ` +
              `expected the store as of index ${snapshot.lastIncludedIndex}, the snapshot's (not as of now).`,
          );
        }
      }
      if (latest.lastIncludedIndex !== base) {
        throw new Error(
          `n1 sent n3 ${JSON.stringify({ ...latest, data: '…' })} after n3 began to answer, but n1's snapshot ends at ${base}: send the latest snapshot.`,
        );
      }
      if (
        n3Log < serverOf(sim, 'n1').commitIndex ||
        serverOf(sim, 'n1').matchIndex['n3']! < serverOf(sim, 'n1').commitIndex
      ) {
        throw new Error(
          `After the snapshot, n3 holds entries up to ${n3Log} and n1's matchIndex[n3] is ${serverOf(sim, 'n1').matchIndex['n3']}, but n1 committed ${serverOf(sim, 'n1').commitIndex}: after InstallSnapshotReply, set matchIndex and nextIndex and go on with AppendEntries.`,
        );
      }
      const n1 = serverOf(sim, 'n1');
      if (n1.role !== 'leader' || n1.currentTerm !== term) {
        throw new Error(
          `n1 led term ${term}; after n3 acknowledged its snapshot with an InstallSnapshotReply of term ${term}, n1 is ${n1.role} in term ` +
            `${n1.currentTerm}: a reply of the leader's own term is no reason to step down (only a higher term is, Figure 2).`,
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
    `three clients that repeat themselves, under crashes, partitions, drops, duplicates, delays and late replies, with snapshots every ${SNAPSHOT_THRESHOLD} entries: every client served within ${CLIENTS_RECOVERY_MS} ms of the heal (${seeds} swarm worlds of 3 to 7 servers)`,
    { timeout },
    async () => {
      // Raft §7, §8, Figure 3
      await sweepKvUnderFaults(createRaftNode, {
        seeds,
        ops: 40,
        maxPauseMs: 20,
        watch: watchAll,
        afterClients: (sim) => awaitEveryoneCaughtUp(sim, 1_500),
      });
    },
  );
});
