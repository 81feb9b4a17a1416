/**
 * One node as a Maelstrom process: reads envelopes line by line, runs the learner's handlers, and maps
 * the node's context onto the protocol, real timers, the real clock and a file.
 *
 * @module
 */

import { NotImplementedError } from '../exercise.ts';
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
} from '../node.ts';
import { deriveSeed, Rng } from '../random.ts';
import { FileStorage } from './file-storage.ts';
import { ERROR_CODES, errorBody, parseEnvelope, type MaelstromBody, type MaelstromEnvelope } from './protocol.ts';
import type { MaelstromTranslation } from './translation.ts';
import { withArticle } from '../wording.ts';

/** Where a node process writes: protocol lines to stdout, everything for a person to stderr. */
export interface MaelstromIo {
  /** One JSON line for stdout (without the newline). */
  readonly send: (line: string) => void;
  /** One line for stderr (without the newline). */
  readonly log: (line: string) => void;
}

/** What a node process needs. */
export interface MaelstromNodeOptions {
  readonly factory: NodeFactory;
  readonly translation?: MaelstromTranslation | undefined;
  /** Where `<nodeId>.json` keeps the node's storage. */
  readonly storageDirectory: string;
  /** The seed of `ctx.random()`; each node draws from `deriveSeed(seed, 'node:<id>')`. */
  readonly seed: number;
  readonly io: MaelstromIo;
}

/** The client requests a node remembers, to hand each reply's translation the request it answers. */
const MAX_OPEN_REQUESTS = 10_000;

/** Fields the adapter owns: the protocol's and the simulator's rpc tags. */
const PROTOCOL_FIELDS = new Set(['msg_id', 'in_reply_to', 'rpcId', 'inReplyTo']);

interface Initialised {
  readonly ctx: NodeContext;
  readonly node: Node;
}

interface PendingRpc {
  readonly resolve: (result: RpcResult) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * A node speaking Maelstrom's protocol. Feed it stdin's lines with {@link MaelstromNode.receiveLine};
 * it writes protocol lines and log lines through its {@link MaelstromIo}.
 *
 * - `init` creates the node (`node_id`, `node_ids`), runs `onStart`, and answers `init_ok`.
 * - A request from a client (a sender not in `node_ids`) is translated, if the exercise declares a
 *   translation, and reaches `onMessage` with `rpcId` set to its `msg_id`, so `ctx.reply` answers it
 *   with `in_reply_to`. Nodes talk to each other in the exercise's own messages.
 * - `ctx.rpc` sends with a fresh `msg_id` and resolves with the reply whose `in_reply_to` matches, or
 *   a timeout (a real timer).
 * - A handler that throws answers the request with error 13 (crash), or 10 (not supported) for a
 *   `todo(...)` not written yet; the node keeps running. So does a malformed line: it is reported on
 *   stderr and skipped.
 */
export class MaelstromNode {
  readonly #options: MaelstromNodeOptions;
  readonly #pending = new Map<number, PendingRpc>();
  readonly #timers = new Map<TimerId, ReturnType<typeof setTimeout>>();
  readonly #requests = new Map<string, MaelstromBody>();
  #initialised: Initialised | undefined;
  #nextMessageId = 1;
  #nextTimerId = 1;
  #lineNumber = 0;
  #stopped = false;
  /** Before init, the node answers as whatever the sender addressed. */
  #addressedAs = 'uninitialised';

  constructor(options: MaelstromNodeOptions) {
    this.#options = options;
  }

