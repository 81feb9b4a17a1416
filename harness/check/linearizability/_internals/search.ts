/**
 * The search for a linearization of one part of a history: Wing & Gong's algorithm with Lowe's
 * memoisation, as in Porcupine's `checkSingle`.
 *
 * The completed operations become a doubly linked list of call and return entries, sorted by time. The
 * search walks the list from its head: at a call entry it tries to linearize that operation next (the
 * model must accept its output, and the resulting configuration must be new); on success it *lifts* the
 * operation's entries out of the list and starts again from the head. Reaching a return entry means that
 * operation's deadline has come while it is still unplaced: the search backtracks, *unlifting* the last
 * operation it placed and moving on to the entry after it. The stack of placed operations is an explicit
 * array, never recursion, so a 100,000-operation history cannot overflow the call stack.
 *
 * Indeterminate operations never returned (their return is at +infinity): they may be placed any time
 * after their call, or never. They live in a second list, sorted by call time, which the search walks
 * only after the completed candidates, just before it would backtrack: placing an indeterminate operation
 * is a last resort, and the search succeeds as soon as every completed operation is placed. Trying
 * configurations with fewer indeterminate operations first is what lets the cache's subset rule (see
 * {@link ConfigurationCache}) prune the rest.
 *
 * @module
 */

import type { Operation } from '../../../history.ts';
import { ModelStepError, type Model } from '../model.ts';
import { ConfigurationCache, LinearizedSet } from './linearizedSet.ts';
import { canonicalJson, type StateIdentity } from './stateIdentity.ts';

/** The budget shared by all parts of one check. */
export interface SearchBudget {
  readonly maxSteps: number;
  /** `performance.now()` value after which the search gives up; undefined for no time limit. */
  readonly deadline: number | undefined;
  stepsUsed: number;
}

/** How the search of one part ended. Operation indices are positions in the part's operation list. */
export type SearchOutcome<State> =
  | { readonly kind: 'linearizable'; readonly order: Int32Array; readonly statesCached: number }
  | {
      readonly kind: 'illegal';
      /** The longest sequence of operations the search managed to linearize. */
      readonly longestPrefix: Int32Array;
      /** The state after each operation of `longestPrefix`. */
      readonly statesAfter: readonly State[];
      readonly statesCached: number;
    }
  | { readonly kind: 'out-of-budget'; readonly budget: 'steps' | 'time'; readonly statesCached: number }
  /** The slice of steps given to {@link LinearizationSearch.run} is used up; `run` again to go on. */
  | { readonly kind: 'paused' };

/** How often (in steps) the search reads the clock when it has a time budget. */
const CLOCK_CHECK_INTERVAL_STEPS = 1024;

/** Which list a walk is in: completed operations' entries, or indeterminate operations' calls. */
const COMPLETED = 0;
const OPTIONAL = 1;

/**
 * The two entry lists, in one set of arrays indexed by node (no node objects: the hot loop allocates
 * nothing). Nodes: `completedHead`, the completed operations' entries in time order (at equal times calls
 * come first, so operations that touch count as concurrent), `completedTail`, then `optionalHead`, the
 * indeterminate operations' calls in call order, `optionalTail`.
 */
interface EntryLists {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** The operation each node belongs to (-1 for sentinels). */
  readonly operationOf: Int32Array;
  /** 1 for return entries and the completed tail, 0 otherwise. */
  readonly isReturn: Uint8Array;
  /** For a completed operation's call node, its return node; -1 otherwise. */
  readonly returnOf: Int32Array;
  /** A return node's return time, or an indeterminate call node's call time. */
  readonly timeMsOf: Float64Array;
  readonly completedHead: number;
  readonly completedTail: number;
  readonly optionalHead: number;
  readonly optionalTail: number;
}

function buildEntryLists(operations: readonly Operation<unknown, unknown>[]): EntryLists {
  const completed: number[] = [];
  const optional: number[] = [];
  operations.forEach((operation, index) => (operation.returnMs === null ? optional : completed).push(index));
  const returnsInOrder = [...completed].sort((a, b) => operations[a]!.returnMs! - operations[b]!.returnMs! || a - b);
  const completedTail = 2 * completed.length + 1;
  const optionalHead = completedTail + 1;
  const size = optionalHead + optional.length + 2;
  const lists: EntryLists = {
    next: new Int32Array(size),
    prev: new Int32Array(size),
    operationOf: new Int32Array(size).fill(-1),
    isReturn: new Uint8Array(size),
    returnOf: new Int32Array(size).fill(-1),
    timeMsOf: new Float64Array(size),
    completedHead: 0,
    completedTail,
    optionalHead,
    optionalTail: size - 1,
  };
  for (let node = 0; node < size; node++) {
    lists.next[node] = node + 1;
    lists.prev[node] = node - 1;
  }
  lists.isReturn[completedTail] = 1;
  mergeCompletedEntries(lists, operations, completed, returnsInOrder);
  // Operations are sorted by call time, so their indices already give the indeterminate calls' order.
  optional.forEach((index, position) => {
    lists.operationOf[optionalHead + 1 + position] = index;
    lists.timeMsOf[optionalHead + 1 + position] = operations[index]!.callMs;
  });
  return lists;
}

