/**
 * Timers: a delay read on the node's own clock (a range is drawn from the node's timer stream), due
 * at a true time, and fired only if the node is still the incarnation that set it.
 *
 * @module
 */
import { trueDurationMs } from './clock.ts';
import type { Delay, TimerId, TimerPayload } from '../node.ts';
import { copyPayload, PayloadProblem } from './payload.ts';
import { describeType, describeValue } from './describe.ts';
import { callHandler, countEffect, noteAsync } from './node-runtime.ts';
import type { Runtime, SimState } from './state.ts';
import { withArticle } from '../wording.ts';

/** Sets a timer for `runtime`. An `internal` timer (rpc timeout, sleep) runs its callback instead of `onTimer`. */
export function setTimer(
  state: SimState,
  runtime: Runtime,
  delay: Delay,
  payload: TimerPayload,
  internal: (() => void) | null,
): TimerId {
  const delayMs = pickDelay(state, runtime, delay, payload);
  if (payload === null || typeof payload !== 'object' || typeof payload.type !== 'string') {
    state.stopWith(
      'bad-request',
      runtime.id,
      `${runtime.id} set a timer with payload ${describeValue(payload)}: a timer payload must be an object with a string \`type\`, e.g. { type: 'retry' }.`,
    );
  }
  let copy: TimerPayload;
  try {
    copy = copyPayload(payload, 'timer').copy;
  } catch (error) {
    if (!(error instanceof PayloadProblem)) throw error;
    state.stopWith(
      'bad-request',
      runtime.id,
      `${runtime.id} set ${withArticle(payload.type)} timer whose payload cannot be stored: ${error.message}`,
    );
  }
  countEffect(state, runtime, 'timers');
  if (runtime.timers.size >= state.limits.maxTimersPerNode) {
    state.stopWith(
      'limit',
      runtime.id,
      `${runtime.id} has ${runtime.timers.size} timers pending (limits.maxTimersPerNode). Cancel timers you no longer need, ` +
        'or keep one timer per purpose and reset it.',
    );
  }
  const timerId = state.nextTimerId++;
  const dueAtMs = state.nowMs + trueDurationMs(runtime.clock.settings, delayMs);
  runtime.timers.set(timerId, { payload: copy, internal });
  state.recorder.timerSet(state.nowMs, runtime.id, timerId, copy.type, dueAtMs);
  state.queue.push(dueAtMs, { kind: 'timer', node: runtime, incarnation: runtime.incarnation, timer: timerId });
  return timerId;
}

function pickDelay(state: SimState, runtime: Runtime, delay: Delay, payload: TimerPayload): number {
  // Built only when something is wrong: this runs for every timer.
  const what = () => `${runtime.id} set a ${describeType(payload)} timer with delay ${describeValue(delay)}`;
  if (typeof delay === 'number') {
    if (!Number.isFinite(delay) || delay < 0) {
      state.stopWith('bad-request', runtime.id, `${what()}: a delay must be a finite number of ms, 0 or more.`);
    }
    return delay;
  }
  if (
    delay === null ||
    typeof delay !== 'object' ||
    !Number.isFinite(delay.min) ||
    !Number.isFinite(delay.max) ||
    delay.min < 0 ||
    delay.max < delay.min
  ) {
    state.stopWith('bad-request', runtime.id, `${what()}: use a number of ms or { min, max } with 0 <= min <= max.`);
  }
  // A range is drawn in whole ms: it must hold at least one whole number, or there is nothing to draw.
  const low = Math.ceil(delay.min);
  const high = Math.floor(delay.max);
  if (low > high) {
    state.stopWith(
      'bad-request',
      runtime.id,
      `${what()}: a range is drawn in whole ms and this one holds no whole number. ` +
        `Widen it (e.g. { min: ${Math.floor(delay.min)}, max: ${Math.ceil(delay.max)} }) or use a plain number of ms.`,
    );
  }
  return runtime.timerRng.int(low, high);
}

/** Cancels `timer` of `runtime`; the trace notes it only if it was still pending. */
export function cancelTimer(state: SimState, runtime: Runtime, timer: TimerId): void {
  if (runtime.timers.delete(timer)) state.recorder.timerCancel(state.nowMs, runtime.id, timer);
}

/** Fires a due timer, unless its node crashed or restarted since it was set, or it was cancelled. */
export function fireTimer(state: SimState, runtime: Runtime, incarnation: number, timerId: TimerId): void {
  if (!runtime.up || runtime.incarnation !== incarnation) return;
  const timer = runtime.timers.get(timerId);
  if (timer === undefined) return;
  runtime.timers.delete(timerId);
  state.recorder.timerFire(state.nowMs, runtime.id, timerId, timer.payload.type);
  if (timer.internal !== null) {
    // The node's async code resumes in a step of its own: its effects count afresh.
    noteAsync(state, runtime);
    state.beginAsyncStep(`running its async code, resumed by timer #${timerId} (${timer.payload.type})`);
    return timer.internal();
  }
  const instance = runtime.instance!;
  const context = runtime.context!;
  if (instance.onTimer === undefined) {
    return state.stopWith(
      'bad-request',
      runtime.id,
      `${runtime.id} set a timer (${timer.payload.type}) but has no onTimer(ctx, timer) handler to receive it.`,
    );
  }
  const payload = copyPayload(timer.payload, 'timer').copy;
  const type = timer.payload.type;
  callHandler(state, runtime, `handling timer #${timerId} (${type})`, 'timer', type, () =>
    instance.onTimer!(context, payload),
  );
}
