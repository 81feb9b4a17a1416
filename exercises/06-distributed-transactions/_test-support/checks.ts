/**
 * Test support for chapter 6 (not a learner file): the checks every transaction run ends with, built
 * on the harness's transaction checkers: atomicity (every transaction commits everywhere or aborts
 * everywhere, as the client was told), no two conflicting transactions prepared at once, Jepsen's bank
 * test on reads of every account, and atomic visibility of the reads of the key pair.
 *
 * @module
 */
import type { NodeId } from '#harness';
import {
  assertAtomicity,
  assertAtomicVisibility,
  assertBank,
  PropertyViolated,
  type ReportedOutcome,
  type TransactionWrites,
  type Violation,
} from '#harness/check';
import type { Simulation } from '#harness/testing';
import { OPENING_BALANCES, opsByShard, shardOf, type TxnOp, type Vote } from '../_given/txn-protocol.ts';
import type { DecisionRecorder } from './participants.ts';
import { yesVoters } from './participants.ts';
import { describeTxn, type TxnLog, type TxnRecord } from './txn-client.ts';

/** The bank's accounts. */
export const ACCOUNTS: readonly string[] = Object.keys(OPENING_BALANCES);
/** What every read of all accounts sums to. */
export const BANK_TOTAL = Object.values(OPENING_BALANCES).reduce((sum, balance) => sum + balance, 0);
/** Two keys on different shards that pair-write transactions set together: `left` on s1, `right` on s2. */
export const PAIR: readonly string[] = ['left', 'right'];

/** What the final checks require. */
export interface SoundnessOptions {
  /**
   * Every participant that voted yes on a transaction, and every participant of a transaction the client
   * was told committed, has decided it. Only once the faults healed and the decisions had time to arrive.
   */
  readonly requireDecided: boolean;
}

/** Runs every check of a transaction run; the first that fails throws, in domain words. */
export function assertTransactionsSound(
  sim: Simulation,
  log: TxnLog,
  recorder: DecisionRecorder,
  options: SoundnessOptions,
): void {
  assertAtomic(sim, log, recorder, options);
  assertNoConflictingCommits(sim, log, recorder);
  assertBankReads(log);
  assertPairReads(log);
}

/** Atomicity: one decision per transaction, everywhere, and the one the client was told. */
export function assertAtomic(
  sim: Simulation,
  log: TxnLog,
  recorder: DecisionRecorder,
  options: SoundnessOptions,
): void {
  const participants = yesVoters(sim);
  for (const record of log.records) {
    if (record.status !== 'committed') continue;
    const all = participants.get(record.txnId) ?? [];
    for (const shard of opsByShard(record.ops).keys()) if (!all.includes(shard)) all.push(shard);
    participants.set(record.txnId, all);
  }
  const reported: ReportedOutcome[] = log.records.flatMap((record) =>
    record.status === 'unknown'
      ? []
      : [
          {
            txn: record.txnId,
            decision: record.status === 'committed' ? 'commit' : 'abort',
            client: record.client,
            ...(record.returnMs === null ? {} : { atMs: record.returnMs }),
          } satisfies ReportedOutcome,
        ],
  );
  withTransactions(log, () =>
    assertAtomicity({ decisions: recorder.decisions, participants, reported, requireDecided: options.requireDecided }),
  );
}

/**
 * Conflicting transactions (two that touch a common key on one shard) are never prepared there at the
 * same time: the second may vote yes only after the first was decided. Without locks, both vote yes on
 * the same balance and both commit.
 */