/**
 * Lays out the completed operations' calls (already in call order) and returns (sorted by return time)
 * as one time-ordered run of nodes from node 1. At equal times calls come first: operations that touch
 * at one instant count as concurrent.
 */
function mergeCompletedEntries(
  lists: EntryLists,
  operations: readonly Operation<unknown, unknown>[],
  callsInOrder: readonly number[],
  returnsInOrder: readonly number[],
): void {
  const callNodeOf = new Map<number, number>();
  let nextCall = 0;
  let nextReturn = 0;
  for (let node = 1; node < lists.completedTail; node++) {
    const call = callsInOrder[nextCall];
    const ret = returnsInOrder[nextReturn]!;
    if (call !== undefined && operations[call]!.callMs <= operations[ret]!.returnMs!) {
      lists.operationOf[node] = call;
      lists.timeMsOf[node] = operations[call]!.callMs;
      callNodeOf.set(call, node);
      nextCall++;
    } else {
      lists.operationOf[node] = ret;
      lists.isReturn[node] = 1;
      lists.timeMsOf[node] = operations[ret]!.returnMs!;
      lists.returnOf[callNodeOf.get(ret)!] = node;
      nextReturn++;
    }
  }
}

/** Takes an operation's entries out of their list (its call entry, and its return entry if it has one). */
function lift(lists: EntryLists, call: number): void {
  const { next, prev } = lists;
  next[prev[call]!] = next[call]!;
  prev[next[call]!] = prev[call]!;
  const ret = lists.returnOf[call]!;
  if (ret >= 0) {
    next[prev[ret]!] = next[ret]!;
    prev[next[ret]!] = prev[ret]!;
  }
}

/** Puts back what {@link lift} took out. Only valid in reverse order of lifting (dancing links). */
function unlift(lists: EntryLists, call: number): void {
  const { next, prev } = lists;
  const ret = lists.returnOf[call]!;
  if (ret >= 0) {
    next[prev[ret]!] = ret;
    prev[next[ret]!] = ret;
  }
  next[prev[call]!] = call;
  prev[next[call]!] = call;
}

/**
 * The longest stack of placed operations seen at a dead end: the evidence for an illegal verdict.
 *
 * Copying the whole stack at each new record would cost O(n^2) on a long history that backtracks a
 * little all along. Instead it remembers how long a prefix it still shares with the live stack, and copies
 * only the part after that. Invariant: `calls[0, shared)` equals the live stack's first `shared` entries.
 */
class LongestPrefix<State> {
  readonly #calls: Int32Array;
  readonly #statesAfter: State[] = [];
  #length = 0;
  #shared = 0;

  constructor(capacity: number) {
    this.#calls = new Int32Array(capacity);
  }

