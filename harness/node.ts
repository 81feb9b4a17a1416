/**
 * The node API: what a learner implements, and the context through which a node asks for effects.
 *
 * A node is a set of handlers. The simulator calls them; the node never touches real time, real
 * randomness or real sockets. It *asks* for effects through its {@link NodeContext}: send a message,
 * set a timer, read its own clock, draw a random number, write to durable storage, log a line.
 *
 * ```text
 *   simulator ──message──▶ onMessage(ctx, from, message) ──ctx.send(...)──▶ simulator
 *   simulator ──timer────▶ onTimer(ctx, timer)           ──ctx.setTimer(...)──▶ simulator
 * ```
 *
 * @module
 */

/** A node's name, e.g. `n1`. Client processes are named like `c1`. */
export type NodeId = string;

/**
 * A message: plain data with a `type` that says what it is, e.g. `{ type: 'echo', text: 'hi' }`.
 * Messages are copied when sent, so the receiver never shares memory with the sender.
 */
export interface Message {
  /** What kind of message this is, e.g. `echo` or `echo_ok`. */
  readonly type: string;
}

/**
 * What `send`, `reply` and `rpc` accept: any {@link Message}, including object literals with extra
 * fields (`{ type: 'echo', text: 'hi' }`) and values of your own message interfaces.
 */
export type OutgoingMessage = Message | { readonly type: string; readonly [field: string]: unknown };

/** A timer's payload: plain data with a `type`, handed back to `onTimer` when the timer fires. */
export interface TimerPayload {
  /** What the timer is for, e.g. `retransmit` or `election-timeout`. */
  readonly type: string;
}

/**
 * How long to wait, in milliseconds of the node's own clock: a fixed delay, or a range from which the
 * simulator picks (seeded), e.g. `{ min: 150, max: 300 }` for a randomised election timeout.
 */
export type Delay = number | { readonly min: number; readonly max: number };

/** Identifies a timer set with {@link NodeContext.setTimer}. */
export type TimerId = number;

/**
 * The answer to an {@link NodeContext.rpc} call: the reply, or a timeout. A timeout is an expected
 * outcome, not an error: the request may or may not have been processed.
 */
export type RpcResult<Reply extends Message = Message> =
  { readonly ok: true; readonly reply: Reply } | { readonly ok: false; readonly error: 'timeout' };

/** Options for {@link NodeContext.rpc}. */
export interface RpcOptions {
  /** Give up after this many milliseconds of the caller's clock without a reply. */
  readonly timeoutMs: number;
}

/**
 * A request received through {@link NodeContext.rpc}: the message carries the id its reply must quote.
 * Reply with {@link NodeContext.reply}.
 */
export interface RpcRequest extends Message {
  /** Set by the caller's `rpc`: quote it in the reply (`ctx.reply` does it for you). */
  readonly rpcId?: number;
}

/**
 * Durable storage: survives crashes and restarts of its node (unlike the node's fields and timers).
 * Values are plain data and are copied in and out, like messages.
 */
export interface DurableStorage {
  /** The value stored under `key`, or `undefined`. */
  get<T = unknown>(key: string): T | undefined;
  /** Stores `value` under `key`. It is durable as soon as `set` returns. */
  set(key: string, value: unknown): void;
  /** Removes `key`. */
  delete(key: string): void;
  /** All keys, sorted. */
  keys(): string[];
}

/**
 * Everything a node may do. Passed to every handler; do not keep it across a crash (the node restarts
 * with a fresh context).
 *
 * @typeParam Timer - the payload type of this node's timers: what `setTimer` takes and `onTimer` gets
 *   back. Declare it once on the node (`Node<RetransmitTimer>`); by default any payload with a `type`.
 */
