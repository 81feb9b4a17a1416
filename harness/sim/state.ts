/**
 * What one simulation keeps while it runs: the queue, the nodes' runtimes, the network, virtual time,
 * the step in progress and the failure that stopped the run. Shared by the simulator's modules; never
 * exported from `harness/sim`.
 *
 * @module
 */
import { PERFECT_CLOCK, startClock, type ClockState } from './clock.ts';
import { SimulationError, type SimulationErrorKind } from './errors.ts';
import { EventQueue } from './event-queue.ts';
import { HistoryRecorder } from '../history.ts';
import { LinkState, type NetworkSettings } from './network.ts';
import type { Message, Node, NodeFactory, NodeId, RpcResult, TimerId, TimerPayload } from '../node.ts';
import { deriveSeed, Rng } from '../random.ts';
import type { TraceEvent } from '../trace.ts';
import type { NodeContextImpl, NodeEffects } from './context.ts';
import { NetworkCounters } from './counters.ts';
import type { Fault } from './fault.ts';
import type { SimulationLimits } from './options.ts';
import { TraceRecorder } from './trace-recorder.ts';

/** A message in flight. */
export interface Envelope {
  readonly kind: 'deliver';
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: string;
  readonly message: Message;
  readonly sentAtMs: number;
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
  | { readonly kind: 'action'; readonly action: () => void };

/** A timer a node has set and that has not fired or been cancelled. */
export interface PendingTimer {
  readonly payload: TimerPayload;
  /** Internal timers (rpc timeouts, sleeps) run this instead of calling `onTimer`. */
  readonly internal: (() => void) | null;
}

/** An rpc waiting for its reply or its timeout. */
export interface PendingRpc {
  readonly resolve: (result: RpcResult) => void;
  readonly timer: TimerId;
}

/** Everything the simulator keeps about one node or client. */
export interface Runtime {
  readonly id: NodeId;
  readonly isClient: boolean;
  readonly factory: NodeFactory;
  /** Survives crashes. */
  readonly storage: Map<string, unknown>;
  clock: ClockState;
  up: boolean;
  /** Bumped at every restart; events and contexts of an older incarnation are stale. */
  incarnation: number;
  crashedAtMs: number | null;
  /** A crash armed for the node's next step: it dies after this many effects of that step. */
  crashArmed: number | null;
  /** In the step that crashes: effects still allowed before the crash. */
  crashThisStep: number | null;
  effectsInStep: number;
  /** Incarnations that died partway through a step: what their code still asks for is silently void. */
  readonly silenced: Set<number>;
  instance: Node | null;
  context: NodeContextImpl | null;
  // Volatile state, reset at every restart.
  timers: Map<TimerId, PendingTimer>;
  rpcs: Map<number, PendingRpc>;
  nextRpcId: number;
  rng: Rng;
  timerRng: Rng;
}

/** What {@link SimState} is built from. */
export interface SimStateOptions {
  readonly seed: number;
  readonly limits: SimulationLimits;
  readonly network: NetworkSettings;
  readonly recordTrace: boolean;
  readonly serverIds: readonly NodeId[];
  /** Builds the effects object every node context calls; it needs the state, so the state calls it. */
  readonly effects: (state: SimState) => NodeEffects;
}

/** The mutable state of one simulation. */
export class SimState {
  /** The run's seed. */
  readonly seed: number;
  readonly limits: SimulationLimits;
  readonly queue = new EventQueue<SimEvent>();
  readonly runtimes = new Map<NodeId, Runtime>();
  readonly serverIds: readonly NodeId[];
  readonly clientIds: NodeId[] = [];
  readonly links = new LinkState();
  readonly networkRng: Rng;
  readonly recorder: TraceRecorder;
  readonly counters = new NetworkCounters();
  readonly history = new HistoryRecorder<unknown, unknown>();
  /** Clients whose workload has not finished. */
  readonly pendingClients = new Set<NodeId>();
  /** What node contexts call to ask for effects. */
  readonly effects: NodeEffects;
  network: NetworkSettings;
  nowMs = 0;
  eventsProcessed = 0;
  eventsAtThisTime = 0;
  nextMessageId = 1;
  nextTimerId = 1;
  failure: SimulationError | null = null;
  running = false;
  /** Set when node code may have promise continuations waiting to run. */
  asyncWork = false;
  /** Nodes whose promises settled in the current step: named if their async code misbehaves. */
  readonly asyncNodes = new Set<NodeId>();
  /** The node whose handler is running, and how many effects it asked for in this step. */
  activeNode: Runtime | null = null;
  activeDuring = '';
  effectsThisStep = 0;

  /** Empty state at t=0; the caller adds the runtimes. */
  constructor(options: SimStateOptions) {
    this.seed = options.seed;
    this.limits = options.limits;
    this.network = options.network;
    this.networkRng = new Rng(deriveSeed(this.seed, 'network'));
    this.recorder = new TraceRecorder(options.recordTrace);
    this.serverIds = options.serverIds;
    this.effects = options.effects(this);
  }

  /** Records `event` in the trace (when recording is on). */
  record(event: TraceEvent): void {
    this.recorder.record(event);
  }

  /** A simulation error of `kind` at the current time, naming the step in progress if it is `node`'s. */
  error(kind: SimulationErrorKind, node: NodeId | null, message: string): SimulationError {
    return new SimulationError(message, {
      kind, node, atMs: this.nowMs, seed: this.seed, during: node === this.activeNode?.id ? this.activeDuring : undefined,
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
      throw new Error(`${action}: there is no node or client called ${JSON.stringify(node)}. Known: ${[...this.runtimes.keys()].join(', ')}.`);
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
      crashArmed: null,
      crashThisStep: null,
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

  /** Forgets `runtime`'s timers and rpcs and seeds its random streams for its current incarnation. */
  resetVolatile(runtime: Runtime): void {
    runtime.timers = new Map();
    runtime.rpcs = new Map();
    runtime.nextRpcId = 1;
    runtime.rng = new Rng(deriveSeed(this.seed, `node:${runtime.id}:${runtime.incarnation}`));
    runtime.timerRng = new Rng(deriveSeed(this.seed, `timers:${runtime.id}:${runtime.incarnation}`));
  }

  /** Queues `runtime`'s start at the current time. */
  scheduleStart(runtime: Runtime): void {
    this.queue.push(this.nowMs, { kind: 'start', node: runtime, incarnation: runtime.incarnation });
  }
}
