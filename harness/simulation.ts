/**
 * The discrete-event simulator: virtual time, one seed, nodes as handlers, a faulty network.
 *
 * ```ts
 * const sim = new Simulation({ seed: 42, nodes: cluster(3, createEchoNode) });
 * sim.client('c1', async (client) => {
 *   const result = await client.rpc('n1', { type: 'echo', text: 'hi' }, { timeoutMs: 1_000 });
 * });
 * await sim.run({ untilMs: 5_000 });
 * ```
 *
 * Events wait in one queue ordered by `(time, sequence)`. The simulator pops the next one, moves virtual
 * time to it, and calls the node's handler; whatever the handler asks for (sends, timers) becomes new
 * events. Nothing reads the real clock, so a run of an hour of virtual time takes milliseconds, and the
 * same seed gives the same run on every machine.
 *
 * @module
 */
import { changeClock, checkClockSettings, PERFECT_CLOCK, readClock, startClock, trueDurationMs, type ClockSettings, type ClockState } from './clock.ts';
import { SimulationError, type SimulationErrorKind } from './errors.ts';
import { EventQueue } from './event-queue.ts';
import { describeFault, sortSchedule, type Fault, type FaultSchedule } from './faults.ts';
import { guardState, installGuards, NondeterminismError } from './guards.ts';
import { HistoryRecorder, type History, type OperationStatus } from './history.ts';
import {
  DEFAULT_NETWORK,
  LinkState,
  resolveNetworkSettings,
  shouldDrop,
  shouldDuplicate,
  travelTimeMs,
  type NetworkSettings,
  type NetworkSettingsInput,
} from './network.ts';
import type {
  Delay,
  DurableStorage,
  Message,
  Node,
  NodeContext,
  NodeFactory,
  NodeId,
  OutgoingMessage,
  RpcOptions,
  RpcResult,
  TimerId,
  TimerPayload,
} from './node.ts';
import { copyPayload, PayloadProblem } from './payload.ts';
import { deriveSeed, Rng } from './random.ts';
import { traceHash, type DropReason, type TraceEvent } from './trace/node.ts';

// Captured before any guard is installed: the simulator itself may use the real function to let
// promise continuations run, even while node code is barred from it.
const realSetImmediate = globalThis.setImmediate;

/** Upper bounds that turn a runaway run into a clear error instead of a hang. */
export interface SimulationLimits {
  /** Most events one simulation may process in total. Default 5,000,000. */
  readonly maxEvents: number;
  /** Latest virtual time a run may reach when no `untilMs` is given. Default 3,600,000 (one hour). */
  readonly maxTimeMs: number;
  /** Most messages plus timers one handler call may ask for. Default 10,000. */
  readonly maxEffectsPerStep: number;
  /** Most timers one node may have pending at once. Default 10,000. */
  readonly maxTimersPerNode: number;
  /** Most events processed without virtual time advancing. Default 200,000. */
  readonly maxEventsAtOneTime: number;
}

/** The limits used when none are given. */
export const DEFAULT_LIMITS: SimulationLimits = {
  maxEvents: 5_000_000,
  maxTimeMs: 3_600_000,
  maxEffectsPerStep: 10_000,
  maxTimersPerNode: 10_000,
  maxEventsAtOneTime: 200_000,
};

/** How to build a simulation. */
export interface SimulationOptions {
  /** The one seed every random choice of the run derives from: a 32-bit unsigned integer. */
  readonly seed: number;
  /** The server nodes, by id. {@link cluster} builds this for n nodes of one kind. */
  readonly nodes: Readonly<Record<NodeId, NodeFactory>>;
  /** The network's fault settings. Default: reliable, 1–10 ms delays. */
  readonly network?: NetworkSettingsInput;
  /** Per-node clock skew and drift. Default: perfect clocks. */
  readonly clocks?: Readonly<Record<NodeId, Partial<ClockSettings>>>;
  /** Faults to apply at given virtual times. */
  readonly faults?: FaultSchedule;
  /** Limits on the run. */
  readonly limits?: Partial<SimulationLimits>;
  /** Record the trace (default true). Turning it off only makes sense for benchmarks. */
  readonly recordTrace?: boolean;
}

/** How long to run. */
export interface RunOptions {
  /** Stop when virtual time reaches this (ms); events due later stay queued for the next `run`. */
  readonly untilMs?: number;
}

/** The outcome of an operation, as a client sees it. See {@link ClientContext.operation}. */
export type OperationOutcome<Output = unknown> =
  | { readonly status: 'ok'; readonly output: Output }
  | { readonly status: 'fail'; readonly output?: Output }
  | { readonly status: 'indeterminate' };

/**
 * A client process: a node of its own on the network (so partitions and delays apply to it too), that
 * runs a workload and records a history of operations.
 */
export interface ClientContext extends NodeContext {
  /**
   * Records one operation in the history: invoked now, completed when `perform` settles with its
   * outcome. Return `{ status: 'indeterminate' }` when the client cannot tell whether it took effect.
   */
  operation<Input, Output>(input: Input, perform: () => Promise<OperationOutcome<Output>>): Promise<OperationOutcome<Output>>;
}

/**
 * An invariant watched after every event (see {@link Simulation.watch}): `null` while it holds, or a
 * sentence in domain words saying what broke.
 */
export type Invariant = (sim: Simulation) => string | null;

/** A client's workload: an async function that runs inside the simulation. */
export type ClientWorkload = (client: ClientContext) => Promise<void>;

/** Counters of what crossed the network. */
export interface NetworkStats {
  /** Messages sent by nodes and clients. */
  readonly messagesSent: number;
  /** Bytes sent (JSON size). */
  readonly bytesSent: number;
  /** Message copies handed to their receiver. */
  readonly messagesDelivered: number;
  /** Message copies lost, by reason. */
  readonly messagesDropped: Readonly<Record<DropReason, number>>;
  /** Extra copies the network made. */
  readonly messagesDuplicated: number;
  /** Messages and bytes sent, per message type. */
  readonly byType: Readonly<Record<string, { readonly messages: number; readonly bytes: number }>>;
  /** Messages and bytes sent, per sender. */
  readonly bySender: Readonly<Record<NodeId, { readonly messages: number; readonly bytes: number }>>;
}

