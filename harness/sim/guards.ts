/**
 * Guards against real time, real randomness, real timers and real I/O inside node code.
 *
 * While a run is under way, `Math.random`, `Date.now`, `new Date()`, `performance.now`, `setTimeout`,
 * `setInterval`, `setImmediate`, `crypto.randomUUID` and `crypto.getRandomValues` are wrapped. Called
 * while a node's code is running (see {@link currentScope}: also after an `await`, in a microtask, in a
 * promise nobody awaits), they throw a {@link NondeterminismError} that names the context method to use
 * instead; called by anything else (the test runner, the test itself) they behave as usual. This is the
 * same technique fake timers use, and test runners keep their own references to the real functions for
 * exactly this reason.
 *
 * The builtin modules are guarded too: `node:crypto` (`randomUUID`, `randomInt`, `randomBytes`, ...),
 * `node:timers` and `node:timers/promises`, `process.hrtime` and `process.uptime`,
 * `performance.timeOrigin`, `Intl.DateTimeFormat` formatting "now", and real I/O (`node:fs`, `node:net`,
 * `node:http`, ...). Their exports are patched, then `syncBuiltinESMExports()` makes ESM named imports
 * (`import { randomUUID } from 'node:crypto'`) see the patched functions. Those patches are installed
 * once and stay: syncing the ESM exports costs about a millisecond, too much to pay at every run, and
 * the wrappers pass every call through unchanged outside node code.
 *
 * @module
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { describeThrown } from './describe.ts';
import { currentScope, type LostErrorKind, type NodeScope } from './node-scope.ts';

/** Thrown inside node code that reached for real time, randomness or timers. */
export class NondeterminismError extends Error {
  /** The forbidden call, e.g. `Date.now()`. */
  readonly call: string;

  /** The node whose code made the call. */
  readonly node: string;

  /** The step whose code made the call, when it ran after that step (an async continuation). */
  readonly scope: NodeScope | undefined;

