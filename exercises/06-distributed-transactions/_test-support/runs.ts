/**
 * Test support for chapter 6 (not a learner file): a client run to completion, the participants' state
 * in words, and the swarm sweep of the chapter's workload. Each takes the nodes, which differ between
 * exercises, as a parameter.
 *
 * @module
 */
import type { ClientContext, NodeFactory, NodeId } from '#harness';
import { expectRecovered, forEachSwarmSeed, simulate, type Simulation } from '#harness/testing';
import { COORDINATOR, SHARDS } from '../_given/txn-protocol.ts';
import { ACCOUNTS, assertTransactionsSound, PAIR } from './checks.ts';
import { DecisionRecorder, participantOf } from './participants.ts';
import { TxnLog } from './txn-client.ts';
import { randomWorkload, readUntilCommitted } from './workload.ts';

/** The nodes of a run: the coordinator and both shards. */
export function transactionCluster(
  createCoordinator: NodeFactory,
  createParticipant: NodeFactory,
): Record<NodeId, NodeFactory> {
  return { [COORDINATOR]: createCoordinator, ...Object.fromEntries(SHARDS.map((shard) => [shard, createParticipant])) };
}

/** Adds client `id` running `work` and runs until it is done; fails with the shards' state if it is not. */
export async function runClient(
  sim: Simulation,
  id: string,
  withinMs: number,
  work: (c: ClientContext) => Promise<void>,
): Promise<void> {
  sim.client(id, work);
  if (!(await sim.runUntilClientsDone({ timeoutMs: withinMs }))) {
    throw new Error(`${id} did not finish within ${withinMs} ms of virtual time.\n  ${describeShards(sim)}`);
  }
}

/** `s1: store {a:100, b:100}, locks {a: c1-t2}, 3 decided (2 committed); s2: …` */
export function describeShards(sim: Simulation): string {
  return SHARDS.map((shard) => {
    if (!sim.isUp(shard)) return `${shard}: down`;
    const node = participantOf(sim, shard);
    const store = [...node.store].map(([key, value]) => `${key}:${value}`).join(', ');
    const locks = [...node.locks].map(([key, txn]) => `${key}: ${txn}`).join(', ');
    const committed = [...node.outcomes.values()].filter((outcome) => outcome === 'committed').length;
    return `${shard}: store {${store}}, locks {${locks}}, ${node.outcomes.size} decided (${committed} committed)`;
  }).join('\n  ');
}

/** Every lock every shard holds, as `s1 holds a for c1-t3`; empty when none. */
export function locksHeld(sim: Simulation): string[] {
  return SHARDS.flatMap((shard) =>
    sim.isUp(shard) ? [...participantOf(sim, shard).locks].map(([key, txn]) => `${shard} holds ${key} for ${txn}`) : [],
  );
}

/** After the heal: every lock released and every client's final reads committed, this long after it at the latest. */
export const TRANSACTIONS_RECOVERY_MS = 2_000;

/** What a sweep measured: the slowest recovery after the heal, and what became of the clients' transactions. */
export interface SweepFigures {
  readonly worstRecoveryMs: number;
  readonly outcomes: Readonly<Record<'committed' | 'aborted' | 'unknown', number>>;
}

/** What a chapter-6 sweep varies. */
export interface TransactionSweep {
  readonly seeds: number;
  readonly nodes: Record<NodeId, NodeFactory>;
  /** The coordinator's longest timeout, ms: the swarm's delays are drawn around it. */
  readonly timeoutMs: number;
  /** Transactions per client before the heal. */
  readonly txns: number;
  /** When the faults heal, ms. */
  readonly healAtMs: number;
  /** Crashes too: servers crash (some partway through a step, some in the step kind drawn) and restart. Default: none. */
  readonly crashes?: boolean;
  /**
   * How long the world runs on, quiet, after it recovered and before the final checks judge it, ms.
   * Default 1,000. Longer where a message sent before the heal may still arrive late and start
   * something that takes a while to finish (6.4: a prepare at a shard that never got its abort).
   */
  readonly settleMs?: number;
  /** A check run at the end of every world, after the chapter's checks. */
  readonly alsoCheck?: (sim: Simulation, log: TxnLog, recorder: DecisionRecorder) => void;
}

