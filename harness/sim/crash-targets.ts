/**
 * Targeted crashes: a crash that waits for a node's next step of one kind (a message type, a timer
 * type, `onStart`) and strikes partway through it. Also keeps, for every node, the kinds of step it
 * has taken, which a targeted crash with `step: 'any-seen'` draws from.
 *
 * @module
 */
import { describeFault, describeStep, type StepKind, type TargetedCrash } from './fault.ts';
import type { ArmedCrashTarget, Runtime, SeenSteps, SimState } from './state.ts';

/** The three families of step; with a type name, one kind of step. */
export type StepFamily = 'message' | 'timer' | 'start';

/**
 * Arms `fault` now: resolves `'any-seen'` to one kind of step (drawn from the run's fault stream),
 * records `crash-armed` (or `crash-expired` when there is no kind to draw), and queues the expiry at
 * `untilMs`. Returns the target armed, or `null`.
 *
 * @throws RangeError for a bad `afterEffects`, `restartAfterMs` or `untilMs`.
 */
export function armTargetedCrash(state: SimState, fault: TargetedCrash): ArmedCrashTarget | null {
  const runtime = state.runtime(fault.node, 'targeted-crash');
  checkFault(state, fault);
  const t = state.nowMs;
  const node = runtime.id;
  let step: StepKind;
  let drawnFrom: readonly string[] | undefined;
  if (fault.step === 'any-seen') {
    const kinds = seenStepKinds(runtime.seenSteps);
    if (kinds.length === 0) {
      state.record({
        t,
        kind: 'crash-expired',
        node,
        reason: `${node} had taken no step yet, so there was no kind to draw`,
      });
      return null;
    }
    step = kinds[state.faultRng.int(0, kinds.length - 1)]!;
    drawnFrom = kinds.map(describeStep);
  } else {
    step = fault.step;
  }
  const target: ArmedCrashTarget = {
    step,
    afterEffects: fault.afterEffects,
    restartAfterMs: fault.restartAfterMs ?? null,
    untilMs: fault.untilMs ?? Infinity,
  };
  runtime.crashTargets.push(target);
  state.record({
    t,
    kind: 'crash-armed',
    node,
    step: describeStep(step),
    afterEffects: fault.afterEffects,
    ...(fault.untilMs === undefined ? {} : { untilMs: fault.untilMs }),
    ...(drawnFrom === undefined ? {} : { drawnFrom }),
    ...(provokes(fault, step, runtime) ? { provoked: true as const } : {}),
  });
  if (fault.untilMs !== undefined) {
    state.queue.push(fault.untilMs, { kind: 'action', action: () => expire(state, runtime, target) });
  }
  return target;
}

/** Whether arming `fault` at `step` crashes the node at once, so that its recovery comes (`provokeStart`). */
export function provokes(fault: TargetedCrash, step: StepKind, runtime: Runtime): boolean {
  return fault.provokeStart === true && 'start' in step && runtime.up;
}

/** Notes that `runtime` takes a step of this kind (for later `'any-seen'` draws). */
export function noteStep(runtime: Runtime, family: StepFamily, type: string): void {
  const seen = runtime.seenSteps;
  if (family === 'start') seen.start = true;
  else if (family === 'message') seen.messages.add(type);
  else seen.timers.add(type);
}

/**
 * The first armed target that a step of this kind, now, matches, taken off the node's list; `null`
 * when none does.
 */
export function takeCrashTarget(
  state: SimState,
  runtime: Runtime,
  family: StepFamily,
  type: string,
): ArmedCrashTarget | null {
  const index = runtime.crashTargets.findIndex(
    (target) => state.nowMs < target.untilMs && matches(target.step, family, type),
  );
  if (index < 0) return null;
  return runtime.crashTargets.splice(index, 1)[0]!;
}

/** The distinct kinds of step in `seen`: `onStart` first, then message types, then timer types, each as first seen. */
function seenStepKinds(seen: SeenSteps): StepKind[] {
  return [
    ...(seen.start ? [{ start: true } as const] : []),
    ...[...seen.messages].map((message) => ({ message })),
    ...[...seen.timers].map((timer) => ({ timer })),
  ];
}

function matches(step: StepKind, family: StepFamily, type: string): boolean {
  if ('message' in step) return family === 'message' && step.message === type;
  if ('timer' in step) return family === 'timer' && step.timer === type;
  return family === 'start';
}

function expire(state: SimState, runtime: Runtime, target: ArmedCrashTarget): void {
  const index = runtime.crashTargets.indexOf(target);
  if (index < 0) return;
  runtime.crashTargets.splice(index, 1);
  state.record({
    t: state.nowMs,
    kind: 'crash-expired',
    node: runtime.id,
    step: describeStep(target.step),
    reason: `${noStep(runtime.id, target.step)} before t=${target.untilMs}ms`,
  });
}

/** That `node` took no step of kind `step`, in words: `no InstallSnapshot message reached n2`. */
function noStep(node: string, step: StepKind): string {
  if ('message' in step) return `no ${step.message} message reached ${node}`;
  if ('timer' in step) return `no ${step.timer} timer of ${node} fired`;
  return `${node} did not run onStart`;
}

function checkFault(state: SimState, fault: TargetedCrash): void {
  const bad = (what: string): never => {
    throw new RangeError(`Fault "${describeFault(fault)}": ${what}`);
  };
  if (!Number.isInteger(fault.afterEffects) || fault.afterEffects < 0)
    bad('afterEffects must be a whole number, 0 or more.');
  const { restartAfterMs, untilMs, step } = fault;
  if (restartAfterMs !== undefined && !(Number.isFinite(restartAfterMs) && restartAfterMs >= 0))
    bad('restartAfterMs must be a finite number of ms, 0 or more.');
  if (untilMs !== undefined && !(Number.isFinite(untilMs) && untilMs >= state.nowMs))
    bad(`untilMs must be a time no earlier than the fault (t=${state.nowMs} ms).`);
  if (step !== 'any-seen' && !isStepKind(step))
    bad("step must be { message: type }, { timer: type }, { start: true } or 'any-seen'.");
}

function isStepKind(step: unknown): step is StepKind {
  if (step === null || typeof step !== 'object') return false;
  const record = step as Record<string, unknown>;
  return typeof record['message'] === 'string' || typeof record['timer'] === 'string' || record['start'] === true;
}
