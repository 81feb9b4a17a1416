/**
 * Tests for exercise 3.2: state transfer and ordering at the backup. See README.md for what each
 * group checks.
 *
 * Every run is watched after EVERY event for one primary per view, and every history the clients
 * record is judged by the linearizability checker. The stories hold the backup's incoming messages
 * (`_test-support/held-messages.ts`) to deliver them in an order the network might choose.
 */
import { describe, test } from 'vitest';
import type { NodeFactory, NodeId } from '#harness';
import { simulate, type Simulation, sweepSeedCount, type TraceEvent } from '#harness/testing';
import { DEAD_AFTER_MS } from '../_given/view-service.ts';
import { Clerk } from '../_test-support/clerk.ts';
import { holdingMessages, holdLog, type HoldLog, type HoldPlan } from '../_test-support/held-messages.ts';
import {
  awaitAcknowledgedView,
  CLIENTS_RECOVERY_MS,
  expectOk,
  runClient,
  sweepServiceUnderFaults,
} from '../_test-support/runs.ts';
import {
  assertHistoryIsSound,
  describeService,
  reportFigure,
  service,
  serversOf,
  trafficBetween,
  watchOnePrimaryPerView,
} from '../_test-support/service.ts';
import { createPrimaryBackupServer } from './primary-backup.ts';
import type { Forward, PrimaryBackupServer } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** A service of the view service and three servers, s2's incoming messages ordered by `plan`. */
async function withHeldBackup(
  seed: number,
  plan: HoldPlan,
  body: (sim: Simulation, log: HoldLog) => Promise<void>,
): Promise<void> {
  const log = holdLog();
  const nodes: Record<NodeId, NodeFactory> = {
    ...service(3, createPrimaryBackupServer),
    s2: holdingMessages(createPrimaryBackupServer as NodeFactory, plan, log),
  };
  await simulate({ seed, nodes }, async (sim) => {
    watchOnePrimaryPerView(sim);
    await body(sim, log);
  });
}

function serverOf(sim: Simulation, node: NodeId): PrimaryBackupServer {
  return sim.nodeInstance<PrimaryBackupServer>(node)!;
}

/** Runs until `primary` is the primary of an acknowledged view, with `backup` (or none) as its backup. */
async function roles(sim: Simulation, primary: NodeId, backup: NodeId | ''): Promise<void> {
  const others = serversOf(sim).filter((node) => node !== primary);
  sim.apply({ kind: 'partition', groups: [others, ['vs']] });
  await awaitAcknowledgedView(sim, `primary ${primary}`, (v) => v.primary === primary, 1_000);
  sim.apply({ kind: 'heal' });
  if (backup === '') {
    sim.apply({ kind: 'partition', groups: [others, ['vs', primary]] });
    return;
  }
  sim.apply({ kind: 'partition', groups: [others.filter((node) => node !== backup), ['vs']] });
  await awaitAcknowledgedView(
    sim,
    `primary ${primary} and backup ${backup}`,
    (v) => v.primary === primary && v.backup === backup,
    1_000,
  );
  sim.apply({ kind: 'heal' });
}

/** Fails unless the backup `backup` holds the same store as the primary `primary`. */
function expectSameStore(sim: Simulation, primary: NodeId, backup: NodeId, story: string): void {
  const [mine, theirs] = [serverOf(sim, primary).state.store, serverOf(sim, backup).state.store];
  if (JSON.stringify(mine) !== JSON.stringify(theirs))
    throw new Error(
      `${story}, the primary ${primary} holds ${JSON.stringify(mine)} and its backup ${backup} ${JSON.stringify(theirs)}: ` +
        "the backup applied the primary's operations out of the primary's order, or lost some. The primary numbers every message " +
        'n = 1, 2, 3, ... and the backup applies Forward n only right after n - 1 (or a Transfer numbered n - 1), ' +
        'whatever order they arrive in.\n  ' +
        describeService(sim),
    );
}

type Sent = Extract<TraceEvent, { kind: 'send' }>;

/** The sends of `type` from `from` in the trace. */
function sends(sim: Simulation, type: string, from: NodeId): Sent[] {
  return sim.trace.filter((e): e is Sent => e.kind === 'send' && e.type === type && e.from === from);
}

