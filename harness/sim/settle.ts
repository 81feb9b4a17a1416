/**
 * Waiting, inside a step, until every promise continuation that node code started has run, and every
 * rejection it left has been seen, without handing the thread back to the event loop.
 *
 * Node.js runs, after each callback: the `process.nextTick` queue, the microtask queue (promise
 * continuations, `queueMicrotask`), again and again until both are empty, and only then looks at the
 * promises rejected meanwhile that nobody handles, in the order they were rejected, emitting
 * `unhandledRejection` for each. So a promise rejected on purpose, with nobody to handle it, is reported
 * exactly when all the work queued before it has settled, and after every rejection that work left
 * before it. That report is the signal the loop waits for: it costs a rejected promise and an event,
 * where a `setImmediate` per step cost a whole turn of the event loop. Nothing else can run meanwhile
 * (no timer, no I/O), so the order stays deterministic, as it was with `setImmediate`.
 *
 * The `unhandledRejection` listener that the guards install while runs are under way (`guards.ts`)
 * hands such a signal back here, before it looks for the node to blame.
 *
 * @module
 */

/** The reason of the promise rejected on purpose: resumes the step that waits for it. */
class SettledSignal {
  readonly #resume: () => void;
  constructor(resume: () => void) {
    this.#resume = resume;
  }
  resume(): void {
    this.#resume();
  }
}

// Captured before any guard is installed: the fallback below may use the real function even while node
// code is barred from it.
const realSetImmediate = globalThis.setImmediate;

/**
 * With `--unhandled-rejections=strict`, Node.js raises a rejection nobody handles as an uncaught exception
 * before any listener sees it: there the loop waits for a turn of the event loop instead, as it used to.
 */
const rejectionsRaised = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes(
  '--unhandled-rejections=strict',
);

/**
 * Resolves once the `process.nextTick` and microtask queues are empty and every rejection left meanwhile
 * has been reported. Only valid while the guards' `unhandledRejection` listener is installed.
 */
export function allSettled(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (rejectionsRaised) realSetImmediate(resolve);
    else void Promise.reject(new SettledSignal(resolve));
  });
}

/** Takes a signal of {@link allSettled} (returns true), or leaves any other rejection alone (false). */
export function takeSettledSignal(reason: unknown): boolean {
  if (!(reason instanceof SettledSignal)) return false;
  reason.resume();
  return true;
}
