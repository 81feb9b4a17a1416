/**
 * A node's life in the simulator: booting from its factory, each step of node code run with the
 * guards armed, crashes (also partway through a step) and restarts.
 *
 * @module
 */
import { SimulationError } from './errors.ts';
import { describeLostError, guardState, NondeterminismError } from './guards.ts';
import { runAsNode, type LostErrorKind, type NodeScope } from './node-scope.ts';
import type { NodeId } from '../node.ts';
import { NodeContextImpl } from './context.ts';
import { describeStep } from './fault.ts';
import { endPauseByCrash } from './pause.ts';
import { drop } from './transport.ts';
import { describeThrown } from './describe.ts';
import { noteStep, takeCrashTarget, type StepFamily } from './crash-targets.ts';
import type { Runtime, SimState } from './state.ts';

/** Where a crash struck partway through a step: after how many effects, and in which step. */
export interface MidStepCrash {
  /** Effects the step performed before the crash. */
  readonly afterEffects: number;
  /** The step, in words: `handling message #7 (append) from n1`. */
  readonly during: string;
  /** For a targeted crash: the kind of step it aimed at, in words (`InstallSnapshot message`). */
  readonly target?: string;
}

/** Creates the node's object from its factory and calls `onStart`. */
export function boot(state: SimState, runtime: Runtime, restart: boolean): void {
  const context = new NodeContextImpl(state.effects, runtime, runtime.incarnation);
  runtime.context = context;
  state.recorder.start(state.nowMs, runtime.id, restart);
  const during = restart ? 'starting after a restart' : 'starting';
  callHandler(state, runtime, `creating the node (its factory) while ${during}`, null, '', () => {
    runtime.instance = runtime.factory(context);
    if (
      runtime.instance === null ||
      typeof runtime.instance !== 'object' ||
      typeof runtime.instance.onMessage !== 'function'
    ) {
      throw new TypeError('The node factory must return an object with an onMessage(ctx, from, message) method.');
    }
  });
  const instance = runtime.instance;
  if (instance?.onStart !== undefined)
    callHandler(state, runtime, during, 'start', '', () => instance.onStart!(context));
}

/** Crashes `node` now: its object, timers and pending rpcs are gone; messages to it are dropped. */
export function crash(state: SimState, node: NodeId, midStep?: MidStepCrash): void {
  const runtime = state.runtime(node, 'crash');
  if (!runtime.up) return;
  runtime.crashArmed = null;
  runtime.crashThisStep = null;
  runtime.targetThisStep = null;
  runtime.up = false;
  runtime.crashedAtMs = state.nowMs;
  endPauseByCrash(state, runtime, (envelope) => drop(state, envelope, 'node-down'));
  runtime.instance = null;
  runtime.context = null;
  runtime.timers = new Map();
  runtime.rpcs = new Map();
  // A crashed client's workload will never finish: do not make runUntilClientsDone wait for it.
  if (runtime.isClient) state.pendingClients.delete(node);
  state.record(
    midStep === undefined ? { t: state.nowMs, kind: 'crash', node } : { t: state.nowMs, kind: 'crash', node, midStep },
  );
}

/**
 * Arms a crash in the middle of `node`'s next step (its next message, timer or start): it performs
 * `afterEffects` effects (sends, replies, timers, storage writes), then dies before the next one.
 * What it sent went out; what it wrote before the crash is durable; nothing after happened. This is
 * how tests catch "reply before persisting" mistakes (a `crash` fault with `afterEffects`).
 *
 * Effects are counted in the step's synchronous part. If that part ends with fewer effects, the crash
 * strikes at its end, so whatever an async handler does after its first `await` never happens.
 */
export function armCrash(state: SimState, node: NodeId, afterEffects: number): void {
  const runtime = state.runtime(node, 'crash');
  if (!Number.isInteger(afterEffects) || afterEffects < 0) {
    throw new RangeError(`crash ${node} after ${afterEffects} effects: use a whole number, 0 or more.`);
  }
  if (runtime.up) runtime.crashArmed = afterEffects;
}

/** Restarts a crashed `node` now: a new object from its factory, then `onStart`. */
export function restart(state: SimState, node: NodeId): void {
  const runtime = state.runtime(node, 'restart');
  // A restart also cancels a crash that was armed but never happened; the trace says so, or a reader
  // of the fault schedule would look for a crash that is not there.
  if (runtime.crashArmed !== null) {
    runtime.crashArmed = null;
    state.record({
      t: state.nowMs,
      kind: 'log',
      node,
      text: `(simulator) the crash armed for ${node}'s next step never struck: ${node} took no step before this restart`,
    });
  }
  if (runtime.up) return;
  runtime.up = true;
  runtime.crashedAtMs = null;
  runtime.incarnation++;
  state.resetVolatile(runtime);
  state.record({ t: state.nowMs, kind: 'restart', node });
  boot(state, runtime, true);
}

/**
 * Whose handler is running right now, in any simulation of this thread: a ctx may act only for the
 * node whose handler runs, in that node's own simulation.
 */
