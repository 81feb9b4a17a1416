/**
 * Test support for chapter 5 (not a learner file): the runs the key-value tests of exercises 4 and 5
 * share: a client run to completion, the checks every history ends with, and the sweep of clients
 * under random faults. Each takes the node factory, and what else differs, as a parameter.
 *
 * @module
 */
import type { ClientContext, NodeFactory } from '#harness';
import {
  cluster,
  describeSchedule,
  forEachSeed,
  randomFaultSchedule,
  simulate,
  type Simulation,
} from '#harness/testing';
import { Clerk, assertKvLinearizable, assertNoWriteTookEffectTwice, randomWorkload } from './kv-client.ts';
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

/**
 * Five servers from `factory` and three clients under crashes, partitions, drops, duplicates and delays
 * until t=1,500 ms, for `sweep.seeds` seeds: once the faults heal every client must be served, and the
 * history must be sound ({@link assertHistoryIsSound}).
 */
export async function sweepKvUnderFaults(factory: NodeFactory, sweep: KvSweep): Promise<void> {
  await forEachSeed({ count: sweep.seeds }, async (seed) => {
    const nodes = cluster(5, factory);
    const healAtMs = 1_500;
    const faults = randomFaultSchedule(seed, {
      nodes: Object.keys(nodes),
      healAtMs,
      kinds: ['crash', 'targeted-crash', 'partition', 'isolate', 'network'],
      maxFaults: 6,
      maxDelayMs: 50,
      maxDuplicateRate: 0.3,
    });
    await simulate({ seed, nodes, faults, details: { faults: describeSchedule(faults) } }, async (sim) => {
      sweep.watch(sim);
      const late: string[] = [];
      for (const id of ['c1', 'c2', 'c3']) {
        sim.client(id, async (c) => {
          const clerk = new Clerk(c, sim.nodeIds, { giveUpAfterMs: 1_000 });
          await randomWorkload(c, clerk, {
            ops: sweep.ops,
            keys: ['x', 'y'],
            maxPauseMs: sweep.maxPauseMs,
            untilMs: healAtMs,
          });
          // Once everything healed, every client must be served.
          await c.sleep(Math.max(0, healAtMs - c.now()));
          clerk.patience(2_500);
          const final = await clerk.get('x');
          if (final.status !== 'ok')
            late.push(
              `${c.id}'s get('x') after the faults healed at t=${healAtMs} ms did not complete by t=${c.now()} ms`,
            );
        });
      }
      if (!(await sim.runUntilClientsDone({ timeoutMs: 6_000 })))
        throw new Error(`the clients did not finish.\n  ${describeServers(sim)}`);
      if (late.length > 0) throw new Error(`${late.join('; ')}.\n  ${describeServers(sim)}`);
      await sweep.afterClients?.(sim);
      assertHistoryIsSound(sim);
    });
  });
}
