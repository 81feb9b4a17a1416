/**
 * Guards against real time, real randomness and real timers inside node code.
 *
 * While a run is under way, `Math.random`, `Date.now`, `new Date()`, `performance.now`, `setTimeout`,
 * `setInterval`, `setImmediate`, `crypto.randomUUID` and `crypto.getRandomValues` are wrapped. Called while a node's code is running, they throw a
 * {@link NondeterminismError} that names the context method to use instead; called by anything else
 * (the test runner, the test itself) they behave as usual. This is the same technique fake timers use,
 * and test runners keep their own references to the real functions for exactly this reason.
 *
 * @module
 */

/** Thrown inside node code that reached for real time, randomness or timers. */
export class NondeterminismError extends Error {
  /** The forbidden call, e.g. `Date.now()`. */
  readonly call: string;

  /** Creates the error for a forbidden call and the context method to use instead. */
  constructor(call: string, insteadUse: string, node: string) {
    super(
      `${node} called ${call} inside a handler. Real time, real randomness and real timers make a run ` +
        `impossible to replay from its seed. Use ${insteadUse} instead.`,
    );
    this.name = 'NondeterminismError';
    this.call = call;
  }
}

/** Who is running node code right now; set by the simulator around every handler call. */
export interface GuardState {
  /** The node whose code is running, or `null` when no node code is. */
  activeNode: string | null;
  /** Called when a guard fires, so the simulator can stop the run even if the node swallows the error. */
  onViolation: ((error: NondeterminismError) => void) | null;
}

/** The single guard state: at most one simulation step runs at a time in a JavaScript thread. */
export const guardState: GuardState = { activeNode: null, onViolation: null };

let installCount = 0;
let restore: (() => void) | null = null;

/**
 * Installs the guards (counted: nested calls are fine). Returns a function that uninstalls them; call it
 * exactly once.
 */
export function installGuards(): () => void {
  installCount++;
  if (installCount === 1) restore = patchGlobals();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    installCount--;
    if (installCount === 0 && restore !== null) {
      restore();
      restore = null;
    }
  };
}

/**
 * `new Date()` and `Date()` read the real clock too. The global `Date` becomes a proxy that refuses them
 * inside node code; `new Date(ms)`, `instanceof Date` and the static methods behave as before.
 */
function patchDateConstructor(): () => void {
  const OriginalDate = globalThis.Date;
  const refuseIfInNode = (call: string) => {
    const node = guardState.activeNode;
    if (node === null) return;
    const error = new NondeterminismError(call, "ctx.now() (the node's own clock), or new Date(ctx.now())", node);
    guardState.onViolation?.(error);
    throw error;
  };
  globalThis.Date = new Proxy(OriginalDate, {
    construct(target, args, newTarget) {
      if (args.length === 0) refuseIfInNode('new Date()');
      return Reflect.construct(target, args, newTarget) as object;
    },
    apply(target, thisArgument, args) {
      refuseIfInNode('Date()');
      return Reflect.apply(target, thisArgument, args) as unknown;
    },
  });
  return () => {
    globalThis.Date = OriginalDate;
  };
}

function patchGlobals(): () => void {
  const undo: Array<() => void> = [];
  const patch = <O extends object, K extends keyof O & string>(owner: O, key: K, call: string, insteadUse: string) => {
    const original = owner[key];
    if (typeof original !== 'function') return;
    const guarded = function (this: unknown, ...args: unknown[]) {
      const node = guardState.activeNode;
      if (node !== null) {
        const error = new NondeterminismError(call, insteadUse, node);
        guardState.onViolation?.(error);
        throw error;
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    Object.defineProperty(guarded, 'name', { value: (original as { name: string }).name });
    (owner as Record<string, unknown>)[key] = guarded;
    undo.push(() => {
      (owner as Record<string, unknown>)[key] = original;
    });
  };
  undo.push(patchDateConstructor());
  patch(Math, 'random', 'Math.random()', 'ctx.random() or ctx.randomInt(min, max)');
  patch(Date, 'now', 'Date.now()', "ctx.now() (the node's own clock)");
  patch(performance, 'now', 'performance.now()', "ctx.now() (the node's own clock)");
  patch(globalThis, 'setTimeout', 'setTimeout()', 'ctx.setTimer(delay, payload) or await ctx.sleep(delay)');
  patch(globalThis, 'setInterval', 'setInterval()', 'ctx.setTimer(delay, payload), set again from onTimer');
  patch(globalThis, 'setImmediate', 'setImmediate()', 'ctx.setTimer(0, payload)');
  if (globalThis.crypto !== undefined) {
    patch(
      globalThis.crypto,
      'randomUUID',
      'crypto.randomUUID()',
      'ids built from ctx.id and a counter, or ctx.randomInt',
    );
    patch(globalThis.crypto, 'getRandomValues', 'crypto.getRandomValues()', 'ctx.random() or ctx.randomInt(min, max)');
  }
  return () => {
    for (const step of undo.reverse()) step();
  };
}