const stepOwner: { state: SimState | null; runtime: Runtime | null } = { state: null, runtime: null };

/**
 * Calls node code with the guards armed. A synchronous throw stops the run; a returned promise is
 * watched, and its rejection stops the run too. `family` and `type` name the kind of step (a
 * message's or timer's type; `null` for the factory), which targeted crashes aim at.
 */
export function callHandler(
  state: SimState,
  runtime: Runtime,
  during: string,
  family: StepFamily | null,
  type: string,
  call: () => void | Promise<void>,
): void {
  state.activeNode = runtime;
  state.activeDuring = during;
  state.effectsThisStep = 0;
  runtime.effectsInStep = 0;
  runtime.crashThisStep = runtime.crashArmed;
  runtime.crashArmed = null;
  runtime.targetThisStep = null;
  if (family !== null) {
    noteStep(runtime, family, type);
    if (runtime.crashThisStep === null && runtime.crashTargets.length > 0) {
      runtime.targetThisStep = takeCrashTarget(state, runtime, family, type);
      runtime.crashThisStep = runtime.targetThisStep?.afterEffects ?? null;
    }
  }
  const incarnation = runtime.incarnation;
  guardState.activeNode = runtime.id;
  const scope: NodeScope = {
    node: runtime.id,
    during,
    startedAtMs: state.nowMs,
    seed: state.seed,
    lostError: (reason, how) => {
      if (!runtime.silenced.has(incarnation)) lostError(state, scope, reason, how);
    },
  };
  const outerState = stepOwner.state;
  const outerRuntime = stepOwner.runtime;
  stepOwner.state = state;
  stepOwner.runtime = runtime;
  let result: void | Promise<void>;
  let startedAsync: boolean;
  try {
    ({ result, startedAsync } = runAsNode(scope, call));
  } catch (error) {
    if (runtime.silenced.has(incarnation)) return;
    return handlerThrew(state, runtime, during, error);
  } finally {
    guardState.activeNode = null;
    stepOwner.state = outerState;
    stepOwner.runtime = outerRuntime;
  }
  // An armed crash that the step's effects did not reach happens at the end of the step.
  if (runtime.crashThisStep !== null && runtime.up && runtime.incarnation === incarnation)
    crashMidStep(state, runtime, during);
  if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
    noteAsync(state, runtime);
    (result as Promise<void>).then(undefined, (error: unknown) => {
      if (!runtime.silenced.has(incarnation)) handlerThrew(state, runtime, during, error);
    });
  } else if (startedAsync) {
    // A synchronous handler that started async work (queueMicrotask, `void answer(...)`): that work runs
    // in this step, at this virtual time, as the node's own code.
    noteAsync(state, runtime);
  }
}

/** Stops the run because an error of `scope`'s node code reached no handler. */
function lostError(state: SimState, scope: NodeScope, reason: unknown, how: LostErrorKind): void {
  if (state.failure !== null) return;
  state.stop(
    new SimulationError(
      describeLostError(scope, reason, how),
      { kind: 'handler-threw', node: scope.node, atMs: scope.startedAtMs, seed: state.seed, during: scope.during },
      { cause: reason },
    ),
  );
}

/** Notes that `runtime`'s promises may have continuations waiting: the loop lets them run before moving on. */
export function noteAsync(state: SimState, runtime: Runtime): void {
  state.asyncWork = true;
  state.asyncNodes.add(runtime.id);
  state.activeNode = runtime;
}

function handlerThrew(state: SimState, runtime: Runtime, during: string, error: unknown): void {
  if (state.failure !== null) return;
  if (error instanceof SimulationError) return state.stop(error);
  const detail = describeThrown(error);
  const ending = /[.!?]$/.test(detail) ? '' : '.';
  // A stub's todo() needs writing, not fixing; a guard's message already says what to use instead.
  const quiet = error instanceof NondeterminismError || detail.startsWith('NotImplementedError');
  const hint = quiet ? '' : ' Nothing was swallowed: fix the handler so it does not throw.';
  state.stop(
    new SimulationError(
      `${runtime.id} threw while ${during} at t=${state.nowMs} ms (seed ${state.seed}): ${detail}${ending}${hint}`,
      {
        kind: error instanceof NondeterminismError ? 'nondeterminism' : 'handler-threw',
        node: runtime.id,
        atMs: state.nowMs,
        seed: state.seed,
        during,
      },
      { cause: error },
    ),
  );
}

/** Stops the run because node code reached for real time, real randomness or real I/O. */
export function onNondeterminism(state: SimState, error: NondeterminismError): void {
  state.stop(
    new SimulationError(
      `${error.message} (t=${state.nowMs} ms, seed ${state.seed})`,
      {
        kind: 'nondeterminism',
        node: error.node,
        atMs: state.nowMs,
        seed: state.seed,
        during: error.scope?.during ?? state.activeDuring,
      },
      { cause: error },
    ),
  );
}

/**
 * Called by a node's context before each effect. Counts the step's effects and, when an armed crash
 * is due, crashes the node now. Returns false when the effect must not happen.
 */
