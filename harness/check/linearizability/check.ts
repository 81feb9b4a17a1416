/**
 * Checking a history for linearizability: the verdict, its evidence, and an assertion for tests.
 *
 * @module
 */

import type { History, Operation } from '../../history.ts';
import type { Model } from './model.ts';
import { countOf } from './_internals/words.ts';
import { completedCandidates, sameInstantPredecessors, sortByCall } from './_internals/realTime.ts';
import { LinearizationSearch, type SearchBudget, type SearchOutcome } from './_internals/search.ts';
import { stateIdentityFor } from './_internals/stateIdentity.ts';

/**
 * The search budget used when {@link CheckOptions.maxSteps} is not given. At a few million steps per
 * second this is a few seconds of work; the search caches at most one configuration per step, so the
 * budget also bounds memory (roughly 100 bytes per step in the worst case).
 */
export const DEFAULT_MAX_STEPS = 5_000_000;

/**
 * How many steps each part's search takes in its turn. Parts are searched in turn, as Porcupine's
 * goroutines run side by side: one part that is slow to search cannot hold back the verdict of another
 * that is quick to prove illegal.
 */
const SLICE_STEPS = 1_000;

/** Limits on how much work {@link checkLinearizability} may do before answering `unknown`. */
export interface CheckOptions {
  /**
   * The most search steps to spend, over all parts of the history (one step tries one operation or
   * backtracks once). Deterministic: the same history always uses the same steps. Defaults to
   * {@link DEFAULT_MAX_STEPS}.
   */
  readonly maxSteps?: number;
  /**
   * The most wall-clock time to spend, in milliseconds. Unlike `maxSteps` this depends on the machine, so
   * a verdict of `unknown` may not reproduce. No limit by default.
   */
  readonly timeoutMs?: number;
  /**
   * Whether to go on checking the other parts once one part is found not linearizable, to report every
   * illegal part. Off by default: one illegal part decides the verdict (as in Porcupine and Knossos),
   * and the parts left may be large and slow to search. Parts left unchecked are counted in
   * {@link CheckStats.partitionsChecked}.
   */
  readonly allIllegalParts?: boolean;
}

/** Figures about one check, whatever the verdict. */
export interface CheckStats {
  /** Operations considered: the history minus its `fail` operations (which did not happen). */
  readonly operationsChecked: number;
  /** `fail` operations dropped before checking. */
  readonly operationsDropped: number;
  /** Parts the model split the history into (1 without a `partition` function). */
  readonly partitions: number;
  /** Parts whose search finished (linearizable or not) before the budget ran out. */
  readonly partitionsChecked: number;
  /** Search steps spent, over all parts. */
  readonly steps: number;
  /** Configurations (linearized set, state) cached, over all parts: a measure of memory used. */
  readonly statesCached: number;
}

/** One operation of a linearization, with the state it leaves. */
export interface LinearizedStep<State, Input, Output> {
  readonly operation: Operation<Input, Output>;
  /** The model's description of the operation, e.g. `write(3)`. */
  readonly description: string;
  /** The state after the operation. */
  readonly stateAfter: State;
  /** The model's description of {@link LinearizedStep.stateAfter}. */
  readonly stateAfterDescription: string;
}

/** A completed operation the search could not place after the longest linearizable prefix. */
export interface UnplaceableOperation<Input, Output> {
  readonly operation: Operation<Input, Output>;
  /** The model's description of the operation. */
  readonly description: string;
  /**
   * - `rejected`: in the state after the prefix, the model would not have answered what the client saw.
   * - `dead-end`: the model accepts it there, but no way of placing the remaining operations after it works.
   */
  readonly reason: 'rejected' | 'dead-end';
  /** One sentence for a person, naming the state. */
  readonly explanation: string;
}

/**
 * Evidence that one part of the history is not linearizable: how far the search got, and what it could
 * not place next.
 */
export interface IllegalPartition<State, Input, Output> {
  /** Position of the part among those the model's `partition` returned. */
  readonly partitionIndex: number;
  /** The part's name, e.g. `key "x"`, or `the whole history`. */
  readonly label: string;
  /** The part's operations, sorted by call time (without `fail` operations). */
  readonly operations: History<Input, Output>;
  /** The longest sequence of operations the search could linearize, in order. */
  readonly longestPrefix: readonly LinearizedStep<State, Input, Output>[];
  /** The state after the prefix (the initial state when the prefix is empty). */
  readonly stateAfterPrefix: State;
  /** The model's description of {@link IllegalPartition.stateAfterPrefix}. */
  readonly stateAfterPrefixDescription: string;
  /**
   * The completed operations that real time allowed next and that could not be placed there. Every
   * linearization attempt got stuck on one of these.
   */
  readonly unplaceable: readonly UnplaceableOperation<Input, Output>[];
}

/**
 * The verdict of {@link checkLinearizability}.
 *
 * - `ok`: the history is linearizable; `linearizations` holds one witness order per part.
 * - `illegal`: it is not; `partitions` holds the evidence: the first part found not linearizable (every
 *   such part with {@link CheckOptions.allIllegalParts}).
 * - `unknown`: the budget ran out first. This is **not** a pass: nothing was proven either way.
 */
