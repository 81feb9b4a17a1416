/**
 * Test support for chapter 3 (not a learner file): a client run to completion, waiting for a view,
 * and the sweep of clients in swarm worlds. Each takes the server factory, and what else differs, as a
 * parameter.
 *
 * @module
 */
import type { ClientContext, NodeFactory } from '#harness';
import { expectRecovered, forEachSwarmSeed, simulate, type Simulation } from '#harness/testing';
import type { View } from '../_given/view-service.ts';
import { DEAD_AFTER_MS, VIEW_SERVICE } from '../_given/view-service.ts';
import { Clerk, type KvClerk, randomWorkload } from './clerk.ts';
import { assertHistoryIsSound, describeService, reportFigure, serverIds, service, viewServiceOf } from './service.ts';

/** Adds client `id` running `work` and runs until it is done; fails with the service's state if it is not. */
export async function runClient(
  sim: Simulation,
  id: string,
  withinMs: number,
  work: (c: ClientContext, clerk: Clerk) => Promise<void>,
  prepare?: (clerk: Clerk) => void,
): Promise<Clerk> {
  let clerk: Clerk | undefined;
  sim.client(id, async (c) => {
    clerk = new Clerk(c);
    prepare?.(clerk);
    await work(c, clerk);
  });
  if (!(await sim.runUntilClientsDone({ timeoutMs: withinMs }))) {
    throw new Error(
      `${id} did not finish within ${withinMs} ms of virtual time (its clerk: ${JSON.stringify(clerk?.stats)}).\n  ${describeService(sim)}`,
    );
  }
  return clerk!;
}

/** Fails unless `outcome` is ok (with `value`, for a get). */
export function expectOk(what: string, outcome: Awaited<ReturnType<Clerk['get']>>, value?: string): void {
  if (outcome.status !== 'ok')
    throw new Error(
      `${what} did not complete (${outcome.status}) although the primary and its backup were up and connected.`,
    );
  if (value !== undefined && outcome.output.value !== value)
    throw new Error(`${what} returned ${JSON.stringify(outcome.output.value)}; expected ${JSON.stringify(value)}.`);
}

/**
 * Runs until the view service's current view satisfies `wanted` and its primary has acknowledged it;
 * returns that view. Fails, naming `what` and the service's state, after `withinMs`.
 */
export async function awaitAcknowledgedView(
  sim: Simulation,
  what: string,
  wanted: (view: View) => boolean,
  withinMs: number,
): Promise<View> {
  const ok = await sim.runUntil(
    () => {
      const vs = viewServiceOf(sim);
      return vs !== undefined && vs.acknowledged && wanted(vs.current);
    },
    { timeoutMs: withinMs },
  );
  if (!ok)
    throw new Error(
      `no acknowledged view with ${what} within ${withinMs} ms (t=${sim.nowMs} ms). The primary acknowledges a view by pinging ` +
        `with its number once its backup holds its state.\n  ${describeService(sim)}`,
    );
  return viewServiceOf(sim)!.current;
}

/**
 * One sweep client's life: its random workload until the heal, then, with `recoveryMs` of patience, a
 * get of each key. `doing` says, under the client's id, what it is waiting for; the entry is deleted
 * once it is served, and says which get it gave up on if it did.
 */
export async function workThenReadAfterHeal(
  c: ClientContext,
  clerk: KvClerk,
  doing: Map<string, string>,
  options: {
    readonly ops: number;
    readonly keys: readonly string[];
    readonly maxPauseMs: number;
    readonly healAtMs: number;
    readonly recoveryMs: number;
  },
): Promise<void> {
  doing.set(c.id, 'the operation it was retrying when the faults healed');
  await randomWorkload(c, clerk, {
    ops: options.ops,
    keys: options.keys,
    maxPauseMs: options.maxPauseMs,
    untilMs: options.healAtMs,
  });
  await c.sleep(Math.max(0, options.healAtMs - c.now()));
  clerk.patience(options.recoveryMs);
  for (const key of options.keys) {
    doing.set(c.id, `its get('${key}') after the heal`);
    if ((await clerk.get(key)).status !== 'ok') {
      doing.set(c.id, `its get('${key}') after the heal, which it gave up at t=${c.now()} ms`);
      return;
    }
  }
  doing.delete(c.id);
}

