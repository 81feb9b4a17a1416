/**
 * Tests for exercise 6.2: two-phase commit that survives crashes, the logging rules (Gray 1978, two-phase
 * commit; Bernstein, Hadzilacos and Goodman 1987, §7.4; Mohan, Lindsay and Obermarck 1986, presumed
 * abort). See README.md for what each group checks.
 *
 * Every run is watched after every event: a shard may not hold a lock for a transaction it has decided.
 * Every run of the whole cluster ends with the chapter's checks (atomicity, no two conflicting
 * transactions prepared at once, the bank test, atomic visibility) and with the durability of the
 * coordinator's decisions: it never announces commit and abort for one transaction.
 */
import { describe, test } from 'vitest';
import type { NodeId } from '#harness';
import {
  check,
  checkEqual,
  type FaultSchedule,
  scenario,
  simulate,
  type Simulation,
  sweepSeedCount,
  testTimeoutMs,
} from '#harness/testing';
import {
  COORDINATOR,
  type Decision,
  type DecisionAck,
  type Prepare,
  type TxnOp,
  type Vote,
} from '../_given/txn-protocol.ts';
import { assertTransactionsSound, BANK_TOTAL } from '../_test-support/checks.ts';
import { assertDecisionsDurable } from '../_test-support/durability.ts';
import { DecisionRecorder, participantOf } from '../_test-support/participants.ts';
import {
  describeShards,
  locksHeld,
  reportFigure,
  sweepTransactions,
  transactionCluster,
  TRANSACTIONS_RECOVERY_MS,
} from '../_test-support/runs.ts';
import { askUntilAnswered, participantRun, runUntilSent } from '../_test-support/scripted.ts';
import { readAll, sendTxn, transfer, TxnLog, type TxnRecord } from '../_test-support/txn-client.ts';
import { createCoordinator, createParticipant } from './two-phase-commit.ts';

// ───────────────────────────── helpers ─────────────────────────────

const nodes = () => transactionCluster(createCoordinator, createParticipant);

/** A run of the coordinator and both shards, watched, and judged like every run of the chapter. */
async function transactionRun(
  seed: number,
  faults: FaultSchedule,
  body: (sim: Simulation, log: TxnLog) => Promise<void>,
): Promise<void> {
  await simulate({ seed, nodes: nodes(), faults }, async (sim) => {
    const log = new TxnLog();
    const recorder = new DecisionRecorder(sim);
    await body(sim, log);
    await sim.run({ untilMs: sim.nowMs + 1_000 });
    assertDecisionsDurable(sim);
    assertTransactionsSound(sim, log, recorder, { requireDecided: true });
  });
}

/** The store of `shard`, as `{ a: 100, b: 100 }`. */
function storeOf(sim: Simulation, shard: NodeId): Record<string, number> {
  return Object.fromEntries(participantOf(sim, shard).store);
}

const prepare = (txnId: string, ops: readonly TxnOp[]): Prepare => ({ type: 'prepare', txnId, ops });
const commit = (txnId: string): Decision => ({ type: 'commit', txnId });

