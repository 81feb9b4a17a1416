/**
 * Test support for chapter 5 (not a learner file): proposing commands and waiting until they are
 * applied, with failures that show every server's log.
 *
 * @module
 */
import type { NodeId } from '#harness';
import type { Simulation } from '#harness/testing';
import { awaitLeader } from './liveness.ts';
import { describeLog, leaders, showCommand, viewOf, type RaftView } from './raft-view.ts';

/**
 * A server applies a committed entry within this much virtual time of learning that it is committed
 * (the READMEs state it): a spec test that reads `applied` waits this long first, so an applier that
 * runs on a timer of up to this period passes.
 */
export const APPLY_WITHIN_MS = 20;

/** The command of a no-op entry, which a leader may append when it wins (Raft §8); READMEs state it. */
export const NO_OP_COMMAND = null;

/** A node that accepts proposals (exercise 2 on). */
export interface Proposer {
  propose(command: unknown): { readonly index: number; readonly term: number } | null;
}

/** The node as a proposer; fails if it is down. */
export function proposerOf(sim: Simulation, node: NodeId): Proposer & RaftView {
  const instance = sim.nodeInstance(node) as unknown as (Proposer & RaftView) | undefined;
  if (instance === undefined) throw new Error(`${node} is down`);
  return instance;
}

/** Proposes `command` to `node`, which must be the leader. */
export function proposeOn(sim: Simulation, node: NodeId, command: unknown): { index: number; term: number } {
  const server = proposerOf(sim, node);
  const proposal = server.propose(command);
  if (proposal === null) {
    throw new Error(
      `${node} refused to propose ${showCommand(command)}: propose returned null, but ${node} is the ${server.role} of term ${server.currentTerm}.`,
    );
  }
  return proposal;
}

/**
 * From t=`firstMs`, every `everyMs` every server that believes it leads (stale leaders too) gets a new
 * command `c0`, `c1`, ..., until `stop()` is called.
 */
export function keepProposing(sim: Simulation, options: { firstMs?: number; everyMs?: number } = {}): { stop(): void } {
  const everyMs = options.everyMs ?? 40;
  let stopped = false;
  let next = 0;
  const tick = () => {
    if (stopped) return;
    for (const { node } of leaders(sim)) proposerOf(sim, node).propose(`c${next++}`);
    sim.at(sim.nowMs + everyMs, tick);
  };
  sim.at(options.firstMs ?? 20, tick);
  return {
    stop: () => {
      stopped = true;
    },
  };
}

/** Every server's state in one line each, for failure messages. */
export function describeServers(sim: Simulation, nodes: readonly NodeId[] = sim.nodeIds): string {
  return nodes
    .map((node) => {
      const view = viewOf(sim, node);
      return view === undefined
        ? `${node} down`
        : `${node} (${view.role}, term ${view.currentTerm}) log ${describeLog(view)}, commitIndex ${view.commitIndex}, applied ${view.applied?.length ?? 0}`;
    })
    .join('\n  ');
}

/** How many entries `node` has applied, counting those folded into its snapshot (exercise 5). */
export function appliedCount(sim: Simulation, node: NodeId): number {
  const view = viewOf(sim, node);
  if (view === undefined) return 0;
  return view.lastApplied;
}

/** Runs until every node in `nodes` applied `count` entries (lastApplied ≥ count); fails with every log. */
export async function awaitApplied(
  sim: Simulation,
  nodes: readonly NodeId[],
  count: number,
  withinMs: number,
  what: string,
): Promise<void> {
  const done = () => nodes.every((node) => appliedCount(sim, node) >= count);
  if (await sim.runUntil(done, { timeoutMs: withinMs })) return;
  throw new Error(
    `${what}: not every server applied ${count} entries within ${withinMs} ms of virtual time.\n  ${describeServers(sim, nodes)}`,
  );
}

/** The commands `node` applied, in order (this incarnation), leaving out no-op entries (command `null`). */
export function appliedCommands(sim: Simulation, node: NodeId): unknown[] {
  return (viewOf(sim, node)?.applied ?? [])
    .map((entry) => entry.command)
    .filter((command) => command !== NO_OP_COMMAND);
}

/**
 * Liveness after the faults heal: a leader emerges, commits an entry of its own term (proposing one if
 * needed: without it, entries of earlier terms stay uncommitted), and every up server applies the whole
 * log. A leader can lose its job after a proposal; then the next one proposes again.
 */
export async function awaitConvergence(
  sim: Simulation,
  withinMs: number,
  makeCommand: (attempt: number) => unknown = (k) => `final-${k}`,
): Promise<void> {
  const deadline = sim.nowMs + withinMs;
  let attempt = 0;
  const lastIndexOf = (view: RaftView) => view.log[view.log.length - 1]?.index ?? view.snapshot?.lastIncludedIndex ?? 0;
  const converged = (leader: NodeId) => {
    const view = viewOf(sim, leader);
    if (view?.role !== 'leader') return false;
    const last = view.log[view.log.length - 1];
    const target = lastIndexOf(view);
    return (
      last !== undefined &&
      last.term === view.currentTerm &&
      sim.nodeIds.every((node) => !sim.isUp(node) || appliedCount(sim, node) === target)
    );
  };
  while (sim.nowMs < deadline) {
    const leader = await awaitLeader(sim, {
      withinMs: Math.max(1, deadline - sim.nowMs),
      context: ' after every fault healed',
    });
    const view = proposerOf(sim, leader);
    if (view.log[view.log.length - 1]?.term !== view.currentTerm) view.propose(makeCommand(attempt++));
    const settled = await sim.runUntil(() => converged(leader) || viewOf(sim, leader)?.role !== 'leader', {
      timeoutMs: Math.max(1, deadline - sim.nowMs),
    });
    if (settled && converged(leader)) return;
  }
  throw new Error(
    `${withinMs} ms after every fault healed, the servers have not converged (a leader with an entry of its term committed, ` +
      `and every server applying its whole log):\n  ${describeServers(sim)}`,
  );
}
