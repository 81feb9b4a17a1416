/**
 * A brute-force linearizability oracle for small histories: it tries every order of the operations that
 * respects real time, including leaving out any indeterminate operation. Exponential, and deliberately
 * naive (no entry lists, no partitions, no indeterminate-operation shortcuts, only a memo of failed
 * (placed set, state) pairs), so that it can be trusted as a reference for the real checker.
 *
 * It restates the real-time rule itself rather than importing the checker's: A must precede B when A
 * returned strictly before B was called, or when both belong to one client, A was invoked first, and A
 * returned no later than B's call.
 *
 * @module
 */

import type { History, Operation } from '../../../history.ts';
import type { Model } from '../model.ts';

function precedes(
  earlier: Operation<unknown, unknown>,
  later: Operation<unknown, unknown>,
  earlierPosition: number,
  laterPosition: number,
): boolean {
  if (earlier.returnMs === null) return false;
  if (earlier.returnMs < later.callMs) return true;
  return earlier.clientId === later.clientId && earlierPosition < laterPosition && earlier.returnMs <= later.callMs;
}

/**
 * Whether `history` is linearizable, by exhaustive search over orders, remembering only which
 * (operations placed, state) pairs already failed. Only for histories of at most 20 operations.
 */
export function bruteForceLinearizable<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
): boolean {
  if (history.length > 20) throw new Error('The brute-force oracle is only for histories of at most 20 operations.');
  const operations = history.filter((operation) => operation.status !== 'fail');
  const used = operations.map(() => false);
  const failed = new Set<string>();

  const canGoNext = (candidate: number): boolean =>
    operations.every(
      (other, index) =>
        index === candidate || used[index] || !precedes(other, operations[candidate]!, index, candidate),
    );

  const search = (state: State): boolean => {
    const allCompletedPlaced = operations.every((operation, index) => used[index] || operation.returnMs === null);
    if (allCompletedPlaced) return true; // remaining indeterminate operations may simply never have happened
    const key = `${used.map((placed) => (placed ? '1' : '0')).join('')}|${JSON.stringify(state)}`;
    if (failed.has(key)) return false;
    for (let candidate = 0; candidate < operations.length; candidate++) {
      if (used[candidate] || !canGoNext(candidate)) continue;
      const operation = operations[candidate]!;
      const result = model.step(state, operation.input, operation.output);
      if (!result.ok) continue;
      used[candidate] = true;
      const found = search(result.state);
      used[candidate] = false;
      if (found) return true;
    }
    failed.add(key);
    return false;
  };

  return search(model.init());
}

/**
 * Whether `order` is a valid linearization of `history`: every completed operation exactly once, real
 * time respected, and the model accepts each step. Used to verify the checker's witnesses.
 */
export function isValidLinearization<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  order: readonly Operation<Input, Output>[],
): boolean {
  const positionInHistory = new Map(history.map((operation, position) => [operation, position]));
  const placed = new Set(order);
  if (placed.size !== order.length) return false;
  const happened = history.filter((operation) => operation.status !== 'fail');
  if (happened.some((operation) => operation.returnMs !== null && !placed.has(operation))) return false;
  for (let later = 0; later < order.length; later++) {
    const laterOperation = order[later]!;
    const laterPosition = positionInHistory.get(laterOperation) ?? -1;
    if (laterPosition < 0 || laterOperation.status === 'fail') return false;
    for (let earlier = later + 1; earlier < order.length; earlier++) {
      const mustBeEarlier = order[earlier]!;
      if (precedes(mustBeEarlier, laterOperation, positionInHistory.get(mustBeEarlier)!, laterPosition)) return false;
    }
  }
  let state = model.init();
  for (const operation of order) {
    const result = model.step(state, operation.input, operation.output);
    if (!result.ok) return false;
    state = result.state;
  }
  return true;
}
