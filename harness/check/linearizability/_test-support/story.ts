/**
 * Small builders for writing histories in tests as short stories:
 *
 * ```ts
 * historyOf(
 *   completed('a', [0, 10], { f: 'write', value: 1 }, {}),
 *   completed('b', [12, 15], { f: 'read' }, { value: null }), // stale read
 * );
 * ```
 *
 * @module
 */

import type { History, Operation } from '../../../history.ts';

/** An operation without its id; {@link historyOf} numbers them. */
export type OperationSpec<Input, Output> = Omit<Operation<Input, Output>, 'id'>;

/** An operation that completed at `returnMs` with `output`. */
export function completed<Input, Output>(
  clientId: string,
  [callMs, returnMs]: readonly [number, number],
  input: Input,
  output: Output,
): OperationSpec<Input, Output> {
  return { clientId, input, output, status: 'ok', callMs, returnMs };
}

/** An operation the system reported as not done. */
export function failed<Input, Output>(
  clientId: string,
  [callMs, returnMs]: readonly [number, number],
  input: Input,
): OperationSpec<Input, Output> {
  return { clientId, input, output: undefined, status: 'fail', callMs, returnMs };
}

/** An operation whose client never learned the outcome (timeout, crash). */
export function timedOut<Input, Output>(clientId: string, callMs: number, input: Input): OperationSpec<Input, Output> {
  return { clientId, input, output: undefined, status: 'indeterminate', callMs, returnMs: null };
}

/** A history of `specs` in invocation order (sorted by call time, ties kept in the given order), numbered from 0. */
export function historyOf<Input, Output>(...specs: OperationSpec<Input, Output>[]): History<Input, Output> {
  return specs
    .map((spec, position) => ({ spec, position }))
    .sort((a, b) => a.spec.callMs - b.spec.callMs || a.position - b.position)
    .map(({ spec }, id) => ({ id, ...spec }));
}