  /**
   * Creates the error for a forbidden call and the context method to use instead. `scope` names the
   * step whose code it is, when known.
   */
  constructor(call: string, insteadUse: string, node: string, scope?: NodeScope) {
    const where =
      scope === undefined
        ? 'inside a handler'
        : `inside a handler (code started while ${scope.during} at t=${scope.startedAtMs} ms)`;
    super(
      `${node} called ${call} ${where}. Real time, real randomness, real timers and real I/O make a run ` +
        `impossible to replay from its seed. Use ${insteadUse} instead.`,
    );
    this.name = 'NondeterminismError';
    this.call = call;
    this.node = node;
    this.scope = scope;
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

/** Throws (and reports) a {@link NondeterminismError} if node code is running; returns otherwise. */
function refuseInNode(call: string, insteadUse: string): void {
  if (harnessDepth > 0) return;
  const scope = currentScope();
  const node = scope?.node ?? guardState.activeNode;
  if (node === null) return;
  const caller = callerFrame();
  if (LIBRARY_MACHINERY.test(caller)) return;
  const advice = MSW_DELAY_FRAME.test(caller) ? MSW_DELAY : insteadUse;
  const error = new NondeterminismError(call, advice, node, scope);
  guardState.onViolation?.(error);
  throw error;
}

/**
 * What to use instead of msw's `delay()`, which waits on a real timer (and, in a browser, draws its
 * "realistic" duration with Math.random): the virtual-clock sleep a backend hands its handlers.
 */
const MSW_DELAY =
  'the virtual-clock sleep httpBackend hands its handlers (handlers: ({ sleep }) => [...], then await sleep(ms)); ' +
  "msw's delay() waits on a real timer";

/**
 * The file of the code that made the guarded call: the first stack frame outside this file. Asked only
 * when a guard fires inside node code. The frames are read as call sites, without formatting the stack
 * (a test runner's source maps make a formatted stack costly, and msw's cookie store asks at every request).
 */
function callerFrame(): string {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 16;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, refuseInNode);
    const sites = holder.stack as ReadonlyArray<{ getFileName(): string | null | undefined }>;
    for (const site of sites) {
      const file = site.getFileName() ?? '';
      if (!/[/\\]harness[/\\]sim[/\\]guards\.ts$/.test(file)) return file;
    }
    return '';
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/**
 * Library code that a backend's msw handlers run on, whose own calls are the harness's, not the
 * node's: msw's cookie store (tough-cookie) checks cookie expiry against the real clock at every
 * request. Requests in a simulation carry no cookies, so the reading changes nothing. Only the frame
 * that made the call counts: a handler's own `Math.random()` is still refused, although msw's code is
 * further down the stack.
 */
const LIBRARY_MACHINERY =
  /[/\\]node_modules[/\\](?:tough-cookie|msw[/\\]lib[/\\]core[/\\]utils[/\\](?:cookieStore|request))[/\\]/;

/** msw's `delay()`, which waits on a real timer. */
const MSW_DELAY_FRAME = /[/\\]node_modules[/\\]msw[/\\]lib[/\\].*delay\.m?js/;

/** How many {@link asHarness} calls are running: while one is, the guards let every call through. */
let harnessDepth = 0;

/**
 * Runs harness code that must do real I/O while a node's code is on the stack: the watchdog writes the
 * report of a handler that never returns from inside that handler's step, where the node's guards
 * would refuse the write.
 */
export function asHarness<T>(call: () => T): T {
  harnessDepth++;
  try {
    return call();
  } finally {
    harnessDepth--;
  }
}

let installCount = 0;
let restore: (() => void) | null = null;

/**
 * Installs the guards (counted: nested calls are fine). Returns a function that uninstalls them; call it
 * exactly once.
 */
export function installGuards(): () => void {
  installCount++;
  if (installCount === 1) {
    patchBuiltinModules();
    const undoGlobals = patchGlobals();
    const undoRejections = takeOverUnhandledRejections();
    restore = () => {
      undoRejections();
      undoGlobals();
    };
  }
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
  const refuseIfInNode = (call: string) =>
    refuseInNode(call, "ctx.now() (the node's own clock), or new Date(ctx.now())");
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
    const guarded = guardedFunction(original as (...a: unknown[]) => unknown, call, insteadUse);
    (owner as Record<string, unknown>)[key] = guarded;
    undo.push(() => {
      (owner as Record<string, unknown>)[key] = original;
    });
  };
  undo.push(patchDateConstructor());
  undo.push(patchQueueMicrotask());
  patch(Math, 'random', 'Math.random()', RANDOM);
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

/** `original`, refusing calls from node code. Keeps the name (and any properties, as `hrtime.bigint`). */
function guardedFunction(
  original: (...args: unknown[]) => unknown,
  call: string,
  insteadUse: string,
): (...args: unknown[]) => unknown {
  const guarded = function (this: unknown, ...args: unknown[]) {
    refuseInNode(call, insteadUse);
    return original.apply(this, args);
  };
  Object.defineProperty(guarded, 'name', { value: original.name });
  // Keep what hangs on the function: `realpathSync.native`, `hrtime.bigint`, `util.promisify.custom`.
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype' || Object.hasOwn(guarded, key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor !== undefined) Object.defineProperty(guarded, key, descriptor);
  }
  return guarded;
}

const CLOCK = "ctx.now() (the node's own clock)";
const RANDOM = 'ctx.random() or ctx.randomInt(min, max)';
const IDS = 'ctx.random() or ctx.randomInt(min, max), or ids built from ctx.id and a counter';
const TIMER = 'ctx.setTimer(delay, payload) or await ctx.sleep(delay)';
const IO =
  'messages (ctx.send, ctx.rpc) to talk to other nodes, and ctx.storage to keep data across crashes; ' +
  'a node in a simulation has no files, sockets or processes';

/** Which exports of which builtin module are guarded, and what to use instead. */
const GUARDED_MODULES: ReadonlyArray<{
  readonly module: string;
  readonly exports: Readonly<Record<string, string>> | 'io';
}> = [
  {
    module: 'node:crypto',
    exports: {
      randomUUID: IDS,
      randomInt: RANDOM,
      randomBytes: RANDOM,
      randomFill: RANDOM,
      randomFillSync: RANDOM,
      getRandomValues: RANDOM,
      generatePrime: RANDOM,
      generatePrimeSync: RANDOM,
    },
  },
  {
    module: 'node:timers',
    exports: { setTimeout: TIMER, setInterval: TIMER, setImmediate: 'ctx.setTimer(0, payload)' },
  },
  { module: 'node:timers/promises', exports: { setTimeout: TIMER, setInterval: TIMER, setImmediate: TIMER } },
  { module: 'node:fs', exports: 'io' },
  { module: 'node:fs/promises', exports: 'io' },
  { module: 'node:net', exports: 'io' },
  { module: 'node:http', exports: 'io' },
  { module: 'node:https', exports: 'io' },
  { module: 'node:http2', exports: 'io' },
  { module: 'node:dgram', exports: 'io' },
  { module: 'node:dns', exports: 'io' },
  { module: 'node:child_process', exports: 'io' },
];

let builtinsPatched = false;

/** Guards the builtin modules' exports, once for the life of the process (see the module comment). */
function patchBuiltinModules(): void {
  if (builtinsPatched) return;
  builtinsPatched = true;
  const load = createRequire(import.meta.url);
  for (const { module, exports } of GUARDED_MODULES) {
    const object = load(module) as Record<string, unknown>;
    const names =
      exports === 'io'
        ? Object.keys(object).filter((key) => /^[a-z]/.test(key) && typeof object[key] === 'function')
        : Object.keys(exports).filter((key) => typeof object[key] === 'function');
    for (const key of names) {
      const insteadUse = exports === 'io' ? IO : exports[key]!;
      const guarded = guardedFunction(
        object[key] as (...a: unknown[]) => unknown,
        `${key}() from ${module}`,
        insteadUse,
      );
      try {
        object[key] = guarded;
      } catch {
        // A read-only export stays as it is; none of the listed ones is.
      }
    }
  }
  const scheduler = (load('node:timers/promises') as { scheduler?: Record<string, unknown> }).scheduler;
  if (scheduler !== undefined && typeof scheduler.wait === 'function')
    scheduler.wait = guardedFunction(
      scheduler.wait as (...a: unknown[]) => unknown,
      'scheduler.wait() from node:timers/promises',
      TIMER,
    );
  const webcrypto = (load('node:crypto') as { webcrypto?: Record<string, unknown> }).webcrypto;
  if (webcrypto !== undefined && (webcrypto as unknown) !== globalThis.crypto) {
    for (const key of ['randomUUID', 'getRandomValues'])
      if (typeof webcrypto[key] === 'function')
        webcrypto[key] = guardedFunction(webcrypto[key] as (...a: unknown[]) => unknown, `webcrypto.${key}()`, IDS);
  }
  patchProcessClock();
  patchTimeOrigin();
  patchDateTimeFormat();
  syncBuiltinESMExports();
}

/** `process.hrtime()`, `process.hrtime.bigint()` and `process.uptime()` read the real clock. */
function patchProcessClock(): void {
  const hrtime = process.hrtime;
  const guardedHrtime = guardedFunction(
    hrtime as (...a: unknown[]) => unknown,
    'process.hrtime()',
    CLOCK,
  ) as typeof process.hrtime;
  guardedHrtime.bigint = guardedFunction(
    hrtime.bigint as () => unknown,
    'process.hrtime.bigint()',
    CLOCK,
  ) as () => bigint;
  process.hrtime = guardedHrtime;
  process.uptime = guardedFunction(process.uptime as () => unknown, 'process.uptime()', CLOCK) as () => number;
}

/** `performance.timeOrigin` is the real time the process started. */
function patchTimeOrigin(): void {
  const descriptor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(performance) as object, 'timeOrigin');
  const read = descriptor?.get;
  if (read === undefined) return;
  Object.defineProperty(performance, 'timeOrigin', {
    configurable: true,
    enumerable: true,
    get(this: unknown) {
      refuseInNode('performance.timeOrigin', CLOCK);
      return read.call(this) as number;
    },
  });
}

