/**
 * The watchdog's own thread (see `watchdog.ts`, which starts it): the one place of the simulator that
 * reads the real clock. It never touches a simulation's state; it only watches the cells the simulator
 * writes and, when a step or a run overruns its budget, says so.
 *
 * - A run over its budget: it writes the run's number into the `overBudgetRun` cell; the simulator reads
 *   that cell between events and stops the run with its limit message.
 * - A step that never ends: the simulator's thread is busy and cannot read anything, so the watchdog
 *   breaks into it through the inspector (`Debugger.pause`, which V8 serves even inside an endless
 *   loop) and, while it is paused, calls the simulator's `fire` hook on that thread: from then on every
 *   `ctx` method of the stuck run throws the hang's error, which ends loops that call `ctx` (such as
 *   `while (ctx.now() < until) {}`). If the step still has not ended after a grace period (a loop that
 *   calls nothing, or a microtask loop), it breaks in again, has the `lastWords` hook write the report,
 *   and ends the process: nothing else can stop a thread that never yields.
 *
 * Plain JavaScript, so that the thread needs no TypeScript loader.
 */
/* global process, setTimeout, setInterval */
import { Session } from 'node:inspector';
import { workerData } from 'node:worker_threads';

/** @type {{ buffer: SharedArrayBuffer, cells: Record<string, number>, hook: string, pollMs: number, graceMs: number }} */
const { buffer, cells: at, hook, pollMs, graceMs } = workerData;
const cells = new Int32Array(buffer);
const read = (name) => Atomics.load(cells, at[name]);

let session = null;
const post = (method, params = {}) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );

/** Pauses the simulator's thread; resolves with its top frame, or null if it did not pause in time. */
async function pause() {
  const paused = new Promise((resolve) => {
    session.once('Debugger.paused', (event) => resolve(event.params.callFrames[0] ?? null));
    setTimeout(() => resolve(null), 2_000).unref();
  });
  await post('Debugger.enable');
  await post('Debugger.pause');
  const frame = await paused;
  return frame;
}

async function resume() {
  await post('Debugger.resume').catch(() => {});
  await post('Debugger.disable').catch(() => {});
}

/** Calls `hook[method](...args)` on the simulator's thread (while it is paused). */
async function callHook(method, ...args) {
  const expression = `globalThis[Symbol.for(${JSON.stringify(hook)})]?.${method}(${args.map((arg) => JSON.stringify(arg)).join(', ')})`;
  await post('Runtime.evaluate', { expression });
}

let firing = false;
let lastStep = -1;
let stepSeenAt = Date.now();
let lastTest = -1;
let testSeenAt = Date.now();
const runsSeenAt = new Map();

async function stepNeverEnded(step) {
  firing = true;
  try {
    if (session === null) {
      session = new Session();
      session.connectToMainThread();
    }
    const frame = await pause();
    if (frame === null) return await resume();
    const stillStuck = read('step') === step && read('busy') === 1;
    if (stillStuck) await callHook('fire', step, frame.functionName, frame.url);
    await resume();
    if (!stillStuck) return;
    await new Promise((resolve) => setTimeout(resolve, graceMs));
    if (read('step') !== step || read('busy') !== 1) return;
    if ((await pause()) === null) return await resume();
    await callHook('lastWords', step);
    process.kill(process.pid, 'SIGKILL');
  } finally {
    firing = false;
    stepSeenAt = Date.now();
  }
}

function poll() {
  const now = Date.now();
  const step = read('step');
  const busy = read('busy');
  if (step !== lastStep || busy === 0) {
    lastStep = step;
    stepSeenAt = now;
  }
  const test = read('test');
  if (test !== lastTest) {
    lastTest = test;
    testSeenAt = now;
  }
  const run = read('run');
  if (busy === 1 && run !== 0) {
    if (!runsSeenAt.has(run)) {
      runsSeenAt.set(run, now);
      if (runsSeenAt.size > 16) runsSeenAt.delete(runsSeenAt.keys().next().value);
    }
    const runBudgetMs = read('runBudgetMs');
    const testBudgetMs = read('testBudgetMs');
    if (runBudgetMs > 0 && now - runsSeenAt.get(run) > runBudgetMs) {
      Atomics.store(cells, at.overBudgetReason, 1);
      Atomics.store(cells, at.overBudgetRun, run);
    } else if (testBudgetMs > 0 && test !== 0 && now - testSeenAt > testBudgetMs) {
      Atomics.store(cells, at.overBudgetReason, 2);
      Atomics.store(cells, at.overBudgetRun, run);
    }
  }
  const stepBudgetMs = read('stepBudgetMs');
  if (!firing && busy === 1 && stepBudgetMs > 0 && now - stepSeenAt > stepBudgetMs) void stepNeverEnded(step);
}

setInterval(poll, pollMs);
