/**
 * The discrete-event simulator: virtual time, one seed, nodes as handlers, a faulty network.
 *
 * @module
 */
import { readClock, type ClockSettings } from './clock.ts';
import type { SimulationError } from './errors.ts';
import type { History } from '../history.ts';
import { DEFAULT_NETWORK, resolveNetworkSettings, type NetworkSettingsInput } from './network.ts';
import type { Node, NodeId } from '../node.ts';
import { copyPayload } from './payload.ts';
import type { TraceEvent } from '../trace/node.ts';
import { addClient, recordOperation, type ClientWorkload } from './clients.ts';
import type { NodeEffects } from './context.ts';
import type { NetworkStats } from './counters.ts';
import type { Fault } from './fault.ts';
import { applyFault, scheduleFaults, setClock, setNetwork } from './fault-actions.ts';
import { runLoop } from './loop.ts';
import { beforeEffect, checkAlive, crash, log, restart } from './node-runtime.ts';
import { compareIds, DEFAULT_LIMITS, type RunOptions, type SimulationOptions } from './options.ts';
import { isPaused, pause } from './pause.ts';
import { rpc } from './rpc.ts';
import { SimState } from './state.ts';
import { cancelTimer, setTimer } from './timers.ts';
import { send } from './transport.ts';

/**
 * An invariant watched after every event (see {@link Simulation.watch}): `null` while it holds, or a
 * sentence in domain words saying what broke.
 */
export type Invariant = (sim: Simulation) => string | null;

/**
 * A deterministic simulation of nodes on a network.
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
 */
export class Simulation {
  /** The run's seed. */
  readonly seed: number;
  readonly #state: SimState;
  readonly #invariants: Array<{ readonly name: string; readonly check: Invariant }> = [];

