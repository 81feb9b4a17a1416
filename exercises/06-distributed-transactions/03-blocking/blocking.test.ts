/**
 * Tests for exercise 6.3: blocking, and cooperative termination (Bernstein, Hadzilacos and Goodman
 * 1987, ch. 7, the cooperative termination protocol; Gray and Lamport 2006, why two-phase commit
 * blocks). See README.md for what each group checks.
 *
 * Every run is watched after every event: a shard may not hold a lock for a transaction it has decided.
 * Every run of the whole cluster ends with the chapter's checks (atomicity, no two conflicting
 * transactions prepared at once, the bank test, atomic visibility), the durability of the
 * coordinator's decisions, and that every decision a shard took after its yes vote was known
 * somewhere first.
 */
import { describe, test } from 'vitest';
import type { NodeId } from '#harness';
import {
  check,
  checkEqual,
  type FaultSchedule,
  simulate,
  type Simulation,
  sweepSeedCount,
  testTimeoutMs,
} from '#harness/testing';
import {
  COORDINATOR,
  type DecisionAck,
  type Prepare,
  type TerminationAnswer,
  type TerminationQuery,
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
import { answersBetween, assertDecisionsGrounded, terminationAnswers } from '../_test-support/termination.ts';
import { readAll, sendTxn, transfer, TxnLog, type TxnRecord } from '../_test-support/txn-client.ts';
import { createCoordinator, createParticipant } from './two-phase-commit.ts';

// ───────────────────────────── helpers ─────────────────────────────

const nodes = () => transactionCluster(createCoordinator, createParticipant);

/** After tc is back, every shard has decided within this long (the shards ask every 300 ms; tc resends its decisions). */
const DECIDED_AFTER_RESTART_MS = 1_000;
/** How long tc stays down in the stories: far longer than any timeout of the protocol. */
const DOWN_MS = 3_000;

/** A run of the coordinator and both shards, watched, and judged like every run of the chapter. */
async function transactionRun(
  seed: number,
  faults: FaultSchedule,
  body: (sim: Simulation, log: TxnLog, recorder: DecisionRecorder) => Promise<void>,
): Promise<void> {
  await simulate({ seed, nodes: nodes(), faults }, async (sim) => {
    const log = new TxnLog();
    const recorder = new DecisionRecorder(sim);
    await body(sim, log, recorder);
    await sim.run({ untilMs: sim.nowMs + 1_000 });
    assertDecisionsDurable(sim);
    assertTransactionsSound(sim, log, recorder, { requireDecided: true });
    assertDecisionsGrounded(sim, log, recorder);
  });
}

const BOTH: readonly NodeId[] = ['s1', 's2'];
const prepare = (txnId: string, ops: readonly TxnOp[]): Prepare => ({
  type: 'prepare',
  txnId,
  ops,
  participants: BOTH,
});
const query = (txnId: string): TerminationQuery => ({ type: 'termination_query', txnId });

/** What `shard` decided about `txnId`, or `undefined`. */
const outcomeAt = (sim: Simulation, shard: NodeId, txnId: string) => participantOf(sim, shard).outcomes.get(txnId);

/** Fails when a shard decided `txnId` while tc was down: nobody who knew the outcome could have told it. */
function checkStillBlocked(sim: Simulation, txnId: string, why: string): void {
  for (const shard of BOTH) {
    const outcome = outcomeAt(sim, shard, txnId);
    check(
      outcome === undefined,
      `${shard} decided ${txnId} (${outcome}) by t=${sim.nowMs} ms while ${COORDINATOR} was down and ${why}: nobody knew the outcome. ` +
        'A shard that voted yes may not decide on its own: it stays blocked while every peer is uncertain, until someone who knows the outcome tells it.',
    );
  }
}

/** Fails unless `asker` asked `peer` about `txnId` and was told "don't know". */
function checkAskedAndUncertain(sim: Simulation, asker: NodeId, peer: NodeId, txnId: string, silentMs: number): void {
  const answers = answersBetween(sim, peer, asker, txnId);
  check(
    answers.includes('unknown'),
    `${asker} voted yes on ${txnId} and heard nothing from ${COORDINATOR} for ${silentMs} ms, yet ${peer} never answered it "unknown" ` +
      `(its answers: ${answers.length === 0 ? 'none' : answers.join(', ')}): a shard that waits for the decision asks its peers (termination_query), ` +
      'and a peer that is uncertain too answers unknown.',
  );
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('Scenarios', () => {
  test('tc crashes after its commit reached s1 only: s2 asks s1, and commits while tc is still down', async () => {
    // Bernstein, Hadzilacos and Goodman 1987, ch. 7: the cooperative termination protocol
    await transactionRun(41, [], async (sim, log) => {
      let moved: TxnRecord | undefined;
      sim.client('c1', async (c) => {
        moved = await sendTxn(c, log, transfer('a', 'n', 30), { timeoutMs: 400, attempts: 10 });
      });
      await runUntilSent(sim, COORDINATOR, 'commit', 500);
      // The commit to s1 is on its way; the one to s2 is lost with the link, and tc goes down.
      sim.apply({ kind: 'cut', from: COORDINATOR, to: 's2' });
      sim.crash(COORDINATOR);
      const crashedAtMs = sim.nowMs;
      const learned = await sim.runUntil(() => outcomeAt(sim, 's2', 'c1-t1') !== undefined, { timeoutMs: DOWN_MS });
      check(
        learned,
        `s2 had not decided c1-t1 ${DOWN_MS} ms after tc crashed, though s1 had committed it (s1: ${outcomeAt(sim, 's1', 'c1-t1') ?? 'undecided'}): ` +
          `a shard that hears nothing from tc asks its peers, and a peer that has decided answers with its decision.\n  ${describeShards(sim)}`,
      );
      checkEqual(
        outcomeAt(sim, 's2', 'c1-t1'),
        'committed',
        `s2's decision on c1-t1, learned while tc was down (since t=${crashedAtMs} ms); s1 had committed it`,
      );
      checkEqual(locksHeld(sim), [], `the locks held at t=${sim.nowMs} ms, once s2 had learned the outcome from s1`);
      await sim.run({ untilMs: crashedAtMs + DOWN_MS });
      sim.apply({ kind: 'heal' });
      sim.restart(COORDINATOR);
      await sim.runUntil(() => moved !== undefined, { timeoutMs: 2_000 });
      check(
        moved?.status === 'committed',
        `c1's transfer committed at both shards, yet c1 heard ${moved?.status ?? 'nothing'}`,
      );
    });
  });

  test.each([
    { when: 'before it decided', decidedCommit: false },
    { when: 'after it decided commit and told the client, before either shard heard it', decidedCommit: true },
  ])(
    'tc crashes after both yes votes, $when: both shards stay blocked, locks held, a conflicting prepare refused, until tc restarts',
    async ({ decidedCommit }) => {
      // Gray and Lamport 2006: two-phase commit blocks when the coordinator fails
      await transactionRun(decidedCommit ? 43 : 42, [], async (sim, log) => {
        let moved: TxnRecord | undefined;
        sim.client('c1', async (c) => {
          moved = await sendTxn(c, log, transfer('a', 'n', 30), { timeoutMs: 300 });
        });
        await runUntilSent(sim, 's1', 'vote', 500);
        await runUntilSent(sim, 's2', 'vote', 500);
        if (decidedCommit) {
          // The votes arrive, tc logs commit and answers c1; its commits are lost with the links.
          sim.apply({ kind: 'cut', from: COORDINATOR, to: 's1' });
          sim.apply({ kind: 'cut', from: COORDINATOR, to: 's2' });
          await sim.runUntil(() => moved !== undefined, { timeoutMs: 500 });
          check(moved?.status === 'committed', `both shards voted yes, yet c1 heard ${moved?.status ?? 'nothing'}`);
        }
        sim.crash(COORDINATOR);
        const crashedAtMs = sim.nowMs;
        let refused: Vote | undefined;
        sim.client('c2', async (c) => {
          await c.sleep(DOWN_MS / 2);
          refused = await askUntilAnswered<Vote>(c, 's1', prepare('c2-t1', readAll(['a'])), 10);
        });
        await sim.run({ untilMs: crashedAtMs + DOWN_MS });
        checkStillBlocked(sim, 'c1-t1', 's2 was uncertain too');
        checkEqual(
          locksHeld(sim).sort(),
          ['s1 holds a for c1-t1', 's2 holds n for c1-t1'],
          `the locks held at t=${sim.nowMs} ms, ${DOWN_MS} ms into tc's downtime: a blocked shard keeps its locks`,
        );
        check(
          refused?.yes === false,
          `s1 answered a prepare of c2-t1 (read a) with ${JSON.stringify(refused)} while c1-t1, blocked, held a: it must vote no`,
        );
        checkAskedAndUncertain(sim, 's1', 's2', 'c1-t1', DOWN_MS);
        checkAskedAndUncertain(sim, 's2', 's1', 'c1-t1', DOWN_MS);
        sim.apply({ kind: 'heal' });
        sim.restart(COORDINATOR);
        const restartedAtMs = sim.nowMs;
        const decided = await sim.runUntil(() => BOTH.every((shard) => outcomeAt(sim, shard, 'c1-t1') !== undefined), {
          timeoutMs: DECIDED_AFTER_RESTART_MS,
        });
        check(
          decided,
          `${DECIDED_AFTER_RESTART_MS} ms after tc restarted (t=${restartedAtMs} ms), c1-t1 was still undecided: tc finishes from its log ` +
            `(its logged decision, or presumed abort) and the shards ask it.\n  ${describeShards(sim)}`,
        );
        const expected = decidedCommit ? 'committed' : 'aborted';
        checkEqual(
          BOTH.map((shard) => outcomeAt(sim, shard, 'c1-t1')),
          [expected, expected],
          `the shards' decisions on c1-t1 after tc restarted (tc ${decidedCommit ? 'had logged commit' : 'had decided nothing'})`,
        );
      });
    },
  );

  test('tc crashes while s2 has not voted: s1 asks s2, s2 aborts and answers abort, and s1 aborts while tc is still down', async () => {
    // Bernstein, Hadzilacos and Goodman 1987, ch. 7: a participant that has not voted may abort unilaterally
    await transactionRun(44, [], async (sim, log) => {
      sim.client('c1', async (c) => {
        await sendTxn(c, log, transfer('a', 'n', 30), { timeoutMs: 300 });
      });
      // s2 never gets the prepare; s1 votes yes, and tc goes down before any answer from s2.
      sim.apply({ kind: 'cut', from: COORDINATOR, to: 's2' });
      await runUntilSent(sim, 's1', 'vote', 500);
      sim.crash(COORDINATOR);
      const crashedAtMs = sim.nowMs;
      const learned = await sim.runUntil(() => outcomeAt(sim, 's1', 'c1-t1') !== undefined, { timeoutMs: DOWN_MS });
      check(
        learned,
        `s1 had not decided c1-t1 ${DOWN_MS} ms after tc crashed, and s2 never voted on it: s1 asks s2, and s2, which has not voted, ` +
          `may abort and answers abort.\n  ${describeShards(sim)}`,
      );
      checkEqual(
        [outcomeAt(sim, 's1', 'c1-t1'), outcomeAt(sim, 's2', 'c1-t1')],
        ['aborted', 'aborted'],
        `s1's and s2's decisions on c1-t1 while tc was down (since t=${crashedAtMs} ms)`,
      );
      await sim.run({ untilMs: crashedAtMs + DOWN_MS });
      sim.apply({ kind: 'heal' });
      sim.restart(COORDINATOR);
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Cooperative termination (Bernstein, Hadzilacos and Goodman 1987, ch. 7)', () => {
  test('a shard that decided answers a termination query with its decision', async () => {
    await participantRun(51, createParticipant, async (c) => {
      for (const [txnId, decision] of [
        ['x1', 'commit'],
        ['x2', 'abort'],
      ] as const) {
        const vote = await askUntilAnswered<Vote>(c, 's1', prepare(txnId, transfer('a', 'b', 10)));
        check(
          vote?.yes === true,
          `s1 answered the prepare of ${txnId} with ${JSON.stringify(vote)}: nothing is locked, so it votes yes`,
        );
        const ack = await askUntilAnswered<DecisionAck>(c, 's1', { type: decision, txnId });
        check(ack?.type === 'decision_ack', `s1 answered the ${decision} of ${txnId} with ${JSON.stringify(ack)}`);
        const answer = await askUntilAnswered<TerminationAnswer>(c, 's1', query(txnId));
        checkEqual(
          answer?.outcome,
          decision,
          `s1's answer to a termination query on ${txnId}, which it had decided ${decision}`,
        );
      }
    });
  });

  test('a shard that voted yes and waits for the decision answers "unknown", and stays prepared', async () => {
    await participantRun(52, createParticipant, async (c, sim) => {
      const vote = await askUntilAnswered<Vote>(c, 's1', prepare('x1', transfer('a', 'b', 10)));
      check(
        vote?.yes === true,
        `s1 answered the prepare of x1 with ${JSON.stringify(vote)}: nothing is locked, so it votes yes`,
      );
      const answer = await askUntilAnswered<TerminationAnswer>(c, 's1', query('x1'));
      check(
        answer?.outcome === 'unknown',
        `s1 answered ${JSON.stringify(answer)} to a termination query on x1 while it is uncertain itself (it voted yes and has no decision): ` +
          'it knows no more than the asker, so it answers unknown.',
      );
      checkEqual(
        outcomeAt(sim, 's1', 'x1'),
        undefined,
        "s1's decision on x1 after it answered the query: it has none yet",
      );
    });
  });

  test('a shard that has not voted aborts, answers abort, and votes no on the prepare that comes later', async () => {
    await participantRun(53, createParticipant, async (c, sim) => {
      const answer = await askUntilAnswered<TerminationAnswer>(c, 's2', query('x1'));
      check(
        answer?.outcome === 'abort',
        `s2 answered ${JSON.stringify(answer)} to a termination query on x1, which it had never voted on: no one can have decided commit ` +
          'without its yes, so it may abort now, and answers abort.',
      );
      const decidedWhenAnswered = outcomeAt(sim, 's2', 'x1');
      const late = await askUntilAnswered<Vote>(c, 's2', prepare('x1', transfer('n', 'o', 10)));
      // The vote first: it is what goes wrong for the asker when the abort was not recorded.
      check(
        late?.yes === false,
        `s2 answered abort to a termination query on x1, then voted yes on the late prepare of x1 (${JSON.stringify(late)}): ` +
          'its abort is logged before the answer leaves, so a prepare that comes later gets a no.',
      );
      checkEqual(decidedWhenAnswered, 'aborted', "s2's decision on x1 once it answered abort");
      checkEqual(locksHeld(sim), [], 'the locks held after the late prepare of x1 was refused');
    });
  });
});

describe('Blocking (Gray and Lamport 2006)', () => {
  test('two shards that voted yes, with tc silent for 10 s: they ask each other, both answer "unknown", and neither decides', async () => {
    await participantRun(
      61,
      createParticipant,
      async (c, sim) => {
        for (const shard of BOTH) {
          const ops = shard === 's1' ? transfer('a', 'b', 10) : transfer('n', 'o', 10);
          const vote = await askUntilAnswered<Vote>(c, shard, prepare('x1', ops));
          check(vote?.yes === true, `${shard} answered the prepare of x1 with ${JSON.stringify(vote)}: it votes yes`);
        }
        await c.sleep(10_000);
        checkStillBlocked(sim, 'x1', 'its peer was uncertain too');
        checkEqual(
          locksHeld(sim).sort(),
          ['s1 holds a for x1', 's1 holds b for x1', 's2 holds n for x1', 's2 holds o for x1'],
          'the locks held 10 s after both shards voted yes on x1, with no decision anywhere',
        );
        checkAskedAndUncertain(sim, 's1', 's2', 'x1', 10_000);
        checkAskedAndUncertain(sim, 's2', 's1', 'x1', 10_000);
      },
      { withinMs: 20_000 },
    );
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Sweeps', () => {
  const seeds = sweepSeedCount(100);
  test(
    `three clients transfer, read and write while servers crash (some partway through a step) and restart, under partitions, drops, duplicates and late messages: atomic, every decision known somewhere before a shard takes it, the bank always sums to ${BANK_TOTAL}, and every transaction decided within ${TRANSACTIONS_RECOVERY_MS} ms of the last restart (${seeds} swarm worlds)`,
    { timeout: Math.max(600_000, testTimeoutMs()) },
    async () => {
      let worlds = 0;
      const answers = { decisions: 0, unknowns: 0 };
      const { worstRecoveryMs, outcomes } = await sweepTransactions({
        seeds,
        nodes: nodes(),
        timeoutMs: 300,
        txns: 15,
        healAtMs: 3_000,
        crashes: true,
        alsoCheck: (sim, log, recorder) => {
          assertDecisionsDurable(sim);
          assertDecisionsGrounded(sim, log, recorder);
          const counted = terminationAnswers(sim);
          answers.decisions += counted.decisions;
          answers.unknowns += counted.unknowns;
          worlds++;
        },
      });
      reportFigure(
        `slowest recovery after the last restart: ${worstRecoveryMs} ms (bound ${TRANSACTIONS_RECOVERY_MS} ms); termination answers between shards: ${answers.decisions} with a decision, ${answers.unknowns} "unknown"; the clients' transactions: ${outcomes.committed} committed, ${outcomes.aborted} aborted, ${outcomes.unknown} never answered`,
      );
      // Over many worlds, some shard always waits long enough to ask a peer that knows.
      if (worlds >= 50) {
        check(
          answers.decisions > 0,
          `in ${worlds} swarm worlds no shard ever told a peer a decision (termination_answer): a shard that waits for the decision asks its peers, not only ${COORDINATOR}.`,
        );
      }
    },
  );
});
