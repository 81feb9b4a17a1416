/**
 * Tests for exercise 6.1: two-phase commit with locks across two shards (Gray 1978, two-phase commit; Bernstein,
 * Hadzilacos and Goodman 1987, ch. 7). See README.md for what each group checks.
 *
 * Every run is watched after every event: a shard may not hold a lock for a transaction it has decided.
 * Every run ends with the chapter's checks: atomicity (each transaction commits at every shard or
 * aborts at every shard, as its client was told), no two conflicting transactions prepared at once,
 * the bank test on every read of all accounts, and atomic visibility of every read of the pair.
 */
import { describe, test } from 'vitest';
import type { ClientContext, NodeId } from '#harness';
import {
  check,
  checkEqual,
  type FaultSchedule,
  scenario,
  simulate,
  type Simulation,
  sweepSeedCount,
} from '#harness/testing';
import {
  COORDINATOR,
  type Decision,
  type DecisionAck,
  type Prepare,
  type TxnOp,
  type Vote,
} from '../_given/txn-protocol.ts';
import { ACCOUNTS, assertTransactionsSound, BANK_TOTAL } from '../_test-support/checks.ts';
import { DecisionRecorder, participantOf } from '../_test-support/participants.ts';
import {
  describeShards,
  locksHeld,
  reportFigure,
  runClient,
  sweepTransactions,
  transactionCluster,
  TRANSACTIONS_RECOVERY_MS,
} from '../_test-support/runs.ts';
import { describeTxn, readAll, sendTxn, transfer, TxnLog, type TxnRecord } from '../_test-support/txn-client.ts';
import { createCoordinator, createParticipant } from './two-phase-commit.ts';

// ───────────────────────────── helpers ─────────────────────────────

const nodes = () => transactionCluster(createCoordinator, createParticipant);

/** A run of the coordinator and both shards, watched and judged like every run of the chapter. */
async function transactionRun(
  seed: number,
  body: (sim: Simulation, log: TxnLog) => Promise<void>,
  options: { faults?: FaultSchedule } = {},
): Promise<void> {
  await simulate(
    { seed, nodes: nodes(), ...(options.faults === undefined ? {} : { faults: options.faults }) },
    async (sim) => {
      const log = new TxnLog();
      const recorder = new DecisionRecorder(sim);
      await body(sim, log);
      await sim.run({ untilMs: sim.nowMs + 1_000 });
      assertTransactionsSound(sim, log, recorder, { requireDecided: true });
    },
  );
}

/** The store of `shard`, as `{ a: 100, b: 100 }`. */
function storeOf(sim: Simulation, shard: NodeId): Record<string, number> {
  return Object.fromEntries(participantOf(sim, shard).store);
}

/** `c1-t1 (a-30, n+30) was aborted (s2 did not answer)`. */
function fateOf(record: TxnRecord): string {
  return `${describeTxn(record)} was ${record.status}${record.reason === undefined ? '' : ` (${record.reason})`}`;
}

/** A client acting as a coordinator: sends `request` to `shard` and returns its answer. */
async function ask<Reply>(c: ClientContext, shard: NodeId, request: Prepare | Decision): Promise<Reply | undefined> {
  const result = await c.rpc(shard, request, { timeoutMs: 200 });
  return result.ok ? (result.reply as Reply) : undefined;
}

