/**
 * The watchdog: what stops a step that never ends and a run that goes on too long, in real time. It is
 * the only part of the simulator that deals in wall-clock time, and it never changes what a run does
 * while the run keeps within its budget: same seed, same trace.
 *
 * Why a thread of its own, and the inspector. A handler stuck in `while (ctx.now() < until) {}`,
 * `while (true) {}` or `while (!ready) await null` keeps the JavaScript thread busy for ever, so nothing
 * on that thread can notice: not a timer, not vitest's test timeout. Of the ways to interrupt a busy
 * thread, `node:vm`'s `timeout` costs a thread per call (about 0.2 ms, more than a whole step) and
 * cannot see a microtask loop (the continuations run after the call returns); terminating the thread's
 * execution from outside (`Runtime.terminateExecution`) aborts Node itself. The inspector's
 * `Debugger.pause` is served even inside an endless loop, and while the thread is paused, code can be
 * evaluated on it. So the simulator only writes a step counter into shared memory (a few nanoseconds a
 * step, no clock read), and a watchdog thread (`watchdog-worker.mjs`) that reads the clock breaks in
 * when the counter stands still too long: see that file for what happens next.
 *
 * With a debugger attached (`inspector.url()` set) the watchdog stays off: a learner paused at a
 * breakpoint is not a hang.
 *
 * @module
 */
import { url as inspectorUrl } from 'node:inspector';
import { Worker } from 'node:worker_threads';
import { SimulationError } from './errors.ts';
import type { SimState } from './state.ts';

/** The cells shared with the watchdog thread, by name. */
const CELLS = {
  /** Bumped at every event a run dispatches. */
  step: 0,
  /** 1 while a run is processing events, 0 between runs. */
  busy: 1,
  /** The number of the run processing events. */
  run: 2,
  /** How long one step may take, in ms (0: no limit). */
  stepBudgetMs: 3,
  /** How long one run may take, in ms (0: no limit). */
  runBudgetMs: 4,
  /** Set by the watchdog: the number of a run over its budget. */
  overBudgetRun: 5,
  /** Why: 1 for the run's own budget, 2 for its test's. */
  overBudgetReason: 6,
  /** Bumped when a new test starts (see {@link watchTest}). */
  test: 7,
  /** How long the current test's runs may take in all, in ms (0: no limit). */
  testBudgetMs: 8,
} as const;

/** The name under which the hooks the watchdog thread calls sit on `globalThis`. */
const HOOK = 'distributed-systems-workshop.watchdog';

/** What a run in progress tells the watchdog. */
interface Watched {
  readonly state: SimState;
  readonly run: number;
  /** Called when the process is about to end: the last chance to write the report. */
  readonly lastWords: (error: SimulationError) => void;
}

/**
 * The watchdog of this process: one thread and one set of cells for every copy of this module (test
 * runners load a fresh copy per test file into the same process), kept on `globalThis`.
 */
interface Watchdog {
  readonly cells: Int32Array;
  /** The run that dispatched the latest event. */
  current: Watched | null;
  nextRun: number;
  lastTestKey: string;
}

/** The process's watchdog, started on first use; null when it is off (a debugger is attached). */
function watchdog(): Watchdog | null {
  const key = Symbol.for(HOOK);
  const existing = (globalThis as Record<symbol, { watchdog?: Watchdog } | undefined>)[key]?.watchdog;
  if (existing !== undefined) return existing;
  if (inspectorUrl() !== undefined) return null;
  const buffer = new SharedArrayBuffer(Object.keys(CELLS).length * Int32Array.BYTES_PER_ELEMENT);
  const created: Watchdog = { cells: new Int32Array(buffer), current: null, nextRun: 1, lastTestKey: '' };
  const worker = new Worker(new URL('./watchdog-worker.mjs', import.meta.url), {
    workerData: { buffer, cells: CELLS, hook: HOOK, pollMs: 50, graceMs: 1_000 },
  });
  // The watchdog must never keep a process alive, nor take it down if it fails to start.
  worker.unref();
  worker.on('error', () => {});
  (globalThis as Record<symbol, unknown>)[key] = {
    watchdog: created,
    fire: (step: number, functionName: string, url: string) => fire(created, step, functionName, url),
    lastWords: (step: number) => lastWords(created, step),
  };
  return created;
}

/** A run being watched: {@link WatchedRun.resume} when it takes the thread, {@link WatchedRun.step} at every event, {@link WatchedRun.end} when it stops. */
export interface WatchedRun {
  /** Notes that the run dispatches a new event. The hot path: one write to shared memory. */
  step(): void;
  /** Notes that the run has the thread (again): at its start and after every wait for promises to settle. */
  resume(): void;
  /**
   * Null while the run is within its real-time budget; once it is over, the start of a sentence that
   * says which budget it spent (`The run took more than 50 s of real time ... and`).
   */
  overBudget(): string | null;
  /** Notes that the run stopped processing events (it returned, threw, or awaits the test). */
  end(): void;
}