export function beforeEffect(state: SimState, runtime: Runtime): boolean {
  if (runtime.crashThisStep === null) return true;
  if (runtime.effectsInStep >= runtime.crashThisStep) {
    crashMidStep(state, runtime, state.activeNode === runtime ? state.activeDuring : 'its async code');
    return false;
  }
  runtime.effectsInStep++;
  return true;
}

function crashMidStep(state: SimState, runtime: Runtime, during: string): void {
  const afterEffects = runtime.crashThisStep ?? 0;
  const target = runtime.targetThisStep;
  runtime.crashThisStep = null;
  runtime.silenced.add(runtime.incarnation);
  if (target === null) return crash(state, runtime.id, { afterEffects, during });
  crash(state, runtime.id, { afterEffects, during, target: describeStep(target.step) });
  if (target.restartAfterMs !== null) restartLater(state, runtime, target.restartAfterMs);
}

/**
 * Restarts `runtime`, down now, `afterMs` from now, unless something else restarted it first: a
 * later incarnation, brought down by another fault, is not this restart's to undo.
 */
export function restartLater(state: SimState, runtime: Runtime, afterMs: number): void {
  const incarnation = runtime.incarnation;
  state.queue.push(state.nowMs + afterMs, {
    kind: 'action',
    action: () => {
      if (!runtime.up && runtime.incarnation === incarnation) restart(state, runtime.id);
    },
  });
}

/**
 * Checks that a context is still its node's current one. Returns false for a node that died partway
 * through a step (what its code still asks for is silently void); stops the run for a context used
 * after its node crashed or restarted.
 */
export function checkAlive(state: SimState, runtime: Runtime, incarnation: number, action: string): boolean {
  if (state.hang !== null) throw state.hang;
  if (stepOwner.state !== null && (stepOwner.state !== state || stepOwner.runtime !== runtime))
    usedByAnother(stepOwner.state, stepOwner.runtime!, state, runtime, action);
  if (state.endedAtMs !== null) {
    throw new SimulationError(
      `${runtime.id}'s ctx was used to ${action} after its simulation ended at t=${state.endedAtMs} ms. ${KEEP_CTX_INSIDE}`,
      { kind: 'bad-request', node: runtime.id, atMs: state.endedAtMs, seed: state.seed },
    );
  }
  if (runtime.up && runtime.incarnation === incarnation) return true;
  if (runtime.silenced.has(incarnation)) return false;
  const when = runtime.up
    ? `before its restart (it is now running a new instance)`
    : `after it crashed at t=${runtime.crashedAtMs} ms`;
  state.stopWith(
    'bad-request',
    runtime.id,
    `${runtime.id} tried to ${action} ${when}. A crashed node can do nothing; after a restart, use the ctx passed to the ` +
      'new handlers, not one kept from before the crash.',
  );
}

const KEEP_CTX_INSIDE =
  'A ctx kept in a module-level variable outlives its run and is shared by every node: keep it inside the node ' +
  "(the factory's closure, or the ctx each handler receives), so that each node of each run acts through its own.";

/** Stops the run of `owner`, whose handler used `runtime`'s ctx (of `state`, maybe another simulation). */
function usedByAnother(ownerState: SimState, owner: Runtime, state: SimState, runtime: Runtime, action: string): never {
  const at = `while ${ownerState.activeDuring} at t=${ownerState.nowMs} ms (seed ${ownerState.seed})`;
  if (state === ownerState) {
    ownerState.stopWith(
      'bad-request',
      owner.id,
      `${owner.id} used ${runtime.id}'s ctx to ${action} ${at}. A node acts only through the ctx its own handlers ` +
        `receive: to have ${runtime.id} act, send it a message. ${KEEP_CTX_INSIDE}`,
    );
  }
  const whose =
    state.endedAtMs !== null || !state.running
      ? `its simulation ended at t=${state.endedAtMs ?? state.nowMs} ms`
      : `it belongs to another simulation (seed ${state.seed})`;
  ownerState.stopWith(
    'bad-request',
    owner.id,
    `${owner.id} used a ctx of ${runtime.id} from another run to ${action} ${at}: ${whose}. ${KEEP_CTX_INSIDE}`,
  );
}

/** Counts a message or timer towards the step's limit (`limits.maxEffectsPerStep`). */
export function countEffect(state: SimState, runtime: Runtime, what: 'messages' | 'timers'): void {
  if (state.activeNode !== runtime) return;
  if (++state.effectsThisStep > state.limits.maxEffectsPerStep) {
    state.stopWith(
      'limit',
      runtime.id,
      `${runtime.id} asked for more than ${state.limits.maxEffectsPerStep} messages and timers while ${state.activeDuring} ` +
        `(limits.maxEffectsPerStep; the last were ${what}). Is there a loop that sends or sets timers without end?`,
    );
  }
}

/** Writes a line from `runtime` to the trace. */
export function log(state: SimState, runtime: Runtime, text: string): void {
  state.record({ t: state.nowMs, kind: 'log', node: runtime.id, text: String(text) });
}