  /** Creates a simulation; nodes boot at virtual time 0 when the first {@link Simulation.run} starts. */
  constructor(options: SimulationOptions) {
    if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffff_ffff) {
      throw new RangeError(`The seed must be an integer from 0 to 4294967295; got ${String(options.seed)}.`);
    }
    this.seed = options.seed;
    const ids = Object.keys(options.nodes).sort(compareIds);
    const network = resolveNetworkSettings(DEFAULT_NETWORK, options.network ?? {});
    if (ids.length === 0) throw new Error('A simulation needs at least one node in `nodes`.');
    const state = new SimState({
      seed: this.seed,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      network,
      recordTrace: options.recordTrace ?? true,
      serverIds: Object.freeze(ids),
      effects: nodeEffects,
    });
    this.#state = state;
    for (const id of ids) state.addRuntime(id, options.nodes[id]!, false);
    for (const [id, clock] of Object.entries(options.clocks ?? {})) this.setClock(id, clock);
    for (const runtime of state.runtimes.values()) state.scheduleStart(runtime);
    if (options.faults !== undefined) scheduleFaults(state, options.faults);
  }

  // ───────────────────────────── reading the state of a run ─────────────────────────────

  /** Current virtual time, in ms. */
  get nowMs(): number {
    return this.#state.nowMs;
  }

  /** The server nodes' ids, sorted. */
  get nodeIds(): readonly NodeId[] {
    return this.#state.serverIds;
  }

  /** The clients' ids, in the order they were added. */
  get clientIds(): readonly NodeId[] {
    return this.#state.clientIds;
  }

  /** Events processed so far. */
  get eventsProcessed(): number {
    return this.#state.eventsProcessed;
  }

  /**
   * The trace so far (empty when `recordTrace` is off). The simulator keeps it compact; reading it
   * builds its events as objects (each once; later reads build only the new ones). A checker that
   * follows every event reads them with {@link Simulation.onEvent} instead, which works with the trace
   * off too.
   */
  get trace(): readonly TraceEvent[] {
    return this.#state.recorder.events();
  }

  /** `traceHash` of the trace so far (each event is hashed once, however often this is asked). */
  traceHash(): string {
    return this.#state.recorder.hash();
  }

  /**
   * Calls `listener` with every later event of the run, as it happens, whether the trace is kept or
   * not. It runs in the middle of a step: keep it small (note the event; judge it in a
   * {@link Simulation.watch}, which runs once the step is over), and do not change the event.
   */
  onEvent(listener: (event: TraceEvent) => void): void {
    this.#state.recorder.listen(listener);
  }

  /** The history the clients recorded. Operations still open are indeterminate. */
  history<Input = unknown, Output = unknown>(): History<Input, Output> {
    return this.#state.history.history() as History<Input, Output>;
  }

  /** Is `node` up (not crashed)? */
  isUp(node: NodeId): boolean {
    return this.#state.runtime(node, 'isUp').up;
  }

  /**
   * The live node object of `node` (what its factory returned), for tests that inspect a node's state.
   * `undefined` while the node is down.
   */
  nodeInstance<T extends Node = Node>(node: NodeId): T | undefined {
    return (this.#state.runtime(node, 'nodeInstance').instance ?? undefined) as T | undefined;
  }

  /** A copy of `node`'s durable storage. */
  storageOf(node: NodeId): Record<string, unknown> {
    const storage = this.#state.runtime(node, 'storageOf').storage;
    return Object.fromEntries([...storage].map(([key, value]) => [key, copyPayload(value, 'value').copy]));
  }

  /** The local clock reading of `node` now. */
  localTimeOf(node: NodeId): number {
    return readClock(this.#state.runtime(node, 'localTimeOf').clock, this.#state.nowMs);
  }

  /** Counters of messages and bytes. */
  stats(): NetworkStats {
    return this.#state.counters.snapshot();
  }

  /** Have all client workloads finished? */
  get clientsDone(): boolean {
    return this.#state.pendingClients.size === 0;
  }

  /** The error that stopped the run, if any. */
  get failure(): SimulationError | null {
    return this.#state.failure;
  }

  // ───────────────────────────── faults and scripted actions ─────────────────────────────

  /** Applies `fault` now. */
  apply(fault: Fault): void {
    applyFault(this.#state, fault);
  }

  /** Runs `action` at virtual time `atMs` (for scripted tests: "at 3 s, send ..."). */
  at(atMs: number, action: () => void): void {
    const nowMs = this.#state.nowMs;
    if (!Number.isFinite(atMs) || atMs < nowMs) {
      throw new RangeError(`sim.at(${atMs}) is in the past: it is already t=${nowMs} ms.`);
    }
    this.#state.queue.push(Math.ceil(atMs), { kind: 'action', action });
  }

  /** Crashes `node` now: its object, timers and pending rpcs are gone; messages to it are dropped. */
  crash(node: NodeId): void {
    crash(this.#state, node);
  }

  /**
   * Pauses `node` now for `durationMs`: it takes no step until then, with its state and timers
   * intact; messages to it wait, and it wakes with its clock moved on by the whole pause.
   */
  pause(node: NodeId, durationMs: number): void {
    pause(this.#state, node, durationMs);
  }

  /** Is `node` paused now (see {@link Simulation.pause})? */
  isPaused(node: NodeId): boolean {
    return isPaused(this.#state.runtime(node, 'isPaused'));
  }

  /** Restarts a crashed `node` now: a new object from its factory, then `onStart`. */
  restart(node: NodeId): void {
    restart(this.#state, node);
  }

  /** Changes the network's fault settings now. */
  setNetwork(settings: NetworkSettingsInput): void {
    setNetwork(this.#state, settings);
  }

  /**
   * Changes `node`'s clock now. A new `driftPpm` changes only how fast it runs from now on; a new
   * `skewMs` steps it by the difference (as when someone sets the clock by hand), so lowering the skew
   * makes the clock jump backwards. The trace's `clock` event records the reading right after.
   */
  setClock(node: NodeId, clock: Partial<ClockSettings>): void {
    setClock(this.#state, node, clock);
  }

  // ───────────────────────────── clients ─────────────────────────────

  /**
   * Adds a client process `id` that runs `workload` from the current virtual time. Clients are nodes
   * on the network: they can be partitioned, and their messages are delayed like any other.
   */
  client(id: NodeId, workload: ClientWorkload): void {
    addClient(this.#state, id, workload);
  }

  // ───────────────────────────── running ─────────────────────────────

  /**
   * Runs the simulation until `untilMs`, or, without it, until no event is left (at most
   * `limits.maxTimeMs`).
   *
   * @throws SimulationError when a handler throws, a node breaks a rule, or a limit is hit.
   */
  async run(options: RunOptions = {}): Promise<void> {
    const state = this.#state;
    const untilMs = options.untilMs;
    if (untilMs !== undefined && (!Number.isFinite(untilMs) || untilMs < state.nowMs)) {
      throw new RangeError(`run({ untilMs: ${untilMs} }) is in the past: it is already t=${state.nowMs} ms.`);
    }
    await this.#loop(() => false, untilMs ?? null);
    if (untilMs !== undefined) state.nowMs = Math.max(state.nowMs, untilMs);
  }

  /**
   * Runs until `condition()` holds (checked after every event) or until `timeoutMs` of virtual time
   * have passed. Returns whether the condition was met: not meeting it is an outcome for the test to
   * judge, not an error.
   */
  async runUntil(condition: () => boolean, options: { readonly timeoutMs: number }): Promise<boolean> {
    const state = this.#state;
    const deadline = state.nowMs + options.timeoutMs;
    if (condition()) return true;
    const met = await this.#loop(condition, deadline);
    if (!met) state.nowMs = Math.max(state.nowMs, deadline);
    return met;
  }

  /** Runs until every client workload has finished, or `timeoutMs` of virtual time have passed. */
  async runUntilClientsDone(options: { readonly timeoutMs: number }): Promise<boolean> {
    return this.runUntil(() => this.#state.pendingClients.size === 0, options);
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
    const error = this.#state.error('check-failed', node, message);
    this.#state.stop(error);
    throw error;
  }

  /**
   * Ends the simulation: it never runs again, and a node's ctx kept from it (in a module-level variable,
   * say) is refused when used, naming the node and the time the simulation ended. `simulate` ends every
   * simulation it built once its body is done.
   */
  end(): void {
    if (this.#state.endedAtMs === null) this.#state.endedAtMs = this.#state.nowMs;
  }

  /**
   * Sets what writes the report when a handler never returns and not even the watchdog can stop it (a
   * `while (true) {}` that calls nothing): the process ends right after `report` returns, so it must
   * write synchronously. Default: the error's message on stderr. `simulate` writes its whole report.
   */
  onUnstoppableHang(report: (error: SimulationError) => void): void {
    this.#state.lastWords = report;
  }

  #loop(condition: () => boolean, deadlineMs: number | null): Promise<boolean> {
    return runLoop(this.#state, condition, deadlineMs, () => {
      if (this.#invariants.length > 0) this.#checkInvariants();
    });
  }

  #checkInvariants(): void {
    for (const { name, check } of this.#invariants) {
      const violation = check(this);
      if (violation !== null)
        this.#state.stopWith('check-failed', null, `${name}: ${violation} (t=${this.#state.nowMs} ms)`);
    }
  }
}

/** The effects node contexts ask for, bound to one simulation's state. Only the state holds it. */
function nodeEffects(state: SimState): NodeEffects {
  return {
    nodeIds: state.serverIds,
    nowMs: () => state.nowMs,
    send: (runtime, to, message, replyTo) => send(state, runtime, to, message, replyTo),
    rpc: (runtime, to, request, options) => rpc(state, runtime, to, request, options),
    setTimer: (runtime, delay, payload, internal) => setTimer(state, runtime, delay, payload, internal),
    cancelTimer: (runtime, timer) => cancelTimer(state, runtime, timer),
    log: (runtime, text) => log(state, runtime, text),
    operation: (runtime, input, perform) => recordOperation(state, runtime, input, perform),
    beforeEffect: (runtime) => beforeEffect(state, runtime),
    checkAlive: (runtime, incarnation, action) => checkAlive(state, runtime, incarnation, action),
  };
}