/**
 * Starts watching a run of `state`: a step may take `stepBudgetMs` of real time, the run
 * `runBudgetMs` (0 for no limit).
 */
export function watchRun(
  state: SimState,
  budgets: { readonly stepBudgetMs: number; readonly runBudgetMs: number },
  lastWordsFor: (error: SimulationError) => void,
): WatchedRun {
  const dog = watchdog();
  if (dog === null) return { step() {}, resume() {}, overBudget: () => null, end() {} };
  const shared = dog.cells;
  const watched: Watched = { state, run: dog.nextRun++, lastWords: lastWordsFor };
  const run = watched.run;
  Atomics.store(shared, CELLS.stepBudgetMs, budgets.stepBudgetMs);
  Atomics.store(shared, CELLS.runBudgetMs, budgets.runBudgetMs);
  return {
    step() {
      shared[CELLS.step]! += 1;
    },
    resume() {
      dog.current = watched;
      shared[CELLS.run] = run;
      shared[CELLS.busy] = 1;
    },
    overBudget() {
      if (shared[CELLS.overBudgetRun] !== run) return null;
      const seconds = (cell: number) => `${shared[cell]! / 1000} s`;
      return shared[CELLS.overBudgetReason] === 2
        ? `The test's runs took ${seconds(CELLS.testBudgetMs)} of real time, nearly all the time the test may take, so this run`
        : `The run took more than ${seconds(CELLS.runBudgetMs)} of real time (limits.maxRunRealTimeMs) and`;
    },
    end() {
      if (dog.current === watched) dog.current = null;
      shared[CELLS.busy] = 0;
    },
  };
}

/**
 * Tells the watchdog which test is running (`key` names it) and how much real time its runs may take
 * in all. Called by `simulate` for every simulation; a new key starts the test's clock. `('', 0)`: no
 * test is running (its runs are no longer judged by its clock).
 */
export function watchTest(key: string, budgetMs: number): void {
  const dog = watchdog();
  if (dog === null) return;
  if (key !== dog.lastTestKey) {
    dog.lastTestKey = key;
    Atomics.add(dog.cells, CELLS.test, 1);
  }
  Atomics.store(dog.cells, CELLS.testBudgetMs, Math.max(0, Math.floor(budgetMs)));
}

/**
 * Called by the watchdog thread, on this thread while it is paused in step `step`, which has run
 * longer than its budget in `functionName` (in `url`): from now on every ctx method of the stuck run
 * throws the hang's error.
 */
function fire(dog: Watchdog, step: number, functionName: string, url: string): void {
  const watched = dog.current;
  if (watched === null || dog.cells[CELLS.step] !== step) return;
  const state = watched.state;
  if (state.hang !== null) return;
  const budgetMs = dog.cells[CELLS.stepBudgetMs]!;
  const file = url.replace(/^file:\/\//, '').replace(/\?.*$/, '');
  const relative = file.startsWith(`${process.cwd()}/`) ? file.slice(process.cwd().length + 1) : file;
  const where =
    functionName === '' && relative === ''
      ? ''
      : ` (in ${functionName || 'a function'}${relative === '' ? '' : `, ${relative}`})`;
  const node = state.activeNode;
  const who = node === null ? 'A node' : node.id;
  const during = node === null ? '' : ` while ${state.activeDuring}`;
  state.hang = new SimulationError(
    `${who} never returned${during} at t=${state.nowMs} ms (seed ${state.seed}): it ran for more than ` +
      `${budgetMs / 1000} s of real time${where}. Your handler never returned: a loop that waits for time or for a ` +
      'variable never ends in a simulation. Virtual time moves only between events, and no other node runs ' +
      'while yours loops. To wait, set a timer (ctx.setTimer) or await ctx.sleep(ms), and return; to wait for ' +
      'a variable, return now and act in the handler of the message or timer that changes it.',
    { kind: 'limit', node: node?.id ?? null, atMs: state.nowMs, seed: state.seed, during: state.activeDuring },
  );
}

/** Called by the watchdog thread just before it ends the process: the step never ended, even after {@link fire}. */
function lastWords(dog: Watchdog, step: number): void {
  const watched = dog.current;
  if (watched === null || dog.cells[CELLS.step] !== step || watched.state.hang === null) return;
  const hang = watched.state.hang;
  watched.state.stop(hang);
  watched.lastWords(
    new SimulationError(
      `${hang.message}\n\nThe loop calls nothing through which the simulator could stop it, so the test process ` +
        'is ended now: the test runner reports it as a worker that exited unexpectedly.',
      hang.context,
    ),
  );
}
