/**
 * What one simulation keeps while it runs: the queue, the nodes' runtimes, the network, virtual time,
 * the step in progress and the failure that stopped the run. Shared by the simulator's modules; never
 * exported from `harness/sim`.
 *
 * @module
 */
import { writeSync } from 'node:fs';
import { PERFECT_CLOCK, startClock, type ClockState } from './clock.ts';
import { SimulationError, type SimulationErrorKind } from './errors.ts';
import { EventQueue } from './event-queue.ts';
import { HistoryRecorder } from '../history.ts';
import { LinkState, type NetworkSettings } from './network.ts';
import type { Message, Node, NodeFactory, NodeId, RpcResult, TimerId, TimerPayload } from '../node.ts';
import { deriveSeed, Rng } from '../random.ts';
import type { TraceEvent } from '../trace/node.ts';
import type { NodeContextImpl, NodeEffects } from './context.ts';
import { NetworkCounters } from './counters.ts';
import type { Fault, StepKind } from './fault.ts';
import type { SimulationLimits } from './options.ts';
import { TraceRecorder } from './trace-recorder.ts';

/** A message in flight. */
export interface Envelope {
  readonly kind: 'deliver';
  /** The message's number in the trace: one per send, shared by its duplicates. */
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  /** `message.type`, kept for the trace. */
  readonly type: string;
  /** The sender's message, already copied: the sender holds no reference to it. */
  readonly message: Message;
  readonly sentAtMs: number;
  /**
   * The rpc this message answers, when `ctx.reply` sent it; `null` otherwise. The rpc layer matches
   * replies by this tag, never by the message's own fields, so a learner's message that happens to have
   * an `inReplyTo` field of its own reaches `onMessage` like any other.
   */
  readonly replyTo: number | null;
  /**
   * Whether more than one party holds `message` (the trace, a duplicate): then every delivery hands
   * the receiver its own copy. Otherwise the receiver gets `message` itself.
   */
  shared: boolean;
}

/** What waits in the queue. A delivery is its envelope, to save an allocation per message. */
export type SimEvent =
  | Envelope
  | { readonly kind: 'timer'; readonly node: Runtime; readonly incarnation: number; readonly timer: TimerId }
  | { readonly kind: 'start'; readonly node: Runtime; readonly incarnation: number }
  | { readonly kind: 'fault'; readonly fault: Fault }
  /** A message that reached its receiver while the receiver was paused: handed over when it wakes. */
  | { readonly kind: 'held'; readonly envelope: Envelope; readonly incarnation: number }
  | { readonly kind: 'action'; readonly action: () => void };

/** A timer a node has set and that has not fired or been cancelled. */
export interface PendingTimer {
  /** A copy of what the node passed, handed (copied again) to `onTimer`. */
  readonly payload: TimerPayload;
  /** Internal timers (rpc timeouts, sleeps) run this instead of calling `onTimer`. */
  readonly internal: (() => void) | null;
}

/** An rpc waiting for its reply or its timeout. */
export interface PendingRpc {
  /** Settles the caller's promise with the reply or the timeout. */
  readonly resolve: (result: RpcResult) => void;
  /** The timeout timer, cancelled when the reply arrives. */
  readonly timer: TimerId;
}

/** Everything the simulator keeps about one node or client. */
export interface Runtime {
  readonly id: NodeId;
  readonly isClient: boolean;
  /** Builds the node's object at boot and at every restart. */
  readonly factory: NodeFactory;
  /** Survives crashes. */
  readonly storage: Map<string, unknown>;
  /** The node's local clock; survives crashes (a restart does not reset the hardware clock). */
  clock: ClockState;
  /** False from a crash until the restart. */
  up: boolean;
  /** Bumped at every restart; events and contexts of an older incarnation are stale. */
  incarnation: number;
  /** When the node last crashed, while it is down. */
  crashedAtMs: number | null;
  /** While the node is paused: when it wakes (see `pause.ts`); `null` otherwise. */
  pausedUntilMs: number | null;
  /** While the node is paused: when the pause began. */
  pausedAtMs: number | null;
  /** While the node is paused: the events that wait for it to wake, in the order they came. */
  waiting: SimEvent[];
  /** A crash armed for the node's next step: it dies after this many effects of that step. */
  crashArmed: number | null;
  /** In the step that crashes: effects still allowed before the crash. */
  crashThisStep: number | null;
  /** Targeted crashes armed for the node and not yet struck or expired, in the order they were armed. */
  crashTargets: ArmedCrashTarget[];
  /** In the step that crashes: the targeted crash that chose it, if one did. */
  targetThisStep: ArmedCrashTarget | null;
  /** The distinct kinds of step the node has taken, across restarts, in the order first seen. */
  readonly seenSteps: SeenSteps;
  /** Effects of the current step so far, counted only while a crash is armed for it. */
  effectsInStep: number;
  /** Incarnations that died partway through a step: what their code still asks for is silently void. */
  readonly silenced: Set<number>;
  /** What the factory returned; `null` while down. */
  instance: Node | null;
  /** The context of the current incarnation; `null` while down. */
  context: NodeContextImpl | null;
  // Volatile state, reset at every restart.
  /** Pending timers by id. */
  timers: Map<TimerId, PendingTimer>;
  /** Pending rpcs by rpc id. */
  rpcs: Map<number, PendingRpc>;
  /**
   * The next rpc id; rpc ids below it were used by this node, in this incarnation or an earlier one. It
   * is not reset at a restart: a reply to a request of an earlier incarnation must never be taken for
   * the reply to a new request that happens to have the same number.
   */
  nextRpcId: number;
  /** What `ctx.random()` draws from: seeded per node and incarnation. */
  rng: Rng;
  /** What timer delay ranges are drawn from, apart from `rng` so that timers do not shift the node's draws. */
  timerRng: Rng;
}