/** The effects a shard's step may perform before a targeted crash strikes: each count is a schedule of its own. */
const EFFECT_COUNTS = [1, 2, 3, 4];

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('tc crashes right after its first commit leaves, and s2 never got one: restarted, tc tells s2 commit too', async () => {
    // Gray 1978: the coordinator writes its decision durably before sending it
    await transactionRun(21, [], async (sim, log) => {
      let moved: TxnRecord | undefined;
      sim.client('c1', async (c) => {
        moved = await sendTxn(c, log, transfer('a', 'n', 30), { timeoutMs: 400, attempts: 5 });
      });
      await runUntilSent(sim, COORDINATOR, 'commit', 500);
      // The commit to s1 is on its way; the one to s2 (if sent) is lost with the link, and tc goes down.
      sim.apply({ kind: 'cut', from: COORDINATOR, to: 's2' });
      sim.crash(COORDINATOR);
      await sim.run({ untilMs: sim.nowMs + 150 });
      sim.apply({ kind: 'heal' });
      sim.restart(COORDINATOR);
      await sim.run({ untilMs: sim.nowMs + 1_500 });
      assertDecisionsDurable(sim);
      checkEqual(locksHeld(sim), [], 'the locks held 1,500 ms after tc restarted');
      checkEqual(
        [storeOf(sim, 's1'), storeOf(sim, 's2')],
        [
          { a: 70, b: 100 },
          { n: 130, o: 100 },
        ],
        `the stores of s1 and s2 1,500 ms after tc restarted (s1 heard commit before the crash; c1 heard ${moved?.status ?? 'nothing'})`,
      );
    });
  });

  test.each(EFFECT_COUNTS)(
    's1 crashes while it votes yes, after %i of its effects: restarted, it still holds its locks, votes no on a conflicting prepare, and commits when told',
    async (afterEffects) => {
      // Gray 1978: a participant writes PREPARED durably before it votes yes
      const faults = scenario()
        .at(0)
        .targetedCrash('s1', { message: 'prepare' }, { afterEffects, restartAfterMs: 50 })
        .build();
      await participantRun(
        22,
        createParticipant,
        async (c, sim) => {
          const first = await askUntilAnswered<Vote>(c, 's1', prepare('x1', transfer('a', 'b', 10)));
          check(
            first?.yes === true,
            `s1 answered the prepare of x1 (a-10, b+10) with ${JSON.stringify(first)}: nothing is locked, so it votes yes`,
          );
          await c.sleep(Math.max(0, 200 - c.now()));
          check(sim.isUp('s1'), 's1 is up again 150 ms after its crash');
          checkEqual(
            [...participantOf(sim, 's1').locks].sort(),
            [
              ['a', 'x1'],
              ['b', 'x1'],
            ],
            "s1's locks after it restarted: its yes vote on x1 is a promise, and it keeps x1's locks until the decision",
          );
          const again = await askUntilAnswered<Vote>(c, 's1', prepare('x1', transfer('a', 'b', 10)));
          check(
            again?.yes === true,
            `s1, restarted, answered a repeated prepare of x1 with ${JSON.stringify(again)}: it voted yes before the crash, and must say so again`,
          );
          const second = await askUntilAnswered<Vote>(c, 's1', prepare('x2', readAll(['b'])));
          check(
            second?.yes === false,
            `s1, restarted, answered the prepare of x2 (read b) with ${JSON.stringify(second)}, while x1 held b: it must vote no`,
          );
          const ack = await askUntilAnswered<DecisionAck>(c, 's1', commit('x1'));
          check(
            ack?.type === 'decision_ack',
            `s1, restarted, answered the commit of x1 with ${JSON.stringify(ack)}: after its yes vote it must be able to commit`,
          );
          checkEqual(storeOf(sim, 's1'), { a: 90, b: 110 }, "s1's store once x1 committed after the restart");
          checkEqual(locksHeld(sim), [], 'the locks held once x1 committed');
        },
        { faults },
      );
    },
  );
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Recovery (Bernstein, Hadzilacos and Goodman 1987, §7.4)', () => {
  test('a committed store survives a crash of the shard: after the restart it reads the committed values', async () => {
    // The store is durable: a commit is not undone by a crash
    const faults = scenario().at(1_000).crash('s1').at(1_100).restart('s1').build();
    await transactionRun(31, faults, async (sim, log) => {
      let after: TxnRecord | undefined;
      sim.client('c1', async (c) => {
        await sendTxn(c, log, transfer('a', 'n', 30));
        await c.sleep(Math.max(0, 1_300 - c.now()));
        after = await sendTxn(c, log, readAll(['a', 'n']), { attempts: 3, timeoutMs: 400 });
      });
      await sim.run({ untilMs: 3_000 });
      checkEqual(
        after?.reads,
        { a: 70, n: 130 },
        'a read after s1 crashed and restarted (the transfer committed before the crash)',
      );
    });
  });

  test('tc crashes after it answered the client and before s2 heard the decision: restarted, it sends the logged commit again', async () => {
    // Gray 1978: the decision is durable, and phase 2 goes on after a coordinator's restart
    await transactionRun(32, [], async (sim, log) => {
      let moved: TxnRecord | undefined;
      sim.client('c1', async (c) => {
        moved = await sendTxn(c, log, transfer('a', 'n', 30));
      });
      const voted = await sim.runUntil(
        () => sim.trace.some((event) => event.kind === 'send' && event.from === 's2' && event.type === 'vote'),
        { timeoutMs: 500 },
      );
      check(voted, `s2 never voted on c1's transfer: ${describeShards(sim)}`);
      sim.apply({ kind: 'cut', from: COORDINATOR, to: 's2' });
      await sim.runUntil(() => moved !== undefined, { timeoutMs: 1_000 });
      check(
        moved?.status === 'committed',
        `c1's transfer should commit: both shards voted yes, and c1 heard ${moved?.status ?? 'nothing'}`,
      );
      sim.crash(COORDINATOR);
      await sim.run({ untilMs: sim.nowMs + 200 });
      sim.apply({ kind: 'heal' });
      sim.restart(COORDINATOR);
      await sim.run({ untilMs: sim.nowMs + 1_500 });
      checkEqual(
        storeOf(sim, 's2'),
        { n: 130, o: 100 },
        "s2's store 1,500 ms after tc restarted (the transfer committed before tc crashed)",
      );
    });
  });

  test('tc crashes before it decides: restarted, it has no decision for the transfer, and the shards that voted yes learn abort when they ask (presumed abort)', async () => {
    // Mohan, Lindsay and Obermarck 1986, presumed abort: no logged decision means abort
    await transactionRun(33, [], async (sim, log) => {
      sim.client('c1', async (c) => {
        await sendTxn(c, log, transfer('a', 'n', 30), { timeoutMs: 300 });
      });
      // Both prepares are out; tc goes down before any vote is back, and so before it decides.
      await runUntilSent(sim, COORDINATOR, 'prepare', 100);
      await sim.run({ untilMs: sim.nowMs + 1 });
      sim.crash(COORDINATOR);
      await sim.run({ untilMs: sim.nowMs + 100 });
      sim.restart(COORDINATOR);
      await sim.run({ untilMs: 1_500 });
      checkEqual(
        locksHeld(sim),
        [],
        `the locks held at t=${sim.nowMs} ms, 1,400 ms after tc restarted without a decision: a shard that voted yes asks tc, and tc, which decided nothing, answers abort`,
      );
      checkEqual(storeOf(sim, 's1'), { a: 100, b: 100 }, "s1's store once the undecided transfer aborted");
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Sweeps', () => {
  const seeds = sweepSeedCount(100);
  test(
    `three clients transfer, read and write while servers crash (some partway through a step) and restart, under partitions, drops, duplicates and late messages: atomic, decisions durable, the bank always sums to ${BANK_TOTAL}, and every transaction decided within ${TRANSACTIONS_RECOVERY_MS} ms of the last restart (${seeds} swarm worlds)`,
    { timeout: Math.max(600_000, testTimeoutMs()) },
    async () => {
      const { worstRecoveryMs, outcomes } = await sweepTransactions({
        seeds,
        nodes: nodes(),
        timeoutMs: 300,
        txns: 15,
        healAtMs: 3_000,
        crashes: true,
        alsoCheck: assertDecisionsDurable,
      });
      reportFigure(
        `slowest recovery after the last restart: ${worstRecoveryMs} ms (bound ${TRANSACTIONS_RECOVERY_MS} ms); the clients' transactions: ${outcomes.committed} committed, ${outcomes.aborted} aborted, ${outcomes.unknown} never answered`,
      );
    },
  );
});