/** Two clients, each one append to `k` at the same moment: the primary has two Forwards in flight at once. */
async function twoConcurrentAppends(sim: Simulation): Promise<void> {
  for (const [id, value] of [
    ['c1', 'a;'],
    ['c2', 'b;'],
  ] as const) {
    sim.client(id, async (c) => {
      const clerk = new Clerk(c);
      expectOk(`${id}'s append('k', '${value}')`, await clerk.append('k', value));
    });
  }
  if (!(await sim.runUntilClientsDone({ timeoutMs: 2_000 })))
    throw new Error(`c1 and c2 did not finish their appends within 2,000 ms.\n  ${describeService(sim)}`);
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios: the network reorders the Forwards', () => {
  test("two Forwards delivered in reverse: the backup applies them in the primary's order, and both clients are answered without a new Transfer", async () => {
    // README "Numbers are the order": an early Forward waits for the ones before it
    await withHeldBackup(1, { kind: 'reverse-two-forwards' }, async (sim, log) => {
      await roles(sim, 's1', 's2');
      const transfersBefore = sends(sim, 'Transfer', 's1').length;
      log.armed = true;
      await twoConcurrentAppends(sim);
      if (!log.done)
        throw new Error(
          `the primary s1 never had two Forwards on their way at once (s2 received ${log.held.join(', ') || 'none'}): ` +
            'forward each operation as it comes, without waiting for the answer to the one before. Their numbers keep them in order.',
        );
      expectSameStore(sim, 's1', 's2', `after s2 received ${log.held.join(' and ')} and got them in reverse`);
      const transfers = sends(sim, 'Transfer', 's1').length - transfersBefore;
      if (transfers > 0)
        throw new Error(
          `s1 sent ${transfers} Transfer(s) of its whole state after two Forwards arrived in reverse (${log.held.join(', ')}): ` +
            'a backup that holds Forward 2 until Forward 1 is in, then applies both, needs no new Transfer. Refusing an early Forward ' +
            'makes the primary start over with the whole state at every reordering.',
        );
      assertHistoryIsSound(sim);
    });
  });

  test('only the second Forward arrives: the backup does not apply it before the first, and the service recovers', async () => {
    // README "A lost Forward": a gap is never skipped; a Transfer stands for it
    await withHeldBackup(2, { kind: 'only-the-second-forward' }, async (sim, log) => {
      await roles(sim, 's1', 's2');
      log.armed = true;
      const armedAtMs = sim.nowMs;
      await twoConcurrentAppends(sim);
      if (!log.done)
        throw new Error(
          `the primary s1 never had two Forwards on their way at once (s2 received ${log.held.join(', ') || 'none'}): ` +
            'forward each operation as it comes, without waiting for the answer to the one before.',
        );
      const rpcOf = new Map<number, Forward>();
      for (const event of sends(sim, 'Forward', 's1'))
        rpcOf.set((event.message as { rpcId: number }).rpcId, event.message as Forward);
      const lost = log.held[0]!;
      const early = sends(sim, 'ForwardReply', 's2').find(
        (e) =>
          e.t >= armedAtMs &&
          (e.message as { ok: boolean }).ok &&
          rpcOf.get((e.message as { inReplyTo: number }).inReplyTo)?.n === Number(/n=(\d+)/.exec(log.held[1]!)?.[1]),
      );
      if (early !== undefined)
        throw new Error(
          `s2 applied a Forward before the one the primary numbered before it: it acknowledged ${log.held[1]} at t=${early.t} ms, ` +
            `although ${lost} never reached it. The primary applied them in the order of their numbers; a backup that skips ` +
            'a missing one holds a store the primary never had. It waits for the missing one (or a Transfer that stands for it).\n  ' +
            describeService(sim),
        );
      await runClient(sim, 'c3', 2_000, async (_c, clerk) =>
        expectOk("c3's get('k') after both appends", await clerk.get('k')),
      );
      expectSameStore(sim, 's1', 's2', 'after the first of two Forwards was lost');
      assertHistoryIsSound(sim);
    });
  });
});