/** Builds the `nodes` option for `count` nodes named `n1`, `n2`, ... (or the given ids), all of one kind. */
export function cluster(countOrIds: number | readonly NodeId[], factory: NodeFactory): Record<NodeId, NodeFactory> {
  const ids = typeof countOrIds === 'number' ? Array.from({ length: countOrIds }, (_, index) => `n${index + 1}`) : countOrIds;
  return Object.fromEntries(ids.map((id) => [id, factory]));
}

interface Envelope {
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
type SimEvent =
  | Envelope
  | { readonly kind: 'timer'; readonly node: Runtime; readonly incarnation: number; readonly timer: TimerId }
  | { readonly kind: 'start'; readonly node: Runtime; readonly incarnation: number }
  | { readonly kind: 'fault'; readonly fault: Fault }
  | { readonly kind: 'action'; readonly action: () => void };

interface PendingTimer {
  readonly payload: TimerPayload;
  /** Internal timers (rpc timeouts, sleeps) run this instead of calling `onTimer`. */
  readonly internal: (() => void) | null;
}

interface PendingRpc {
  readonly resolve: (result: RpcResult) => void;
  readonly timer: TimerId;
}

/** Everything the simulator keeps about one node or client. */
interface Runtime {
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

const ZERO_DROPS: Record<DropReason, number> = { network: 0, partition: 0, 'node-down': 0 };

/**
 * A deterministic simulation of nodes on a network. See the module documentation for an overview.
 */
export class Simulation {
  /** The run's seed. */
  readonly seed: number;
  readonly #limits: SimulationLimits;
  readonly #queue = new EventQueue<SimEvent>();
  readonly #runtimes = new Map<NodeId, Runtime>();
  readonly #serverIds: readonly NodeId[];
  readonly #clientIds: NodeId[] = [];
  readonly #links = new LinkState();
  readonly #networkRng: Rng;
  readonly #recordTrace: boolean;
  readonly #trace: TraceEvent[] = [];
  readonly #history = new HistoryRecorder<unknown, unknown>();
  readonly #pendingClients = new Set<NodeId>();
  readonly #invariants: Array<{ readonly name: string; readonly check: Invariant }> = [];
  #network: NetworkSettings;
  #nowMs = 0;
  #eventsProcessed = 0;
  #eventsAtThisTime = 0;
  #nextMessageId = 1;
  #nextTimerId = 1;
  #failure: SimulationError | null = null;
  #running = false;
  /** Set when node code may have promise continuations waiting to run. */
  #asyncWork = false;
  /** Nodes whose promises settled in the current step: named if their async code misbehaves. */
  readonly #asyncNodes = new Set<NodeId>();
  /** The node whose handler is running, and how many effects it asked for in this step. */
  #activeNode: Runtime | null = null;
  #activeDuring = '';
  #effectsThisStep = 0;
  // Counters.
  #messagesSent = 0;
  #bytesSent = 0;
  #messagesDelivered = 0;
  #messagesDuplicated = 0;
  readonly #messagesDropped: Record<DropReason, number> = { ...ZERO_DROPS };
  readonly #byType = new Map<string, { messages: number; bytes: number }>();
  readonly #bySender = new Map<NodeId, { messages: number; bytes: number }>();

  /** Creates a simulation; nodes boot at virtual time 0 when the first {@link Simulation.run} starts. */
  constructor(options: SimulationOptions) {
    if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffff_ffff) {
      throw new RangeError(`The seed must be an integer from 0 to 4294967295; got ${String(options.seed)}.`);
    }
    this.seed = options.seed;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#network = resolveNetworkSettings(DEFAULT_NETWORK, options.network ?? {});
    this.#networkRng = new Rng(deriveSeed(this.seed, 'network'));
    this.#recordTrace = options.recordTrace ?? true;
    const ids = Object.keys(options.nodes).sort(compareIds);
    if (ids.length === 0) throw new Error('A simulation needs at least one node in `nodes`.');
    this.#serverIds = Object.freeze(ids);
    for (const id of ids) this.#addRuntime(id, options.nodes[id]!, false);
    for (const [id, clock] of Object.entries(options.clocks ?? {})) this.setClock(id, clock);
    for (const runtime of this.#runtimes.values()) this.#scheduleStart(runtime);
    if (options.faults !== undefined) this.schedule(options.faults);
  }

  // ───────────────────────────── reading the state of a run ─────────────────────────────

  /** Current virtual time, in ms. */
  get nowMs(): number {
    return this.#nowMs;
  }

  /** The server nodes' ids, sorted. */
  get nodeIds(): readonly NodeId[] {
    return this.#serverIds;
  }

  /** The clients' ids, in the order they were added. */
  get clientIds(): readonly NodeId[] {
    return this.#clientIds;
  }

  /** Events processed so far. */
  get eventsProcessed(): number {
    return this.#eventsProcessed;
  }

  /** The trace so far (empty when `recordTrace` is off). */
  get trace(): readonly TraceEvent[] {
    return this.#trace;
  }