/** A targeted crash waiting for its step (see `TargetedCrash`). */
export interface ArmedCrashTarget {
  readonly step: StepKind;
  readonly afterEffects: number;
  readonly restartAfterMs: number | null;
  /** Steps at this time or later no longer match. */
  readonly untilMs: number;
}

/** The kinds of step a node has taken: three fields, so that noting a step builds no string. */
export interface SeenSteps {
  start: boolean;
  readonly messages: Set<string>;
  readonly timers: Set<string>;
}

/** What {@link SimState} is built from. */
export interface SimStateOptions {
  /** The run's seed. */
  readonly seed: number;
  /** The limits, defaults filled in. */
  readonly limits: SimulationLimits;
  /** The network's settings at t=0. */
  readonly network: NetworkSettings;
  /** Whether to record the trace. */
  readonly recordTrace: boolean;
  /** The server nodes' ids, sorted. */
  readonly serverIds: readonly NodeId[];
  /** Builds the effects object every node context calls; it needs the state, so the state calls it. */
  readonly effects: (state: SimState) => NodeEffects;
}

/** The mutable state of one simulation. */
export class SimState {
  /** The run's seed. */
  readonly seed: number;
  /** Bounds on the run. */
  readonly limits: SimulationLimits;
  /** Every event still to happen, in `(time, sequence)` order. */
  readonly queue = new EventQueue<SimEvent>();
  /** Servers and clients, by id. */
  readonly runtimes = new Map<NodeId, Runtime>();
  /** The server nodes' ids, sorted. */
  readonly serverIds: readonly NodeId[];
  /** The clients' ids, in the order they were added. */
  readonly clientIds: NodeId[] = [];
  /** Which links are cut. */
  readonly links = new LinkState();
  /** The network's own random stream: drops, duplicates and delays are drawn from it, in send order. */
  readonly networkRng: Rng;
  /** What faults draw from while the run goes on (the step a targeted crash aims at), in fault order. */
  readonly faultRng: Rng;
  /** The trace. */
  readonly recorder: TraceRecorder;
  /** Messages and bytes, for `Simulation.stats`. */
  readonly counters = new NetworkCounters();
  /** The clients' operations. */
  readonly history = new HistoryRecorder<unknown, unknown>();
  /** Clients whose workload has not finished. */
  readonly pendingClients = new Set<NodeId>();
  /** What node contexts call to ask for effects. */
  readonly effects: NodeEffects;
  /** The network's current settings. */
  network: NetworkSettings;
  /** Virtual time, in ms: the due time of the event being processed. It never goes backwards. */
  nowMs = 0;
  /** Events processed so far, against `limits.maxEvents`. */
  eventsProcessed = 0;
  /** Events processed since virtual time last moved, against `limits.maxEventsAtOneTime`. */
  eventsAtThisTime = 0;
  /** How many nodes are paused now: while none is, deliveries and timers skip the pause check. */
  pausedNodes = 0;
  /** The next message id; ids are unique across the run. */
  nextMessageId = 1;
  /** The next timer id; ids are unique across the run. */
  nextTimerId = 1;
  /** The error that stopped the run; once set, it never changes. */
  failure: SimulationError | null = null;
  /** Whether a run is in progress (runs may not overlap). */
  running = false;
  /** Set when node code may have promise continuations waiting to run. */
  asyncWork = false;
  /** Nodes whose promises settled in the current step: named if their async code misbehaves. */
  readonly asyncNodes = new Set<NodeId>();
  /** The node whose handler is running, and how many effects it asked for in this step. */
  activeNode: Runtime | null = null;
  /** The step in progress, in words, for error messages. */
  activeDuring = '';
  /** Messages and timers the step in progress asked for, against `limits.maxEffectsPerStep`. */
  effectsThisStep = 0;
  /**
   * Set by the watchdog when a step ran past `limits.maxStepRealTimeMs`: from then on every ctx method
   * throws it, which ends a loop that calls ctx (see `watchdog.ts`).
   */
  hang: SimulationError | null = null;
  /**
   * What writes the report when a step never ends even so, and the process must end: it must do its
   * work synchronously. Default: the error's message on stderr.
   */
  lastWords: (error: SimulationError) => void = (error) => writeSync(2, `\n${error.message}\n`);
  /** When the simulation ended (see `Simulation.end`), or null while it may still run. */
  endedAtMs: number | null = null;