  /** Handles one line of stdin. Never throws: problems go to stderr. */
  receiveLine(line: string): void {
    this.#lineNumber++;
    if (line.trim() === '' || this.#stopped) return;
    const parsed = parseEnvelope(line);
    if (!parsed.ok) {
      const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
      this.#options.io.log(`malformed line ${this.#lineNumber} ignored: ${parsed.problem}: ${shown}`);
      return;
    }
    try {
      this.#receive(parsed.envelope);
    } catch (error) {
      this.#options.io.log(`line ${this.#lineNumber} (${parsed.envelope.body.type}): ${describeError(error)}`);
    }
  }

  /** Cancels every timer and pending rpc, so the process can exit. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const { timer } of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }

  #receive(envelope: MaelstromEnvelope): void {
    const { src, body } = envelope;
    this.#addressedAs = envelope.dest;
    if (body.type === 'init') return this.#init(envelope);
    const initialised = this.#initialised;
    if (initialised === undefined) {
      this.#options.io.log(`${body.type} from ${src} before init: answered with error 11`);
      this.#answerWithError(src, body, ERROR_CODES.temporarilyUnavailable, 'this node has not received init yet');
      return;
    }
    if (body.in_reply_to !== undefined && this.#takeReply(body)) return;
    const fromClient = !initialised.ctx.nodeIds.includes(src);
    let message: OutgoingMessage = withoutProtocolFields(body);
    if (fromClient && this.#options.translation?.toNode !== undefined) {
      const translated = this.#options.translation.toNode(body, src);
      if (translated.type === 'error' && typeof (translated as { code?: unknown }).code === 'number') {
        this.#emit(src, { ...translated, ...(body.msg_id === undefined ? {} : { in_reply_to: body.msg_id }) });
        return;
      }
      message = translated;
    }
    if (body.msg_id !== undefined) {
      message = { ...message, rpcId: body.msg_id };
      if (fromClient) this.#remember(src, body);
    }
    this.#run(`handling ${body.type} from ${src}`, src, body, () =>
      initialised.node.onMessage(initialised.ctx, src, message as Message),
    );
  }

  #init(envelope: MaelstromEnvelope): void {
    const { body } = envelope;
    const nodeId = body.node_id;
    const nodeIds = body.node_ids;
    if (typeof nodeId !== 'string' || !Array.isArray(nodeIds) || !nodeIds.every((id) => typeof id === 'string')) {
      this.#answerWithError(envelope.src, body, ERROR_CODES.malformedRequest, 'init needs node_id and node_ids');
      return;
    }
    if (this.#initialised !== undefined) {
      this.#answerWithError(envelope.src, body, ERROR_CODES.malformedRequest, 'this node is already initialised');
      return;
    }
    const storage = new FileStorage(this.#options.storageDirectory, nodeId);
    const nodeSeed = deriveSeed(this.#options.seed, `node:${nodeId}`);
    const ctx = this.#context(nodeId, [...(nodeIds as string[])].sort(), storage, new Rng(nodeSeed));
    this.#options.io.log(
      `${nodeId}: random seed ${this.#options.seed} (run again with --seed ${this.#options.seed} for the same draws); storage in ${storage.file}`,
    );
    const node = this.#options.factory(ctx);
    this.#initialised = { ctx, node };
    const answer = (): void =>
      this.#emit(envelope.src, { type: 'init_ok', ...(body.msg_id === undefined ? {} : { in_reply_to: body.msg_id }) });
    if (node.onStart === undefined) return answer();
    this.#run('starting', envelope.src, undefined, () => node.onStart!(ctx), answer);
  }

  /** Runs a handler; reports a throw (or rejection) and answers `request` with an error. */
  #run(
    what: string,
    from: NodeId,
    request: MaelstromBody | undefined,
    handler: () => void | Promise<void>,
    then?: () => void,
  ): void {
    const fail = (error: unknown): void => {
      this.#options.io.log(`${this.#initialised?.ctx.id ?? 'node'} threw while ${what}: ${describeError(error)}`);
      if (request === undefined) return;
      const notWritten = error instanceof NotImplementedError;
      const code = notWritten ? ERROR_CODES.notSupported : ERROR_CODES.crash;
      this.#answerWithError(from, request, code, error instanceof Error ? error.message : String(error));
    };
    try {
      const result = handler();
      if (result instanceof Promise) result.then(then, fail);
      else then?.();
    } catch (error) {
      fail(error);
    }
  }

  #answerWithError(to: NodeId, request: MaelstromBody, code: number, text: string): void {
    if (request.msg_id === undefined) return;
    this.#emit(to, { ...errorBody(code, text), in_reply_to: request.msg_id });
  }

  #remember(client: NodeId, body: MaelstromBody): void {
    this.#requests.set(`${client}#${body.msg_id}`, body);
    if (this.#requests.size > MAX_OPEN_REQUESTS) this.#requests.delete(this.#requests.keys().next().value!);
  }

