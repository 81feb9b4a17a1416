/**
 * The event loop: pop the next event in `(time, sequence)` order, move virtual time to it, run it, let
 * the promises node code started settle, check, repeat. Every limit that stops a runaway run is
 * enforced here.
 *
 * @module
 */
import { guardState, installGuards } from './guards.ts';
import { watchAsyncWork } from './node-scope.ts';
import { boot, onNondeterminism } from './node-runtime.ts';
import { applyFault } from './fault-actions.ts';
import { takeReply } from './rpc.ts';
import type { Message } from '../node.ts';
import { defer, isPaused } from './pause.ts';
import type { Runtime, SimEvent, SimState } from './state.ts';
import { fireTimer } from './timers.ts';
import { deliver } from './transport.ts';
import { watchRun } from './watchdog.ts';

// Captured before any guard is installed: the simulator itself may use the real function to let
// promise continuations run, even while node code is barred from it.
const realSetImmediate = globalThis.setImmediate;

/**
 * Runs events until `condition()` holds (true), the queue is empty or the next event is due after
 * `deadlineMs` (false). `afterEvent` runs after each event, before the condition (the invariants).
 */
export async function runLoop(
  state: SimState,
  condition: () => boolean,
  deadlineMs: number | null,
  afterEvent: () => void,
): Promise<boolean> {
  if (state.running)
    throw new Error('This simulation is already running: await the first run() before starting another.');
  if (state.failure !== null) throw state.failure;
  if (state.endedAtMs !== null)
    throw new Error(`This simulation ended at t=${state.endedAtMs} ms: build a new Simulation to run again.`);
  state.running = true;
  const releaseGuards = installGuards();
  const stopWatching = watchAsyncWork();
  guardState.onViolation = (error) => onNondeterminism(state, error);
  const { maxStepRealTimeMs, maxRunRealTimeMs } = state.limits;
  const watch = watchRun(state, { stepBudgetMs: maxStepRealTimeMs, runBudgetMs: maxRunRealTimeMs }, (error) =>
    state.lastWords(error),
  );
  try {
    watch.resume();
    for (;;) {
      const next = state.queue.peek();
      if (next === undefined) return false;
      if (deadlineMs !== null && next.timeMs > deadlineMs) return false;
      if (deadlineMs === null && next.timeMs > state.limits.maxTimeMs) timeLimitReached(state, next.timeMs);
      if (state.endedAtMs !== null) endedWhileRunning(state);
      const overBudget = watch.overBudget();
      if (overBudget !== null) realTimeSpent(state, overBudget);
      state.queue.pop();
      advanceTo(state, next.timeMs);
      watch.step();
      state.effectsThisStep = 0;
      dispatch(state, next.event);
      if (state.asyncWork) {
        await letPromisesSettle(state);
        watch.resume();
      }
      if (state.failure !== null) throw state.failure;
      afterEvent();
      if (condition()) return true;
    }
  } finally {
    watch.end();
    guardState.onViolation = null;
    guardState.activeNode = null;
    stopWatching();
    releaseGuards();
    state.running = false;
  }
}

function advanceTo(state: SimState, timeMs: number): void {
  if (++state.eventsProcessed > state.limits.maxEvents) {
    state.stopWith(
      'limit',
      null,
      `The run processed more than ${state.limits.maxEvents} events (limits.maxEvents). ` +
        'Is a node sending or setting timers without end? Look at the last events of the trace.',
    );
  }
  if (timeMs === state.nowMs) {
    if (++state.eventsAtThisTime > state.limits.maxEventsAtOneTime) timeStopped(state);
  } else {
    state.eventsAtThisTime = 0;
    state.nowMs = timeMs;
  }
}

/**
 * Lets every promise continuation that node code started run to completion before virtual time moves
 * on. A macrotask boundary is the only point where the microtask queue is known to be empty; nothing
 * else in the simulation can happen meanwhile, so the order stays deterministic. The guards know whose
 * code each continuation is from its node scope (see `node-scope.ts`), not from who ran last.
 */
