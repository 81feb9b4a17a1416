/**
 * Test support for chapter 5 (not a learner file): the helpers the spec tests of every exercise share.
 * Each takes what differs between exercises as a parameter (the node factory, the watchers), because
 * a helper here cannot import an exercise's `raft.ts` itself: that file is the learner's, and only the
 * test next to it knows which one it tests.
 *
 * ```ts
 * const raftOf = nodeOf<RaftNode>;
 * await withPuppets(createRaftNode, { size: 3, seed: 11, watch: watchEveryProperty }, async (sim, puppets) => { ... });
 * puppets.send('n2', 'n1', append(2, 'n2', 0, 0, [entry(1, 2, 'x')]));
 * ```
 *
 * @module
 */
import type { Node, NodeFactory, NodeId } from '#harness';
import { simulate, type Simulation, withArticle } from '#harness/testing';
import type { AppendEntries, AppendEntriesReply, LogEntry, RequestVoteReply } from '../_given/raft-protocol.ts';
import { ALL_PROPERTIES, type RaftObserver, watchRaft } from './invariants.ts';
import { Puppets } from './raft-view.ts';

/** The running instance of `node`, as the test's own node type (`nodeOf<RaftNode>`); throws if it is down. */
export function nodeOf<N extends Node>(sim: Simulation, node: NodeId): N {
  const instance = sim.nodeInstance<N>(node);
  if (instance === undefined) throw new Error(`${node} is down`);
  return instance;
}

/** Every safety property of {@link watchRaft}, durability included (exercise 3 on); returns what it observes. */
export function watchEveryProperty(sim: Simulation): RaftObserver {
  return watchRaft(sim, { properties: ALL_PROPERTIES });
}

/** A run of {@link withPuppets}: how many servers, the seed, and what watches it (default: {@link watchRaft}'s defaults). */
export interface PuppetRun {
  readonly size: number;
  readonly seed: number;
  readonly watch?: (sim: Simulation) => void;
}

/**
 * A real n1 made by `factory` and puppet peers n2..n<size>, on a network with a fixed 2 ms delay so
 * scripts read simply. The watchers are installed before `body` runs.
 *
 * A puppet answers nothing unless the test scripts it (`puppets.on`, `answerAsFollowers`): to n1 it is
 * a server that is down or cut off, which a real server can be. A test whose n1 would act differently
 * towards live servers (a leader that steps down when no majority answers it) scripts the answers.
 */
export async function withPuppets(
  factory: NodeFactory,
  run: PuppetRun,
  body: (sim: Simulation, puppets: Puppets) => Promise<void>,
): Promise<void> {
  const puppets = new Puppets();
  const nodes: Record<NodeId, NodeFactory> = { n1: factory };
  for (let index = 2; index <= run.size; index++) nodes[`n${index}`] = puppets.factory;
  await simulate({ seed: run.seed, nodes, network: { delayMs: 2 } }, async (sim) => {
    const watch = run.watch ?? watchRaft;
    watch(sim);
    await body(sim, puppets);
  });
}

/** A log entry, for a puppet's AppendEntries. */
export function entry(index: number, term: number, command: unknown): LogEntry {
  return { index, term, command };
}

/** An AppendEntries from `leaderId`, as a puppet leader sends it. */
export function append(
  term: number,
  leaderId: NodeId,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: LogEntry[],
  leaderCommit = 0,
): AppendEntries {
  return { type: 'AppendEntries', term, leaderId, prevLogIndex, prevLogTerm, entries, leaderCommit };
}

/** The last reply of `type` that puppet `to` received from n1; fails with a sentence if there is none. */
export function lastReply<M extends AppendEntriesReply | RequestVoteReply>(
  puppets: Puppets,
  type: M['type'],
  to: NodeId,
  asked: string,
): M {
  const replies = puppets.messages<M>(type, 'n1').filter((d) => d.to === to);
  if (replies.length === 0) throw new Error(`n1 never answered ${asked}: every request gets ${withArticle(type)}.`);
  return replies[replies.length - 1]!.message;
}
