/**
 * Tests for exercise 3.1: primary-backup replication with a view service. See README.md for what each
 * group checks.
 *
 * Every run is watched after EVERY event for one primary per view (an answer comes only from the
 * primary the view service named for the view it was served in). Every history the clients record is
 * judged by the linearizability checker (an `unknown` verdict fails too), and every value written is a
 * unique token, so an operation that takes effect twice is caught in a store.
 */
import { describe, test } from 'vitest';
import type { NodeFactory, NodeId } from '#harness';
import { simulate, type Simulation, sweepSeedCount, type TraceEvent } from '#harness/testing';
import type { KvReply, KvRequest } from '../_given/kv-protocol.ts';
import { DEAD_AFTER_MS } from '../_given/view-service.ts';
import { holdingMessages, holdLog } from '../_test-support/held-messages.ts';
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
  viewServiceOf,
  watchOnePrimaryPerView,
} from '../_test-support/service.ts';
import { createPrimaryBackupServer } from './primary-backup.ts';
import type { Forward, PrimaryBackupServer } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** A service of the view service and `servers` servers, watched for one primary per view. */
async function withService(seed: number, servers: number, body: (sim: Simulation) => Promise<void>): Promise<void> {
  await simulate({ seed, nodes: service(servers, createPrimaryBackupServer) }, async (sim) => {
    watchOnePrimaryPerView(sim);
    await body(sim);
  });
}

function serverOf(sim: Simulation, node: NodeId): PrimaryBackupServer {
  return sim.nodeInstance<PrimaryBackupServer>(node)!;
}

/**
 * Runs until s1 is the primary and s2 the backup of an acknowledged view: the others' pings are kept
 * from the view service until s1, then s2, has its role, so that every story starts the same way.
 */
async function s1PrimaryS2Backup(sim: Simulation): Promise<void> {
  const others = serversOf(sim).filter((node) => node !== 's1');
  sim.apply({ kind: 'partition', groups: [others, ['vs']] });
  await awaitAcknowledgedView(sim, 'primary s1', (v) => v.primary === 's1', 1_000);
  sim.apply({ kind: 'heal' });
  sim.apply({ kind: 'partition', groups: [others.filter((node) => node !== 's2'), ['vs']] });
  await awaitAcknowledgedView(sim, 'primary s1 and backup s2', (v) => v.primary === 's1' && v.backup === 's2', 1_000);
  sim.apply({ kind: 'heal' });
}

type Sent = Extract<TraceEvent, { kind: 'send' }>;

/** The ok answers `server` sent clients from `sinceMs` on. */
function okAnswersFrom(sim: Simulation, server: NodeId, sinceMs: number): Sent[] {
  return sim.trace.filter(
    (e): e is Sent =>
      e.kind === 'send' && e.from === server && e.t >= sinceMs && e.type === 'KvReply' && (e.message as KvReply).ok,
  );
}

/**
 * The story both "old primary" tests tell: s1 is primary and s2 backup; c1 puts v1; then `cutOff`
 * separates s1 from the view service (and maybe from s2), the view service makes s2 the primary of a
 * new view, and c2 puts v2 through s2. Strictly after that put returned, c3, which still believes s1
 * is the primary, asks s1 for the key. s1 must not answer it: it would answer v1.
 */
