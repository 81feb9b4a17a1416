/**
 * What a linearizability checker needs to know about the object under test: its sequential specification.
 *
 * @module
 */

import type { History, Operation } from '../../history.ts';

/**
 * The outcome of applying one operation to a state: either the output the client saw is one the
 * sequential object could have produced (`ok: true`, with the state after the operation), or it is not.
 */
export type StepResult<State> = { readonly ok: true; readonly state: State } | { readonly ok: false };

/**
 * A sequential specification: how the object behaves when operations happen one at a time.
 *
 * The checker searches for an order of the history's operations that respects real time and in which every
 * operation, applied with {@link Model.step} in that order, produces the output the client saw.
 *
 * Models must be deterministic: from one state, one input leads to at most one next state.
 *
 * @typeParam State - the object's state, e.g. the register's value. Treat it as immutable: the checker
 *   keeps old states to backtrack to them.
 * @typeParam Input - what a client asks for, e.g. `{ f: 'write', value: 3 }`.
 * @typeParam Output - what the client is told, e.g. `{ value: 3 }`.
 */
export interface Model<State, Input, Output> {
  /** A short name used in messages, e.g. `register`. */
  readonly name: string;

  /** The state before any operation. */
  init(): State;

  /**
   * Applies `input` to `state` and says whether `output` is what the sequential object would answer.
   *
   * Must be pure: it is called many times, on the same states, in any order.
   *
   * `output` is `undefined` when the operation is indeterminate (the client never learned the outcome):
   * then any output is acceptable, and the step must still return the state the operation would leave,
   * had it taken effect at this point.
   */
  step(state: State, input: Input, output: Output | undefined): StepResult<State>;

  /**
   * Whether two states are the same, so the search can skip a state it has already explored.
   *
   * Optional: by default two states are the same when their canonical JSON is the same (object keys sorted),
   * which needs states made of plain data. If you give `equal`, give {@link Model.hash} too.
   */
  equal?(a: State, b: State): boolean;

  /**
   * A 32-bit hash of a state. Equal states (by {@link Model.equal}) must have equal hashes; different
   * states may collide, at some cost in speed. Without it (when `equal` is given), all states hash alike.
   */
  hash?(state: State): number;

  /**
   * Splits a history into parts that can be checked on their own, e.g. one part per key of a key-value
   * store (P-compositionality: a history is linearizable exactly when every part is).
   *
   * Each part keeps the operations' original ids. Optional: by default the history is one part.
   */
  partition?(history: History<Input, Output>): History<Input, Output>[];

  /** Names a part made by {@link Model.partition} in messages, e.g. `key "x"`. Optional. */
  describePartition?(part: History<Input, Output>): string;

  /** Describes one operation for a person, e.g. `read() → 3`; `output` is `undefined` when indeterminate. */
  describeOperation(input: Input, output: Output | undefined): string;

  /** Describes a state for a person, e.g. `3` or `(never written)`. */
  describeState(state: State): string;
}

/**
 * A model's `step` threw on an operation: usually an input or output of the wrong shape for the model
 * (for example a history imported for another model). Names the operation so it can be found.
 */
export class ModelStepError extends Error {
  /** The operation the model could not step. */
  readonly operation: Operation<unknown, unknown>;

  constructor(modelName: string, operation: Operation<unknown, unknown>, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`The ${modelName} model threw on operation #${operation.id} of client ${operation.clientId}: ${message}`, {
      cause,
    });
    this.name = 'ModelStepError';
    this.operation = operation;
  }
}