  /** {@link traceHash} of the trace so far. */
  traceHash(): string {
    return traceHash(this.#trace);
  }

  /** The history the clients recorded. Operations still open are indeterminate. */
  history<Input = unknown, Output = unknown>(): History<Input, Output> {
    return this.#history.history() as History<Input, Output>;
  }

  /** Is `node` up (not crashed)? */
  isUp(node: NodeId): boolean {
    return this.#runtime(node, 'isUp').up;
  }

  /**
   * The live node object of `node` (what its factory returned), for tests that inspect a node's state.
   * `undefined` while the node is down.
   */
  nodeInstance<T extends Node = Node>(node: NodeId): T | undefined {
    return (this.#runtime(node, 'nodeInstance').instance ?? undefined) as T | undefined;
  }

  /** A copy of `node`'s durable storage. */
  storageOf(node: NodeId): Record<string, unknown> {
    const storage = this.#runtime(node, 'storageOf').storage;
    return Object.fromEntries([...storage].map(([key, value]) => [key, copyPayload(value, 'value').copy]));
  }

  /** The local clock reading of `node` now. */
  localTimeOf(node: NodeId): number {
    return readClock(this.#runtime(node, 'localTimeOf').clock, this.#nowMs);
  }

  /** The network's current fault settings. */
  get network(): NetworkSettings {
    return this.#network;
  }

  /** Counters of messages and bytes. */
  stats(): NetworkStats {
    return {
      messagesSent: this.#messagesSent,
      bytesSent: this.#bytesSent,
      messagesDelivered: this.#messagesDelivered,
      messagesDropped: { ...this.#messagesDropped },
      messagesDuplicated: this.#messagesDuplicated,
      byType: Object.fromEntries([...this.#byType].map(([type, count]) => [type, { ...count }])),
      bySender: Object.fromEntries([...this.#bySender].map(([sender, count]) => [sender, { ...count }])),
    };
  }

  /** Have all client workloads finished? */
  get clientsDone(): boolean {
    return this.#pendingClients.size === 0;
  }

  /** The error that stopped the run, if any. */
  get failure(): SimulationError | null {
    return this.#failure;
  }

  // ───────────────────────────── faults and scripted actions ─────────────────────────────

  /** Applies `fault` now. */
  apply(fault: Fault): void {
    switch (fault.kind) {
      case 'partition':
        for (const group of fault.groups) for (const node of group) this.#runtime(node, 'partition');
        this.#links.partition(fault.groups);
        return this.#recordLinks(describeFault(fault));
      case 'isolate':
        this.#runtime(fault.node, 'isolate');
        this.#links.isolate(fault.node, [...this.#runtimes.keys()]);
        return this.#recordLinks(describeFault(fault));
      case 'cut':
        this.#runtime(fault.from, 'cut');
        this.#runtime(fault.to, 'cut');
        this.#links.cut(fault.from, fault.to);
        return this.#recordLinks(describeFault(fault));
      case 'heal':
        this.#links.heal();
        return this.#recordLinks('heal');
      case 'crash':
        return fault.afterEffects === undefined ? this.crash(fault.node) : this.crashDuringNextStep(fault.node, fault.afterEffects);
      case 'restart':
        return this.restart(fault.node);
      case 'network':
        return this.setNetwork(fault.settings);
      case 'clock':
        return this.setClock(fault.node, fault.clock);
    }
  }

  /** Applies each fault of `schedule` at its time. */
  schedule(schedule: FaultSchedule): void {
    for (const fault of sortSchedule(schedule)) {
      if (!Number.isFinite(fault.atMs) || fault.atMs < this.#nowMs) {
        throw new RangeError(`Fault "${describeFault(fault)}" is scheduled at t=${fault.atMs} ms, which is in the past.`);
      }
      this.#queue.push(fault.atMs, { kind: 'fault', fault });
    }
  }

  /** Runs `action` at virtual time `atMs` (for scripted tests: "at 3 s, send ..."). */
  at(atMs: number, action: () => void): void {
    if (!Number.isFinite(atMs) || atMs < this.#nowMs) {
      throw new RangeError(`sim.at(${atMs}) is in the past: it is already t=${this.#nowMs} ms.`);
    }
    this.#queue.push(Math.ceil(atMs), { kind: 'action', action });
  }

  /** Crashes `node` now: its object, timers and pending rpcs are gone; messages to it are dropped. */
  crash(node: NodeId, midStep?: { readonly afterEffects: number; readonly during: string }): void {
    const runtime = this.#runtime(node, 'crash');
    if (!runtime.up) return;
    runtime.crashArmed = null;
    runtime.crashThisStep = null;
    runtime.up = false;
    runtime.crashedAtMs = this.#nowMs;
    runtime.instance = null;
    runtime.context = null;
    runtime.timers = new Map();
    runtime.rpcs = new Map();
    // A crashed client's workload will never finish: do not make runUntilClientsDone wait for it.
    if (runtime.isClient) this.#pendingClients.delete(node);
    this.#record(midStep === undefined ? { t: this.#nowMs, kind: 'crash', node } : { t: this.#nowMs, kind: 'crash', node, midStep });
  }

  /**
   * Arms a crash in the middle of `node`'s next step (its next message, timer or start): it performs
   * `afterEffects` effects (sends, replies, timers, storage writes), then dies before the next one.
   * What it sent went out; what it wrote before the crash is durable; nothing after happened. This is
   * how tests catch "reply before persisting" mistakes.
   *
   * Effects are counted in the step's synchronous part. If that part ends with fewer effects, the crash
   * strikes at its end, so whatever an async handler does after its first `await` never happens.
   */
  crashDuringNextStep(node: NodeId, afterEffects: number): void {
    const runtime = this.#runtime(node, 'crash');
    if (!Number.isInteger(afterEffects) || afterEffects < 0) {
      throw new RangeError(`crash ${node} after ${afterEffects} effects: use a whole number, 0 or more.`);
    }
    if (runtime.up) runtime.crashArmed = afterEffects;
  }

  /** Restarts a crashed `node` now: a new object from its factory, then `onStart`. */
  restart(node: NodeId): void {
    const runtime = this.#runtime(node, 'restart');
    // A restart also cancels a crash that was armed but never happened; the trace says so, or a reader
    // of the fault schedule would look for a crash that is not there.
    if (runtime.crashArmed !== null) {
      runtime.crashArmed = null;
      this.#record({ t: this.#nowMs, kind: 'log', node, text: `(simulator) the crash armed for ${node}'s next step never struck: ${node} took no step before this restart` });
    }
    if (runtime.up) return;
    runtime.up = true;
    runtime.crashedAtMs = null;
    runtime.incarnation++;
    this.#resetVolatile(runtime);
    this.#record({ t: this.#nowMs, kind: 'restart', node });
    this.#boot(runtime, true);
  }

  /** Changes the network's fault settings now. */
  setNetwork(settings: NetworkSettingsInput): void {
    this.#network = resolveNetworkSettings(this.#network, settings);
    const { dropRate, duplicateRate, delayMs } = this.#network;
    this.#record({ t: this.#nowMs, kind: 'network', dropRate, duplicateRate, delayMs });
  }

  /**
   * Changes `node`'s clock now. A new `driftPpm` changes only how fast it runs from now on; a new
   * `skewMs` steps it by the difference (as when someone sets the clock by hand), so lowering the skew
   * makes the clock jump backwards. The trace's `clock` event records the reading right after.
   */
  setClock(node: NodeId, clock: Partial<ClockSettings>): void {
    const runtime = this.#runtime(node, 'setClock');
    const next = { ...runtime.clock.settings, ...clock };
    checkClockSettings(node, next);
    runtime.clock = changeClock(runtime.clock, this.#nowMs, next);
    const localMs = readClock(runtime.clock, this.#nowMs);
    this.#record({ t: this.#nowMs, kind: 'clock', node, skewMs: next.skewMs, driftPpm: next.driftPpm, localMs });
  }

  // ───────────────────────────── clients ─────────────────────────────

  /**
   * Adds a client process `id` that runs `workload` from the current virtual time. Clients are nodes
   * on the network: they can be partitioned, and their messages are delayed like any other.
   */
  client(id: NodeId, workload: ClientWorkload): void {
    if (this.#runtimes.has(id)) throw new Error(`There is already a node or client called ${id}.`);
    const factory: NodeFactory = (ctx) => ({
      onStart: async () => {
        try {
          await workload(ctx as ClientContext);
        } finally {
          this.#pendingClients.delete(id);
        }
      },
      onMessage: () => {},
    });
    const runtime = this.#addRuntime(id, factory, true);
    this.#clientIds.push(id);
    this.#pendingClients.add(id);
    this.#scheduleStart(runtime);
  }

  // ───────────────────────────── running ─────────────────────────────

  /**
   * Runs the simulation until `untilMs`, or, without it, until no event is left (at most
   * `limits.maxTimeMs`).
   *
   * @throws SimulationError when a handler throws, a node breaks a rule, or a limit is hit.
   */
  async run(options: RunOptions = {}): Promise<void> {
    const untilMs = options.untilMs;
    if (untilMs !== undefined && (!Number.isFinite(untilMs) || untilMs < this.#nowMs)) {
      throw new RangeError(`run({ untilMs: ${untilMs} }) is in the past: it is already t=${this.#nowMs} ms.`);
    }
    await this.#loop(() => false, untilMs ?? null);
    if (untilMs !== undefined) this.#nowMs = Math.max(this.#nowMs, untilMs);
  }

  /**
   * Runs until `condition()` holds (checked after every event) or until `timeoutMs` of virtual time
   * have passed. Returns whether the condition was met: not meeting it is an outcome for the test to
   * judge, not an error.
   */
  async runUntil(condition: () => boolean, options: { readonly timeoutMs: number }): Promise<boolean> {
    const deadline = this.#nowMs + options.timeoutMs;
    if (condition()) return true;
    const met = await this.#loop(condition, deadline);
    if (!met) this.#nowMs = Math.max(this.#nowMs, deadline);
    return met;
  }

  /** Runs until every client workload has finished, or `timeoutMs` of virtual time have passed. */
  async runUntilClientsDone(options: { readonly timeoutMs: number }): Promise<boolean> {
    return this.runUntil(() => this.#pendingClients.size === 0, options);
  }

  /**
   * Watches an invariant: `check` runs after every event of every later run and returns `null` while
   * all is well, or a sentence saying what broke ("two leaders in term 4: n1 and n3"). The first
   * violation stops the run with that sentence, at the virtual time of the event that broke it.
   */
  watch(name: string, check: Invariant): void {
    this.#invariants.push({ name, check });
  }

  /**
   * Stops the run with a failed check: for tests and checkers watching the run (e.g. an invariant
   * that must hold after every event). The next event is not processed; `run` throws.
   */
  fail(message: string, node: NodeId | null = null): never {
    const error = this.#error('check-failed', node, message);
    this.#stop(error);
    throw error;
  }

  async #loop(condition: () => boolean, deadlineMs: number | null): Promise<boolean> {
    if (this.#running) throw new Error('This simulation is already running: await the first run() before starting another.');
    if (this.#failure !== null) throw this.#failure;
    this.#running = true;
    const releaseGuards = installGuards();
    guardState.onViolation = (error) => this.#onNondeterminism(error);
    try {
      for (;;) {
        const next = this.#queue.peek();
        if (next === undefined) return false;
        if (deadlineMs !== null && next.timeMs > deadlineMs) return false;
        if (deadlineMs === null && next.timeMs > this.#limits.maxTimeMs) this.#timeLimitReached(next.timeMs);
        this.#queue.pop();
        this.#advanceTo(next.timeMs);
        this.#dispatch(next.event);
        if (this.#asyncWork) await this.#letPromisesSettle();
        if (this.#failure !== null) throw this.#failure;
        if (this.#invariants.length > 0) this.#checkInvariants();
        if (condition()) return true;
      }
    } finally {
      guardState.onViolation = null;
      guardState.activeNode = null;
      releaseGuards();
      this.#running = false;
    }
  }

  #checkInvariants(): void {
    for (const { name, check } of this.#invariants) {
      const violation = check(this);
      if (violation !== null) this.#stopWith('check-failed', null, `${name}: ${violation} (t=${this.#nowMs} ms)`);
    }
  }

  #advanceTo(timeMs: number): void {
    if (++this.#eventsProcessed > this.#limits.maxEvents) {
      this.#stopWith('limit', null, `The run processed more than ${this.#limits.maxEvents} events (limits.maxEvents). ` +
        'Is a node sending or setting timers without end? Look at the last events of the trace.');
    }
    if (timeMs === this.#nowMs) {
      if (++this.#eventsAtThisTime > this.#limits.maxEventsAtOneTime) this.#timeStopped();
    } else {
      this.#eventsAtThisTime = 0;
      this.#nowMs = timeMs;
    }
  }

  /**
   * Lets every promise continuation that node code started run to completion before virtual time moves
   * on. A macrotask boundary is the only point where the microtask queue is known to be empty; nothing
   * else in the simulation can happen meanwhile, so the order stays deterministic.
   */
  async #letPromisesSettle(): Promise<void> {
    this.#asyncWork = false;
    const nodes = [...this.#asyncNodes];
    this.#asyncNodes.clear();
    guardState.activeNode = nodes.length === 1 ? nodes[0]! : `a node's async code (one of ${nodes.join(', ')})`;
    try {
      await new Promise<void>((resolve) => realSetImmediate(resolve));
    } finally {
      guardState.activeNode = null;
      this.#activeNode = null;
    }
  }

  #dispatch(event: SimEvent): void {
    switch (event.kind) {
      case 'deliver':
        return this.#deliver(event);
      case 'timer':
        return this.#fireTimer(event.node, event.incarnation, event.timer);
      case 'start':
        if (event.node.up && event.node.incarnation === event.incarnation) this.#boot(event.node, false);
        return;
      case 'fault':
        return this.apply(event.fault);
      case 'action':
        return event.action();
    }
  }

  // ───────────────────────────── nodes ─────────────────────────────

  #addRuntime(id: NodeId, factory: NodeFactory, isClient: boolean): Runtime {
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
    this.#resetVolatile(runtime);
    this.#runtimes.set(id, runtime);
    return runtime;
  }

  #resetVolatile(runtime: Runtime): void {
    runtime.timers = new Map();
    runtime.rpcs = new Map();
    runtime.nextRpcId = 1;
    runtime.rng = new Rng(deriveSeed(this.seed, `node:${runtime.id}:${runtime.incarnation}`));
    runtime.timerRng = new Rng(deriveSeed(this.seed, `timers:${runtime.id}:${runtime.incarnation}`));
  }

  #scheduleStart(runtime: Runtime): void {
    this.#queue.push(this.#nowMs, { kind: 'start', node: runtime, incarnation: runtime.incarnation });
  }

  /** Creates the node's object from its factory and calls `onStart`. */
  #boot(runtime: Runtime, restart: boolean): void {
    const context = new NodeContextImpl(this, runtime, runtime.incarnation);
    runtime.context = context;
    this.#record({ t: this.#nowMs, kind: 'start', node: runtime.id, restart });
    const during = restart ? 'starting after a restart' : 'starting';
    this.#callHandler(runtime, `creating the node (its factory) while ${during}`, () => {
      runtime.instance = runtime.factory(context);
      if (runtime.instance === null || typeof runtime.instance !== 'object' || typeof runtime.instance.onMessage !== 'function') {
        throw new TypeError('The node factory must return an object with an onMessage(ctx, from, message) method.');
      }
    });
    const instance = runtime.instance;
    if (instance?.onStart !== undefined) this.#callHandler(runtime, during, () => instance.onStart!(context));
  }

  #deliver(envelope: Envelope): void {
    const runtime = this.#runtimes.get(envelope.to)!;
    if (!runtime.up) return this.#drop(envelope, 'node-down');
    if (this.#links.isCut(envelope.from, envelope.to)) return this.#drop(envelope, 'partition');
    this.#messagesDelivered++;
    if (this.#recordTrace) {
      const { id, from, to, type, sentAtMs } = envelope;
      this.#trace.push({ t: this.#nowMs, kind: 'deliver', id, from, to, type, sentAtMs });
    }
    // A receiver that changes a message must not change the trace or a duplicate of it.
    const message = (envelope.shared ? copyPayload(envelope.message).copy : envelope.message) as Message & { inReplyTo?: unknown };
    if (typeof message.inReplyTo === 'number' && this.#resolveRpc(runtime, message.inReplyTo, message)) return;
    const instance = runtime.instance!;
    const context = runtime.context!;
    this.#callHandler(runtime, `handling message #${envelope.id} (${envelope.type}) from ${envelope.from}`, () =>
      instance.onMessage(context, envelope.from, message),
    );
  }

  #resolveRpc(runtime: Runtime, rpcId: number, reply: Message): boolean {
    const pending = runtime.rpcs.get(rpcId);
    if (pending === undefined) {
      // A reply to a request this incarnation made, that already timed out (or a duplicate of a reply):
      // the caller has moved on, so it is noted and not handed to onMessage.
      if (rpcId >= runtime.nextRpcId) return false;
      this.log(runtime, `late reply ${reply.type} to request ${rpcId} ignored: that rpc already timed out or was answered`);
      return true;
    }
    runtime.rpcs.delete(rpcId);
    this.cancelTimer(runtime, pending.timer);
    this.#noteAsync(runtime);
    pending.resolve({ ok: true, reply });
    return true;
  }

  #fireTimer(runtime: Runtime, incarnation: number, timerId: TimerId): void {
    if (!runtime.up || runtime.incarnation !== incarnation) return;
    const timer = runtime.timers.get(timerId);
    if (timer === undefined) return;
    runtime.timers.delete(timerId);
    this.#record({ t: this.#nowMs, kind: 'timer-fire', node: runtime.id, timer: timerId, type: timer.payload.type });
    if (timer.internal !== null) {
      this.#noteAsync(runtime);
      return timer.internal();
    }
    const instance = runtime.instance!;
    const context = runtime.context!;
    if (instance.onTimer === undefined) {
      return this.#stopWith('bad-request', runtime.id,
        `${runtime.id} set a timer (${timer.payload.type}) but has no onTimer(ctx, timer) handler to receive it.`);
    }
    const payload = copyPayload(timer.payload, 'timer').copy;
    this.#callHandler(runtime, `handling timer #${timerId} (${timer.payload.type})`, () => instance.onTimer!(context, payload));
  }

  /**
   * Calls node code with the guards armed. A synchronous throw stops the run; a returned promise is
   * watched, and its rejection stops the run too.
   */
  #callHandler(runtime: Runtime, during: string, call: () => void | Promise<void>): void {
    this.#activeNode = runtime;
    this.#activeDuring = during;
    this.#effectsThisStep = 0;
    runtime.effectsInStep = 0;
    runtime.crashThisStep = runtime.crashArmed;
    runtime.crashArmed = null;
    const incarnation = runtime.incarnation;
    guardState.activeNode = runtime.id;
    let result: void | Promise<void>;
    try {
      result = call();
    } catch (error) {
      if (runtime.silenced.has(incarnation)) return;
      return this.#handlerThrew(runtime, during, error);
    } finally {
      guardState.activeNode = null;
    }
    // An armed crash that the step's effects did not reach happens at the end of the step.
    if (runtime.crashThisStep !== null && runtime.up && runtime.incarnation === incarnation) this.#crashMidStep(runtime, during);
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.#noteAsync(runtime);
      (result as Promise<void>).then(undefined, (error: unknown) => {
        if (!runtime.silenced.has(incarnation)) this.#handlerThrew(runtime, during, error);
      });
    }
  }

  #noteAsync(runtime: Runtime): void {
    this.#asyncWork = true;
    this.#asyncNodes.add(runtime.id);
    this.#activeNode = runtime;
  }

  #handlerThrew(runtime: Runtime, during: string, error: unknown): void {
    if (this.#failure !== null) return;
    if (error instanceof SimulationError) return this.#stop(error);
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const ending = /[.!?]$/.test(detail) ? '' : '.';
    // A stub's todo() needs writing, not fixing; a guard's message already says what to use instead.
    const quiet = error instanceof NondeterminismError || (error instanceof Error && error.name === 'NotImplementedError');
    const hint = quiet ? '' : ' Nothing was swallowed: fix the handler so it does not throw.';
    this.#stop(
      new SimulationError(`${runtime.id} threw while ${during} at t=${this.#nowMs} ms (seed ${this.seed}): ${detail}${ending}${hint}`, {
        kind: error instanceof NondeterminismError ? 'nondeterminism' : 'handler-threw',
        node: runtime.id,
        atMs: this.#nowMs,
        seed: this.seed,
        during,
      }, { cause: error }),
    );
  }

  #onNondeterminism(error: NondeterminismError): void {
    const node = this.#activeNode?.id ?? null;
    this.#stop(new SimulationError(`${error.message} (t=${this.#nowMs} ms, seed ${this.seed})`, {
      kind: 'nondeterminism', node, atMs: this.#nowMs, seed: this.seed, during: this.#activeDuring,
    }, { cause: error }));
  }

