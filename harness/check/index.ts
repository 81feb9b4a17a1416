/**
 * Checkers: pure functions from what happened (a history, deliveries, final states) to a verdict with
 * evidence. Each has an `assert...` form for tests that throws a message in domain words.
 *
 * - Linearizability ({@link checkLinearizability}): did every client see a world that could have come
 *   from one copy of the data? With models for registers, cas-registers, key-value stores, counters and
 *   sets, and importers for Jepsen histories.
 * - Delivery: exactly-once, total order, causal order.
 * - Convergence: replicas agree once healed; set-full: no acknowledged add is lost.
 *
 * @module
 */
export * from './linearizability/index.ts';
export * from './delivery/index.ts';
export {
  assertConvergence,
  checkConvergence,
  assertSetFull,
  checkSetFull,
  type ConvergenceInput,
  type ConvergenceSummary,
  type ConvergenceVerdict,
  type ConvergenceViolation,
  type ReplicaGroup,
  type ReplicaStates,
  type InventedElement,
  type LostElement,
  type SetAdd,
  type SetElement as SetFullElement,
  type SetElementOutcome,
  type SetElementReport,
  type SetFullInput,
  type SetFullSummary,
  type SetFullVerdict,
  type SetFullViolation,
  type SetRead,
} from './convergence/index.ts';