async function readAtTheOldPrimary(
  sim: Simulation,
  cutOff: (sim: Simulation) => void,
  situation: string,
): Promise<void> {
  await s1PrimaryS2Backup(sim);
  await runClient(sim, 'c1', 2_000, async (_c, clerk) => expectOk("c1's put('k', 'v1;')", await clerk.put('k', 'v1;')));
  cutOff(sim);
  const view = await awaitAcknowledgedView(sim, 'primary s2', (v) => v.primary === 's2', DEAD_AFTER_MS + 1_000);
  await runClient(sim, 'c2', 2_000, async (_c, clerk) =>
    expectOk("c2's put('k', 'v2;') through the new primary s2", await clerk.put('k', 'v2;')),
  );
  await sim.run({ untilMs: sim.nowMs + 10 });
  const askedAtMs = sim.nowMs;
  await runClient(
    sim,
    'c3',
    3_000,
    async (_c, clerk) => void (await clerk.get('k')),
    (clerk) => clerk.tryFirst('s1'),
  );
  const stale = okAnswersFrom(sim, 's1', askedAtMs)[0];
  if (stale !== undefined) {
    throw new Error(
      `the old primary answered a read after the view change: s1 answered c3's get('k') with ${JSON.stringify((stale.message as KvReply).ok && (stale.message as KvReply & { ok: true }).output)} ` +
        `at t=${stale.t} ms, ${situation}. The view service had made s2 the primary of view ${view.viewnum}, and c2's put of "v2;" through s2 ` +
        'had returned before c3 asked. A primary answers only after its backup acknowledged the operation, reads included: ' +
        's2 knows the newer view and refuses, and s1 gets no acknowledgement at all when it cannot reach s2.\n  ' +
        describeService(sim),
    );
  }
  assertHistoryIsSound(sim);
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test("a client's put, append and get go through the primary, and the backup holds the same store", async () => {
    await withService(1, 3, async (sim) => {
      await s1PrimaryS2Backup(sim);
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        expectOk("put('k', 'x;')", await clerk.put('k', 'x;'));
        expectOk("append('k', 'y;')", await clerk.append('k', 'y;'));
        expectOk("get('k') after put x; and append y;", await clerk.get('k'), 'x;y;');
        expectOk("get('never-written')", await clerk.get('never-written'), '');
      });
      const [primary, backup] = [serverOf(sim, 's1').state.store, serverOf(sim, 's2').state.store];
      if (JSON.stringify(primary) !== JSON.stringify(backup))
        throw new Error(
          `after c1's operations the primary s1 holds ${JSON.stringify(primary)} and its backup s2 ${JSON.stringify(backup)}: ` +
            'the primary forwards every operation to its backup, and the backup applies it with execute().',
        );
      assertHistoryIsSound(sim);
    });
  });

  test('the old primary, cut off from the view service, does not answer a read after the view change: its backup refuses', async () => {
    // 6.824 view service lab: the backup of the old view has moved on, and says so
    await withService(2, 3, (sim) =>
      readAtTheOldPrimary(
        sim,
        (s) => s.apply({ kind: 'partition', groups: [['s1'], ['vs']] }),
        'while s1 could still reach s2 but no longer the view service',
      ),
    );
  });

  test('the old primary, partitioned from the view service and its backup, does not complete a read', async () => {
    // 6.824 view service lab: without its backup's acknowledgement a primary answers nothing
    await withService(3, 3, (sim) =>
      readAtTheOldPrimary(
        sim,
        (s) => s.apply({ kind: 'partition', groups: [['s1'], ['vs', 's2', 's3']] }),
        'while s1 was partitioned from the view service and from s2 (only clients reached it)',
      ),
    );
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Roles', () => {
  test('the backup and an idle server answer not_primary: only the primary serves clients', async () => {
    await withService(11, 3, async (sim) => {
      await s1PrimaryS2Backup(sim);
      for (const server of ['s2', 's3']) {
        let reply: KvReply | undefined;
        sim.client(`c-${server}`, async (c) => {
          const request: KvRequest = {
            type: 'KvRequest',
            clientId: c.id,
            seq: 1,
            op: { f: 'put', key: 'k', value: 'x;' },
          };
          const result = await c.rpc<KvReply>(server, request, { timeoutMs: 300 });
          reply = result.ok ? result.reply : undefined;
        });
        await sim.runUntilClientsDone({ timeoutMs: 500 });
        const role = server === 's2' ? 'the backup' : 'an idle server';
        if (reply?.type !== 'KvReply' || reply.ok || reply.error !== 'not_primary')
          throw new Error(
            `${server}, ${role} of view ${viewServiceOf(sim)?.current.viewnum}, answered a client's put with ${reply === undefined ? 'nothing within 300 ms' : JSON.stringify(reply)}; ` +
              "expected { type: 'KvReply', ok: false, error: 'not_primary' } at once, so the client asks the view service.",
          );
      }
    });
  });
});

