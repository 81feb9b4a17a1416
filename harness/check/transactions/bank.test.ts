import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prop } from '../_test-support/vitest-prop.ts';
import { assertBank, checkBank, type BankRead, type BankVerdict } from './index.ts';

const ACCOUNTS = ['a', 'b', 'n', 'o'];
const read = (balances: Record<string, number>, callMs: number, client?: string): BankRead => ({
  balances,
  callMs,
  returnMs: callMs + 10,
  ...(client === undefined ? {} : { client }),
});

function messagesOf(verdict: BankVerdict): string[] {
  return verdict.ok ? [] : verdict.violations.map((violation) => `${violation.property}: ${violation.message}`);
}

describe('bank: good histories', () => {
  it('passes reads that all sum to the total while money moves, and reports the sums seen', () => {
    const verdict = checkBank({
      accounts: ACCOUNTS,
      total: 400,
      reads: [
        read({ a: 100, b: 100, n: 100, o: 100 }, 10),
        read({ a: 40, b: 100, n: 160, o: 100 }, 90),
        read({ a: 0, b: 200, n: 160, o: 40 }, 200),
      ],
    });
    expect(verdict).toEqual({ ok: true, reads: 3, sums: { min: 400, max: 400 } });
  });

  it('passes a history without reads, saying it saw none', () => {
    expect(checkBank({ accounts: ACCOUNTS, total: 400, reads: [] })).toEqual({ ok: true, reads: 0, sums: null });
  });
});

describe('bank: bad histories', () => {
  it('catches a read that saw the debit of a transfer but not its credit', () => {
    const verdict = checkBank({
      accounts: ACCOUNTS,
      total: 400,
      reads: [read({ a: 40, b: 100, n: 100, o: 100 }, 300, 'c2')],
    });
    expect(messagesOf(verdict)).toEqual([
      "bank-total: the read by c2 that began at t=300 ms sums to 340, not 400 (a=40, b=100, n=100, o=100): money vanished; the read saw part of a transfer, or a transfer's update was lost",
    ]);
    expect(verdict.sums).toEqual({ min: 340, max: 340 });
  });

  it('catches an overdraft that two concurrent transfers allowed, with the total still right', () => {
    const verdict = checkBank({
      accounts: ACCOUNTS,
      total: 400,
      reads: [read({ a: -20, b: 100, n: 220, o: 100 }, 500)],
    });
    expect(messagesOf(verdict)).toEqual([
      'bank-negative: the read that began at t=500 ms shows account a at -20 (a=-20, b=100, n=220, o=100): no transfer may overdraw an account',
    ]);
    expect(
      checkBank({
        accounts: ACCOUNTS,
        total: 400,
        reads: [read({ a: -20, b: 100, n: 220, o: 100 }, 500)],
        negativeAllowed: true,
      }).ok,
    ).toBe(true);
  });

  it('catches a read that is missing an account or shows one that does not exist', () => {
    const verdict = checkBank({
      accounts: ACCOUNTS,
      total: 400,
      reads: [{ ...read({ a: 100, b: 100, n: 100, z: 100 }, 70), txn: 'r4' }],
    });
    expect(messagesOf(verdict)).toEqual([
      'bank-accounts: the read (transaction r4) that began at t=70 ms is missing 1 account o and shows 1 account that do not exist: z: a read of the bank returns every account',
    ]);
  });

  it('assertBank throws a message that starts with the property, and refuses a balance that is not a number', () => {
    expect(() => assertBank({ accounts: ['a'], total: 10, reads: [read({ a: 11 }, 5)] })).toThrow(/^bank-total: /);
    expect(() => checkBank({ accounts: ['a'], total: 10, reads: [read({ a: Number.NaN }, 5)] })).toThrow(
      /finite numbers/,
    );
  });
});

describe('bank: properties', () => {
  prop([fc.array(fc.tuple(fc.nat(3), fc.nat(3), fc.nat(100)), { maxLength: 10 })])(
    'any sequence of transfers that never overdraws, read after each, passes',
    (transfers) => {
      const balances: Record<string, number> = { a: 100, b: 100, n: 100, o: 100 };
      const reads: BankRead[] = [];
      transfers.forEach(([from, to, amount], index) => {
        const source = ACCOUNTS[from]!;
        const target = ACCOUNTS[to]!;
        if (balances[source]! < amount) return;
        balances[source]! -= amount;
        balances[target]! += amount;
        reads.push(read({ ...balances }, index * 10));
      });
      expect(checkBank({ accounts: ACCOUNTS, total: 400, reads }).ok).toBe(true);
    },
  );
});