describe('Scenarios: a new backup joins mid-run', () => {
  test('the Transfer arrives after the Forwards sent behind it: the new backup still starts from the whole state, and loses nothing', async () => {
    // README "A new backup": nothing is applied in a view before its Transfer
    await withHeldBackup(3, { kind: 'transfer-after-forwards', forwards: 2, maxHoldMs: 80 }, async (sim, log) => {
      await roles(sim, 's1', '');
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        for (const key of ['x', 'y', 'z']) expectOk(`c1's put('${key}')`, await clerk.put(key, `${key}0;`));
      });
      // s2 joins as the backup while c2 and c3 keep writing; its Transfer is held behind their Forwards.
      log.armed = true;
      sim.apply({ kind: 'heal' });
      sim.apply({ kind: 'partition', groups: [['s3'], ['vs', 's1', 's2']] });
      for (const id of ['c2', 'c3']) {
        sim.client(id, async (c) => {
          const clerk = new Clerk(c, { giveUpAfterMs: 3_000 });
          for (let i = 0; i < 12; i++) {
            await clerk.append(i % 2 === 0 ? 'x' : 'y');
            await c.sleep(10);
          }
        });
      }
      await awaitAcknowledgedView(
        sim,
        'primary s1 and backup s2',
        (v) => v.primary === 's1' && v.backup === 's2',
        2_000,
      );
      if (!(await sim.runUntilClientsDone({ timeoutMs: 8_000 })))
        throw new Error(`c2 and c3 did not finish while s2 joined as the backup.\n  ${describeService(sim)}`);
      await sim.run({ untilMs: sim.nowMs + 300 });
      expectSameStore(sim, 's1', 's2', `after the new backup s2 received ${log.held.join(', ')}`);
      // s1 is cut off: the new backup s2 is promoted, and must hold every write the clients were told is done.
      sim.apply({ kind: 'partition', groups: [['s1'], ['vs', 's2', 's3']] });
      await awaitAcknowledgedView(sim, 'primary s2', (v) => v.primary === 's2', DEAD_AFTER_MS + 1_500);
      await runClient(sim, 'c4', 3_000, async (_c, clerk) => {
        for (const key of ['x', 'y', 'z'])
          expectOk(`c4's get('${key}') at the promoted backup s2`, await clerk.get(key));
      });
      assertHistoryIsSound(sim);
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Efficiency', () => {
  test('three busy clients: Forwards overlap, and an operation costs at most 4.5 messages beyond pings and view look-ups', async () => {
    // README "What the tests check", Efficiency: Forwards overlap, four messages per operation
    await simulate({ seed: 41, nodes: service(3, createPrimaryBackupServer) }, async (sim) => {
      watchOnePrimaryPerView(sim);
      await roles(sim, 's1', 's2');
      sim.apply({ kind: 'heal' });
      await sim.run({ untilMs: sim.nowMs + 200 });
      const before = sim.stats();
      const startMs = sim.nowMs;
      const perClient = 20;
      const clients = ['c1', 'c2', 'c3'];
      for (const id of clients) {
        sim.client(id, async (c) => {
          const clerk = new Clerk(c);
          for (let i = 0; i < perClient; i++)
            expectOk(`${id}'s operation #${i + 1}`, await (i % 3 === 0 ? clerk.get('k') : clerk.append('k')));
        });
      }
      if (!(await sim.runUntilClientsDone({ timeoutMs: 10_000 })))
        throw new Error(`the three clients did not finish within 10 s.\n  ${describeService(sim)}`);
      const traffic = trafficBetween(before, sim.stats());
      const ops = perClient * clients.length;
      const background =
        (traffic.byType['Ping'] ?? 0) + (traffic.byType['ViewReply'] ?? 0) + (traffic.byType['GetView'] ?? 0);
      const perOp = (traffic.messages - background) / ops;
      const overlap = mostForwardsInFlight(sim, startMs);
      reportFigure(
        `ordered backup on 3 servers, 3 clients: ${perOp.toFixed(1)} messages per operation beyond pings and view look-ups, ` +
          `up to ${overlap} Forwards in flight at once (${JSON.stringify(traffic.byType)})`,
      );
      if (overlap < 2)
        throw new Error(
          'with three clients busy, the primary never had two Forwards on their way at once: it waits for the answer to one before it ' +
            'forwards the next, so every client waits for everyone else. Forward each operation as it comes; the numbers keep the order.',
        );
      if (perOp > 4.5)
        throw new Error(
          `one operation cost ${perOp.toFixed(1)} messages beyond pings and view look-ups on a steady service (${JSON.stringify(traffic.byType)}): ` +
            'the request, one Forward, its ForwardReply and the answer should do. Send the whole state only to a new backup, or after a Forward failed.',
        );
    });
  });
});

/** The most Forwards from s1 that were sent and not yet answered at one moment, from `sinceMs` on. */
function mostForwardsInFlight(sim: Simulation, sinceMs: number): number {
  const open = new Set<number>();
  let most = 0;
  for (const event of sim.trace) {
    if (event.kind !== 'send' || event.t < sinceMs) continue;
    const message = event.message as { rpcId?: number; inReplyTo?: number };
    if (event.type === 'Forward') open.add(message.rpcId!);
    else if (event.type === 'ForwardReply') open.delete(message.inReplyTo!);
    most = Math.max(most, open.size);
  }
  return most;
}

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Sweeps', () => {
  const seeds = sweepSeedCount(200);

  test(
    `three busy clients under partitions, cut links, drops, duplicates and late messages that reorder the Forwards: one primary per view, linearizable, and every client served within ${CLIENTS_RECOVERY_MS} ms of the heal (${seeds} swarm worlds of 2 to 5 servers)`,
    { timeout: 600_000 },
    async () => {
      await sweepServiceUnderFaults(createPrimaryBackupServer, {
        seeds,
        ops: 30,
        maxPauseMs: 10,
        watch: watchOnePrimaryPerView,
      });
    },
  );
});
