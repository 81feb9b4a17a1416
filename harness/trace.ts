/**
 * The trace: every event of a run, as typed JSON, in the order it happened.
 *
 * Same seed, same code: the same trace, byte for byte. {@link traceHash} condenses it to one string that
 * tests can compare, and {@link formatTraceEvent} prints one line per event for terminals and golden
 * tests.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { NodeId } from './node.ts';
import type { OperationStatus } from './history.ts';

/** Why a message did not arrive. */
export type DropReason = 'network' | 'partition' | 'node-down';

/** Fields every trace event has. */
export interface TraceEventBase {
  /** Virtual time (ms) of the event. */
  readonly t: number;
}

/** A node started its handlers: at boot (`restart: false`) or after a restart. */
export interface StartEvent extends TraceEventBase {
  readonly kind: 'start';
  readonly node: NodeId;
  readonly restart: boolean;
}

/** A node sent a message. `id` identifies the message across its send, deliveries and drops. */
export interface SendEvent extends TraceEventBase {
  readonly kind: 'send';
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: string;
  readonly bytes: number;
  readonly message: unknown;
}

/** A message arrived and was handed to its receiver. */
export interface DeliverEvent extends TraceEventBase {
  readonly kind: 'deliver';
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: string;
  /** When it was sent; `t - sentAtMs` is its delay. */
  readonly sentAtMs: number;
}

/** A message was lost. */
export interface DropEvent extends TraceEventBase {
  readonly kind: 'drop';
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: string;
  readonly reason: DropReason;
}

/** The network made an extra copy of a message; both copies travel independently. */
export interface DuplicateEvent extends TraceEventBase {
  readonly kind: 'duplicate';
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: string;
}

/** A node set a timer. */
export interface TimerSetEvent extends TraceEventBase {
  readonly kind: 'timer-set';
  readonly node: NodeId;
  readonly timer: number;
  readonly type: string;
  /** Virtual time at which it will fire. */
  readonly dueAtMs: number;
}

/** A timer fired. */
export interface TimerFireEvent extends TraceEventBase {
  readonly kind: 'timer-fire';
  readonly node: NodeId;
  readonly timer: number;
  readonly type: string;
}

/** A node cancelled a timer. */
export interface TimerCancelEvent extends TraceEventBase {
  readonly kind: 'timer-cancel';
  readonly node: NodeId;
  readonly timer: number;
}

/** A node crashed: its volatile state and timers are gone; durable storage survives. */
export interface CrashEvent extends TraceEventBase {
  readonly kind: 'crash';
  readonly node: NodeId;
  /** Set when the node died partway through a step, after `afterEffects` of its effects. */
  readonly midStep?: { readonly afterEffects: number; readonly during: string };
}

/** A crashed node came back (its `onStart` follows). */
export interface RestartEvent extends TraceEventBase {
  readonly kind: 'restart';
  readonly node: NodeId;
}

/** The set of cut links changed. `cut` lists every directed link now cut, as `[from, to]`. */
export interface LinksEvent extends TraceEventBase {
  readonly kind: 'links';
  /** What changed, in words, e.g. `partition {n1} | {n2, n3}` or `heal`. */
  readonly change: string;
  readonly cut: ReadonlyArray<readonly [NodeId, NodeId]>;
}

/** The network's fault settings changed. */
export interface NetworkEvent extends TraceEventBase {
  readonly kind: 'network';
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly delayMs: { readonly min: number; readonly max: number };
}

/** A node's clock settings changed. */
export interface ClockEvent extends TraceEventBase {
  readonly kind: 'clock';
  readonly node: NodeId;
  readonly skewMs: number;
  readonly driftPpm: number;
  /** The node's clock reading right after the change, in ms. */
  readonly localMs: number;
}

/** A node wrote a log line with `ctx.log`. */
export interface LogEvent extends TraceEventBase {
  readonly kind: 'log';
  readonly node: NodeId;
  readonly text: string;
}

/** A client invoked an operation. */
export interface InvokeEvent extends TraceEventBase {
  readonly kind: 'invoke';
  readonly client: NodeId;
  readonly op: number;
  readonly input: unknown;
}

/** A client learned how an operation ended. */
export interface CompleteEvent extends TraceEventBase {
  readonly kind: 'complete';
  readonly client: NodeId;
  readonly op: number;
  readonly status: OperationStatus;
  readonly output: unknown;
}