/** `Intl.DateTimeFormat().format()` and `.formatToParts()` with no date format the real "now". */
function patchDateTimeFormat(): void {
  const prototype = Intl.DateTimeFormat.prototype;
  const formatDescriptor = Object.getOwnPropertyDescriptor(prototype, 'format');
  const boundFormat = formatDescriptor?.get;
  if (boundFormat !== undefined) {
    Object.defineProperty(prototype, 'format', {
      ...formatDescriptor,
      get(this: Intl.DateTimeFormat) {
        const format = boundFormat.call(this) as (date?: Date | number) => string;
        return (date?: Date | number) => {
          if (date === undefined)
            refuseInNode(
              'Intl.DateTimeFormat().format() with no date',
              'format(ctx.now()) or format(new Date(ctx.now()))',
            );
          return format(date);
        };
      },
    });
  }
  const formatToParts = prototype.formatToParts;
  prototype.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
    if (date === undefined)
      refuseInNode('Intl.DateTimeFormat().formatToParts() with no date', 'formatToParts(ctx.now())');
    return formatToParts.call(this, date);
  };
}

/**
 * While runs are under way, a promise rejection that nobody handles is blamed on the node whose code
 * left it (its {@link NodeScope}) and stops that node's run; any other goes to the listeners that were
 * there before (the test runner's), untouched.
 */
