/**
 * Transaction checkers: did distributed transactions keep their promises?
 *
 * Like the other checkers, each is a pure function from plain records to a {@link Verdict} (`{ ok:
 * true, … }` or `{ ok: false, violations }`, with the same summary either way), and each has an
 * `assert…` twin that throws instead.
 *
 * - {@link checkAtomicity}: `atomicity`, `decided-twice`, `reported-outcome`, `undecided`: every
 *   transaction commits at every participant or aborts at every participant.
 * - {@link checkBank}: `bank-total`, `bank-negative`, `bank-accounts`: Jepsen's bank test.
 * - {@link checkAtomicVisibility}: `atomic-visibility`, `aborted-read`, `no-invention`: a multi-key read
 *   sees all of a transaction's writes or none.
 *
 * @module
 */
export type { Verdict, Violation } from '../verdict.ts';
export { assertAtomicity, checkAtomicity } from './atomicity.ts';
export type {
  AtomicityInput,
  AtomicitySummary,
  AtomicityVerdict,
  AtomicityViolation,
  DecidedTwice,
  ParticipantDecision,
  PartialTransaction,
  ReportedOutcome,
  TransactionDecision,
  TransactionOutcome,
  TransactionReport,
  UndecidedParticipant,
  WrongReport,
} from './atomicity.ts';
export { assertBank, checkBank } from './bank.ts';
export type {
  BankInput,
  BankRead,
  BankSummary,
  BankVerdict,
  BankViolation,
  NegativeBalance,
  WrongAccounts,
  WrongTotal,
} from './bank.ts';
export { assertAtomicVisibility, checkAtomicVisibility } from './atomic-visibility.ts';
export type {
  AbortedRead,
  AtomicVisibilityInput,
  AtomicVisibilitySummary,
  AtomicVisibilityVerdict,
  AtomicVisibilityViolation,
  FracturedRead,
  InventedValue,
  MultiKeyRead,
  StoredValue,
  TransactionWrites,
} from './atomic-visibility.ts';
