/**
 * Test support for chapter 6 (not a learner file): the clients' workload in the sweeps, and the final
 * reads every client must get through once the faults heal.
 *
 * @module
 */
import type { ClientContext } from '#harness';
import { ACCOUNTS, PAIR } from './checks.ts';
import { readAll, sendTxn, transfer, type TxnLog, type TxnRecord } from './txn-client.ts';

/** What a client's workload does. */
export interface WorkloadOptions {
  /** How many transactions it sends. */
  readonly txns: number;
  /** The longest pause between two, ms. */
  readonly maxPauseMs: number;
  /** It sends nothing new after this time. */
  readonly untilMs: number;
}

/**
 * A random mix that repeats itself: transfers between any two accounts (some of them overdraw, so a
 * shard votes no), reads of every account, pair writes of a value unique to the run on `left` and
 * `right` together, reads of the pair, and now and then the same request sent again with its id.
 */
export async function randomWorkload(c: ClientContext, log: TxnLog, options: WorkloadOptions): Promise<void> {
  let previous: TxnRecord | undefined;
  for (let i = 0; i < options.txns && c.now() < options.untilMs; i++) {
    const roll = c.randomInt(1, 10);
    if (roll <= 4) {
      const from = ACCOUNTS[c.randomInt(0, ACCOUNTS.length - 1)]!;
      const others = ACCOUNTS.filter((account) => account !== from);
      const to = others[c.randomInt(0, others.length - 1)]!;
      previous = await sendTxn(c, log, transfer(from, to, c.randomInt(1, 70)), { timeoutMs: 800, attempts: 2 });
    } else if (roll <= 6) {
      previous = await sendTxn(c, log, readAll(ACCOUNTS), { timeoutMs: 800, attempts: 2 });
    } else if (roll <= 8) {
      const value = Number(`${c.id.slice(1)}${String(i).padStart(3, '0')}`);
      previous = await sendTxn(
        c,
        log,
        PAIR.map((key) => ({ f: 'write', key, value })),
        { timeoutMs: 800, attempts: 2 },
      );
    } else if (roll === 9) {
      previous = await sendTxn(c, log, readAll(PAIR), { timeoutMs: 800, attempts: 2 });
    } else if (previous !== undefined) {
      // The same request again, as a client that never saw the answer would: it must not run twice.
      const again = await sendTxn(c, log, previous.ops, { timeoutMs: 800, txnId: previous.txnId });
      log.records.splice(log.records.indexOf(again), 1);
      if (again.status !== 'unknown' && previous.status !== 'unknown' && again.status !== previous.status) {
        throw new Error(
          `${c.id} sent ${previous.txnId} again and was told ${again.status}, after it had been told ${previous.status}: a repeated request gets the same answer.`,
        );
      }
      if (previous.status === 'unknown')
        Object.assign(previous, {
          status: again.status,
          returnMs: again.returnMs,
          reads: again.reads,
          reason: again.reason,
        });
    }
    await c.sleep({ min: 0, max: options.maxPauseMs });
  }
}

/**
 * Reads `keys` in a transaction until one commits (each attempt a new transaction, after a short
 * random pause: two readers that lock each other out both abort, and try again at different times).
 * Returns false if none committed by `deadlineMs`.
 */
export async function readUntilCommitted(
  c: ClientContext,
  log: TxnLog,
  keys: readonly string[],
  deadlineMs: number,
): Promise<boolean> {
  while (c.now() < deadlineMs) {
    const record = await sendTxn(c, log, readAll(keys), { timeoutMs: 500 });
    if (record.status === 'committed') return true;
    await c.sleep({ min: 5, max: 60 });
  }
  return false;
}
