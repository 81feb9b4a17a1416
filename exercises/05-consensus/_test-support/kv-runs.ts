/**
 * Test support for chapter 5 (not a learner file): the runs the key-value tests of exercises 4 and 5
 * share: a client run to completion, the checks every history ends with, and the sweep of clients
 * in swarm worlds. Each takes the node factory, and what else differs, as a parameter.
 *
 * @module
 */
import type { ClientContext, NodeFactory } from '#harness';
import { cluster, expectRecovered, forEachSwarmSeed, simulate, type Simulation } from '#harness/testing';
import { Clerk, assertKvLinearizable, assertNoWriteTookEffectTwice, randomWorkload } from './kv-client.ts';
import { stableLeader } from './raft-view.ts';
import { CLIENTS_RECOVERY_MS, raftSwarm, withSplitBeforeHeal, WorstRecovery } from './recovery.ts';
import { describeServers } from './workload.ts';

/** Adds client `id` running `work` and runs until it is done; fails with the servers' state if it is not. */
export async function runClient(
  sim: Simulation,
  id: string,
  withinMs: number,
  work: (c: ClientContext, clerk: Clerk) => Promise<void>,
): Promise<Clerk> {
  let clerk: Clerk | undefined;
  sim.client(id, async (c) => {
    clerk = new Clerk(c, sim.nodeIds);
    await work(c, clerk);
  });
  if (!(await sim.runUntilClientsDone({ timeoutMs: withinMs }))) {
    throw new Error(
      `${id} did not finish within ${withinMs} ms of virtual time (its clerk: ${JSON.stringify(clerk?.stats)}).\n  ${describeServers(sim)}`,
    );
  }
  return clerk!;
}

/** Fails unless `outcome` is ok (with `value`, for a get). */
export function expectOk(what: string, outcome: Awaited<ReturnType<Clerk['get']>>, value?: string): void {
  if (outcome.status !== 'ok')
    throw new Error(
      `${what} did not complete (${outcome.status}) although a majority of servers was up and connected.`,
    );
  if (value !== undefined && outcome.output?.value !== value) {
    throw new Error(`${what} returned ${JSON.stringify(outcome.output?.value)}; expected ${JSON.stringify(value)}.`);
  }
}

/** The checks every key-value test ends with: no write took effect twice, and the history is linearizable. */
export function assertHistoryIsSound(sim: Simulation): void {
  assertNoWriteTookEffectTwice(sim);
  assertKvLinearizable(sim);
}

/** What one exercise's key-value sweep varies. */
export interface KvSweep {
  readonly seeds: number;
  /** Operations per client, and the longest pause between two. */
  readonly ops: number;
  readonly maxPauseMs: number;
  /** Installs the run's watchers. */
  readonly watch: (sim: Simulation) => void;
  /** A last check once the clients are done, before the history is judged. */
  readonly afterClients?: (sim: Simulation) => Promise<void>;
}

/** When the faults of a key-value sweep heal, ms. */
const KV_HEAL_AT_MS = 2_500;
const CLIENTS = ['c1', 'c2', 'c3'];
const KEYS = ['x', 'y'];

/**
 * Three clients on 3 to 7 servers from `factory`, in a swarm world of crashes, partitions, drops,
 * duplicates and a long tail of delays until the heal, for `sweep.seeds` seeds. The clients' workloads
 * repeat themselves ({@link randomWorkload}). Once the faults heal every client must be served within
 * {@link CLIENTS_RECOVERY_MS}: its pending operation answered, then a get of each key; and the history
 * must be sound ({@link assertHistoryIsSound}).
 */
export async function sweepKvUnderFaults(factory: NodeFactory, sweep: KvSweep): Promise<void> {
  const worst = new WorstRecovery();
  await forEachSwarmSeed(raftSwarm({ count: sweep.seeds, healAtMs: KV_HEAL_AT_MS }), async (seed, drawn) => {
    const world = withSplitBeforeHeal(seed, drawn);
    const nodes = cluster(world.nodes, factory);
    await simulate({ seed, nodes, faults: world.faults, details: world.details }, async (sim) => {
      sweep.watch(sim);
      const doing = new Map<string, string>();
      const clerks = new Map<string, Clerk>();
      for (const id of CLIENTS) {
        sim.client(id, async (c) => {
          const clerk = new Clerk(c, sim.nodeIds, { giveUpAfterMs: 1_000 });
          clerks.set(id, clerk);
          doing.set(id, 'the operation it was retrying when the faults healed');
          await randomWorkload(c, clerk, {
            ops: sweep.ops,
            keys: KEYS,
            maxPauseMs: sweep.maxPauseMs,
            untilMs: world.healAtMs,
          });
          // Once everything healed, every client must be served.
          await c.sleep(Math.max(0, world.healAtMs - c.now()));
          clerk.patience(CLIENTS_RECOVERY_MS);
          for (const key of KEYS) {
            doing.set(id, `its get('${key}') after the heal`);
            const outcome = await clerk.get(key);
            if (outcome.status !== 'ok') {
              doing.set(id, `its get('${key}') after the heal, which it gave up at t=${c.now()} ms`);
              return;
            }
          }
          doing.delete(id);
        });
      }
      const ms = await expectRecovered(sim, {
        what: `every client served (each one's pending operation, then a get of ${KEYS.map((key) => `'${key}'`).join(' and ')})`,
        healedAtMs: world.healAtMs,
        withinMs: CLIENTS_RECOVERY_MS,
        holds: () => doing.size === 0,
        explain: () => {
          const waiting = [...doing].map(
            ([id, what]) => `${id} is still waiting for ${what} (its clerk: ${JSON.stringify(clerks.get(id)?.stats)})`,
          );
          const leader = stableLeader(sim);
          const leaderText = leader === undefined ? 'No leader that a majority follows.' : `${leader} leads.`;
          return `${waiting.join('; ')}.\n  ${leaderText}\n  ${describeServers(sim)}`;
        },
      });
      worst.record('every client served', ms, seed, CLIENTS_RECOVERY_MS);
      await sweep.afterClients?.(sim);
      assertHistoryIsSound(sim);
    });
  });
  worst.report(sweep.seeds);
}
