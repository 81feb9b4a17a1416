/**
 * Process pauses: a node stops taking steps for a while (a long garbage-collection pause, a VM
 * migration, a laptop lid closed) and then carries on as if nothing happened. Its state, timers and
 * storage stay intact. Messages that reach it meanwhile wait in its inbox; timers that come due
 * meanwhile wait too. When it wakes, its clock has moved on by the whole pause in one jump, and
 * everything that waited is handled at once, in the order it arrived or came due.
 *
 * This is the fault behind the lease bugs of Kleppmann's "How to do distributed locking": the node
 * cannot notice that it was paused, because no step of it runs during the pause.
 *
 * @module
 */
import { readClock } from './clock.ts';
import type { NodeId } from '../node.ts';
import type { Envelope, Runtime, SimEvent, SimState } from './state.ts';

/**
 * Pauses `node` now for `durationMs`. A pause of a node that is already paused for longer changes
 * nothing; one that ends later extends the pause. A pause of a crashed node does nothing (the trace
 * says so). A crash ends the pause: what waited for the node is lost with its memory.
 *
 * @throws RangeError for a duration that is not a whole number of ms, at least 1.
 */
export function pause(state: SimState, node: NodeId, durationMs: number): void {
  const runtime = state.runtime(node, 'pause');
  if (!Number.isInteger(durationMs) || durationMs < 1) {
    throw new RangeError(`pause ${node} for ${String(durationMs)} ms: use a whole number of ms, at least 1.`);
  }
  if (!runtime.up) {
    const text = `(simulator) the pause of ${node} did nothing: ${node} is down`;
    return state.record({ t: state.nowMs, kind: 'log', node, text });
  }
  const untilMs = state.nowMs + durationMs;
  if (runtime.pausedUntilMs !== null && runtime.pausedUntilMs >= untilMs) return;
  if (runtime.pausedUntilMs === null) {
    runtime.pausedAtMs = state.nowMs;
    state.pausedNodes++;
  }
  runtime.pausedUntilMs = untilMs;
  state.record({ t: state.nowMs, kind: 'pause', node, untilMs });
  state.queue.push(untilMs, { kind: 'action', action: () => wake(state, runtime, untilMs) });
}

/** Is `runtime` paused now? */
export function isPaused(runtime: Runtime): boolean {
  return runtime.pausedUntilMs !== null;
}

/**
 * Ends `runtime`'s pause because it crashed: what waited for it is lost with its memory. The messages
 * that had reached it are dropped now (`node-down`); its timers belonged to the incarnation that died.
 */
export function endPauseByCrash(state: SimState, runtime: Runtime, drop: (envelope: Envelope) => void): void {
  if (runtime.pausedUntilMs === null) return;
  const waiting = runtime.waiting;
  endPause(state, runtime);
  for (const event of waiting) if (event.kind === 'held') drop(event.envelope);
}

/**
 * Holds `event` (a timer of `runtime`, its start, or a message that reached it) until the pause ends.
 * A message is kept as `held`: it has arrived, so a partition that starts during the pause does not
 * take it back, but a crash does.
 */
export function defer(runtime: Runtime, event: SimEvent): void {
  runtime.waiting.push(
    event.kind === 'deliver' ? { kind: 'held', envelope: event, incarnation: runtime.incarnation } : event,
  );
}

function wake(state: SimState, runtime: Runtime, untilMs: number): void {
  // An extended pause wakes at its new time; a crash already ended it.
  if (runtime.pausedUntilMs !== untilMs) return;
  const pausedMs = state.nowMs - runtime.pausedAtMs!;
  const waiting = runtime.waiting;
  endPause(state, runtime);
  const localMs = readClock(runtime.clock, state.nowMs);
  state.record({ t: state.nowMs, kind: 'resume', node: runtime.id, pausedMs, localMs });
  // Queued now, in the order they arrived or came due: they run next, one step each.
  for (const event of waiting) state.queue.push(state.nowMs, event);
}

function endPause(state: SimState, runtime: Runtime): void {
  runtime.pausedUntilMs = null;
  runtime.pausedAtMs = null;
  runtime.waiting = [];
  state.pausedNodes--;
}
