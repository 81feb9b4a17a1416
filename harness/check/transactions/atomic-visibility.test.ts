import { describe, expect, it } from 'vitest';
import {
  assertAtomicVisibility,
  checkAtomicVisibility,
  type AtomicVisibilityVerdict,
  type MultiKeyRead,
  type TransactionWrites,
} from './index.ts';

const txn = (
  id: string,
  writes: Record<string, number | string>,
  status: TransactionWrites['status'] = 'committed',
): TransactionWrites => ({
  txn: id,
  writes,
  status,
});
const read = (values: Record<string, number | string | null>, callMs: number, client?: string): MultiKeyRead => ({
  values,
  callMs,
  returnMs: callMs + 10,
  ...(client === undefined ? {} : { client }),
});

function messagesOf(verdict: AtomicVisibilityVerdict): string[] {
  return verdict.ok ? [] : verdict.violations.map((violation) => `${violation.property}: ${violation.message}`);
}

describe('atomic visibility: good histories', () => {
  it('passes reads that see both writes of a transaction, or neither (DSLabs MULTI_GETS_MATCH)', () => {
    const verdict = checkAtomicVisibility({
      transactions: [txn('t1', { x: 1, y: 1 }), txn('t2', { x: 2, y: 2 })],
      reads: [read({ x: null, y: null }, 5), read({ x: 1, y: 1 }, 50), read({ x: 2, y: 2 }, 90)],
    });
    expect(verdict).toEqual({ ok: true, reads: 3, badReads: 0, multiKeyObservations: 2 });
  });

  it("with each key's order known, accepts a read where a later transaction overwrote one of the keys", () => {
    const verdict = checkAtomicVisibility({
      transactions: [txn('t1', { x: 1, y: 1 }), txn('t2', { y: 2 })],
      reads: [read({ x: 1, y: 2 }, 50)],
      order: { x: ['t1'], y: ['t1', 't2'] },
    });
    expect(verdict.ok).toBe(true);
  });

  it('accepts the writes of a transaction whose outcome the client never learned, seen whole', () => {
    expect(
      checkAtomicVisibility({ transactions: [txn('t1', { x: 1, y: 1 }, 'unknown')], reads: [read({ x: 1, y: 1 }, 50)] })
        .ok,
    ).toBe(true);
  });
});

describe('atomic visibility: bad histories', () => {
  it('catches a read that saw the new x with the old y (a fractured read)', () => {
    const verdict = checkAtomicVisibility({
      transactions: [txn('t1', { x: 1, y: 1 }), txn('t2', { x: 2, y: 2 })],
      reads: [read({ x: 2, y: 1 }, 60, 'c3')],
      order: { x: ['t1', 't2'], y: ['t1', 't2'] },
    });
    expect(messagesOf(verdict)).toEqual([
      "atomic-visibility: the read by c3 that began at t=60 ms saw transaction t2's write of x but not of y (it saw y=1 from t1, an older write): a read sees all of a transaction's writes or none",
    ]);
    expect(verdict.badReads).toBe(1);
  });

  it('catches a read that saw one write of a transaction and the initial value of its other key', () => {
    const verdict = checkAtomicVisibility({
      transactions: [txn('t1', { x: 1, y: 1 })],
      reads: [read({ x: 1, y: null }, 50)],
    });
    expect(messagesOf(verdict)).toEqual([
      "atomic-visibility: the read that began at t=50 ms saw transaction t1's write of x but not of y (it saw y=null, its value before any transaction): a read sees all of a transaction's writes or none",
    ]);
  });

  it("catches a read of an aborted transaction's write, and of a value nobody wrote", () => {
    const verdict = checkAtomicVisibility({
      transactions: [txn('t1', { x: 1 }, 'aborted')],
      reads: [read({ x: 1 }, 50, 'c1'), read({ x: 7 }, 80, 'c2')],
    });
    expect(messagesOf(verdict)).toEqual([
      "aborted-read: the read by c1 that began at t=50 ms saw x=1, written by transaction t1, which aborted: an aborted transaction's writes are never seen",
      'no-invention: the read by c2 that began at t=80 ms saw x=7, a value no transaction wrote',
    ]);
  });

  it('assertAtomicVisibility throws with the property first, and refuses values that do not name their writer', () => {
    expect(() =>
      assertAtomicVisibility({ transactions: [txn('t1', { x: 1, y: 1 })], reads: [read({ x: null, y: 1 }, 5)] }),
    ).toThrow(/^atomic-visibility: /);
    expect(() =>
      checkAtomicVisibility({ transactions: [txn('t1', { x: 1 }), txn('t2', { x: 1 })], reads: [] }),
    ).toThrow(/both wrote 1 to key x/);
  });
});
