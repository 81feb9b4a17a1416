/**
 * Whose code is running: every call into node code runs inside a {@link NodeScope}, kept by an
 * `AsyncLocalStorage`, so code that runs later on its behalf (after an `await`, in a `queueMicrotask`
 * callback, in a promise nobody awaits) is still known to be that node's. The guards name the right node
 * with it, and a rejection nobody handles is blamed on the node whose code left it.
 *
 * `AsyncLocalStorage` is the runtime's own way to follow a chain of continuations; a global "current
 * node" cannot, because continuations of several nodes interleave in one microtask queue.
 *
 * @module
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';

/** The node whose code is running, and the step that started it. */
export interface NodeScope {
  /** The node's id. */
  readonly node: string;
  /** The step that called into the node's code, in words: `handling message #3 (echo) from c1`. */
  readonly during: string;
  /** Virtual time (ms) at which that step ran. */
  readonly startedAtMs: number;
  /** The run's seed, for messages. */
  readonly seed: number;
  /**
   * Stops the node's run because an error of its code reached no handler: a promise rejection nobody
   * handles, or a throw in a `queueMicrotask` callback.
   */
  readonly lostError: (reason: unknown, how: LostErrorKind) => void;
}

/** How an error of node code was lost: a rejected promise nobody handles, or a throw in a `queueMicrotask` callback. */
export type LostErrorKind = 'rejection' | 'throw';

const storage = new AsyncLocalStorage<NodeScope>();

/** The scope of the node code running now, or `undefined` outside node code. */
export function currentScope(): NodeScope | undefined {
  return storage.getStore();
}

/**
 * Calls `call` as `scope`'s node code. Returns what it returns, and whether it started asynchronous
 * work (a promise, a microtask) that may still run: the simulator lets such work finish in the same
 * step, at the same virtual time.
 */
export function runAsNode<T>(scope: NodeScope, call: () => T): { readonly result: T; readonly startedAsync: boolean } {
  const outer = asyncStarted;
  asyncStarted = false;
  try {
    const result = storage.run(scope, call);
    return { result, startedAsync: asyncStarted };
  } finally {
    asyncStarted = outer;
  }
}

let asyncStarted = false;

// Notes any asynchronous resource created by node code. Enabled only while a run is under way.
const asyncWatcher = createHook({
  init() {
    if (!asyncStarted && storage.getStore() !== undefined) asyncStarted = true;
  },
});

let watchers = 0;

/** Starts noting asynchronous work that node code starts (counted); returns the function that stops it. */
export function watchAsyncWork(): () => void {
  if (watchers++ === 0) asyncWatcher.enable();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--watchers === 0) asyncWatcher.disable();
  };
}
