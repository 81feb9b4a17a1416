/**
 * Chapter figures: how long the test suites of chapter 3 (replication) and chapter 5 (consensus with
 * Raft) take against the reference solutions, and how many Raft operations the simulator runs per
 * second of wall time.
 *
 * - The suites: `vitest run --project solutions exercises/<chapter>`, spawned and timed as a learner's
 *   machine would run it (vitest's own worker pool, every sweep at its default seed count).
 * - Committed entries per second: the reference Raft of exercise 3 (election, replication, persistence)
 *   on 5 servers, the leader taking a new command every millisecond of virtual time, no trace recorded.
 * - Key-value operations per second: the store of exercise 5 (with snapshots) on 5 servers, 10 clients
 *   running the tests' clerk, every history judged afterwards by the linearizability checker.
 *
 * Run standalone with `npx tsx scripts/bench/chapters.ts`.
 */
import { pathToFileURL } from 'node:url';
import type { NodeId } from '#harness';
import { cluster, Simulation } from '#harness/sim';
import { repositoryRoot } from '../lib/exercises.ts';
import { runVitest } from '../lib/vitest-run.ts';
import { Clerk, assertKvLinearizable, randomWorkload } from '../../exercises/05-consensus/_test-support/kv-client.ts';
import {
  createRaftNode as createPersistentRaft,
  type RaftNode as PersistentRaft,
} from '../../solutions/05-consensus/03-persistence/raft.ts';
import { createRaftNode as createKvRaft } from '../../solutions/05-consensus/05-snapshots/raft.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

/** Runs one chapter's tests against the reference solutions and times the whole process. */
async function measureSuite(chapter: string, targetSeconds: number): Promise<BenchFigure> {
  const started = performance.now();
  const run = await runVitest(repositoryRoot, ['--project', 'solutions', `exercises/${chapter}`]);
  const seconds = (performance.now() - started) / 1_000;
  const passed = run.tests.filter((test) => test.status === 'passed').length;
  const failed = run.tests.filter((test) => test.status === 'failed').length;
  const verdict =
    failed === 0 && run.brokenFiles.length === 0
      ? 'all passed'
      : `${failed} FAILED, ${run.brokenFiles.length} broken file(s)`;
  return {
    name: `chapter ${chapter.slice(0, 2)} suite against the solutions (wall time)`,
    value: Math.round(seconds * 10) / 10,
    unit: 's',
    detail: `${passed + failed} tests, ${verdict}; target < ${targetSeconds} s`,
  };
}

/** Committed entries per wall second for the persistent Raft of exercise 3, under a steady stream of commands. */
async function measureCommits(
  virtualMs: number,
): Promise<{ committed: number; seconds: number; events: number; messages: number }> {
  const sim = new Simulation({
    seed: 1,
    nodes: cluster(5, createPersistentRaft),
    recordTrace: false,
    limits: { maxEvents: 50_000_000 },
  });
  let next = 0;
  const propose = (): void => {
    for (const node of sim.nodeIds) {
      const server = sim.nodeInstance<PersistentRaft>(node);
      if (server?.role === 'leader') server.propose(`command-${next++}`);
    }
    sim.at(sim.nowMs + 1, propose);
  };
  sim.at(0, propose);
  const started = performance.now();
  await sim.run({ untilMs: virtualMs });
  const seconds = (performance.now() - started) / 1_000;
  const committed = Math.max(...sim.nodeIds.map((node) => sim.nodeInstance<PersistentRaft>(node)?.commitIndex ?? 0));
  return { committed, seconds, events: sim.eventsProcessed, messages: sim.stats().messagesSent };
}

/** Completed key-value operations per wall second on the store of exercise 5, with its history checked. */
async function measureKv(
  clients: number,
  opsPerClient: number,
): Promise<{ ops: number; seconds: number; virtualSeconds: number; checkSeconds: number }> {
  const sim = new Simulation({
    seed: 1,
    nodes: cluster(5, createKvRaft),
    recordTrace: false,
    limits: { maxEvents: 50_000_000 },
  });
  for (let index = 1; index <= clients; index++) {
    const id: NodeId = `c${index}`;
    sim.client(id, async (c) => {
      const clerk = new Clerk(c, sim.nodeIds);
      await randomWorkload(c, clerk, { ops: opsPerClient, keys: ['a', 'b', 'c', 'd'], maxPauseMs: 5 });
    });
  }
  const started = performance.now();
  const done = await sim.runUntilClientsDone({ timeoutMs: 600_000 });
  const seconds = (performance.now() - started) / 1_000;
  if (!done) throw new Error('the kv bench clients did not finish');
  const checkStarted = performance.now();
  assertKvLinearizable(sim);
  const checkSeconds = (performance.now() - checkStarted) / 1_000;
  const ops = sim.history().filter((operation) => operation.status === 'ok').length;
  return { ops, seconds, virtualSeconds: sim.nowMs / 1_000, checkSeconds };
}

/** The chapters' bench suite. */
export const chaptersBench: BenchSuite = {
  title: 'Chapters 03 (replication) and 05 (consensus): suite times and simulated Raft throughput',
  async run(): Promise<BenchFigure[]> {
    const figures: BenchFigure[] = [];
    const commits = await measureCommits(60_000);
    figures.push({
      name: 'committed Raft entries per second (5 servers, persisted)',
      value: Math.round(commits.committed / commits.seconds),
      unit: 'entries/s',
      detail:
        `${commits.committed.toLocaleString('en-US')} entries in 60 s of virtual time, ${commits.seconds.toFixed(2)} s wall; ` +
        `${(commits.messages / commits.committed).toFixed(1)} messages and ${Math.round(commits.events / commits.committed)} events per entry`,
    });
    const kv = await measureKv(10, 300);
    figures.push({
      name: 'kv operations per second (5 servers, 10 clients, snapshots)',
      value: Math.round(kv.ops / kv.seconds),
      unit: 'ops/s',
      detail:
        `${kv.ops} operations in ${kv.virtualSeconds.toFixed(1)} s of virtual time, ${kv.seconds.toFixed(2)} s wall; ` +
        `history linearizable, checked in ${(kv.checkSeconds * 1_000).toFixed(0)} ms`,
    });
    figures.push(await measureSuite('05-consensus', 30));
    figures.push(await measureSuite('03-replication', 10));
    return figures;
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const figure of await chaptersBench.run())
    console.log(`${figure.name}: ${figure.value} ${figure.unit} (${figure.detail ?? ''})`);
}
