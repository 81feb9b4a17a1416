/**
 * The trace recorder: every event of a run, in order, unless recording is off (benchmarks).
 *
 * The events are kept compact (see `trace-columns.ts`): the frequent kinds (sends, deliveries, drops,
 * duplicates, timers, starts) as rows of numbers, a message as its JSON text, the rare kinds as the
 * objects they were recorded as. Nothing is built for the events until someone reads them:
 * {@link TraceRecorder.events} builds the objects (once each, kept from then on), and
 * {@link TraceRecorder.hash} hashes the events not hashed yet. Both give exactly what recording the
 * objects themselves gave: the same events, the same `traceHash`.
 *
 * Listeners ({@link TraceRecorder.listen}) get every event as it happens, as an object, whether the
 * trace is kept or not: a checker that follows the run reads the events there.
 *
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import type { DropReason, FailureEvent, TraceEvent } from '../trace/node.ts';
import { float64Column, int32Column, PackedTexts, StringTable, uint8Column } from './trace-columns.ts';

/** Called with each event of a run as it happens (see {@link TraceRecorder.listen}). */
export type TraceListener = (event: TraceEvent) => void;

/** The fields of a message in flight that its trace events name. */
export interface TracedMessage {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly sentAtMs: number;
}

// How a row of the event columns is stored. `arg` is a row of the sends or timers table, a node's string
// number, or (for OBJECT) an index into the objects recorded as they were.
const OBJECT = 0;
const START = 1;
const RESTART_START = 2;
const SEND = 3;
const DELIVER = 4;
const DROP_NETWORK = 5;
const DROP_PARTITION = 6;
const DROP_NODE_DOWN = 7;
const DUPLICATE = 8;
const TIMER_SET = 9;
const TIMER_FIRE = 10;
const TIMER_CANCEL = 11;

const DROP_KINDS: Readonly<Record<DropReason, number>> = {
  network: DROP_NETWORK,
  partition: DROP_PARTITION,
  'node-down': DROP_NODE_DOWN,
};
/**
 * A message up to this size is kept as its JSON text (small, and its receiver needs no copy); a larger
 * one is kept by reference, as writing its JSON at every send would cost more than copying it once more
 * for its receiver (strings are shared, not copied).
 */
const MAX_JSON_MESSAGE_BYTES = 4096;

/** Characters of JSON lines handed to the hash at once. */
const HASH_BATCH_CHARS = 1 << 16;

const DROP_REASONS: readonly DropReason[] = ['network', 'partition', 'node-down'];

/** Collects a run's trace events. */
export class TraceRecorder {
  /** Whether events are recorded. The failure that stops a run is recorded either way. */
  readonly enabled: boolean;
  readonly #listeners: TraceListener[] = [];

  // One row per event.
  readonly #time = float64Column();
  readonly #kind = uint8Column();
  readonly #arg = int32Column();
  /** Events of the kinds kept as objects. */
  readonly #objects: TraceEvent[] = [];
  readonly #strings = new StringTable();

  // One row per send; row r is message id r + 1 (ids are given out in send order).
  readonly #sendEvent = int32Column();
  readonly #sendFrom = int32Column();
  readonly #sendTo = int32Column();
  readonly #sendType = int32Column();
  readonly #sendBytes = int32Column();
  readonly #messages = new PackedTexts();
  /** Messages too large to be worth their JSON, by send row, kept as the objects sent. */
  readonly #keptMessages = new Map<number, unknown>();

  // One row per timer set; row r is timer id r + 1.
  readonly #timerNode = int32Column();
  readonly #timerType = int32Column();
  readonly #timerDue = float64Column();

  /** The events built so far for {@link TraceRecorder.events}: a prefix of the trace. */
  readonly #built: TraceEvent[] = [];
  /** The hash of the first `#hashedCount` events. */
  readonly #hash: Hash = createHash('sha256');
  #hashedCount = 0;

  /** A recorder that records (`enabled`) or drops everything but the failure. */
  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  /**
   * Whether anyone wants the events: recording is on, or someone listens. Hot paths test it first, so
   * that a run without a trace does not even build the event.
   */
  get wanted(): boolean {
    return this.enabled || this.#listeners.length > 0;
  }

  /**
   * Whether listeners get messages: then the receiver of a message must get a copy of its own, or it
   * could change what a listener keeps.
   */
  get listened(): boolean {
    return this.#listeners.length > 0;
  }