const NETWORK_KINDS = ['partition', 'isolate', 'cut', 'network'] as const;
const CRASH_KINDS = [...NETWORK_KINDS, 'crash', 'targeted-crash'] as const;

const CLIENTS = ['c1', 'c2', 'c3'];

/**
 * Three clients run {@link randomWorkload} in a swarm world of partitions, cut links, drops,
 * duplicates and a long tail of delays, on the coordinator and both shards, until the heal. Once it
 * heals, every lock must be released and each client's read of every account and of the pair must
 * commit within {@link TRANSACTIONS_RECOVERY_MS}; then every check of {@link assertTransactionsSound}.
 */
export async function sweepTransactions(sweep: TransactionSweep): Promise<SweepFigures> {
  let worstRecoveryMs = 0;
  const outcomes = { committed: 0, aborted: 0, unknown: 0 };
  await forEachSwarmSeed(
    {
      count: sweep.seeds,
      swarm: {
        timeoutMs: sweep.timeoutMs,
        kinds: sweep.crashes === true ? CRASH_KINDS : NETWORK_KINDS,
        maxPartitionMs: 5_000,
      },
      nodes: Object.keys(sweep.nodes),
      healAtMs: sweep.healAtMs,
    },
    async (seed, world) => {
      await simulate({ seed, nodes: sweep.nodes, faults: world.faults, details: world.details }, async (sim) => {
        const log = new TxnLog();
        const recorder = new DecisionRecorder(sim);
        const waiting = new Map<string, string>();
        for (const id of CLIENTS) {
          waiting.set(id, 'its workload, still running at the heal');
          sim.client(id, async (c) => {
            await randomWorkload(c, log, { txns: sweep.txns, maxPauseMs: 40, untilMs: world.healAtMs });
            await c.sleep(Math.max(0, world.healAtMs - c.now()));
            const deadlineMs = world.healAtMs + TRANSACTIONS_RECOVERY_MS;
            for (const [what, keys] of [
              ['every account', ACCOUNTS],
              ['the pair', PAIR],
            ] as const) {
              waiting.set(id, `its read of ${what} after the heal`);
              if (!(await readUntilCommitted(c, log, keys, deadlineMs))) return;
            }
            waiting.delete(id);
          });
        }
        const ms = await expectRecovered(sim, {
          what: "every lock released, and every client's reads of all accounts and of the pair committed",
          healedAtMs: world.healAtMs,
          withinMs: TRANSACTIONS_RECOVERY_MS,
          holds: () => waiting.size === 0 && locksHeld(sim).length === 0,
          explain: () => {
            const clients = [...waiting].map(([id, what]) => `${id} is still waiting for ${what}`);
            const locks = locksHeld(sim);
            return [
              ...clients,
              ...(locks.length === 0 ? [] : [`locks still held: ${locks.join('; ')}`]),
              describeShards(sim),
            ].join('\n  ');
          },
        });
        worstRecoveryMs = Math.max(worstRecoveryMs, ms);
        // Let the last decisions reach every shard before judging.
        await sim.run({ untilMs: sim.nowMs + (sweep.settleMs ?? 1_000) });
        assertTransactionsSound(sim, log, recorder, { requireDecided: true });
        sweep.alsoCheck?.(sim, log, recorder);
        for (const record of log.records) outcomes[record.status]++;
      });
    },
  );
  return { worstRecoveryMs, outcomes };
}

/** Prints a figure the tests measured (silenced by `KATA_QUIET`). */
export function reportFigure(text: string): void {
  if (process.env['KATA_QUIET'] === undefined) console.info(`  📏 ${text}`);
}
