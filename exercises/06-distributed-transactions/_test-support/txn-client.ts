/**
 * Test support for chapter 6 (not a learner file): a client that sends transactions to the coordinator
 * and records what became of each one, from the client's side.
 *
 * @module
 */
import type { ClientContext, NodeId } from '#harness';
import { COORDINATOR, type TxnOp, type TxnReply, type TxnRequest } from '../_given/txn-protocol.ts';

/** What a client knows about one transaction it sent. */
export interface TxnRecord {
  readonly txnId: string;
  readonly client: NodeId;
  readonly ops: readonly TxnOp[];
  readonly callMs: number;
  /** `unknown` while no answer came (and for good, if none ever did). */
  status: 'committed' | 'aborted' | 'unknown';
  returnMs: number | null;
  reads: Readonly<Record<string, number | null>> | undefined;
  reason: string | undefined;
}

/** Every transaction the clients of one run sent, in the order they were sent. */
export class TxnLog {
  readonly records: TxnRecord[] = [];
  #next = new Map<NodeId, number>();

  /** A fresh transaction id for `client`: `c1-t1`, `c1-t2`, … */
  nextId(client: NodeId): string {
    const n = (this.#next.get(client) ?? 0) + 1;
    this.#next.set(client, n);
    return `${client}-t${n}`;
  }

  /** The record of `txnId`. */
  get(txnId: string): TxnRecord | undefined {
    return this.records.find((record) => record.txnId === txnId);
  }
}

/** How a client sends one transaction. */
export interface SendOptions {
  /** How long to wait for each answer, ms. Default 1,000. */
  readonly timeoutMs?: number;
  /** How many times to send the same request (same txnId) before giving up. Default 1. */
  readonly attempts?: number;
  /** The transaction id; default a fresh one. */
  readonly txnId?: string;
}

/**
 * Sends `ops` as one transaction to the coordinator and records its fate in `log`: the answer, or
 * `unknown` if none came after `attempts` tries of the same request.
 */
export async function sendTxn(
  c: ClientContext,
  log: TxnLog,
  ops: readonly TxnOp[],
  options: SendOptions = {},
): Promise<TxnRecord> {
  const txnId = options.txnId ?? log.nextId(c.id);
  const record: TxnRecord = {
    txnId,
    client: c.id,
    ops,
    callMs: c.now(),
    status: 'unknown',
    returnMs: null,
    reads: undefined,
    reason: undefined,
  };
  log.records.push(record);
  const request: TxnRequest = { type: 'txn', txnId, ops };
  for (let attempt = 1; attempt <= (options.attempts ?? 1); attempt++) {
    const result = await c.rpc<TxnReply>(COORDINATOR, request, { timeoutMs: options.timeoutMs ?? 1_000 });
    if (!result.ok) continue;
    record.returnMs = c.now();
    if (result.reply.type === 'txn_committed') {
      record.status = 'committed';
      record.reads = result.reply.reads;
    } else {
      record.status = 'aborted';
      record.reason = result.reply.reason;
    }
    break;
  }
  return record;
}

/** A transfer of `amount` from account `from` to account `to`. */
export function transfer(from: string, to: string, amount: number): TxnOp[] {
  return [
    { f: 'add', key: from, amount: -amount },
    { f: 'add', key: to, amount },
  ];
}

/** A read of every key in `keys`. */
export function readAll(keys: readonly string[]): TxnOp[] {
  return keys.map((key) => ({ f: 'read', key }));
}

/** `c1-t3 (transfer 30 from a to n)`: a transaction for messages. */
export function describeTxn(record: Pick<TxnRecord, 'txnId' | 'ops'>): string {
  const ops = record.ops
    .map((op) =>
      op.f === 'read'
        ? `read ${op.key}`
        : op.f === 'write'
          ? `${op.key}=${op.value}`
          : `${op.key}${op.amount >= 0 ? '+' : ''}${op.amount}`,
    )
    .join(', ');
  return `${record.txnId} (${ops})`;
}
