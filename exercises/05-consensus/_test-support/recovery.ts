/**
 * Test support for chapter 5 (not a learner file): the recovery bounds of the chapter's sweeps, and
 * the swarm worlds they run in. Each exercise's README states its bounds under "What the tests check".
 *
 * A bound counts from the moment the last fault heals (every link back, every crashed server
 * restarted, a reliable network). Each is about twice the slowest recovery of the reference solutions
 * over a 2,000-seed soak, with the given timing (`ELECTION_TIMEOUT_MS`, `HEARTBEAT_INTERVAL_MS`); a
 * back-off that grows without a cap misses it.
 *
 * @module
 */
import type { NodeId } from '#harness';
import {
  deriveSeed,
  describeSchedule,
  expectRecovered,
  type RandomFaultKind,
  Rng,
  type ScheduledFault,
  type Simulation,
  sortSchedule,
  type SwarmSweepOptions,
  type SwarmWorld,
} from '#harness/testing';
import { ELECTION_TIMEOUT_MS } from '../_given/raft-protocol.ts';
import type { RaftObserver } from './invariants.ts';
import { explainNoLeader, reportFigure, termsNow } from './liveness.ts';
import { stableLeader } from './raft-view.ts';
import { appliedCount, describeServers } from './workload.ts';

/** A leader that a majority follows, this long after the heal at the latest (exercises 1 to 3). */
export const LEADER_RECOVERY_MS = 1_500;
/** Every entry committed before the heal applied on every server, this long after it (exercises 2 and 3). */
export const COMMITTED_RECOVERY_MS = 2_000;
/** Every client's pending and next operation answered, this long after the heal (exercises 4 and 5). */
export const CLIENTS_RECOVERY_MS = 2_000;

/** The servers of a cluster of `size`: n1, n2, ... */
export function serverIds(size: number): NodeId[] {
  return Array.from({ length: size }, (_, index) => `n${index + 1}`);
}

/** What a chapter-5 sweep varies: how many seeds, when the faults heal, which kinds of fault strike. */
export interface RaftSwarm {
  readonly count: number;
  readonly healAtMs: number;
  /** The kinds of fault; default the swarm's own (crashes included: exercise 3 on). */
  readonly kinds?: readonly RandomFaultKind[];
  /**
   * Longest a partition, cut or crash may last, ms. Default 20,000: most faults then last until the
   * heal, many election timeouts, and the heal finds servers in every state.
   */
  readonly maxPartitionMs?: number;
  /** The cluster sizes, both included. Default 3 to 7. */
  readonly sizes?: { readonly min: number; readonly max: number };
}

/**
 * The options of a chapter-5 swarm sweep: the swarm's timeout is the upper end of the election
 * timeout (its long tail of delays reaches ten times that), clusters of 3 to 7 servers (even sizes
 * too), and partitions, cuts and crashes that may last up to 20 s: cut short by the heal, many of them
 * last until it, many election timeouts long.
 */
export function raftSwarm(options: RaftSwarm): SwarmSweepOptions {
  return {
    count: options.count,
    swarm: {
      timeoutMs: ELECTION_TIMEOUT_MS.max,
      clusterSizes: options.sizes ?? { min: 3, max: 7 },
      maxPartitionMs: options.maxPartitionMs ?? 20_000,
      ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
    },
    nodes: (size) => serverIds(size ?? 5),
    healAtMs: options.healAtMs,
  };
}

/**
 * `world`, and in one world of two a last fault the swarm rarely draws: from 900–2,400 ms before the
 * heal (and after every drawn fault), the servers are split into groups none of which holds a majority
 * (two halves of an even cluster; for an odd one, groups of floor(n/2) and a rest). No leader can be
 * elected until the heal, and every server keeps standing in elections for up to eight election
 * timeouts: this is where a back-off without a cap, or a stale higher term, slows recovery.
 */