  /** Records the live stack (of `depth` entries, `state` after the last one) if it is the longest yet. */
  offer(placedCalls: Int32Array, statesBefore: readonly State[], state: State, depth: number): void {
    if (depth <= this.#length) return;
    for (let position = this.#shared; position < depth; position++) {
      this.#calls[position] = placedCalls[position]!;
      this.#statesAfter[position] = position + 1 < depth ? statesBefore[position + 1]! : state;
    }
    this.#length = depth;
    this.#shared = depth;
  }

  /** The live stack shrank to `depth` entries. */
  popTo(depth: number): void {
    if (this.#shared > depth) this.#shared = depth;
  }

  result(): { calls: Int32Array; statesAfter: State[] } {
    return { calls: this.#calls.slice(0, this.#length), statesAfter: this.#statesAfter.slice(0, this.#length) };
  }
}

/** Whether the budget is spent, and which part of it. Counts one step. */
function spentBudget(budget: SearchBudget): 'steps' | 'time' | undefined {
  budget.stepsUsed++;
  if (budget.stepsUsed > budget.maxSteps) return 'steps';
  if (budget.deadline === undefined || budget.stepsUsed % CLOCK_CHECK_INTERVAL_STEPS !== 0) return undefined;
  // The only wall-clock read in the checker, and only when the caller set `timeoutMs`. The checker runs
  // outside the simulation (on a finished history), so reading real time here cannot perturb a run.
  return performance.now() > budget.deadline ? 'time' : undefined;
}

function stepWithContext<State, Input, Output>(
  model: Model<State, Input, Output>,
  state: State,
  operation: Operation<Input, Output>,
): ReturnType<Model<State, Input, Output>['step']> {
  try {
    return model.step(state, operation.input, operation.output);
  } catch (error) {
    throw new ModelStepError(model.name, operation, error);
  }
}

/** Dense indices within each kind: completed operations in one bitset, indeterminate ones in another. */
function denseIndices(operations: readonly Operation<unknown, unknown>[]): Int32Array {
  const dense = new Int32Array(operations.length);
  let completed = 0;
  let optional = 0;
  operations.forEach((operation, index) => {
    dense[index] = operation.returnMs === null ? optional++ : completed++;
  });
  return dense;
}

/**
 * For each indeterminate operation, the latest earlier-called indeterminate operation with the same input,
 * else -1.
 *
 * Two such twins are interchangeable once both have been called: same effect, no return, no output. So
 * the search only ever places the earlier one first (symmetry breaking): any linearization placing the
 * later twin first stays valid with the two swapped. Without this, k timed-out `write(3)`s would multiply
 * the configurations by up to 2^k.
 */
function twinsOf(operations: readonly Operation<unknown, unknown>[]): Int32Array {
  const twins = new Int32Array(operations.length).fill(-1);
  const latestByInput = new Map<string, number>();
  operations.forEach((operation, index) => {
    if (operation.returnMs !== null) return;
    const input = inputKey(operation.input);
    if (input === undefined) return;
    const twin = latestByInput.get(input);
    if (twin !== undefined) twins[index] = twin;
    latestByInput.set(input, index);
  });
  return twins;
}

/** The input's canonical JSON, or undefined for an input that is not plain data (it then has no twin). */
function inputKey(input: unknown): string | undefined {
  try {
    return canonicalJson(input);
  } catch {
    return undefined;
  }
}

/**
 * One search of one part. Fields are the search's registers; `run` is its loop, which can stop after a
 * slice of steps and go on later exactly where it was, so that several parts can be searched in turn.
 * `operations` are sorted by call time; `predecessors` come from `sameInstantPredecessors`.
 */
export class LinearizationSearch<State, Input, Output> {
  readonly #model: Model<State, Input, Output>;
  readonly #operations: readonly Operation<Input, Output>[];
  readonly #predecessors: Int32Array;
  readonly #identity: StateIdentity<State>;
  readonly #budget: SearchBudget;
  readonly #lists: EntryLists;
  readonly #dense: Int32Array;
  /** For an indeterminate operation, the previous one with the same input (its "twin"), else -1. */
  readonly #twins: Int32Array;
  /** Completed and indeterminate operations linearized so far (by dense index). */
  readonly #completed: LinearizedSet;
  readonly #optional: LinearizedSet;
  readonly #cache: ConfigurationCache;
  /** The stack: for each depth, the node placed, the list it came from, the walk's limit, the state before. */
  readonly #placedCalls: Int32Array;
  readonly #placedFrom: Uint8Array;
  readonly #limitsMs: Float64Array;
  readonly #statesBefore: State[] = [];
  readonly #longest: LongestPrefix<State>;
  #depth = 0;
  #state: State;
  #completedLeft: number;
  /** The walk's position: the node it looks at next, and which list that node is in. */
  #node: number;
  #walking = COMPLETED;
  /**
   * While walking the indeterminate list: the earliest return among unplaced completed operations.
   * Only indeterminate operations called by then may come next.
   */
  #limitMs = 0;

  constructor(
    model: Model<State, Input, Output>,
    operations: readonly Operation<Input, Output>[],
    predecessors: Int32Array,
    identity: StateIdentity<State>,
    budget: SearchBudget,
  ) {
    this.#model = model;
    this.#operations = operations;
    this.#predecessors = predecessors;
    this.#identity = identity;
    this.#budget = budget;
    this.#lists = buildEntryLists(operations);
    this.#dense = denseIndices(operations);
    this.#twins = twinsOf(operations);
    this.#completedLeft = operations.filter((operation) => operation.returnMs !== null).length;
    this.#completed = new LinearizedSet(this.#completedLeft);
    this.#optional = new LinearizedSet(operations.length - this.#completedLeft);
    this.#cache = new ConfigurationCache(identity.same, 2 * operations.length);
    this.#placedCalls = new Int32Array(operations.length);
    this.#placedFrom = new Uint8Array(operations.length);
    this.#limitsMs = new Float64Array(operations.length);
    this.#longest = new LongestPrefix(operations.length);
    this.#state = model.init();
    this.#node = this.#lists.next[this.#lists.completedHead]!;
  }

  /** Configurations cached so far. */
  get statesCached(): number {
    return this.#cache.size;
  }

  /**
   * Searches on until it finds a linearization, proves there is none, spends the budget, or the budget's
   * `stepsUsed` reaches `pauseAtSteps` (then `paused`, with nothing lost: the next `run` goes on).
   */
  run(pauseAtSteps = Number.POSITIVE_INFINITY): SearchOutcome<State> {
    const lists = this.#lists;
    const { next, isReturn } = lists;
    let node = this.#node;
    let walking = this.#walking;
    let limitMs = this.#limitMs;

    for (;;) {
      if (this.#completedLeft === 0) return this.#linearizable();
      if (this.#budget.stepsUsed >= pauseAtSteps) {
        this.#node = node;
        this.#walking = walking;
        this.#limitMs = limitMs;
        return { kind: 'paused' };
      }
      const spent = spentBudget(this.#budget);
      if (spent !== undefined) return { kind: 'out-of-budget', budget: spent, statesCached: this.#cache.size };

      const deadEnd =
        walking === COMPLETED ? isReturn[node] === 1 : node === lists.optionalTail || lists.timeMsOf[node]! > limitMs;
      if (deadEnd && walking === COMPLETED && next[lists.optionalHead] !== lists.optionalTail) {
        // No completed candidate left here: try the indeterminate ones called before this deadline.
        walking = OPTIONAL;
        limitMs = lists.timeMsOf[node]!;
        node = next[lists.optionalHead]!;
        continue;
      }
      if (deadEnd) {
        if (this.#depth === 0) return this.#illegal();
        const placed = this.#backtrack();
        walking = this.#placedFrom[this.#depth]!;
        limitMs = this.#limitsMs[this.#depth]!;
        node = next[placed]!;
        continue;
      }
      if (this.#tryToPlace(node, walking, limitMs)) {
        walking = COMPLETED;
        node = next[lists.completedHead]!;
      } else {
        node = next[node]!;
      }
    }
  }

  /** Linearizes the operation at `node` next if it may come next, the model accepts it, and the result is new. */
  #tryToPlace(node: number, walking: number, limitMs: number): boolean {
    const index = this.#lists.operationOf[node]!;
    if (!this.#predecessorPlaced(index)) return false;
    const twin = this.#twins[index]!;
    if (twin >= 0 && !this.#optional.has(this.#dense[twin]!) && this.#predecessorPlaced(twin)) return false;
    const result = stepWithContext(this.#model, this.#state, this.#operations[index]!);
    if (!result.ok) return false;
    const set = walking === COMPLETED ? this.#completed : this.#optional;
    const dense = this.#dense[index]!;
    set.add(dense);
    const key = this.#identity.keyOf(result.state);
    if (!this.#cache.addIfNew(this.#completed, this.#optional, key, this.#identity.hashOf(key))) {
      set.delete(dense);
      return false;
    }
    const depth = this.#depth++;
    this.#placedCalls[depth] = node;
    this.#placedFrom[depth] = walking;
    this.#limitsMs[depth] = limitMs;
    this.#statesBefore[depth] = this.#state;
    this.#state = result.state;
    if (walking === COMPLETED) this.#completedLeft--;
    lift(this.#lists, node);
    return true;
  }

  #predecessorPlaced(index: number): boolean {
    const predecessor = this.#predecessors[index]!;
    return predecessor < 0 || this.#completed.has(this.#dense[predecessor]!);
  }

  /** Undoes the last placement; returns its node. The frame stays readable at index `#depth`. */
  #backtrack(): number {
    this.#longest.offer(this.#placedCalls, this.#statesBefore, this.#state, this.#depth);
    const depth = --this.#depth;
    this.#longest.popTo(depth);
    const node = this.#placedCalls[depth]!;
    const index = this.#lists.operationOf[node]!;
    this.#state = this.#statesBefore[depth]!;
    if (this.#placedFrom[depth] === COMPLETED) {
      this.#completed.delete(this.#dense[index]!);
      this.#completedLeft++;
    } else {
      this.#optional.delete(this.#dense[index]!);
    }
    unlift(this.#lists, node);
    return node;
  }

  #linearizable(): SearchOutcome<State> {
    const order = this.#placedCalls.slice(0, this.#depth).map((call) => this.#lists.operationOf[call]!);
    return { kind: 'linearizable', order, statesCached: this.#cache.size };
  }

  #illegal(): SearchOutcome<State> {
    const { calls, statesAfter } = this.#longest.result();
    const longestPrefix = calls.map((call) => this.#lists.operationOf[call]!);
    return { kind: 'illegal', longestPrefix, statesAfter, statesCached: this.#cache.size };
  }
}