export function assertNoConflictingCommits(sim: Simulation, log: TxnLog, recorder: DecisionRecorder): void {
  const yesAt = new Map<string, number>();
  for (const event of sim.trace) {
    if (event.kind !== 'send' || event.type !== 'vote') continue;
    const vote = event.message as unknown as Vote;
    const key = `${event.from} ${vote.txnId}`;
    if (vote.yes === true && !yesAt.has(key)) yesAt.set(key, event.t);
  }
  const intervals = new Map<NodeId, Array<{ txn: string; keys: string[]; fromMs: number; toMs: number }>>();
  for (const decision of recorder.decisions) {
    if (decision.decision !== 'commit') continue;
    const fromMs = yesAt.get(`${decision.participant} ${decision.txn}`);
    const ops = log.get(decision.txn)?.ops;
    if (fromMs === undefined || ops === undefined) continue;
    const keys = [...new Set(ops.filter((op) => shardOf(op.key) === decision.participant).map((op) => op.key))];
    const list = intervals.get(decision.participant) ?? [];
    list.push({ txn: decision.txn, keys, fromMs, toMs: decision.atMs ?? sim.nowMs });
    intervals.set(decision.participant, list);
  }
  for (const [shard, list] of intervals) {
    for (const first of list) {
      for (const second of list) {
        if (first === second || second.fromMs < first.fromMs || second.fromMs >= first.toMs) continue;
        const shared = first.keys.find((key) => second.keys.includes(key));
        if (shared === undefined) continue;
        throw new Error(
          `conflicting transactions both committed: ${shard} voted yes on ${describeTxn(log.get(second.txn)!)} at t=${second.fromMs} ms ` +
            `while ${describeTxn(log.get(first.txn)!)}, which also touches ${shared}, was prepared there (voted yes at t=${first.fromMs} ms, ` +
            `committed at t=${first.toMs} ms), and both committed. A prepared transaction holds locks on its keys; a prepare that finds one of them locked votes no.`,
        );
      }
    }
  }
}

/** Jepsen's bank test: every committed read of all accounts sums to the total, and none is negative. */
export function assertBankReads(log: TxnLog): void {
  const reads = committedReadsOf(log, ACCOUNTS).map((record) => ({
    balances: Object.fromEntries(ACCOUNTS.map((account) => [account, record.reads?.[account] ?? Number.NaN])),
    callMs: record.callMs,
    returnMs: record.returnMs!,
    client: record.client,
    txn: record.txnId,
  }));
  for (const read of reads) {
    const missing = ACCOUNTS.filter((account) => Number.isNaN(read.balances[account]));
    if (missing.length > 0) {
      throw new Error(
        `${read.txn} read every account and committed, but its answer has no value for ${missing.join(', ')}: ${JSON.stringify(log.get(read.txn)?.reads)}. ` +
          'txn_committed carries the value of every key the transaction read, from the votes of the shards.',
      );
    }
  }
  assertBank({ accounts: ACCOUNTS, total: BANK_TOTAL, reads });
}

/** A read of `left` and `right` sees both writes of a pair-write transaction, or neither. */
export function assertPairReads(log: TxnLog): void {
  const transactions: TransactionWrites[] = log.records.flatMap((record) => {
    const writes = record.ops.filter((op): op is Extract<TxnOp, { f: 'write' }> => op.f === 'write');
    if (writes.length === 0) return [];
    return [
      { txn: record.txnId, writes: Object.fromEntries(writes.map((op) => [op.key, op.value])), status: record.status },
    ];
  });
  const reads = committedReadsOf(log, PAIR).map((record) => ({
    values: Object.fromEntries(PAIR.map((key) => [key, record.reads?.[key] ?? null])),
    callMs: record.callMs,
    returnMs: record.returnMs!,
    client: record.client,
    txn: record.txnId,
  }));
  withTransactions(log, () => assertAtomicVisibility({ transactions, reads }));
}

/** The committed transactions that read exactly `keys`. */
function committedReadsOf(log: TxnLog, keys: readonly string[]): TxnRecord[] {
  return log.records.filter(
    (record) =>
      record.status === 'committed' &&
      record.ops.length === keys.length &&
      record.ops.every((op, index) => op.f === 'read' && op.key === keys[index]),
  );
}

/** Runs `check`; a violation's message gets the operations of the transactions it names. */
function withTransactions(log: TxnLog, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof PropertyViolated)) throw error;
    const named = new Set(error.violations.flatMap((violation: Violation) => transactionsNamed(violation)));
    const lines = [...named].flatMap((txn) => {
      const record = log.get(txn);
      return record === undefined
        ? []
        : [`  ${describeTxn(record)}: sent by ${record.client} at t=${record.callMs} ms, ${record.status}`];
    });
    if (lines.length === 0) throw error;
    throw new PropertyViolated(
      error.violations.map((violation, index) =>
        index === 0 ? { ...violation, message: `${violation.message}\n${lines.join('\n')}` } : violation,
      ),
    );
  }
}

function transactionsNamed(violation: Violation): string[] {
  const txn = (violation as { txn?: unknown }).txn;
  return [...(typeof txn === 'string' ? [txn] : []), ...(violation.focus?.ids ?? [])];
}