export interface NodeContext<Timer extends TimerPayload = TimerPayload> {
  /** This node's id. */
  readonly id: NodeId;
  /** Every server node in the cluster (not clients), sorted, including this one. */
  readonly nodeIds: readonly NodeId[];
  /**
   * The node's own local clock, in ms. It may be skewed and drift from true time, like a real
   * machine's clock: compare it only with other readings of the same node's clock.
   */
  now(): number;
  /** A random float in [0, 1), from this node's own seeded generator. */
  random(): number;
  /** A random integer in [min, max], both included, from this node's seeded generator. */
  randomInt(min: number, max: number): number;
  /**
   * Sends `message` to node `to`. The message is copied now: changing it afterwards has no effect.
   * The network may delay, reorder, duplicate or drop it.
   */
  send(to: NodeId, message: OutgoingMessage): void;
  /**
   * Sends a request and waits for the reply, or gives up after `timeoutMs`. The receiver answers with
   * {@link NodeContext.reply}. Built from `send` and a timer, so it is exactly as deterministic.
   */
  rpc<Reply extends Message = Message>(
    to: NodeId,
    request: OutgoingMessage,
    options: RpcOptions,
  ): Promise<RpcResult<Reply>>;
  /**
   * Answers a request received through `rpc`: sends `reply` to `to`, tagged with the request's id. The
   * reply shows the tag as `inReplyTo` (over a field of that name in `reply`). Only a reply sent this
   * way answers an rpc: a message sent with `send` reaches `onMessage`, even one with an `inReplyTo`
   * field of your own.
   */
  reply(to: NodeId, request: Message, reply: OutgoingMessage): void;
  /**
   * Asks for `onTimer(ctx, payload)` to be called after `delay` ms of this node's clock, with a copy
   * of `payload`, which must be of the node's declared timer type (any object with a string `type`
   * when the node declared none). Timers do not survive a crash.
   */
  setTimer<T extends Timer>(delay: Delay, payload: T): TimerId;
  /** Cancels a timer. Cancelling a timer that already fired or was cancelled does nothing. */
  cancelTimer(timer: TimerId): void;
  /** Resolves after `delay` ms of this node's clock (a timer in promise form). */
  sleep(delay: Delay): Promise<void>;
  /** Storage that survives crashes. */
  readonly storage: DurableStorage;
  /** Writes a line to the trace, tagged with this node and the virtual time. */
  log(text: string): void;
}

/**
 * A node: the handlers the simulator calls. Only `onMessage` is required.
 *
 * Handlers may be `async`; the simulator waits for everything they start (replies of `rpc`, `sleep`)
 * in virtual time, so they stay deterministic.
 *
 * @typeParam Timer - the payload type of the node's timers, declared once: `ctx.setTimer` accepts only
 *   it and `onTimer` receives it, so `timer.id` needs no cast.
 *
 * ```ts
 * interface RetransmitTimer extends TimerPayload { readonly type: 'retransmit'; readonly id: string }
 * const node: Node<RetransmitTimer> = {
 *   onMessage(ctx) { ctx.setTimer(100, { type: 'retransmit', id: 'm1' }); },
 *   onTimer(ctx, timer) { ctx.log(`retransmit ${timer.id}`); },
 * };
 * ```
 */
export interface Node<Timer extends TimerPayload = TimerPayload> {
  /** Called when the node boots, and again after every restart (with empty volatile state). */
  onStart?(ctx: NodeContext<Timer>): void | Promise<void>;
  /** Called for every message delivered to this node. */
  onMessage(ctx: NodeContext<Timer>, from: NodeId, message: Message): void | Promise<void>;
  /** Called when a timer set with `ctx.setTimer` fires, with a copy of its payload. */
  onTimer?(ctx: NodeContext<Timer>, timer: Timer): void | Promise<void>;
}

/**
 * Creates a node. Called at boot and again at every restart, so everything the node keeps in its own
 * fields is volatile: it is lost in a crash. Only `ctx.storage` survives.
 *
 * @typeParam Timer - the payload type of the node's timers (see {@link Node}).
 */
export type NodeFactory<Timer extends TimerPayload = TimerPayload> = (ctx: NodeContext<Timer>) => Node<Timer>;