  /** Empty state at t=0; the caller adds the runtimes. */
  constructor(options: SimStateOptions) {
    this.seed = options.seed;
    this.limits = options.limits;
    this.network = options.network;
    this.networkRng = new Rng(deriveSeed(this.seed, 'network'));
    this.faultRng = new Rng(deriveSeed(this.seed, 'fault draws'));
    this.recorder = new TraceRecorder(options.recordTrace);
    this.serverIds = options.serverIds;
    this.effects = options.effects(this);
  }

  /**
   * Starts a step of async node code resumed by an event (a sleep's timer, an rpc's reply): the step is
   * described as `during`, and its messages and timers count afresh against `limits.maxEffectsPerStep`,
   * as a handler's do. A loop that sleeps between rounds is then many small steps, not one endless one.
   */
  beginAsyncStep(during: string): void {
    this.activeDuring = during;
    this.effectsThisStep = 0;
  }

  /** Records `event` in the trace (when recording is on). */
  record(event: TraceEvent): void {
    this.recorder.record(event);
  }

  /** A simulation error of `kind` at the current time, naming the step in progress if it is `node`'s. */
  error(kind: SimulationErrorKind, node: NodeId | null, message: string): SimulationError {
    return new SimulationError(message, {
      kind,
      node,
      atMs: this.nowMs,
      seed: this.seed,
      during: node === this.activeNode?.id ? this.activeDuring : undefined,
    });
  }

  /** Stops the run with a new error and throws it. */
  stopWith(kind: SimulationErrorKind, node: NodeId | null, message: string): never {
    const error = this.error(kind, node, message);
    this.stop(error);
    throw error;
  }

  /** Stops the run with `error` (the first one wins) and records it in the trace. */
  stop(error: SimulationError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.recorder.recordFailure({ t: this.nowMs, kind: 'failure', node: error.context.node, message: error.message });
  }

  /** The runtime of `node`; throws, naming `action` and the known ids, for an unknown one. */
  runtime(node: NodeId, action: string): Runtime {
    const runtime = this.runtimes.get(node);
    if (runtime === undefined) {
      throw new Error(
        `${action}: there is no node or client called ${JSON.stringify(node)}. Known: ${[...this.runtimes.keys()].join(', ')}.`,
      );
    }
    return runtime;
  }

  /** Adds the runtime of a node or client that has not booted yet. */
  addRuntime(id: NodeId, factory: NodeFactory, isClient: boolean): Runtime {
    if (typeof id !== 'string' || id.length === 0 || /\s/.test(id)) {
      throw new Error(`Node ids must be non-empty strings without spaces; got ${JSON.stringify(id)}.`);
    }
    const runtime: Runtime = {
      id,
      isClient,
      factory,
      storage: new Map(),
      clock: startClock(PERFECT_CLOCK),
      up: true,
      incarnation: 0,
      crashedAtMs: null,
      pausedUntilMs: null,
      pausedAtMs: null,
      waiting: [],
      crashArmed: null,
      crashThisStep: null,
      crashTargets: [],
      targetThisStep: null,
      seenSteps: { start: false, messages: new Set(), timers: new Set() },
      effectsInStep: 0,
      silenced: new Set(),
      instance: null,
      context: null,
      timers: new Map(),
      rpcs: new Map(),
      nextRpcId: 1,
      rng: new Rng(0),
      timerRng: new Rng(0),
    };
    this.resetVolatile(runtime);
    this.runtimes.set(id, runtime);
    return runtime;
  }

  /**
   * Forgets `runtime`'s timers and pending rpcs and seeds its random streams for its current
   * incarnation. Rpc ids go on counting, so that a late reply to the last incarnation stays late.
   */
  resetVolatile(runtime: Runtime): void {
    runtime.timers = new Map();
    runtime.rpcs = new Map();
    runtime.rng = new Rng(deriveSeed(this.seed, `node:${runtime.id}:${runtime.incarnation}`));
    runtime.timerRng = new Rng(deriveSeed(this.seed, `timers:${runtime.id}:${runtime.incarnation}`));
  }

  /** Queues `runtime`'s start at the current time. */
  scheduleStart(runtime: Runtime): void {
    this.queue.push(this.nowMs, { kind: 'start', node: runtime, incarnation: runtime.incarnation });
  }
}