/** Every client's pending operation and next get answered, this long after the heal (exercise 3.1). */
export const CLIENTS_RECOVERY_MS = 1_500;

/** What one exercise's sweep varies. */
export interface ServiceSweep {
  readonly seeds: number;
  /** Operations per client, and the longest pause between two. */
  readonly ops: number;
  readonly maxPauseMs: number;
  /** Installs the run's watchers. */
  readonly watch: (sim: Simulation) => void;
}

const HEAL_AT_MS = 3_000;
const CLIENTS = ['c1', 'c2', 'c3'];
const KEYS = ['x', 'y'];

/**
 * Three clients on 2 to 5 servers from `factory` and the view service, in a swarm world of
 * partitions, isolated nodes, cut links, drops, duplicates and a long tail of delays until the heal
 * (the view service and clients may be cut off too; nothing crashes). Once the faults heal every
 * client must be served within {@link CLIENTS_RECOVERY_MS}: its pending operation answered, then a get
 * of each key; and the history must be sound ({@link assertHistoryIsSound}).
 */
export async function sweepServiceUnderFaults(factory: NodeFactory, sweep: ServiceSweep): Promise<void> {
  let worstMs = -1;
  let worstSeed = 0;
  await forEachSwarmSeed(
    {
      count: sweep.seeds,
      swarm: {
        timeoutMs: DEAD_AFTER_MS,
        clusterSizes: { min: 2, max: 5 },
        kinds: ['partition', 'isolate', 'cut', 'network'],
        maxPartitionMs: 5_000,
      },
      nodes: (size) => [VIEW_SERVICE, ...serverIds(size ?? 3)],
      healAtMs: HEAL_AT_MS,
    },
    async (seed, world) => {
      const nodes = service(world.nodes.length - 1, factory);
      await simulate({ seed, nodes, faults: world.faults, details: world.details }, async (sim) => {
        sweep.watch(sim);
        const doing = new Map<string, string>();
        const clerks = new Map<string, Clerk>();
        for (const id of CLIENTS) {
          sim.client(id, async (c) => {
            const clerk = new Clerk(c, { giveUpAfterMs: 1_000 });
            clerks.set(id, clerk);
            await workThenReadAfterHeal(c, clerk, doing, {
              ops: sweep.ops,
              keys: KEYS,
              maxPauseMs: sweep.maxPauseMs,
              healAtMs: world.healAtMs,
              recoveryMs: CLIENTS_RECOVERY_MS,
            });
          });
        }
        const ms = await expectRecovered(sim, {
          what: `every client served (each one's pending operation, then a get of ${KEYS.map((key) => `'${key}'`).join(' and ')})`,
          healedAtMs: world.healAtMs,
          withinMs: CLIENTS_RECOVERY_MS,
          holds: () => doing.size === 0,
          explain: () => {
            const waiting = [...doing].map(
              ([id, what]) =>
                `${id} is still waiting for ${what} (its clerk: ${JSON.stringify(clerks.get(id)?.stats)})`,
            );
            return `${waiting.join('; ')}.\n  ${describeService(sim)}`;
          },
        });
        if (ms > worstMs) [worstMs, worstSeed] = [ms, seed];
        assertHistoryIsSound(sim);
      });
    },
  );
  reportFigure(
    `every client served within ${CLIENTS_RECOVERY_MS} ms of the heal: at worst ${worstMs} ms (seed ${worstSeed}), over ${sweep.seeds} worlds`,
  );
}