  // ───────────────────────────── effects a node asks for ─────────────────────────────

  /** @internal Called by a node's context. */
  send(runtime: Runtime, to: NodeId, message: OutgoingMessage): void {
    const receiver = this.#runtimes.get(to);
    if (receiver === undefined) {
      this.#stopWith('bad-request', runtime.id,
        `${runtime.id} sent a ${describeType(message)} message to ${JSON.stringify(to)}, which is not a node or client of this simulation. ` +
        `Known: ${[...this.#runtimes.keys()].join(', ')}. Use an id from ctx.nodeIds or the sender of a message you received.`);
    }
    if (message === null || typeof message !== 'object' || typeof message.type !== 'string') {
      this.#stopWith('bad-request', runtime.id,
        `${runtime.id} sent ${describeValue(message)} to ${to}: a message must be an object with a string \`type\`, e.g. { type: 'echo', text: 'hi' }.`);
    }
    let copied: { copy: Message; bytes: number };
    try {
      copied = copyPayload(message);
    } catch (error) {
      if (!(error instanceof PayloadProblem)) throw error;
      this.#stopWith('bad-request', runtime.id,
        `${runtime.id} sent a ${message.type} message to ${to} that cannot cross a network: ${error.message}`);
    }
    this.#countEffect(runtime, 'messages');
    const envelope: Envelope = {
      kind: 'deliver', id: this.#nextMessageId++, from: runtime.id, to, type: message.type, message: copied.copy, sentAtMs: this.#nowMs, shared: this.#recordTrace,
    };
    this.#countSend(runtime.id, message.type, copied.bytes);
    if (this.#recordTrace) {
      this.#trace.push({ t: this.#nowMs, kind: 'send', id: envelope.id, from: runtime.id, to, type: envelope.type, bytes: copied.bytes, message: copied.copy });
    }
    this.#transmit(envelope);
  }

  #transmit(envelope: Envelope): void {
    if (this.#links.isCut(envelope.from, envelope.to)) return this.#drop(envelope, 'partition');
    const rng = this.#networkRng;
    if (shouldDrop(this.#network, rng)) return this.#drop(envelope, 'network');
    this.#queue.push(this.#nowMs + travelTimeMs(this.#network, rng), envelope);
    if (shouldDuplicate(this.#network, rng)) {
      envelope.shared = true;
      this.#messagesDuplicated++;
      if (this.#recordTrace) {
        const { id, from, to, type } = envelope;
        this.#trace.push({ t: this.#nowMs, kind: 'duplicate', id, from, to, type });
      }
      this.#queue.push(this.#nowMs + travelTimeMs(this.#network, rng), envelope);
    }
  }

  #drop(envelope: Envelope, reason: DropReason): void {
    this.#messagesDropped[reason]++;
    if (this.#recordTrace) {
      const { id, from, to, type } = envelope;
      this.#trace.push({ t: this.#nowMs, kind: 'drop', id, from, to, type, reason });
    }
  }

  /** @internal Called by a node's context. */
  setTimer(runtime: Runtime, delay: Delay, payload: TimerPayload, internal: (() => void) | null): TimerId {
    const delayMs = this.#pickDelay(runtime, delay, payload);
    if (payload === null || typeof payload !== 'object' || typeof payload.type !== 'string') {
      this.#stopWith('bad-request', runtime.id,
        `${runtime.id} set a timer with payload ${describeValue(payload)}: a timer payload must be an object with a string \`type\`, e.g. { type: 'retry' }.`);
    }
    let copy: TimerPayload;
    try {
      copy = copyPayload(payload, 'timer').copy;
    } catch (error) {
      if (!(error instanceof PayloadProblem)) throw error;
      this.#stopWith('bad-request', runtime.id, `${runtime.id} set a ${payload.type} timer whose payload cannot be stored: ${error.message}`);
    }
    this.#countEffect(runtime, 'timers');
    if (runtime.timers.size >= this.#limits.maxTimersPerNode) {
      this.#stopWith('limit', runtime.id,
        `${runtime.id} has ${runtime.timers.size} timers pending (limits.maxTimersPerNode). Cancel timers you no longer need, ` +
        'or keep one timer per purpose and reset it.');
    }
    const timerId = this.#nextTimerId++;
    const dueAtMs = this.#nowMs + trueDurationMs(runtime.clock.settings, delayMs);
    runtime.timers.set(timerId, { payload: copy, internal });
    this.#record({ t: this.#nowMs, kind: 'timer-set', node: runtime.id, timer: timerId, type: copy.type, dueAtMs });
    this.#queue.push(dueAtMs, { kind: 'timer', node: runtime, incarnation: runtime.incarnation, timer: timerId });
    return timerId;
  }

  #pickDelay(runtime: Runtime, delay: Delay, payload: TimerPayload): number {
    // Built only when something is wrong: this runs for every timer.
    const what = () => `${runtime.id} set a ${describeType(payload)} timer with delay ${describeValue(delay)}`;
    if (typeof delay === 'number') {
      if (!Number.isFinite(delay) || delay < 0) {
        this.#stopWith('bad-request', runtime.id, `${what()}: a delay must be a finite number of ms, 0 or more.`);
      }
      return delay;
    }
    if (delay === null || typeof delay !== 'object' || !Number.isFinite(delay.min) || !Number.isFinite(delay.max) ||
        delay.min < 0 || delay.max < delay.min) {
      this.#stopWith('bad-request', runtime.id, `${what()}: use a number of ms or { min, max } with 0 <= min <= max.`);
    }
    return runtime.timerRng.int(Math.ceil(delay.min), Math.floor(delay.max));
  }

  /** @internal Called by a node's context. */
  cancelTimer(runtime: Runtime, timer: TimerId): void {
    if (runtime.timers.delete(timer)) this.#record({ t: this.#nowMs, kind: 'timer-cancel', node: runtime.id, timer });
  }

  /** @internal Called by a node's context. */
  rpc(runtime: Runtime, to: NodeId, request: OutgoingMessage, options: RpcOptions): Promise<RpcResult> {
    if (options === null || typeof options !== 'object' || !Number.isFinite(options.timeoutMs) || options.timeoutMs < 0) {
      this.#stopWith('bad-request', runtime.id,
        `${runtime.id} called rpc(${JSON.stringify(to)}, ...) without a valid timeoutMs: pass { timeoutMs: 1000 } or similar.`);
    }
    const rpcId = runtime.nextRpcId++;
    return new Promise<RpcResult>((resolve) => {
      const timer = this.setTimer(runtime, options.timeoutMs, { type: `rpc-timeout:${request.type}` }, () => {
        runtime.rpcs.delete(rpcId);
        resolve({ ok: false, error: 'timeout' });
      });
      runtime.rpcs.set(rpcId, { resolve, timer });
      this.send(runtime, to, { ...request, rpcId });
    });
  }

  /** @internal Called by a node's context. */
  log(runtime: Runtime, text: string): void {
    this.#record({ t: this.#nowMs, kind: 'log', node: runtime.id, text: String(text) });
  }

  /** @internal Called by a client's context. */
  async operation<Input, Output>(
    runtime: Runtime,
    input: Input,
    perform: () => Promise<OperationOutcome<Output>>,
  ): Promise<OperationOutcome<Output>> {
    const inputCopy = copyPayload(input, 'input').copy;
    const op = this.#history.invoke(runtime.id, inputCopy, this.#nowMs);
    this.#record({ t: this.#nowMs, kind: 'invoke', client: runtime.id, op, input: inputCopy });
    const outcome = await perform();
    const status: OperationStatus = outcome.status;
    const output = outcome.status === 'indeterminate' ? undefined : copyPayload(outcome.output, 'output').copy;
    this.#history.complete(op, status, output, this.#nowMs);
    this.#record({ t: this.#nowMs, kind: 'complete', client: runtime.id, op, status, output });
    return outcome;
  }

  /**
   * @internal Called by a node's context before each effect. Counts the step's effects and, when an
   * armed crash is due, crashes the node now. Returns false when the effect must not happen.
   */
  beforeEffect(runtime: Runtime): boolean {
    if (runtime.crashThisStep === null) return true;
    if (runtime.effectsInStep >= runtime.crashThisStep) {
      this.#crashMidStep(runtime, this.#activeNode === runtime ? this.#activeDuring : 'its async code');
      return false;
    }
    runtime.effectsInStep++;
    return true;
  }

  #crashMidStep(runtime: Runtime, during: string): void {
    const afterEffects = runtime.crashThisStep ?? 0;
    runtime.crashThisStep = null;
    runtime.silenced.add(runtime.incarnation);
    this.crash(runtime.id, { afterEffects, during });
  }

  /**
   * @internal Checks that a context is still its node's current one. Returns false for a node that
   * died partway through a step (what its code still asks for is silently void); stops the run for a
   * context used after its node crashed or restarted.
   */
  checkAlive(runtime: Runtime, incarnation: number, action: string): boolean {
    if (runtime.up && runtime.incarnation === incarnation) return true;
    if (runtime.silenced.has(incarnation)) return false;
    const when = runtime.up
      ? `before its restart (it is now running a new instance)`
      : `after it crashed at t=${runtime.crashedAtMs} ms`;
    this.#stopWith('bad-request', runtime.id,
      `${runtime.id} tried to ${action} ${when}. A crashed node can do nothing; after a restart, use the ctx passed to the ` +
      'new handlers, not one kept from before the crash.');
  }

  #countEffect(runtime: Runtime, what: 'messages' | 'timers'): void {
    if (this.#activeNode !== runtime) return;
    if (++this.#effectsThisStep > this.#limits.maxEffectsPerStep) {
      this.#stopWith('limit', runtime.id,
        `${runtime.id} asked for more than ${this.#limits.maxEffectsPerStep} messages and timers while ${this.#activeDuring} ` +
        `(limits.maxEffectsPerStep; the last were ${what}). Is there a loop that sends or sets timers without end?`);
    }
  }

  #countSend(sender: NodeId, type: string, bytes: number): void {
    this.#messagesSent++;
    this.#bytesSent += bytes;
    const byType = this.#byType.get(type) ?? { messages: 0, bytes: 0 };
    byType.messages++;
    byType.bytes += bytes;
    this.#byType.set(type, byType);
    const bySender = this.#bySender.get(sender) ?? { messages: 0, bytes: 0 };
    bySender.messages++;
    bySender.bytes += bytes;
    this.#bySender.set(sender, bySender);
  }

  // ───────────────────────────── failures ─────────────────────────────

  #timeLimitReached(nextMs: number): never {
    return this.#stopWith('limit', null,
      `The run reached t=${this.#limits.maxTimeMs} ms (limits.maxTimeMs) with events still queued (next at t=${nextMs} ms). ` +
      'Nodes that keep timers forever (heartbeats) never run out of events: give run() an untilMs, or use runUntil().');
  }

  #timeStopped(): never {
    const busiest = this.#activeNode?.id ?? null;
    return this.#stopWith('limit', busiest,
      `Virtual time stopped advancing: ${this.#limits.maxEventsAtOneTime} events happened at t=${this.#nowMs} ms` +
      `${busiest === null ? '' : `, the last of them at ${busiest}`} (limits.maxEventsAtOneTime). ` +
      'A timer with delay 0 that sets itself again, or two nodes answering each other with zero network delay, never lets time move on.');
  }

  #error(kind: SimulationErrorKind, node: NodeId | null, message: string): SimulationError {
    return new SimulationError(message, { kind, node, atMs: this.#nowMs, seed: this.seed, during: node === this.#activeNode?.id ? this.#activeDuring : undefined });
  }

  #stopWith(kind: SimulationErrorKind, node: NodeId | null, message: string): never {
    const error = this.#error(kind, node, message);
    this.#stop(error);
    throw error;
  }

  #stop(error: SimulationError): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#trace.push({ t: this.#nowMs, kind: 'failure', node: error.context.node, message: error.message });
  }

  #record(event: TraceEvent): void {
    if (this.#recordTrace) this.#trace.push(event);
  }

  #recordLinks(change: string): void {
    this.#record({ t: this.#nowMs, kind: 'links', change, cut: this.#links.cutLinks() });
  }

  #runtime(node: NodeId, action: string): Runtime {
    const runtime = this.#runtimes.get(node);
    if (runtime === undefined) {
      throw new Error(`${action}: there is no node or client called ${JSON.stringify(node)}. Known: ${[...this.#runtimes.keys()].join(', ')}.`);
    }
    return runtime;
  }
}