export type CheckResult<State, Input, Output> =
  | {
      readonly verdict: 'ok';
      /** For each part, an order of its operations that the model accepts and that respects real time. */
      readonly linearizations: readonly (readonly Operation<Input, Output>[])[];
      readonly stats: CheckStats;
    }
  | {
      readonly verdict: 'illegal';
      readonly partitions: readonly IllegalPartition<State, Input, Output>[];
      readonly stats: CheckStats;
    }
  | {
      readonly verdict: 'unknown';
      /** Why there is no answer, in one sentence, e.g. the budget of steps ran out in part `key "x"`. */
      readonly reason: string;
      /** Which limit was reached. */
      readonly budget: 'steps' | 'time';
      readonly stats: CheckStats;
    };

interface PreparedPart<Input, Output> {
  readonly partitionIndex: number;
  readonly label: string;
  /** Sorted by call time. */
  readonly operations: Operation<Input, Output>[];
  readonly predecessors: Int32Array;
}

/**
 * Checks whether `history` is linearizable with respect to `model`.
 *
 * `fail` operations are dropped first (they did not take effect). Indeterminate operations may take
 * effect at any moment after their call, or never. The model's `partition` splits the history into parts
 * checked independently; the search (Wing & Gong with Lowe's memoisation, as in Porcupine) runs on each,
 * the parts taking turns of a thousand steps (smallest first) and sharing one budget. The check stops at
 * the first part found not linearizable: that part alone decides the verdict, `illegal`, and its evidence
 * names it (`allIllegalParts` checks the other parts too; evidence already found still makes the verdict
 * `illegal` if the budget then runs out).
 *
 * The check is pure and deterministic, except that a `timeoutMs` budget depends on the machine.
 *
 * @example
 * ```ts
 * const result = checkLinearizability(registerModel, history, { maxSteps: 1_000_000 });
 * if (result.verdict !== 'ok') console.log(formatCheckResult(result));
 * ```
 *
 * @throws Error if an operation breaks the {@link Operation} invariants, or if the model throws.
 */
export function checkLinearizability<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  options: CheckOptions = {},
): CheckResult<State, Input, Output> {
  const budget = budgetFrom(options);
  history.forEach(assertWellFormed);
  const happened = history.filter((operation) => operation.status !== 'fail');
  const parts = prepareParts(model, happened);
  const identity = stateIdentityFor(model as Model<State, unknown, unknown>);
  const illegal: IllegalPartition<State, Input, Output>[] = [];
  const linearizations: Operation<Input, Output>[][] = new Array<Operation<Input, Output>[]>(parts.length);
  let statesCached = 0;
  let partitionsChecked = 0;
  const statsNow = (): CheckStats => ({
    operationsChecked: happened.length,
    operationsDropped: history.length - happened.length,
    partitions: parts.length,
    partitionsChecked,
    // The step that found the budget spent is counted but never taken.
    steps: Math.min(budget.stepsUsed, budget.maxSteps),
    statesCached,
  });
  const illegalVerdict = (): CheckResult<State, Input, Output> => ({
    verdict: 'illegal',
    partitions: [...illegal].sort((a, b) => a.partitionIndex - b.partitionIndex),
    stats: statsNow(),
  });

  // Parts take turns of SLICE_STEPS, smallest first in each round: with a shared budget, neither a huge
  // part nor a slow one starves the others of the steps that find their evidence.
  const searches = new Map<PreparedPart<Input, Output>, LinearizationSearch<State, Input, Output>>();
  const searchOf = (part: PreparedPart<Input, Output>): LinearizationSearch<State, Input, Output> => {
    let search = searches.get(part);
    if (search === undefined) {
      search = new LinearizationSearch(model, part.operations, part.predecessors, identity, budget);
      searches.set(part, search);
    }
    return search;
  };
  let pending = [...parts].sort((a, b) => a.operations.length - b.operations.length);
  while (pending.length > 0) {
    const unfinished: PreparedPart<Input, Output>[] = [];
    for (const part of pending) {
      const outcome = searchOf(part).run(budget.stepsUsed + SLICE_STEPS);
      if (outcome.kind === 'paused') {
        unfinished.push(part);
        continue;
      }
      if (outcome.kind === 'out-of-budget') {
        for (const search of searches.values()) statesCached += search.statesCached;
        // Evidence already found is definite: the history is not linearizable, whatever the rest holds.
        if (illegal.length > 0) return illegalVerdict();
        const reason = budgetReason(outcome.budget, options, part);
        return { verdict: 'unknown', reason, budget: outcome.budget, stats: statsNow() };
      }
      // A finished search is dropped: its cache is the memory a check holds.
      searches.delete(part);
      statesCached += outcome.statesCached;
      partitionsChecked++;
      if (outcome.kind === 'illegal') {
        illegal.push(illegalEvidence(model, part, outcome));
        if (options.allIllegalParts === true) continue;
        for (const search of searches.values()) statesCached += search.statesCached;
        return illegalVerdict();
      }
      linearizations[part.partitionIndex] = [...outcome.order].map((index) => part.operations[index]!);
    }
    pending = unfinished;
  }
  return illegal.length > 0 ? illegalVerdict() : { verdict: 'ok', linearizations, stats: statsNow() };
}

