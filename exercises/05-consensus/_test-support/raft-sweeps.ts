/**
 * Test support for chapter 5 (not a learner file): the swarm sweep that exercises 1 to 3 share. Each
 * seed draws its world (cluster size, network, faults; see `recovery.ts`), the watchers check every
 * event, and once the faults heal the recovery bounds must hold. It takes the node factory, and what
 * else differs between exercises, as a parameter.
 *
 * @module
 */
import type { NodeFactory } from '#harness';
import { cluster, forEachSwarmSeed, type RandomFaultKind, simulate, type Simulation } from '#harness/testing';
import type { RaftObserver } from './invariants.ts';
import {
  COMMITTED_RECOVERY_MS,
  expectCommittedEverywhere,
  expectLeaderRecovered,
  LEADER_RECOVERY_MS,
  raftSwarm,
  withSplitBeforeHeal,
  WorstRecovery,
} from './recovery.ts';
import { awaitConvergence, keepProposing } from './workload.ts';

/** What one exercise's Raft sweep varies. */
export interface RaftSweep {
  readonly seeds: number;
  /** When every fault heals, ms. */
  readonly healAtMs: number;
  /** The kinds of fault (default: the swarm's own, crashes included). */
  readonly kinds?: readonly RandomFaultKind[];
  /** Installs the run's watchers and returns what they observe. */
  readonly watch: (sim: Simulation) => RaftObserver;
  /**
   * With commands (exercise 2 on): every 40 ms every server that believes it leads gets one, and after
   * the heal every committed entry must reach every server, then the cluster converges within
   * `convergeWithinMs`. Without: only a leader must be back.
   */
  readonly commands?: { readonly convergeWithinMs: number };
}

/**
 * Runs `sweep.seeds` swarm worlds of 3 to 7 servers from `factory`: the watchers check every event,
 * and after the heal a leader that a majority follows must be back within {@link LEADER_RECOVERY_MS}
 * (and, with commands, every committed entry on every server within {@link COMMITTED_RECOVERY_MS}).
 * Prints the slowest recovery of each bound (📏).
 */
export async function sweepRaftUnderFaults(factory: NodeFactory, sweep: RaftSweep): Promise<void> {
  const worst = new WorstRecovery();
  const swarm = raftSwarm({
    count: sweep.seeds,
    healAtMs: sweep.healAtMs,
    ...(sweep.kinds === undefined ? {} : { kinds: sweep.kinds }),
  });
  await forEachSwarmSeed(swarm, async (seed, drawn) => {
    const world = withSplitBeforeHeal(seed, drawn);
    const nodes = cluster(world.nodes, factory);
    await simulate({ seed, nodes, faults: world.faults, details: world.details }, async (sim) => {
      const observer = sweep.watch(sim);
      // Stale leaders get commands too. They go on after the heal: a new leader commits the entries of
      // earlier terms only with one of its own (§5.4.2).
      const commands = sweep.commands === undefined ? undefined : keepProposing(sim);
      const leaderMs = await expectLeaderRecovered(sim, world.healAtMs);
      worst.record('a leader that a majority follows', leaderMs, seed, LEADER_RECOVERY_MS);
      if (commands === undefined || sweep.commands === undefined) return;
      const committedMs = await expectCommittedEverywhere(sim, observer, world.healAtMs);
      worst.record('every committed entry on every server', committedMs, seed, COMMITTED_RECOVERY_MS);
      commands.stop();
      await awaitConvergence(sim, sweep.commands.convergeWithinMs);
    });
  });
  worst.report(sweep.seeds);
}