  #takeReply(body: MaelstromBody): boolean {
    const id = body.in_reply_to!;
    const pending = this.#pending.get(id);
    if (pending === undefined) {
      if (id >= this.#nextMessageId) return false; // not ours: onMessage decides
      this.#options.io.log(`late reply ${body.type} to request ${id} ignored: that rpc already timed out`);
      return true;
    }
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve({ ok: true, reply: withoutProtocolFields(body) as Message });
    return true;
  }

  #emit(to: NodeId, body: Record<string, unknown> & { type: string }): void {
    const from = this.#initialised?.ctx.id ?? this.#addressedAs;
    this.#options.io.send(JSON.stringify({ src: from, dest: to, body }));
  }

  /** The node's message as a body for `to`: translated when `to` is a client. */
  #bodyFor(
    to: NodeId,
    message: OutgoingMessage,
    request: MaelstromBody | undefined,
  ): Record<string, unknown> & { type: string } {
    const nodeIds = this.#initialised?.ctx.nodeIds ?? [];
    const toClient = this.#options.translation?.toClient;
    const translated =
      !nodeIds.includes(to) && toClient !== undefined ? toClient(message as Message, request) : message;
    return withoutProtocolFields(translated);
  }

  #context(id: NodeId, nodeIds: readonly NodeId[], storage: DurableStorage, rng: Rng): NodeContext {
    const delayMs = (delay: Delay): number => (typeof delay === 'number' ? delay : rng.int(delay.min, delay.max));
    const log = (text: string): void => this.#options.io.log(`${id} ${performance.now().toFixed(1)}ms: ${text}`);
    return {
      id,
      nodeIds,
      // The process's monotonic clock in ms: the node compares only its own readings.
      now: () => performance.now(),
      random: () => rng.next(),
      randomInt: (min, max) => rng.int(min, max),
      storage,
      log,
      send: (to: NodeId, message: OutgoingMessage) => this.#emit(to, this.#bodyFor(to, message, undefined)),
      rpc: <Reply extends Message = Message>(to: NodeId, request: OutgoingMessage, options: RpcOptions) =>
        new Promise<RpcResult<Reply>>((resolve) => {
          const msgId = this.#nextMessageId++;
          const timer = setTimeout(() => {
            this.#pending.delete(msgId);
            resolve({ ok: false, error: 'timeout' });
          }, options.timeoutMs);
          this.#pending.set(msgId, { resolve: resolve as (result: RpcResult) => void, timer });
          this.#emit(to, { ...this.#bodyFor(to, request, undefined), msg_id: msgId });
        }),
      reply: (to: NodeId, request: Message, reply: OutgoingMessage) => {
        const rpcId = (request as { rpcId?: unknown }).rpcId;
        if (typeof rpcId !== 'number') {
          throw new TypeError(
            `${id} called ctx.reply to ${withArticle(request.type)} message from ${to}, which is not a request (it has ` +
              'no msg_id), so nothing waits for an answer. A node ignores the message types it does not handle; to ' +
              'send something back anyway, use ctx.send.',
          );
        }
        const key = `${to}#${rpcId}`;
        const original = this.#requests.get(key);
        this.#requests.delete(key);
        this.#emit(to, { ...this.#bodyFor(to, reply, original), in_reply_to: rpcId });
      },
      setTimer: (delay: Delay, payload: TimerPayload) => {
        const timerId = this.#nextTimerId++;
        const timer = setTimeout(() => {
          this.#timers.delete(timerId);
          const node = this.#initialised?.node;
          if (node?.onTimer === undefined) return;
          this.#run(`handling timer ${payload.type}`, id, undefined, () =>
            node.onTimer!(this.#initialised!.ctx, payload),
          );
        }, delayMs(delay));
        this.#timers.set(timerId, timer);
        return timerId;
      },
      cancelTimer: (timerId: TimerId) => {
        clearTimeout(this.#timers.get(timerId));
        this.#timers.delete(timerId);
      },
      sleep: (delay: Delay) => new Promise<void>((resolve) => setTimeout(resolve, delayMs(delay))),
    };
  }
}

function withoutProtocolFields(message: object): Record<string, unknown> & { type: string } {
  const copy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(message)) if (!PROTOCOL_FIELDS.has(field)) copy[field] = value;
  return copy as Record<string, unknown> & { type: string };
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
