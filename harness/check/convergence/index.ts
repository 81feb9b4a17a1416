/**
 * Convergence checkers: after the faults heal, do replicas end up agreeing, and does a replicated set
 * keep everything it acknowledged?
 *
 * Like the delivery checkers, each is a pure function from plain records to a {@link Verdict}
 * (`{ ok: true, … }` or `{ ok: false, violations }`, with the same summary either way), and each has an
 * `assert…` twin that throws instead.
 *
 * - {@link checkConvergence}: `convergence`, all replicas hold the same final state.
 * - {@link checkSetFull}: `set-full` and `no-invention`, a simplified Jepsen set-full checker, with a
 *   per-element outcome (stable, lost, never-read, …).
 * - {@link checkCounterBounds}: `counter-bounds`, each final read of a counter lies between what must
 *   and what could have been applied (Maelstrom's pn-counter check).
 *
 * @module
 */
export type { Verdict, Violation } from '../verdict.ts';
export { assertConvergence, checkConvergence } from './convergence.ts';
export type {
  ConvergenceInput,
  ConvergenceSummary,
  ConvergenceVerdict,
  ConvergenceViolation,
  ReplicaGroup,
  ReplicaStates,
} from './convergence.ts';
export { assertSetFull, checkSetFull } from './set-full.ts';
export type {
  InventedElement,
  LostElement,
  SetAdd,
  SetElement,
  SetElementOutcome,
  SetElementReport,
  SetFullInput,
  SetFullSummary,
  SetFullVerdict,
  SetFullViolation,
  SetRead,
} from './set-full.ts';
export { assertCounterBounds, checkCounterBounds } from './counter-bounds.ts';
export type {
  CounterAdd,
  CounterBoundsInput,
  CounterBoundsSummary,
  CounterBoundsVerdict,
  CounterBoundsViolation,
  CounterRead,
} from './counter-bounds.ts';