  /** Calls `listener` with every later event, as it happens, recorded or not. */
  listen(listener: TraceListener): void {
    this.#listeners.push(listener);
  }

  /** Events recorded so far. */
  get length(): number {
    return this.#kind.length;
  }

  /** Records `event` when recording is on (any kind; the frequent ones have methods that store them compactly). */
  record(event: TraceEvent): void {
    if (this.enabled) this.#pushObject(event);
    if (this.#listeners.length > 0) this.#tell(event);
  }

  /** Records the failure that stopped the run, even with recording off: the report needs it. */
  recordFailure(event: FailureEvent): void {
    this.#pushObject(event);
    if (this.#listeners.length > 0) this.#tell(event);
  }

  /** Records a node's start: at boot, or after a restart. */
  start(timeMs: number, node: string, restart: boolean): void {
    if (this.enabled) this.#push(timeMs, restart ? RESTART_START : START, this.#strings.number(node));
    if (this.#listeners.length > 0) this.#tell({ t: timeMs, kind: 'start', node, restart });
  }

  /**
   * Records a send of `message` (already copied; `bytes` its size) at its `sentAtMs`. Returns true when
   * the trace keeps `message` itself (a large one, whose JSON would cost more than the reference): then
   * its receiver must get a copy of its own.
   */
  send(sent: TracedMessage, bytes: number, message: unknown): boolean {
    const { id, from, to, type, sentAtMs } = sent;
    if (this.enabled) {
      if (id === this.#sendFrom.length + 1 && bytes === (bytes | 0)) {
        this.#sendEvent.push(this.#kind.length);
        this.#sendFrom.push(this.#strings.number(from));
        this.#sendTo.push(this.#strings.number(to));
        this.#sendType.push(this.#strings.number(type));
        this.#sendBytes.push(bytes);
        this.#push(sentAtMs, SEND, id - 1);
        if (bytes <= MAX_JSON_MESSAGE_BYTES) this.#messages.push(JSON.stringify(message));
        else this.#keepMessage(id - 1, message);
      } else {
        this.#pushObject({ t: sentAtMs, kind: 'send', id, from, to, type, bytes, message });
      }
    }
    if (this.#listeners.length > 0) this.#tell({ t: sentAtMs, kind: 'send', id, from, to, type, bytes, message });
    return this.enabled && (bytes > MAX_JSON_MESSAGE_BYTES || this.#kind.get(this.#kind.length - 1) === OBJECT);
  }

  /** Records the delivery of `message` at `timeMs`. */
  deliver(timeMs: number, message: TracedMessage): void {
    if (this.enabled) this.#pushMessageEvent(timeMs, DELIVER, message);
    if (this.#listeners.length > 0) {
      const { id, from, to, type, sentAtMs } = message;
      this.#tell({ t: timeMs, kind: 'deliver', id, from, to, type, sentAtMs });
    }
  }

  /** Records that `message` was lost at `timeMs`, and why. */
  drop(timeMs: number, message: TracedMessage, reason: DropReason): void {
    if (this.enabled) this.#pushMessageEvent(timeMs, DROP_KINDS[reason], message);
    if (this.#listeners.length > 0) {
      const { id, from, to, type } = message;
      this.#tell({ t: timeMs, kind: 'drop', id, from, to, type, reason });
    }
  }

  /** Records that the network made an extra copy of `message` at `timeMs`. */
  duplicate(timeMs: number, message: TracedMessage): void {
    if (this.enabled) this.#pushMessageEvent(timeMs, DUPLICATE, message);
    if (this.#listeners.length > 0) {
      const { id, from, to, type } = message;
      this.#tell({ t: timeMs, kind: 'duplicate', id, from, to, type });
    }
  }

  /** Records that `node` set timer `timer` of `type`, due at `dueAtMs`. */
  timerSet(timeMs: number, node: string, timer: number, type: string, dueAtMs: number): void {
    if (this.enabled) {
      if (timer === this.#timerNode.length + 1) {
        this.#timerNode.push(this.#strings.number(node));
        this.#timerType.push(this.#strings.number(type));
        this.#timerDue.push(dueAtMs);
        this.#push(timeMs, TIMER_SET, timer - 1);
      } else {
        this.#pushObject({ t: timeMs, kind: 'timer-set', node, timer, type, dueAtMs });
      }
    }
    if (this.#listeners.length > 0) this.#tell({ t: timeMs, kind: 'timer-set', node, timer, type, dueAtMs });
  }

  /** Records that `node`'s timer `timer` of `type` fired. */
  timerFire(timeMs: number, node: string, timer: number, type: string): void {
    if (this.enabled) {
      if (this.#isTimerRow(timer, node, type)) this.#push(timeMs, TIMER_FIRE, timer - 1);
      else this.#pushObject({ t: timeMs, kind: 'timer-fire', node, timer, type });
    }
    if (this.#listeners.length > 0) this.#tell({ t: timeMs, kind: 'timer-fire', node, timer, type });
  }

  /** Records that `node` cancelled its pending timer `timer`. */
  timerCancel(timeMs: number, node: string, timer: number): void {
    if (this.enabled) {
      if (this.#isTimerRow(timer, node, null)) this.#push(timeMs, TIMER_CANCEL, timer - 1);
      else this.#pushObject({ t: timeMs, kind: 'timer-cancel', node, timer });
    }
    if (this.#listeners.length > 0) this.#tell({ t: timeMs, kind: 'timer-cancel', node, timer });
  }

  /**
   * The events so far, as objects. Each is built once, the first time it is asked for, and kept: the
   * array returned grows as the run goes on (do not change it).
   */
  events(): readonly TraceEvent[] {
    const built = this.#built;
    for (let index = built.length; index < this.#kind.length; index++) built.push(this.#event(index));
    return built;
  }

  /**
   * `traceHash` of the events so far: SHA-256 of each event's JSON and a newline, first 16 hex digits.
   * Each event is hashed once; asking again hashes only the events recorded since.
   */
  hash(): string {
    // Lines go to the hash in batches: one call per event would cost more than the hashing itself.
    let batch = '';
    for (; this.#hashedCount < this.#kind.length; this.#hashedCount++) {
      batch += this.#json(this.#hashedCount) + '\n';
      if (batch.length >= HASH_BATCH_CHARS) {
        this.#hash.update(batch);
        batch = '';
      }
    }
    if (batch.length > 0) this.#hash.update(batch);
    return this.#hash.copy().digest('hex').slice(0, 16);
  }

  /** Keeps a large message by reference: an empty text (never JSON) marks its row. */
  #keepMessage(row: number, message: unknown): void {
    this.#messages.push('');
    this.#keptMessages.set(row, message);
  }

  /** The JSON of the message sent in row `row`. */
  #messageJson(row: number): string {
    const text = this.#messages.get(row);
    return text === '' ? JSON.stringify(this.#keptMessages.get(row)) : text;
  }

  /** The message sent in row `row`, as an object of its own. */
  #message(row: number): unknown {
    const text = this.#messages.get(row);
    return text === '' ? this.#keptMessages.get(row) : (JSON.parse(text) as unknown);
  }

  #push(timeMs: number, kind: number, arg: number): void {
    this.#time.push(timeMs);
    this.#kind.push(kind);
    this.#arg.push(arg);
  }

  #pushObject(event: TraceEvent): void {
    this.#push(event.t, OBJECT, this.#objects.length);
    this.#objects.push(event);
  }

  /** A delivery, drop or duplicate: a row naming the send's row, when the send has one. */
  #pushMessageEvent(timeMs: number, kind: number, message: TracedMessage): void {
    if (message.id >= 1 && message.id <= this.#sendFrom.length) return this.#push(timeMs, kind, message.id - 1);
    const { id, from, to, type, sentAtMs } = message;
    if (kind === DELIVER) return this.#pushObject({ t: timeMs, kind: 'deliver', id, from, to, type, sentAtMs });
    if (kind === DUPLICATE) return this.#pushObject({ t: timeMs, kind: 'duplicate', id, from, to, type });
    this.#pushObject({ t: timeMs, kind: 'drop', id, from, to, type, reason: DROP_REASONS[kind - DROP_NETWORK]! });
  }

  /** Does timer `timer` have a row, set by `node` (and, unless `type` is null, of `type`)? */
  #isTimerRow(timer: number, node: string, type: string | null): boolean {
    if (timer < 1 || timer > this.#timerNode.length) return false;
    const strings = this.#strings;
    return (
      strings.string(this.#timerNode.get(timer - 1)) === node &&
      (type === null || strings.string(this.#timerType.get(timer - 1)) === type)
    );
  }

  #tell(event: TraceEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Event `index` as an object, with its keys in the order they were always recorded in. */
  #event(index: number): TraceEvent {
    const t = this.#time.get(index);
    const arg = this.#arg.get(index);
    const kind = this.#kind.get(index);
    const strings = this.#strings;
    switch (kind) {
      case OBJECT:
        return this.#objects[arg]!;
      case START:
      case RESTART_START:
        return { t, kind: 'start', node: strings.string(arg), restart: kind === RESTART_START };
      case SEND:
        return {
          t,
          kind: 'send',
          id: arg + 1,
          from: strings.string(this.#sendFrom.get(arg)),
          to: strings.string(this.#sendTo.get(arg)),
          type: strings.string(this.#sendType.get(arg)),
          bytes: this.#sendBytes.get(arg),
          message: this.#message(arg),
        };
      case DELIVER:
        return {
          t,
          kind: 'deliver',
          id: arg + 1,
          from: strings.string(this.#sendFrom.get(arg)),
          to: strings.string(this.#sendTo.get(arg)),
          type: strings.string(this.#sendType.get(arg)),
          sentAtMs: this.#time.get(this.#sendEvent.get(arg)),
        };
      case DROP_NETWORK:
      case DROP_PARTITION:
      case DROP_NODE_DOWN:
        return {
          t,
          kind: 'drop',
          id: arg + 1,
          from: strings.string(this.#sendFrom.get(arg)),
          to: strings.string(this.#sendTo.get(arg)),
          type: strings.string(this.#sendType.get(arg)),
          reason: DROP_REASONS[kind - DROP_NETWORK]!,
        };
      case DUPLICATE:
        return {
          t,
          kind: 'duplicate',
          id: arg + 1,
          from: strings.string(this.#sendFrom.get(arg)),
          to: strings.string(this.#sendTo.get(arg)),
          type: strings.string(this.#sendType.get(arg)),
        };
      case TIMER_SET:
        return {
          t,
          kind: 'timer-set',
          node: strings.string(this.#timerNode.get(arg)),
          timer: arg + 1,
          type: strings.string(this.#timerType.get(arg)),
          dueAtMs: this.#timerDue.get(arg),
        };
      case TIMER_FIRE:
        return {
          t,
          kind: 'timer-fire',
          node: strings.string(this.#timerNode.get(arg)),
          timer: arg + 1,
          type: strings.string(this.#timerType.get(arg)),
        };
      default:
        return { t, kind: 'timer-cancel', node: strings.string(this.#timerNode.get(arg)), timer: arg + 1 };
    }
  }

  /**
   * `JSON.stringify` of event `index`, written out for the compact kinds (their keys, in order, and
   * numbers as JSON writes them) so that hashing a long trace builds no objects.
   */
  #json(index: number): string {
    const t = this.#time.get(index);
    const arg = this.#arg.get(index);
    const kind = this.#kind.get(index);
    const strings = this.#strings;
    const head = (name: string) => `{"t":${t},"kind":"${name}"`;
    const message = () =>
      `,"id":${arg + 1},"from":${strings.json(this.#sendFrom.get(arg))},"to":${strings.json(this.#sendTo.get(arg))},` +
      `"type":${strings.json(this.#sendType.get(arg))}`;
    const timer = () => `,"node":${strings.json(this.#timerNode.get(arg))},"timer":${arg + 1}`;
    switch (kind) {
      case OBJECT:
        return JSON.stringify(this.#objects[arg]);
      case START:
      case RESTART_START:
        return `${head('start')},"node":${strings.json(arg)},"restart":${kind === RESTART_START}}`;
      case SEND:
        return `${head('send')}${message()},"bytes":${this.#sendBytes.get(arg)},"message":${this.#messageJson(arg)}}`;
      case DELIVER:
        return `${head('deliver')}${message()},"sentAtMs":${this.#time.get(this.#sendEvent.get(arg))}}`;
      case DROP_NETWORK:
      case DROP_PARTITION:
      case DROP_NODE_DOWN:
        return `${head('drop')}${message()},"reason":"${DROP_REASONS[kind - DROP_NETWORK]!}"}`;
      case DUPLICATE:
        return `${head('duplicate')}${message()}}`;
      case TIMER_SET:
        return `${head('timer-set')}${timer()},"type":${strings.json(this.#timerType.get(arg))},"dueAtMs":${this.#timerDue.get(arg)}}`;
      case TIMER_FIRE:
        return `${head('timer-fire')}${timer()},"type":${strings.json(this.#timerType.get(arg))}}`;
      default:
        return `${head('timer-cancel')}${timer()}}`;
    }
  }
}