describe('Every operation reaches the backup first', () => {
  test('the primary answers a get, a put and an append only after its backup acknowledged the Forward', async () => {
    await withService(21, 3, async (sim) => {
      await s1PrimaryS2Backup(sim);
      const startMs = sim.nowMs;
      const [primary, backup] = ['s1', 's2'];
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        expectOk("put('k', 'x;')", await clerk.put('k', 'x;'));
        expectOk("get('k')", await clerk.get('k'), 'x;');
        expectOk("append('k', 'y;')", await clerk.append('k', 'y;'));
        expectOk("get('k')", await clerk.get('k'), 'x;y;');
      });
      const acknowledged = new Set<string>();
      const forwards = new Map<number, string>();
      const requests = new Map<number, KvRequest>();
      for (const event of sim.trace) {
        if (event.kind !== 'send' || event.t < startMs) continue;
        const message = event.message as { rpcId?: number; inReplyTo?: number; ok?: boolean };
        if (event.type === 'KvRequest' && event.to === primary)
          requests.set(message.rpcId!, event.message as KvRequest);
        else if (event.type === 'Forward' && event.from === primary) {
          const { command } = event.message as Forward;
          forwards.set(message.rpcId!, `${command.clientId}#${command.seq}`);
        } else if (event.type === 'ForwardReply' && event.from === backup && message.ok === true) {
          const op = forwards.get(message.inReplyTo!);
          if (op !== undefined) acknowledged.add(op);
        } else if (event.type === 'KvReply' && event.from === primary && message.ok === true) {
          const request = requests.get(message.inReplyTo!);
          if (request !== undefined && !acknowledged.has(`${request.clientId}#${request.seq}`))
            throw new Error(
              `${primary}, the primary, answered ${request.clientId}'s ${request.op.f} (seq ${request.seq}) at t=${event.t} ms before its backup ${backup} ` +
                "acknowledged a Forward of it: every operation, reads included, goes to the backup first, and the answer waits for the backup's " +
                'ForwardReply with ok: true. Otherwise an old primary that no longer knows it is old answers from a stale store.',
            );
        }
      }
    });
  });

  test("a write whose Forward was lost is not reported done, and the new primary's store decides", async () => {
    // the primary answers only after the backup acknowledged: else the promoted backup lacks the write
    await withService(22, 3, async (sim) => {
      await s1PrimaryS2Backup(sim);
      sim.apply({ kind: 'cut', from: 's1', to: 's2' });
      await runClient(
        sim,
        'c1',
        2_000,
        async (_c, clerk) => void (await clerk.put('k', 'lost;')),
        (clerk) => clerk.patience(400),
      );
      sim.apply({ kind: 'partition', groups: [['s1'], ['vs', 's2', 's3']] });
      await awaitAcknowledgedView(sim, 'primary s2', (v) => v.primary === 's2', DEAD_AFTER_MS + 1_000);
      await runClient(sim, 'c2', 2_000, async (_c, clerk) =>
        expectOk("c2's get('k') at the new primary", await clerk.get('k')),
      );
      assertHistoryIsSound(sim);
    });
  });
});

