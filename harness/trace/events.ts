/**
 * The trace's event types: every event of a run, as typed JSON, and the file a trace is written to.
 *
 * Types only, and nothing from Node: the viewer page in the browser reads the same types.
 *
 * @module
 */
import type { NodeId } from '../node.ts';
import type { OperationStatus } from '../history.ts';

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
  /**
   * Set when the node died partway through a step, after `afterEffects` of its effects. `target` is
   * set when a targeted crash struck: the kind of step it was waiting for, e.g. `InstallSnapshot message`.
   */
  readonly midStep?: { readonly afterEffects: number; readonly during: string; readonly target?: string };
}

/** A targeted crash was armed: it waits for the node's next step of one kind. */
export interface CrashArmedEvent extends TraceEventBase {
  readonly kind: 'crash-armed';
  readonly node: NodeId;
  /** The kind of step it waits for, in words: `InstallSnapshot message`, `election timer`, `onStart`. */
  readonly step: string;
  /** Effects that step performs before the crash. */
  readonly afterEffects: number;
  /** When set, it is disarmed at this time if it has not struck. */
  readonly untilMs?: number;
  /** When the kind was drawn at random: the distinct kinds of step the node had taken, drawn from uniformly. */
  readonly drawnFrom?: readonly string[];
  /** Set when it aims at `onStart` and crashes the node at once (the crash follows), so that it recovers. */
  readonly provoked?: true;
}

/** A targeted crash never struck: no step of its kind came in time, or there was no kind to draw. */
export interface CrashExpiredEvent extends TraceEventBase {
  readonly kind: 'crash-expired';
  readonly node: NodeId;
  /** The kind of step it waited for, when one was chosen. */
  readonly step?: string;
  /** Why it never struck, in words. */
  readonly reason: string;
}

/** A crashed node came back (its `onStart` follows). */
export interface RestartEvent extends TraceEventBase {
  readonly kind: 'restart';
  readonly node: NodeId;
}

/** A node was paused: it takes no step until `untilMs` (see the `pause` fault). */
export interface PauseEvent extends TraceEventBase {
  readonly kind: 'pause';
  readonly node: NodeId;
  /** When it wakes, ms (virtual). */
  readonly untilMs: number;
}

/** A paused node woke: what waited for it (messages, due timers) follows. */
export interface ResumeEvent extends TraceEventBase {
  readonly kind: 'resume';
  readonly node: NodeId;
  /** How long it was paused, ms. */
  readonly pausedMs: number;
  /** Its clock reading on waking, ms: it jumped by the whole pause since its last step. */
  readonly localMs: number;
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
  /** With `tail`, a message is slower than `max` with probability `tail.rate`, up to `tail.maxMs`. */
  readonly delayMs: {
    readonly min: number;
    readonly max: number;
    readonly tail?: { readonly rate: number; readonly maxMs: number };
  };
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
  | CrashArmedEvent
  | CrashExpiredEvent
  | RestartEvent
  | PauseEvent
  | ResumeEvent
  | LinksEvent
  | NetworkEvent
  | ClockEvent
  | LogEvent
  | InvokeEvent
  | CompleteEvent
  | FailureEvent;

/** The kinds of trace event, e.g. `send`. */
export type TraceEventKind = TraceEvent['kind'];

/** What failed in a run whose trace was written for a failure. */
export interface TraceFailure {
  /** The report's headline: what broke. */
  readonly message: string;
  /** When the run stopped (virtual ms). */
  readonly atMs: number;
  /** The command that replays the run. */
  readonly replay?: string;
  /** When the property broke, when the checker said and it was before `atMs`. */
  readonly violationAtMs?: number;
  /**
   * Indexes into `events` of the events that concern the failure (the faults, messages and operations
   * it names, and every crash in the middle of a step), ascending: the viewer marks and selects them.
   */
  readonly events?: readonly number[];
}

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
  /** `traceHash` of `events` (see `trace/hash.ts`). */
  readonly hash: string;
  /** What failed, when the trace was written for a failure. */
  readonly failure?: TraceFailure | undefined;
  /** Extra facts the test recorded, e.g. the fault schedule. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  readonly events: readonly TraceEvent[];
}