/** A node's view of the simulator. Every method first checks that the node is still alive. */
class NodeContextImpl implements ClientContext {
  readonly id: NodeId;
  readonly nodeIds: readonly NodeId[];
  readonly storage: DurableStorage;
  readonly #sim: Simulation;
  readonly #runtime: Runtime;
  readonly #incarnation: number;

  constructor(sim: Simulation, runtime: Runtime, incarnation: number) {
    this.#sim = sim;
    this.#runtime = runtime;
    this.#incarnation = incarnation;
    this.id = runtime.id;
    this.nodeIds = sim.nodeIds;
    this.storage = new StorageImpl(runtime.storage, (action) => this.#alive(action), (action) => this.#effect(action));
  }

  now(): number {
    this.#alive('read its clock');
    return readClock(this.#runtime.clock, this.#sim.nowMs);
  }

  random(): number {
    this.#alive('draw a random number');
    return this.#runtime.rng.next();
  }

  randomInt(min: number, max: number): number {
    this.#alive('draw a random number');
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`${this.id} called randomInt(${min}, ${max}): use whole numbers with min <= max.`);
    }
    return this.#runtime.rng.int(min, max);
  }

  send(to: NodeId, message: OutgoingMessage): void {
    if (this.#effect(`send a message to ${to}`)) this.#sim.send(this.#runtime, to, message);
  }

  rpc<Reply extends Message = Message>(to: NodeId, request: OutgoingMessage, options: RpcOptions): Promise<RpcResult<Reply>> {
    if (!this.#effect(`send a request to ${to}`)) return new Promise(() => {});
    return this.#sim.rpc(this.#runtime, to, request, options) as Promise<RpcResult<Reply>>;
  }

  reply(to: NodeId, request: Message, reply: OutgoingMessage): void {
    if (!this.#effect(`reply to ${to}`)) return;
    const rpcId = (request as { rpcId?: unknown }).rpcId;
    if (typeof rpcId !== 'number') {
      throw new TypeError(
        `${this.id} called ctx.reply to a ${describeType(request)} message from ${to} that was not sent with ctx.rpc ` +
          '(it has no rpcId). Use ctx.send for messages that are not requests.',
      );
    }
    this.#sim.send(this.#runtime, to, { ...reply, inReplyTo: rpcId });
  }

  setTimer(delay: Delay, payload: TimerPayload): TimerId {
    if (!this.#effect('set a timer')) return -1;
    return this.#sim.setTimer(this.#runtime, delay, payload, null);
  }

  cancelTimer(timer: TimerId): void {
    if (this.#alive('cancel a timer')) this.#sim.cancelTimer(this.#runtime, timer);
  }

  sleep(delay: Delay): Promise<void> {
    if (!this.#effect('sleep')) return new Promise(() => {});
    return new Promise<void>((resolve) => {
      this.#sim.setTimer(this.#runtime, delay, { type: 'sleep' }, resolve);
    });
  }

  log(text: string): void {
    if (this.#alive('log')) this.#sim.log(this.#runtime, text);
  }

  operation<Input, Output>(input: Input, perform: () => Promise<OperationOutcome<Output>>): Promise<OperationOutcome<Output>> {
    this.#alive('record an operation');
    if (!this.#runtime.isClient) throw new Error(`${this.id} is a server node: only clients record operations.`);
    return this.#sim.operation(this.#runtime, input, perform);
  }

  /** Is this context's node alive? False for a node that died partway through a step; throws for a stale context. */
  #alive(action: string): boolean {
    return this.#sim.checkAlive(this.#runtime, this.#incarnation, action);
  }

  /** May this effect happen? Counts it towards an armed crash, which may strike now. */
  #effect(action: string): boolean {
    return this.#alive(action) && this.#sim.beforeEffect(this.#runtime);
  }
}

/** Durable storage backed by the runtime's map, copying values in and out. */
class StorageImpl implements DurableStorage {
  readonly #entries: Map<string, unknown>;
  readonly #alive: (action: string) => boolean;
  readonly #effect: (action: string) => boolean;

  constructor(entries: Map<string, unknown>, alive: (action: string) => boolean, effect: (action: string) => boolean) {
    this.#entries = entries;
    this.#alive = alive;
    this.#effect = effect;
  }

  get<T = unknown>(key: string): T | undefined {
    this.#alive('read storage');
    const value = this.#entries.get(key);
    return value === undefined ? undefined : (copyPayload(value, `storage[${JSON.stringify(key)}]`).copy as T);
  }

  set(key: string, value: unknown): void {
    const copy = copyPayload(value, `storage[${JSON.stringify(key)}]`).copy;
    if (this.#effect('write storage')) this.#entries.set(key, copy);
  }

  delete(key: string): void {
    if (this.#effect('write storage')) this.#entries.delete(key);
  }

  keys(): string[] {
    this.#alive('read storage');
    return [...this.#entries.keys()].sort();
  }
}

/** Sorts ids so that `n2` comes before `n10`. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function describeType(value: unknown): string {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : 'untyped';
}

function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