describe('State transfer and acknowledgement', () => {
  test('a new backup holds the whole store before the primary acknowledges the view', async () => {
    await withService(31, 3, async (sim) => {
      await s1PrimaryS2Backup(sim);
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        for (let i = 1; i <= 3; i++) expectOk(`append #${i}`, await clerk.append(`k${i % 2}`));
      });
      const expected = JSON.stringify(serverOf(sim, 's1').state.store);
      // s2 is cut off, so the view service replaces it with s3; s1's first Transfers to s3 are lost.
      sim.apply({ kind: 'partition', groups: [['s2'], ['vs', 's1', 's3']] });
      sim.apply({ kind: 'cut', from: 's1', to: 's3' });
      await sim.runUntil(() => viewServiceOf(sim)?.current.backup === 's3', { timeoutMs: DEAD_AFTER_MS + 1_000 });
      sim.at(sim.nowMs + 300, () => {
        sim.apply({ kind: 'heal' });
        sim.apply({ kind: 'partition', groups: [['s2'], ['vs', 's1', 's3']] });
      });
      const view = await awaitAcknowledgedView(
        sim,
        'primary s1 and backup s3',
        (v) => v.primary === 's1' && v.backup === 's3',
        DEAD_AFTER_MS + 1_000,
      );
      const got = JSON.stringify(serverOf(sim, 's3').state.store);
      if (got !== expected)
        throw new Error(
          `s1 acknowledged view ${view.viewnum} (backup s3) at t=${sim.nowMs} ms, when s3 held ${got} and s1 ${expected}: ` +
            'the primary sends a new backup the whole state, and acknowledges the view (pings with its number) only once the backup ' +
            'answered that Transfer. The view service may promote the backup of an acknowledged view at any time.',
        );
      sim.apply({ kind: 'heal' });
      sim.apply({ kind: 'partition', groups: [['s1'], ['vs', 's2', 's3']] });
      await awaitAcknowledgedView(sim, 'primary s3', (v) => v.primary === 's3', DEAD_AFTER_MS + 1_000);
      await runClient(sim, 'c2', 2_000, async (_c, clerk) => {
        expectOk("get('k0') at the promoted backup s3", await clerk.get('k0'));
        expectOk("get('k1') at the promoted backup s3", await clerk.get('k1'));
      });
      assertHistoryIsSound(sim);
    });
  });

  test('a copy of the Transfer that arrives again after three Forwards is refused: the backup keeps the newer store', async () => {
    // README, "Late copies": the network delivers s1's Transfer to s2 a second time, after the
    // Forwards of c1's three appends. Taken, it would put s2's store back three operations.
    const log = holdLog();
    const plan = { kind: 'transfer-again-after-forwards', forwards: 3 } as const;
    const nodes = {
      ...service(3, createPrimaryBackupServer),
      s2: holdingMessages(createPrimaryBackupServer as NodeFactory, plan, log),
    };
    await simulate({ seed: 33, nodes }, async (sim) => {
      watchOnePrimaryPerView(sim);
      log.armed = true;
      await s1PrimaryS2Backup(sim);
      await runClient(sim, 'c1', 3_000, async (_c, clerk) => {
        for (let i = 1; i <= 3; i++) expectOk(`append #${i}`, await clerk.append('k', `a${i};`));
      });
      await sim.run({ untilMs: sim.nowMs + 100 });
      if (!log.done) throw new Error(`the story did not happen: s2 received ${log.held.join(', ') || 'no Transfer'}`);
      const [primary, backup] = [serverOf(sim, 's1').state.store, serverOf(sim, 's2').state.store];
      if (JSON.stringify(primary) !== JSON.stringify(backup))
        throw new Error(
          `the backup took a late copy: s2 received ${log.held.join(', ')}, then the copy of the Transfer again, and now holds ` +
            `${JSON.stringify(backup)} while its primary s1 holds ${JSON.stringify(primary)}. Refuse a Transfer or Forward whose n is ` +
            'not above the last one accepted in the view: if s1 fails now, s2 takes over without the appends it acknowledged.',
        );
      assertHistoryIsSound(sim);
    });
  });

  test('after the primary is cut off, the view service has a new acknowledged view within 1.5 s, and the new primary serves', async () => {
    await withService(32, 3, async (sim) => {
      await s1PrimaryS2Backup(sim);
      sim.apply({ kind: 'partition', groups: [['s1'], ['vs', 's2', 's3']] });
      await awaitAcknowledgedView(
        sim,
        'primary s2 and backup s3',
        (v) => v.primary === 's2' && v.backup === 's3',
        DEAD_AFTER_MS + 1_000,
      );
      sim.apply({ kind: 'heal' });
      await runClient(sim, 'c1', 2_000, async (_c, clerk) =>
        expectOk("put('k', 'x;') after the view change", await clerk.put('k', 'x;')),
      );
      assertHistoryIsSound(sim);
    });
  });
});

describe('Efficiency', () => {
  test('an operation costs four messages, beyond pings and one look-up of the view', async () => {
    await withService(41, 3, async (sim) => {
      await s1PrimaryS2Backup(sim);
      await sim.run({ untilMs: sim.nowMs + 200 });
      const before = sim.stats();
      const ops = 30;
      await runClient(sim, 'c1', 5_000, async (_c, clerk) => {
        for (let i = 0; i < ops; i++)
          expectOk(`operation #${i + 1}`, await (i % 3 === 0 ? clerk.get('k') : clerk.append('k')));
      });
      const traffic = trafficBetween(before, sim.stats());
      const background =
        (traffic.byType['Ping'] ?? 0) + (traffic.byType['ViewReply'] ?? 0) + (traffic.byType['GetView'] ?? 0);
      const perOp = (traffic.messages - background) / ops;
      reportFigure(
        `primary-backup on 3 servers: ${perOp.toFixed(1)} messages per operation beyond pings and view look-ups (${JSON.stringify(traffic.byType)})`,
      );
      if (perOp > 4.5)
        throw new Error(
          `one operation cost ${perOp.toFixed(1)} messages beyond pings and view look-ups on a steady service (${JSON.stringify(traffic.byType)}): ` +
            'the request, one Forward, its ForwardReply and the answer should do. Send the whole state only to a new backup, or after a Forward failed.',
        );
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Sweeps', () => {
  const seeds = sweepSeedCount(200);

  test(
    `three clients that repeat themselves, under partitions, cut links, drops, duplicates and late messages: one primary per view, linearizable, and every client served within ${CLIENTS_RECOVERY_MS} ms of the heal (${seeds} swarm worlds of 2 to 5 servers)`,
    { timeout: 600_000 },
    async () => {
      await sweepServiceUnderFaults(createPrimaryBackupServer, {
        seeds,
        ops: 30,
        maxPauseMs: 40,
        watch: watchOnePrimaryPerView,
      });
    },
  );
});