function takeOverUnhandledRejections(): () => void {
  const previous = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const listener = (reason: unknown, promise: Promise<unknown>) => {
    const scope = currentScope();
    if (scope !== undefined) return scope.lostError(reason, 'rejection');
    if (previous.length === 0) throw reason;
    for (const forward of previous) forward(reason, promise);
  };
  process.on('unhandledRejection', listener);
  return () => {
    process.removeListener('unhandledRejection', listener);
    for (const forward of previous) process.on('unhandledRejection', forward);
  };
}

/**
 * `queueMicrotask` from node code: an exception in the callback would be an uncaught exception, which
 * knows nothing of the node (the runtime does not keep its scope there). The callback is wrapped so
 * that its exception is reported as the node's.
 */
function patchQueueMicrotask(): () => void {
  const original = globalThis.queueMicrotask;
  globalThis.queueMicrotask = function queueMicrotask(callback: () => void): void {
    const scope = currentScope();
    if (scope === undefined || typeof callback !== 'function') return original(callback);
    original(() => {
      try {
        callback();
      } catch (error) {
        scope.lostError(error, 'throw');
      }
    });
  };
  return () => {
    globalThis.queueMicrotask = original;
  };
}

/** The headline for an error of node code that reached no handler, for {@link NodeScope.lostError}. */
export function describeLostError(scope: NodeScope, reason: unknown, how: LostErrorKind): string {
  const where = `in code started while ${scope.during} at t=${scope.startedAtMs} ms (seed ${scope.seed})`;
  return how === 'rejection'
    ? `${scope.node} left a promise rejection that nobody handles, ${where}: ${describeThrown(reason)}. ` +
        'An async call whose promise is dropped (void answer(...), a .then without .catch, a promise made and ' +
        'never awaited) loses its error: await it, or add .catch and decide what to do.'
    : `${scope.node} threw in a queueMicrotask callback, ${where}: ` +
        `${describeThrown(reason)}. Do the work in the handler itself, or in an async function the handler returns.`;
}