async function letPromisesSettle(state: SimState): Promise<void> {
  state.asyncWork = false;
  state.asyncNodes.clear();
  try {
    await new Promise<void>((resolve) => realSetImmediate(resolve));
  } finally {
    state.activeNode = null;
  }
}

function dispatch(state: SimState, event: SimEvent): void {
  if (state.pausedNodes > 0 && waitsForPause(state, event)) return;
  switch (event.kind) {
    case 'deliver':
      return deliver(state, event, resumeOnReply(state));
    case 'held':
      // Handed over on waking: it had already arrived, so a link cut since does not drop it.
      return deliver(state, event.envelope, resumeOnReply(state), { arrived: true });
    case 'timer':
      return fireTimer(state, event.node, event.incarnation, event.timer);
    case 'start':
      if (event.node.up && event.node.incarnation === event.incarnation) boot(state, event.node, false);
      return;
    case 'fault':
      return applyFault(state, event.fault);
    case 'action':
      return event.action();
  }
}

function resumeOnReply(state: SimState): (runtime: Runtime, rpcId: number, reply: Message) => boolean {
  return (runtime, rpcId, reply) => {
    // A reply resumes the caller's async code in a step of its own: its effects count afresh.
    state.beginAsyncStep(`running its async code, resumed by a reply (${reply.type}) to its request ${rpcId}`);
    return takeReply(state, runtime, rpcId, reply);
  };
}

/**
 * Holds an event of a paused node until it wakes (see `pause.ts`): a message that reaches it (if it
 * is up and the link is open, else the delivery drops it as usual), a timer, its start. True when held.
 */
function waitsForPause(state: SimState, event: SimEvent): boolean {
  switch (event.kind) {
    case 'deliver': {
      const runtime = state.runtimes.get(event.to)!;
      if (!isPaused(runtime) || !runtime.up || state.links.isCut(event.from, event.to)) return false;
      defer(runtime, event);
      return true;
    }
    case 'timer':
    case 'start':
      if (!isPaused(event.node) || event.node.incarnation !== event.incarnation) return false;
      defer(event.node, event);
      return true;
    default:
      return false;
  }
}

function timeLimitReached(state: SimState, nextMs: number): never {
  return state.stopWith(
    'limit',
    null,
    `The run reached t=${state.limits.maxTimeMs} ms (limits.maxTimeMs) with events still queued (next at t=${nextMs} ms). ` +
      'Nodes that keep timers forever (heartbeats) never run out of events: give run() an untilMs, or use runUntil().',
  );
}

function timeStopped(state: SimState): never {
  const busiest = state.activeNode?.id ?? null;
  return state.stopWith(
    'limit',
    busiest,
    `Virtual time stopped advancing: ${state.limits.maxEventsAtOneTime} events happened at t=${state.nowMs} ms` +
      `${busiest === null ? '' : `, the last of them at ${busiest}`} (limits.maxEventsAtOneTime). ` +
      'A timer with delay 0 that sets itself again, or two nodes answering each other with zero network delay, never lets time move on.',
  );
}

function realTimeSpent(state: SimState, spent: string): never {
  return state.stopWith(
    'limit',
    null,
    `${spent} was stopped at t=${state.nowMs} ms after ${state.eventsProcessed} events, before the test could time out. ` +
      'Where it stopped depends on the speed of the machine, so a replay may stop at another event. ' +
      'Is a node sending or setting timers without end, or is the run asked to go on for too long? Look at the last events of the trace.',
  );
}

function endedWhileRunning(state: SimState): never {
  return state.stopWith(
    'limit',
    null,
    `The simulation was ended (its test finished, perhaps by timing out) while a run was still going, at t=${state.nowMs} ms ` +
      `after ${state.eventsProcessed} events: the run stops here instead of going on in the background.`,
  );
}