const prepare = (txnId: string, ops: readonly TxnOp[]): Prepare => ({ type: 'prepare', txnId, ops });
const commit = (txnId: string): Decision => ({ type: 'commit', txnId });
const abort = (txnId: string): Decision => ({ type: 'abort', txnId });

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('a transfer from a (on s1) to n (on s2) commits on both shards, and a read of every account then sees it', async () => {
    // Gray 1978, two-phase commit: both phases, every participant votes yes
    await transactionRun(1, async (sim, log) => {
      let moved: TxnRecord | undefined;
      let after: TxnRecord | undefined;
      await runClient(sim, 'c1', 3_000, async (c) => {
        moved = await sendTxn(c, log, transfer('a', 'n', 30));
        after = await sendTxn(c, log, readAll(ACCOUNTS));
      });
      check(
        moved?.status === 'committed',
        `with every shard reachable and nothing locked, ${fateOf(moved!)}: it should commit`,
      );
      checkEqual(
        after?.reads,
        { a: 70, b: 100, n: 130, o: 100 },
        `${fateOf(after!)}; after the transfer it should read a=70, n=130`,
      );
      await sim.run({ untilMs: sim.nowMs + 200 });
      checkEqual(storeOf(sim, 's1'), { a: 70, b: 100 }, "s1's store after the transfer committed");
      checkEqual(storeOf(sim, 's2'), { n: 130, o: 100 }, "s2's store after the transfer committed");
    });
  });

  test('s2 cannot be reached: the transfer aborts, s1 releases its lock, and no shard applies half of it', async () => {
    // A transaction whose participants cannot all be reached never completes partially
    const faults = scenario().at(0).isolate('s2').at(2_000).heal().build();
    await transactionRun(
      2,
      async (sim, log) => {
        let moved: TxnRecord | undefined;
        await runClient(sim, 'c1', 1_900, async (c) => {
          moved = await sendTxn(c, log, transfer('a', 'n', 30), { timeoutMs: 1_500 });
        });
        check(
          moved?.status === 'aborted',
          `s2 was cut off from everyone, and ${fateOf(moved!)}: the coordinator must give up on a shard that does not answer, abort, and say so to the client`,
        );
        checkEqual(
          storeOf(sim, 's1'),
          { a: 100, b: 100 },
          "s1's store after the transfer aborted (nothing may change)",
        );
        checkEqual(locksHeld(sim), [], 'the locks held once the transfer aborted (s1 must release a)');
        await sim.run({ untilMs: 2_500 });
        checkEqual(
          storeOf(sim, 's2'),
          { n: 100, o: 100 },
          "s2's store after the heal (the aborted transfer never happened there either)",
        );
      },
      { faults },
    );
  });

  test('s2 votes yes, then loses touch with tc: s2 keeps its lock until the decision reaches it, and no read sees half the transfer', async () => {
    // Gray 1978, two-phase commit: a participant that voted yes waits for the decision, however long it takes
    await transactionRun(3, async (sim, log) => {
      let moved: TxnRecord | undefined;
      const reads: TxnRecord[] = [];
      sim.client('c1', async (c) => {
        moved = await sendTxn(c, log, transfer('a', 'n', 30));
      });
      // s2's vote has left; from now on nothing tc sends reaches s2, so s2 cannot learn the decision.
      const voted = await sim.runUntil(
        () => sim.trace.some((event) => event.kind === 'send' && event.from === 's2' && event.type === 'vote'),
        { timeoutMs: 500 },
      );
      check(voted, `s2 never voted on c1's transfer: ${describeShards(sim)}`);
      sim.apply({ kind: 'cut', from: COORDINATOR, to: 's2' });
      await sim.run({ untilMs: sim.nowMs + 600 });
      check(
        moved?.status === 'committed',
        `both shards voted yes, and ${fateOf(moved!)}: the coordinator decides commit once every vote is yes`,
      );
      checkEqual(storeOf(sim, 's1'), { a: 70, b: 100 }, "s1's store once it heard the commit");
      checkEqual(
        participantOf(sim, 's2').locks.get('n'),
        moved!.txnId,
        `the transaction holding s2's lock on n while s2 cannot hear the decision (it voted yes: it must wait, not decide alone)`,
      );
      await runClient(sim, 'c2', 2_000, async (c) => {
        for (let i = 0; i < 3; i++) reads.push(await sendTxn(c, log, readAll(ACCOUNTS)));
      });
      for (const read of reads) {
        check(
          read.status !== 'committed',
          `${fateOf(read)} with reads ${JSON.stringify(read.reads)} while s2 still held n for the transfer: a read of a locked key must not commit (it votes no)`,
        );
      }
      sim.apply({ kind: 'heal' });
      const decided = await sim.runUntil(() => locksHeld(sim).length === 0, { timeoutMs: 1_000 });
      check(
        decided,
        `1,000 ms after the link healed, s2 still holds ${locksHeld(sim).join(', ')}: the coordinator sends the decision again until s2 acknowledges it`,
      );
      checkEqual(storeOf(sim, 's2'), { n: 130, o: 100 }, "s2's store once the commit reached it");
    });
  });

  test('two transfers out of account a at the same time: they never both commit, and the balance never goes below zero', async () => {
    // Strict two-phase locking: a prepared transaction holds its locks until the decision
    await transactionRun(4, async (sim, log) => {
      const results: TxnRecord[] = [];
      for (const [client, to] of [
        ['c1', 'n'],
        ['c2', 'o'],
      ] as const) {
        sim.client(client, async (c) => {
          results.push(await sendTxn(c, log, transfer('a', to, 60)));
        });
      }
      await sim.runUntilClientsDone({ timeoutMs: 3_000 });
      const committed = results.filter((record) => record.status === 'committed');
      check(
        committed.length <= 1,
        `conflicting transactions both committed: ${results.map(fateOf).join(' and ')}, but a held 100, so both could not have happened; the second prepare must find a locked and vote no`,
      );
      await runClient(sim, 'c3', 2_000, async (c) => {
        await sendTxn(c, log, readAll(ACCOUNTS));
      });
    });
  });

  test('a transfer that would overdraw an account aborts on both shards', async () => {
    // A participant votes no when it cannot perform its part
    await transactionRun(5, async (sim, log) => {
      let moved: TxnRecord | undefined;
      await runClient(sim, 'c1', 3_000, async (c) => {
        moved = await sendTxn(c, log, transfer('n', 'a', 150));
      });
      check(moved?.status === 'aborted', `n holds 100, and ${fateOf(moved!)}: s2 votes no, so the coordinator aborts`);
      await sim.run({ untilMs: sim.nowMs + 300 });
      checkEqual(
        storeOf(sim, 's1'),
        { a: 100, b: 100 },
        "s1's store after the overdraft aborted (a must not get the money)",
      );
      checkEqual(locksHeld(sim), [], 'the locks held after the overdraft aborted');
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('A participant votes (phase 1)', () => {
  test('it votes yes and locks the keys; a second transaction on a locked key gets a no; after the commit the key is free again', async () => {
    // Gray 1978, two-phase commit; strict two-phase locking
    await simulate({ seed: 11, nodes: nodes() }, async (sim) => {
      await runClient(sim, 'c1', 3_000, async (c) => {
        const first = await ask<Vote>(c, 's1', prepare('x1', transfer('a', 'b', 10)));
        check(
          first?.yes === true,
          `s1 answered the prepare of x1 (a-10, b+10) with ${JSON.stringify(first)}: nothing is locked, so it votes yes`,
        );
        checkEqual(
          [...participantOf(sim, 's1').locks],
          [
            ['a', 'x1'],
            ['b', 'x1'],
          ],
          "s1's locks after voting yes on x1",
        );
        checkEqual(
          storeOf(sim, 's1'),
          { a: 100, b: 100 },
          "s1's store after a yes vote (nothing changes before the commit)",
        );
        const second = await ask<Vote>(c, 's1', prepare('x2', readAll(['b'])));
        check(
          second?.yes === false,
          `s1 answered the prepare of x2 (read b) with ${JSON.stringify(second)}, while x1 held b: it votes no`,
        );
        const ack = await ask<DecisionAck>(c, 's1', commit('x1'));
        check(
          ack?.type === 'decision_ack',
          `s1 answered the commit of x1 with ${JSON.stringify(ack)}; expected a decision_ack`,
        );
        checkEqual(storeOf(sim, 's1'), { a: 90, b: 110 }, "s1's store after x1 committed");
        checkEqual(participantOf(sim, 's1').outcomes.get('x1'), 'committed', "s1's outcome of x1");
        const third = await ask<Vote>(c, 's1', prepare('x3', readAll(['a', 'b'])));
        checkEqual(
          third?.yes === true ? third.reads : third,
          { a: 90, b: 110 },
          "the reads in s1's vote on x3, once x1 released its locks",
        );
      });
    });
  });

  test('a repeated prepare gets the same vote, and a repeated commit is acknowledged and applied once', async () => {
    // Messages may be duplicated: every step is idempotent
    await simulate({ seed: 12, nodes: nodes() }, async (sim) => {
      await runClient(sim, 'c1', 3_000, async (c) => {
        const first = await ask<Vote>(c, 's2', prepare('x1', [{ f: 'add', key: 'n', amount: 5 }]));
        const again = await ask<Vote>(c, 's2', prepare('x1', [{ f: 'add', key: 'n', amount: 5 }]));
        check(
          first?.yes === true && again?.yes === true,
          `s2 voted ${JSON.stringify(first)} then ${JSON.stringify(again)} on the same prepare of x1: a repeated prepare gets the same vote (its own lock does not count against it)`,
        );
        await ask(c, 's2', commit('x1'));
        const ack = await ask<DecisionAck>(c, 's2', commit('x1'));
        check(
          ack?.type === 'decision_ack',
          `s2 answered a repeated commit of x1 with ${JSON.stringify(ack)}: acknowledge it again, so the coordinator stops sending it`,
        );
        checkEqual(
          storeOf(sim, 's2'),
          { n: 105, o: 100 },
          "s2's store after x1 (n+5) was committed twice (it must apply once)",
        );
      });
    });
  });

  test('an abort releases the locks and changes nothing; a prepare that arrives after its abort votes no', async () => {
    // The coordinator may abort before a late prepare arrives: the participant remembers the abort
    await simulate({ seed: 13, nodes: nodes() }, async (sim) => {
      await runClient(sim, 'c1', 3_000, async (c) => {
        await ask(c, 's1', prepare('x1', [{ f: 'write', key: 'a', value: 7 }]));
        const ack = await ask<DecisionAck>(c, 's1', abort('x1'));
        check(
          ack?.type === 'decision_ack',
          `s1 answered the abort of x1 with ${JSON.stringify(ack)}; expected a decision_ack`,
        );
        checkEqual(storeOf(sim, 's1'), { a: 100, b: 100 }, "s1's store after x1 (a=7) aborted");
        checkEqual([...participantOf(sim, 's1').locks], [], "s1's locks after x1 aborted");
        await ask(c, 's1', abort('x2'));
        const late = await ask<Vote>(c, 's1', prepare('x2', [{ f: 'write', key: 'b', value: 7 }]));
        check(
          late?.yes === false,
          `s1 voted ${JSON.stringify(late)} on the prepare of x2 that arrived after x2's abort: x2 is aborted, so vote no and lock nothing`,
        );
        checkEqual([...participantOf(sim, 's1').locks], [], "s1's locks after the late prepare of the aborted x2");
      });
    });
  });
});

describe('The coordinator decides (phase 2)', () => {
  test('one shard votes no: the client hears aborted, and the other shard, which voted yes, is told to abort', async () => {
    // Gray 1978, two-phase commit: any no vote aborts the transaction everywhere
    await transactionRun(21, async (sim, log) => {
      let blocker: Vote | undefined;
      let moved: TxnRecord | undefined;
      await runClient(sim, 'c0', 1_000, async (c) => {
        blocker = await ask<Vote>(c, 's2', prepare('x9', readAll(['n'])));
      });
      check(blocker?.yes === true, `s2 should lock n for x9; it voted ${JSON.stringify(blocker)}`);
      await runClient(sim, 'c1', 3_000, async (c) => {
        moved = await sendTxn(c, log, transfer('a', 'n', 10));
      });
      check(moved?.status === 'aborted', `s2 had n locked by x9, and ${fateOf(moved!)}: s2 votes no, so it aborts`);
      await sim.run({ untilMs: sim.nowMs + 500 });
      checkEqual(
        participantOf(sim, 's1').outcomes.get(moved!.txnId),
        'aborted',
        `s1's outcome of ${moved!.txnId}, which it voted yes on`,
      );
      checkEqual([...participantOf(sim, 's1').locks], [], `s1's locks once ${moved!.txnId} aborted`);
      await runClient(sim, 'c9', 1_000, async (c) => void (await ask(c, 's2', abort('x9'))));
    });
  });

  test('a client that sends its transaction again gets the same answer, and the transaction runs once', async () => {
    // Retries: the transaction id names the transaction
    await transactionRun(22, async (sim, log) => {
      const answers: string[] = [];
      await runClient(sim, 'c1', 3_000, async (c) => {
        const first = await sendTxn(c, log, transfer('b', 'o', 20));
        const again = await c.rpc(
          COORDINATOR,
          { type: 'txn', txnId: first.txnId, ops: transfer('b', 'o', 20) },
          { timeoutMs: 1_000 },
        );
        answers.push(first.status, again.ok ? again.reply.type : 'no answer');
      });
      checkEqual(answers, ['committed', 'txn_committed'], "c1's two answers for the same transaction");
      await sim.run({ untilMs: sim.nowMs + 300 });
      checkEqual(
        storeOf(sim, 's1'),
        { a: 100, b: 80 },
        "s1's store after the transfer of 20 from b, sent twice (it must run once)",
      );
    });
  });

  test('a transaction on one shard only involves that shard', async () => {
    await transactionRun(23, async (sim, log) => {
      await runClient(sim, 'c1', 3_000, async (c) => void (await sendTxn(c, log, transfer('a', 'b', 5))));
      const toS2 = sim.trace.filter((event) => event.kind === 'send' && event.to === 's2').length;
      checkEqual(toS2, 0, 'messages sent to s2 for a transfer between a and b, both on s1');
    });
  });
});

// ───────────────────────────── 3. efficiency ─────────────────────────────

describe('Efficiency', () => {
  test('on a network that loses nothing, a transaction across both shards costs at most 8 messages between tc and the shards', async () => {
    await transactionRun(31, async (sim, log) => {
      const before = sim.stats();
      await runClient(sim, 'c1', 10_000, async (c) => {
        for (let i = 0; i < 20; i++) await sendTxn(c, log, i % 2 === 0 ? transfer('a', 'n', 1) : readAll(ACCOUNTS));
      });
      await sim.run({ untilMs: sim.nowMs + 500 });
      const after = sim.stats();
      const clientMessages = (['txn', 'txn_committed', 'txn_aborted'] as const).reduce(
        (sum, type) => sum + (after.byType[type]?.messages ?? 0) - (before.byType[type]?.messages ?? 0),
        0,
      );
      const perTxn = (after.messagesSent - before.messagesSent - clientMessages) / 20;
      reportFigure(
        `2PC across two shards: ${perTxn.toFixed(1)} messages per transaction between tc and the shards (prepare, vote, decision, ack to each)`,
      );
      check(
        log.records.every((record) => record.status === 'committed'),
        `on a calm network with one client, ${log.records
          .filter((record) => record.status !== 'committed')
          .map(fateOf)
          .join('; ')}`,
      );
      check(
        perTxn <= 8,
        `a transaction across both shards cost ${perTxn.toFixed(1)} messages between tc and the shards (${JSON.stringify(after.byType)}): a prepare, a vote, a decision and an ack per shard is 8`,
      );
    });
  });
});

// ───────────────────────────── 4. sweeps ─────────────────────────────

describe('Sweeps', () => {
  const seeds = sweepSeedCount(100);
  test(
    `three clients transfer, read and write under partitions, cut links, drops, duplicates and late messages: atomic, isolated, the bank always sums to ${BANK_TOTAL}, reads of the pair never fractured, and every lock released within ${TRANSACTIONS_RECOVERY_MS} ms of the heal (${seeds} swarm worlds)`,
    { timeout: 600_000 },
    async () => {
      const { worstRecoveryMs, outcomes } = await sweepTransactions({
        seeds,
        nodes: nodes(),
        timeoutMs: 300,
        txns: 15,
        healAtMs: 3_000,
      });
      reportFigure(
        `slowest recovery after the heal: ${worstRecoveryMs} ms (bound ${TRANSACTIONS_RECOVERY_MS} ms); the clients' transactions: ${outcomes.committed} committed, ${outcomes.aborted} aborted, ${outcomes.unknown} never answered`,
      );
    },
  );
});
