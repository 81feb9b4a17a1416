/**
 * The real-time order a linearization must respect.
 *
 * Operation A must come before operation B when A returned strictly before B was called. Two operations
 * that touch at one instant (A returned at the very millisecond B was called) count as concurrent, as in
 * Porcupine: a clock that coarse cannot tell which came first, and calling them ordered could report a
 * violation that did not happen.
 *
 * One exception: operations of the same client. A client is one sequential process, so its earlier
 * operation precedes its later one even when the later one was called in the millisecond the earlier one
 * returned. (In a simulator time often does not advance between a reply and the client's next request.)
 *
 * Indeterminate operations never returned, so they precede nothing.
 *
 * @module
 */

import type { Operation } from '../../../history.ts';

/** The operations sorted by call time; ties keep their order in the history (invocation order). */
export function sortByCall<Input, Output>(operations: readonly Operation<Input, Output>[]): Operation<Input, Output>[] {
  // Histories are usually recorded in invocation order already: then there is nothing to sort.
  if (
    operations.every((operation, position) => position === 0 || operations[position - 1]!.callMs <= operation.callMs)
  ) {
    return [...operations];
  }
  const positions = operations.map((_, position) => position);
  positions.sort((a, b) => operations[a]!.callMs - operations[b]!.callMs || a - b);
  return positions.map((position) => operations[position]!);
}

/**
 * For each operation (sorted by call), the index of the same client's latest earlier completed operation
 * when it returned at the very instant this one was called, else -1.
 *
 * Those are the only same-client orderings that real time alone does not already impose; the search
 * enforces them explicitly (see the module comment).
 */
export function sameInstantPredecessors(operations: readonly Operation<unknown, unknown>[]): Int32Array {
  const predecessors = new Int32Array(operations.length).fill(-1);
  const lastCompletedByClient = new Map<string, number>();
  operations.forEach((operation, index) => {
    const previous = lastCompletedByClient.get(operation.clientId);
    if (previous !== undefined && operations[previous]!.returnMs === operation.callMs) {
      predecessors[index] = previous;
    }
    if (operation.returnMs !== null) lastCompletedByClient.set(operation.clientId, index);
  });
  return predecessors;
}

/**
 * The completed operations that could be linearized next, given which ones already are: those not yet
 * linearized that no unlinearized operation must precede.
 */
export function completedCandidates(
  operations: readonly Operation<unknown, unknown>[],
  predecessors: Int32Array,
  isLinearized: (index: number) => boolean,
): number[] {
  let earliestReturnMs = Number.POSITIVE_INFINITY;
  operations.forEach((operation, index) => {
    if (!isLinearized(index) && operation.returnMs !== null && operation.returnMs < earliestReturnMs) {
      earliestReturnMs = operation.returnMs;
    }
  });
  const candidates: number[] = [];
  operations.forEach((operation, index) => {
    if (isLinearized(index) || operation.returnMs === null || operation.callMs > earliestReturnMs) return;
    const predecessor = predecessors[index] ?? -1;
    if (predecessor >= 0 && !isLinearized(predecessor)) return;
    candidates.push(index);
  });
  return candidates;
}
