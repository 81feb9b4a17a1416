/**
 * Delivery checkers: did the messages a broadcast protocol handed to its applications arrive once each,
 * without inventions, in the same order everywhere, and with causes before effects?
 *
 * Each checker is a pure function from plain records ({@link DeliveryRecord}, {@link SentRecord}) to a
 * {@link Verdict}: `{ ok: true, … }` or `{ ok: false, violations }`, where each violation names the
 * broken property, tells what happened in domain words and carries the records that prove it. Each has
 * an `assert…` twin that throws instead, for tests.
 *
 * - {@link checkExactlyOnce}: `exactly-once`, `no-invention`, `no-loss`.
 * - {@link checkTotalOrder}: `total-order`.
 * - {@link checkCausalOrder}: `causal-order` (with {@link causalDependencies} to compute the causes).
 *
 * @module
 */
export type { DeliveryRecord, SentRecord } from './records.ts';
export { describeViolations, LISTED_VIOLATIONS, throwOnViolations } from '../verdict.ts';
export type { Verdict, Violation } from '../verdict.ts';
export { assertExactlyOnce, checkExactlyOnce, everyNodeButSender } from './exactly-once.ts';
export type {
  DuplicateDelivery,
  ExactlyOnceInput,
  ExactlyOnceSummary,
  ExactlyOnceVerdict,
  ExactlyOnceViolation,
  ExpectedReceivers,
  InventedDelivery,
  LostMessage,
} from './exactly-once.ts';
export { assertTotalOrder, checkTotalOrder } from './total-order.ts';
export type { TotalOrderSummary, TotalOrderVerdict, TotalOrderViolation } from './total-order.ts';
export { assertCausalOrder, causalDependencies, checkCausalOrder } from './causal-order.ts';
export type {
  BroadcastEvent,
  CausalDependencies,
  CausalOrderInput,
  CausalOrderSummary,
  CausalOrderVerdict,
  CausalOrderViolation,
} from './causal-order.ts';
