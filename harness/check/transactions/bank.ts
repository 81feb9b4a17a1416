/**
 * The bank test (Jepsen's `bank` workload): money moves between accounts by transfers, and every read
 * of all the accounts must show the same total, with no account below zero.
 *
 * Transfers take money from one account and put it in another in one transaction. If transactions
 * are atomic and isolated, the sum over all accounts never changes, whatever the faults: a read that
 * sees one half of a transfer (the debit without the credit) sums to less, a lost update to more or
 * less, and an overdraft that two concurrent transfers allowed shows as a negative balance.
 *
 * - `bank-total`: a read's balances do not sum to the total;
 * - `bank-negative`: a read shows an account below zero;
 * - `bank-accounts`: a read is missing an account, or shows one that does not exist.
 *
 * @module
 */
import { at, listSome, plural } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/** One completed read of every account. Reads that never returned tell nothing; leave them out. */
export interface BankRead {
  /** The balances the read returned, by account. */
  readonly balances: Readonly<Record<string, number>>;
  /** Virtual time (ms) at which the client began the read. */
  readonly callMs: number;
  /** Virtual time (ms) at which the read returned. */
  readonly returnMs: number;
  /** The client that read, for messages. */
  readonly client?: string | undefined;
  /** The read's transaction id, for messages. */
  readonly txn?: string | undefined;
}

/** Input to {@link checkBank}. */
export interface BankInput {
  /** Every account. */
  readonly accounts: readonly string[];
  /** What every read must sum to: the sum of the opening balances (transfers never change it). */
  readonly total: number;
  /** Every completed read of all accounts, in any order. */
  readonly reads: readonly BankRead[];
  /** Whether a balance may go below zero. Default false. */
  readonly negativeAllowed?: boolean;
}

/** A read whose balances do not sum to the total. */
export interface WrongTotal extends Violation<'bank-total', BankRead> {
  readonly sum: number;
}

/** A read that shows an account below zero. */
export interface NegativeBalance extends Violation<'bank-negative', BankRead> {
  readonly account: string;
  readonly balance: number;
}

/** A read missing an account, or showing one that does not exist. */
export interface WrongAccounts extends Violation<'bank-accounts', BankRead> {
  readonly missing: readonly string[];
  readonly unknown: readonly string[];
}

/** Anything {@link checkBank} can report. */
export type BankViolation = WrongTotal | NegativeBalance | WrongAccounts;

/** What {@link checkBank} saw, reported whether or not it passed. */
export interface BankSummary {
  /** Number of reads judged. */
  readonly reads: number;
  /** The smallest and largest sum any read showed (`null` without reads). */
  readonly sums: { readonly min: number; readonly max: number } | null;
}

/** The answer of {@link checkBank}. */
export type BankVerdict = Verdict<BankViolation, BankSummary>;

/**
 * Checks every read of all accounts: exactly the listed accounts, summing to `total`, none negative
 * (unless `negativeAllowed`). Each read with a problem is one violation per kind of problem.
 *
 * Cost: O(R · A) for R reads of A accounts.
 *
 * @throws Error if a balance is not a finite number.
 *
 * @example
 * ```ts
 * checkBank({ accounts: ['a', 'b'], total: 200, reads: [{ balances: { a: 40, b: 100 }, callMs: 300, returnMs: 320 }] });
 * // ok: false — "the read that began at t=300 ms sums to 140, not 200: it saw part of a transfer, …"
 * ```
 */
export function checkBank(input: BankInput): BankVerdict {
  const accounts = new Set(input.accounts);
  const reads = [...input.reads].sort((a, b) => a.callMs - b.callMs);
  const violations: BankViolation[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (const read of reads) {
    const shown = Object.keys(read.balances);
    const missing = input.accounts.filter((account) => !(account in read.balances));
    const unknown = shown.filter((account) => !accounts.has(account));
    if (missing.length > 0 || unknown.length > 0) violations.push(wrongAccounts(read, missing, unknown));
    let sum = 0;
    for (const account of shown) {
      const balance = read.balances[account]!;
      if (typeof balance !== 'number' || !Number.isFinite(balance)) {
        throw new Error(
          `${theRead(read)} shows ${JSON.stringify(balance)} for account ${account}; balances are finite numbers.`,
        );
      }
      sum += balance;
      if (balance < 0 && input.negativeAllowed !== true) violations.push(negative(read, account, balance));
    }
    min = Math.min(min, sum);
    max = Math.max(max, sum);
    if (sum !== input.total) violations.push(wrongTotal(read, sum, input.total));
  }
  const summary: BankSummary = { reads: reads.length, sums: reads.length === 0 ? null : { min, max } };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/**
 * Like {@link checkBank}, but throws when the check fails.
 *
 * @returns the passing verdict.
 * @throws Error whose message starts with the broken property names and names the reads.
 */
export function assertBank(input: BankInput): Extract<BankVerdict, { ok: true }> {
  return throwOnViolations(checkBank(input));
}

/** `the read by c1 (transaction r3) that began at t=300 ms`. */
function theRead(read: BankRead): string {
  const by = read.client === undefined ? '' : ` by ${read.client}`;
  const txn = read.txn === undefined ? '' : ` (transaction ${read.txn})`;
  return `the read${by}${txn} that began at ${at(read.callMs)}`;
}

/** `a=40, b=100`. */
function describeBalances(read: BankRead): string {
  return Object.entries(read.balances)
    .map(([account, balance]) => `${account}=${balance}`)
    .join(', ');
}

function wrongTotal(read: BankRead, sum: number, total: number): WrongTotal {
  return {
    property: 'bank-total',
    sum,
    message:
      `${theRead(read)} sums to ${sum}, not ${total} (${describeBalances(read)}): ` +
      `money ${sum < total ? 'vanished' : 'appeared'}; the read saw part of a transfer, or a transfer's update was lost`,
    evidence: [read],
    focus: {
      nodes: read.client === undefined ? [] : [read.client],
      ids: read.txn === undefined ? [] : [read.txn],
      atMs: read.callMs,
    },
  };
}

function negative(read: BankRead, account: string, balance: number): NegativeBalance {
  return {
    property: 'bank-negative',
    account,
    balance,
    message: `${theRead(read)} shows account ${account} at ${balance} (${describeBalances(read)}): no transfer may overdraw an account`,
    evidence: [read],
    focus: { nodes: read.client === undefined ? [] : [read.client], ids: [account], atMs: read.callMs },
  };
}

function wrongAccounts(read: BankRead, missing: string[], unknown: string[]): WrongAccounts {
  const parts = [
    ...(missing.length === 0 ? [] : [`is missing ${plural(missing.length, 'account')} ${listSome(missing)}`]),
    ...(unknown.length === 0
      ? []
      : [`shows ${plural(unknown.length, 'account')} that do not exist: ${listSome(unknown)}`]),
  ];
  return {
    property: 'bank-accounts',
    missing,
    unknown,
    message: `${theRead(read)} ${parts.join(' and ')}: a read of the bank returns every account`,
    evidence: [read],
    focus: { nodes: read.client === undefined ? [] : [read.client], atMs: read.callMs },
  };
}
