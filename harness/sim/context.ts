/**
 * The node context: a node's view of the simulator, and its durable storage.
 *
 * The context asks for effects through a {@link NodeEffects} object that the simulation builds for its
 * own use, so nothing outside the simulator can send on a node's behalf: `Simulation` has no such
 * methods.
 *
 * @module
 */
import { readClock } from './clock.ts';
import type {
  Delay,
  DurableStorage,
  Message,
  NodeId,
  OutgoingMessage,
  RpcOptions,
  RpcResult,
  TimerId,
  TimerPayload,
} from '../node.ts';
import { copyPayload } from './payload.ts';
import type { ClientContext, OperationOutcome } from './clients.ts';
import { describeType } from './describe.ts';
import type { Runtime } from './state.ts';
import { withArticle } from '../wording.ts';

/**
 * What a node context asks the simulator for. Each method acts for `runtime`; the context has already
 * checked that the node is alive and counted the effect (see {@link NodeEffects.beforeEffect}).
 */
export interface NodeEffects {
  /** The server nodes' ids, sorted. */
  readonly nodeIds: readonly NodeId[];
  /** Current virtual time, in ms. */
  nowMs(): number;
  /** Sends `message` from `runtime` to `to`; `replyTo` is the rpc it answers (`ctx.reply`), else `null`. */
  send(runtime: Runtime, to: NodeId, message: OutgoingMessage, replyTo: number | null): void;
  /** Sends a request tagged with an rpc id and waits for its reply or its timeout. */
  rpc(runtime: Runtime, to: NodeId, request: OutgoingMessage, options: RpcOptions): Promise<RpcResult>;
  /** Sets a timer; `internal` timers run their callback instead of `onTimer`. */
  setTimer(runtime: Runtime, delay: Delay, payload: TimerPayload, internal: (() => void) | null): TimerId;
  /** Cancels a timer (a no-op for one that fired or was cancelled). */
  cancelTimer(runtime: Runtime, timer: TimerId): void;
  /** Writes a line to the trace. */
  log(runtime: Runtime, text: string): void;
  /** Records a client's operation in the history. */
  operation<Input, Output>(
    runtime: Runtime,
    input: Input,
    perform: () => Promise<OperationOutcome<Output>>,
  ): Promise<OperationOutcome<Output>>;
  /** Counts one effect of the step; false when an armed crash strikes now and the effect must not happen. */
  beforeEffect(runtime: Runtime): boolean;
  /** Is the context of `incarnation` still its node's current one? False when silenced; stops the run when stale. */
  checkAlive(runtime: Runtime, incarnation: number, action: string): boolean;
}

/** A node's view of the simulator. Every method first checks that the node is still alive. */
export class NodeContextImpl implements ClientContext {
  readonly id: NodeId;
  readonly nodeIds: readonly NodeId[];
  readonly storage: DurableStorage;
  readonly #effects: NodeEffects;
  readonly #runtime: Runtime;
  readonly #incarnation: number;

  /** The context of `runtime`'s incarnation `incarnation`. */
  constructor(effects: NodeEffects, runtime: Runtime, incarnation: number) {
    this.#effects = effects;
    this.#runtime = runtime;
    this.#incarnation = incarnation;
    this.id = runtime.id;
    this.nodeIds = effects.nodeIds;
    this.storage = new StorageImpl(
      runtime.storage,
      (action) => this.#alive(action),
      (action) => this.#effect(action),
    );
  }

  now(): number {
    this.#alive('read its clock');
    return readClock(this.#runtime.clock, this.#effects.nowMs());
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
    if (this.#effect(`send a message to ${to}`)) this.#effects.send(this.#runtime, to, message, null);
  }

  rpc<Reply extends Message = Message>(
    to: NodeId,
    request: OutgoingMessage,
    options: RpcOptions,
  ): Promise<RpcResult<Reply>> {
    if (!this.#effect(`send a request to ${to}`)) return new Promise(() => {});
    return this.#effects.rpc(this.#runtime, to, request, options) as Promise<RpcResult<Reply>>;
  }

  reply(to: NodeId, request: Message, reply: OutgoingMessage): void {
    if (!this.#effect(`reply to ${to}`)) return;
    const rpcId = (request as { rpcId?: unknown }).rpcId;
    if (typeof rpcId !== 'number') {
      throw new TypeError(
        `${this.id} called ctx.reply to ${withArticle(describeType(request))} message from ${to}, which is not a ` +
          'request: it was not sent with ctx.rpc (it has no rpcId), so nothing waits for an answer. A node ignores ' +
          'the message types it does not handle; to send something back anyway, use ctx.send.',
      );
    }
    this.#effects.send(this.#runtime, to, { ...reply, inReplyTo: rpcId }, rpcId);
  }

  setTimer(delay: Delay, payload: TimerPayload): TimerId {
    if (!this.#effect('set a timer')) return -1;
    return this.#effects.setTimer(this.#runtime, delay, payload, null);
  }

  cancelTimer(timer: TimerId): void {
    if (this.#alive('cancel a timer')) this.#effects.cancelTimer(this.#runtime, timer);
  }

  sleep(delay: Delay): Promise<void> {
    if (!this.#effect('sleep')) return new Promise(() => {});
    return new Promise<void>((resolve) => {
      this.#effects.setTimer(this.#runtime, delay, { type: 'sleep' }, resolve);
    });
  }

  log(text: string): void {
    if (this.#alive('log')) this.#effects.log(this.#runtime, text);
  }

  operation<Input, Output>(
    input: Input,
    perform: () => Promise<OperationOutcome<Output>>,
  ): Promise<OperationOutcome<Output>> {
    this.#alive('record an operation');
    if (!this.#runtime.isClient) throw new Error(`${this.id} is a server node: only clients record operations.`);
    return this.#effects.operation(this.#runtime, input, perform);
  }

  /** Is this context's node alive? False for a node that died partway through a step; throws for a stale context. */
  #alive(action: string): boolean {
    return this.#effects.checkAlive(this.#runtime, this.#incarnation, action);
  }

  /** May this effect happen? Counts it towards an armed crash, which may strike now. */
  #effect(action: string): boolean {
    return this.#alive(action) && this.#effects.beforeEffect(this.#runtime);
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