export function withSplitBeforeHeal(seed: number, world: SwarmWorld): SwarmWorld {
  const rng = new Rng(deriveSeed(seed, 'split before the heal'));
  if (!rng.chance(0.5)) return world;
  const lastDrawnMs = Math.max(0, ...world.faults.filter((f) => f.atMs < world.healAtMs).map((f) => f.atMs));
  const startMs = Math.max(lastDrawnMs + 1, world.healAtMs - rng.int(3, 8) * ELECTION_TIMEOUT_MS.max);
  if (startMs >= world.healAtMs) return world;
  const shuffled = [...world.nodes];
  for (let index = shuffled.length - 1; index > 0; index--) {
    const other = rng.int(0, index);
    [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
  }
  const groupSize = Math.max(1, Math.floor(world.nodes.length / 2));
  const groups: NodeId[][] = [];
  for (let index = 0; index < shuffled.length; index += groupSize)
    groups.push(shuffled.slice(index, index + groupSize));
  const split: ScheduledFault = { atMs: startMs, kind: 'partition', groups };
  const faults = sortSchedule([...world.faults, split]);
  return { ...world, faults, details: { ...world.details, 'fault schedule': describeSchedule(faults) } };
}

/** The slowest recovery seen over a sweep, per bound, printed (📏) when the sweep ends. */
export class WorstRecovery {
  readonly #worst = new Map<string, { ms: number; seed: number; withinMs: number; waited: number }>();

  /** Records that `what` came back `ms` after the heal in the run of `seed`. */
  record(what: string, ms: number, seed: number, withinMs: number): void {
    const known = this.#worst.get(what) ?? { ms: -1, seed, withinMs, waited: 0 };
    const waited = known.waited + (ms > 0 ? 1 : 0);
    this.#worst.set(what, ms > known.ms ? { ms, seed, withinMs, waited } : { ...known, waited });
  }

  /** Prints the slowest recovery of each bound, against the bound. */
  report(worlds: number): void {
    for (const [what, { ms, seed, withinMs, waited }] of this.#worst) {
      reportFigure(
        `${what} within ${withinMs} ms of the heal: at worst ${ms} ms (seed ${seed}); ` +
          `${waited} of ${worlds} worlds were not back at the heal`,
      );
    }
  }
}

/**
 * Runs `sim` to the heal, then checks that a leader that a majority follows is back within
 * {@link LEADER_RECOVERY_MS}; returns how many ms after the heal it was. A miss explains the
 * elections since the heal.
 */
export async function expectLeaderRecovered(sim: Simulation, healedAtMs: number): Promise<number> {
  if (sim.nowMs < healedAtMs) await sim.run({ untilMs: healedAtMs });
  const termsAtHeal = termsNow(sim);
  return expectRecovered(sim, {
    what: 'a leader that a majority follows',
    healedAtMs,
    withinMs: LEADER_RECOVERY_MS,
    holds: () => stableLeader(sim) !== undefined,
    explain: () => whyNoLeaderSinceHeal(sim, healedAtMs, termsAtHeal),
  });
}

/** {@link explainNoLeader} since the heal, and the timers set since then that were far longer than an election timeout. */
function whyNoLeaderSinceHeal(
  sim: Simulation,
  healedAtMs: number,
  termsAtHeal: ReadonlyMap<NodeId, number | undefined>,
): string {
  const lines = [explainNoLeader(sim, healedAtMs, termsAtHeal, ' since every fault healed')];
  const long = new Map<NodeId, { type: string; ms: number; t: number }>();
  for (const event of sim.trace) {
    if (event.kind !== 'timer-set' || event.t < healedAtMs) continue;
    const ms = event.dueAtMs - event.t;
    if (ms > 2 * ELECTION_TIMEOUT_MS.max && ms > (long.get(event.node)?.ms ?? 0))
      long.set(event.node, { type: event.type, ms, t: event.t });
  }
  for (const [node, timer] of [...long].slice(0, 3)) {
    lines.push(
      `${node} set its ${timer.type} timer to ${timer.ms} ms at t=${timer.t} ms, but the election timeout is drawn from ` +
        `${ELECTION_TIMEOUT_MS.min}–${ELECTION_TIMEOUT_MS.max} ms each time. A timeout that keeps growing after lost elections ` +
        '(a back-off without a cap) leaves the cluster without a leader long after the network is back.',
    );
  }
  return lines.join('\n');
}

/**
 * Runs `sim` to the heal, then checks that every entry committed by then (the highest index the
 * watcher saw committed anywhere) is applied on every server within {@link COMMITTED_RECOVERY_MS};
 * returns how many ms after the heal it was. The test must keep giving leaders commands: a new
 * leader commits the entries of earlier terms only with one of its own (§5.4.2).
 */
export async function expectCommittedEverywhere(
  sim: Simulation,
  observer: RaftObserver,
  healedAtMs: number,
): Promise<number> {
  if (sim.nowMs < healedAtMs) await sim.run({ untilMs: healedAtMs });
  const target = observer.highestCommitted;
  const termsAtHeal = termsNow(sim);
  const behind = () => sim.nodeIds.filter((node) => appliedCount(sim, node) < target);
  return expectRecovered(sim, {
    what: `every entry committed before the heal (up to index ${target}) applied on every server`,
    healedAtMs,
    withinMs: COMMITTED_RECOVERY_MS,
    holds: () => behind().length === 0,
    explain: () => {
      const lagging = behind().map((node) => `${node} applied ${appliedCount(sim, node)}`);
      const leader = stableLeader(sim);
      const why =
        leader === undefined
          ? whyNoLeaderSinceHeal(sim, healedAtMs, termsAtHeal)
          : `${leader} leads: it must bring every follower's log up to date (nextIndex backs up after a refusal) and ` +
            'tell it the commit index in its AppendEntries (leaderCommit).';
      return `Behind: ${lagging.join(', ')}.\n  ${why}\n  ${describeServers(sim)}`;
    },
  });
}