/** The run stopped because something went wrong: a handler threw, a limit was hit, a check failed. */
export interface FailureEvent extends TraceEventBase {
  readonly kind: 'failure';
  readonly node: NodeId | null;
  readonly message: string;
}

/** One event of a run. */
export type TraceEvent =
  | StartEvent
  | SendEvent
  | DeliverEvent
  | DropEvent
  | DuplicateEvent
  | TimerSetEvent
  | TimerFireEvent
  | TimerCancelEvent
  | CrashEvent
  | RestartEvent
  | LinksEvent
  | NetworkEvent
  | ClockEvent
  | LogEvent
  | InvokeEvent
  | CompleteEvent
  | FailureEvent;

/** The kinds of trace event, e.g. `send`. */
export type TraceEventKind = TraceEvent['kind'];

/** A whole trace as written to disk. */
export interface TraceFile {
  /** Format version of this file. */
  readonly version: 1;
  /** The run's seed. */
  readonly seed: number;
  /** The nodes and clients of the run. */
  readonly nodes: readonly NodeId[];
  readonly clients: readonly NodeId[];
  /** Virtual time at which the run stopped. */
  readonly endMs: number;
  /** {@link traceHash} of `events`. */
  readonly hash: string;
  /** What failed, when the trace was written for a failure. */
  readonly failure?: { readonly message: string; readonly atMs: number; readonly replay?: string } | undefined;
  /** Extra facts the test recorded, e.g. the fault schedule. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  readonly events: readonly TraceEvent[];
}

/**
 * A stable hash of a trace (SHA-256 of its events as JSON lines, first 16 hex digits). Equal hashes mean
 * the runs were identical.
 */
export function traceHash(events: readonly TraceEvent[]): string {
  const hash = createHash('sha256');
  for (const event of events) hash.update(JSON.stringify(event) + '\n');
  return hash.digest('hex').slice(0, 16);
}

/** Prints a trace one line per event. */
export function formatTrace(events: readonly TraceEvent[]): string {
  return events.map(formatTraceEvent).join('\n');
}

/** Prints one event as a line, e.g. `t=12ms    n1 → n2 send #3 echo {"type":"echo","text":"hi"}`. */
export function formatTraceEvent(event: TraceEvent): string {
  return `${`t=${event.t}ms`.padEnd(11)} ${describeEvent(event)}`;
}

function describeEvent(event: TraceEvent): string {
  switch (event.kind) {
    case 'start':
      return `${event.node} ${event.restart ? 'start (after restart)' : 'start'}`;
    case 'send':
      return `${event.from} → ${event.to} send #${event.id} ${event.type} ${JSON.stringify(event.message)}`;
    case 'deliver':
      return `${event.from} → ${event.to} deliver #${event.id} ${event.type} (sent t=${event.sentAtMs}ms)`;
    case 'drop':
      return `${event.from} → ${event.to} drop #${event.id} ${event.type} (${event.reason})`;
    case 'duplicate':
      return `${event.from} → ${event.to} duplicate #${event.id} ${event.type}`;
    case 'timer-set':
      return `${event.node} timer-set #${event.timer} ${event.type} (due t=${event.dueAtMs}ms)`;
    case 'timer-fire':
      return `${event.node} timer-fire #${event.timer} ${event.type}`;
    case 'timer-cancel':
      return `${event.node} timer-cancel #${event.timer}`;
    case 'crash':
      return event.midStep === undefined
        ? `${event.node} CRASH`
        : `${event.node} CRASH while ${event.midStep.during}, after ${event.midStep.afterEffects} effect(s)`;
    case 'restart':
      return `${event.node} RESTART`;
    case 'links':
      return `links: ${event.change}`;
    case 'network':
      return `network: drop ${event.dropRate}, duplicate ${event.duplicateRate}, delay ${event.delayMs.min}–${event.delayMs.max} ms`;
    case 'clock':
      return `${event.node} clock: skew ${event.skewMs} ms, drift ${event.driftPpm} ppm (now reads ${event.localMs} ms)`;
    case 'log':
      return `${event.node} log: ${event.text}`;
    case 'invoke':
      return `${event.client} invoke op#${event.op} ${JSON.stringify(event.input)}`;
    case 'complete':
      return `${event.client} ${event.status} op#${event.op} ${JSON.stringify(event.output) ?? ''}`;
    case 'failure':
      return `FAILURE${event.node === null ? '' : ` at ${event.node}`}: ${event.message}`;
  }
}