function budgetFrom(options: CheckOptions): SearchBudget {
  const { maxSteps = DEFAULT_MAX_STEPS, timeoutMs } = options;
  if (!Number.isInteger(maxSteps) || maxSteps < 0) {
    throw new Error(`maxSteps must be a non-negative integer, got ${String(maxSteps)}.`);
  }
  if (timeoutMs !== undefined && !(timeoutMs >= 0)) {
    throw new Error(`timeoutMs must be a non-negative number of milliseconds, got ${String(timeoutMs)}.`);
  }
  // Wall-clock read allowed only for timeoutMs: the checker runs after the simulation, on a finished history.
  const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
  return { maxSteps, deadline, stepsUsed: 0 };
}

function assertWellFormed(operation: Operation<unknown, unknown>): void {
  const { callMs, returnMs, status } = operation;
  const wellFormed =
    Number.isFinite(callMs) &&
    (status === 'indeterminate'
      ? returnMs === null
      : returnMs !== null && Number.isFinite(returnMs) && returnMs >= callMs);
  if (!wellFormed)
    throw new Error(`Operation #${operation.id} (client ${operation.clientId}) ${malformation(operation)}`);
}

/** What is wrong with an operation that breaks the {@link Operation} invariants. */
function malformation({ callMs, returnMs, status }: Operation<unknown, unknown>): string {
  if (!Number.isFinite(callMs)) return 'has a callMs that is not a finite number.';
  if (status === 'indeterminate') return `is indeterminate but has returnMs ${String(returnMs)}; it must be null.`;
  if (returnMs === null || !Number.isFinite(returnMs)) return `has status '${status}' but no finite returnMs.`;
  return `returned at ${returnMs} ms, before its call at ${callMs} ms.`;
}

function prepareParts<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
): PreparedPart<Input, Output>[] {
  const parts = model.partition === undefined ? [history] : model.partition(history);
  return parts.map((part, partitionIndex) => {
    const operations = sortByCall(part);
    const fallbackLabel = parts.length === 1 ? 'the whole history' : `part ${partitionIndex + 1} of ${parts.length}`;
    const label = model.describePartition?.(part) ?? fallbackLabel;
    return { partitionIndex, label, operations, predecessors: sameInstantPredecessors(operations) };
  });
}

function budgetReason(budget: 'steps' | 'time', options: CheckOptions, part: PreparedPart<unknown, unknown>): string {
  const spent =
    budget === 'steps'
      ? `the checker's budget of ${(options.maxSteps ?? DEFAULT_MAX_STEPS).toLocaleString('en-US')} steps ran out`
      : `the checker's time budget of ${String(options.timeoutMs)} ms ran out`;
  const indeterminate = part.operations.filter((operation) => operation.status === 'indeterminate').length;
  // Each indeterminate operation may or may not have happened, at any later moment: the usual cause.
  const hint = indeterminate === 0 ? '' : `, ${indeterminate.toLocaleString('en-US')} of them with an unknown outcome`;
  return `${spent} while checking ${part.label} (${countOf(part.operations.length, 'operation')}${hint}); this is NOT a pass`;
}

function illegalEvidence<State, Input, Output>(
  model: Model<State, Input, Output>,
  part: PreparedPart<Input, Output>,
  outcome: Extract<SearchOutcome<State>, { kind: 'illegal' }>,
): IllegalPartition<State, Input, Output> {
  const longestPrefix = [...outcome.longestPrefix].map((index, position) => {
    const operation = part.operations[index]!;
    const stateAfter = outcome.statesAfter[position]!;
    return {
      operation,
      description: model.describeOperation(operation.input, operation.output),
      stateAfter,
      stateAfterDescription: model.describeState(stateAfter),
    };
  });
  const stateAfterPrefix = longestPrefix.at(-1)?.stateAfter ?? model.init();
  const placed = new Set(outcome.longestPrefix);
  const candidates = completedCandidates(part.operations, part.predecessors, (index) => placed.has(index));
  return {
    partitionIndex: part.partitionIndex,
    label: part.label,
    operations: part.operations,
    longestPrefix,
    stateAfterPrefix,
    stateAfterPrefixDescription: model.describeState(stateAfterPrefix),
    unplaceable: candidates.map((index) => unplaceable(model, part.operations[index]!, stateAfterPrefix)),
  };
}

function unplaceable<State, Input, Output>(
  model: Model<State, Input, Output>,
  operation: Operation<Input, Output>,
  state: State,
): UnplaceableOperation<Input, Output> {
  const description = model.describeOperation(operation.input, operation.output);
  const stateDescription = model.describeState(state);
  if (!model.step(state, operation.input, operation.output).ok) {
    return {
      operation,
      description,
      reason: 'rejected',
      explanation: `${description} cannot happen when the state is ${stateDescription}.`,
    };
  }
  return {
    operation,
    description,
    reason: 'dead-end',
    explanation: `${description} fits after state ${stateDescription}, but no order of the remaining operations works after it.`,
  };
}
