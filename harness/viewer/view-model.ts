/**
 * The shape of what the viewer page draws: lanes, arrows, marks and bars, computed once from a trace.
 *
 * Everything here points back into `trace.events` by *event index*, so the page keeps exactly one copy
 * of each payload, and it can place an element either by virtual time or by event order. This file
 * holds types only: the page script (`page/`) imports them too.
 *
 * Invariant, for every list below that is said to be sorted: sorted by event index, which is also
 * virtual-time order, because a trace is recorded as time advances. The page binary-searches them to
 * draw only the visible time window.
 *
 * @module
 */
import type { TraceFile } from '../trace/index.ts';

/** The lanes of the diagram, from top to bottom: the server nodes, then the clients. */
export interface ViewLane {
  readonly id: string;
  readonly kind: 'node' | 'client';
}

/** A message type, with how many messages of it were sent. Its position is its colour. */
export interface ViewMessageType {
  readonly name: string;
  readonly count: number;
}

/**
 * What became of one copy of a message. The numbers are what {@link ViewArrows.fate} holds:
 * 0 delivered, 1 dropped by the network, 2 dropped at a cut link, 3 dropped because the receiver was
 * down, 4 still in flight when the run ended.
 */
export type ArrowFate = 0 | 1 | 2 | 3 | 4;

/**
 * One arrow per copy of a message, column by column (parallel arrays of equal length), sorted by
 * `send`. A duplicated message has two copies, so two arrows.
 */
export interface ViewArrows {
  /** The message id (`#17`). */
  readonly id: number[];
  /** Event index of the `send`. */
  readonly send: number[];
  /** Event index of the `deliver` or `drop` that ended this copy; -1 when it was still in flight. */
  readonly end: number[];
  /** Lane index of the sender and of the receiver. */
  readonly fromLane: number[];
  readonly toLane: number[];
  /** Index into {@link ViewModel.types}. */
  readonly type: number[];
  /** {@link ArrowFate} of this copy. */
  readonly fate: ArrowFate[];
  /** 1 when the network duplicated this message (every copy of it is marked). */
  readonly duplicated: Array<0 | 1>;
}

/** Point events drawn on a lane (timers, logs, crashes, ...), column by column, sorted by `event`. */
export interface ViewMarks {
  /** Event index. */
  readonly event: number[];
  readonly lane: number[];
  /** Index into {@link ViewModel.markKinds}. */
  readonly kind: number[];
}

/** A stretch of a lane that is shaded: the node was down, paused, or some of its links were cut. */
export interface ViewInterval {
  readonly lane: number;
  readonly kind: 'down' | 'paused' | 'cut';
  /** Event index where it began (the `crash`, `pause` or `links` event). */
  readonly start: number;
  /**
   * Event index where it ended (the `restart`, `resume`, `links` event, or the crash that ended a
   * pause); -1 when it lasted to the end of the run.
   */
  readonly end: number;
  /** What it was, in a sentence, e.g. `n3 down: crashed at t=300 ms, restarted at t=520 ms`. */
  readonly label: string;
  /** The same in a few words, for inside the band, e.g. `down` or `cut off from n2, n3`. */
  readonly text: string;
}

/** A change that affects the whole network: a partition or heal, or new drop/delay settings. */
export interface ViewGlobal {
  /** Event index of the `links` or `network` event. */
  readonly event: number;
  readonly label: string;
}

/** One client operation, as a bar in the history timeline under the lanes. */
export interface ViewOperation {
  /** The operation's id in the history (`op#3`). */
  readonly op: number;
  /** Index of the client's row among {@link ViewModel.clientLanes}. */
  readonly row: number;
  /** Event index of the `invoke`. */
  readonly invoke: number;
  /** Event index of the `complete`; -1 when the run ended first (the operation is indeterminate). */
  readonly complete: number;
  readonly status: 'ok' | 'fail' | 'indeterminate';
  /** The bar's text, e.g. `write 3 → ok` for input `{ f: 'write', value: 3 }`. */
  readonly label: string;
  /** Whether a checker could not place it (it is part of the evidence). */
  readonly highlighted: boolean;
}

/** What failed, if the trace was written for a failure. */
export interface ViewFailure {
  readonly message: string;
  readonly atMs: number;
  readonly replay: string | null;
  /** Event index of the trace's `failure` event, or -1 when the failure came from a test's assertion. */
  readonly event: number;
  /**
   * Event index of the offending event that "Show the failure" selects: a crash in the middle of a step
   * among the events the failure concerns (the one nearest the violation's time), else the last of
   * those events up to that time, else the last of them; -1 when the trace names none.
   */
  readonly focus: number;
  /** When the property broke, if the report knew and it was before the run stopped; else null. */
  readonly violationAtMs: number | null;
}

/** Everything the page draws. Built by `buildViewModel`. */
export interface ViewModel {
  /** The page's title. */
  readonly title: string;
  readonly lanes: readonly ViewLane[];
  /** Lane indexes of the clients, in order: the rows of the history timeline. */
  readonly clientLanes: readonly number[];
  readonly types: readonly ViewMessageType[];
  /** Names of the mark kinds: `kind` in {@link ViewMarks} indexes this list. */
  readonly markKinds: readonly string[];
  readonly arrows: ViewArrows;
  readonly marks: ViewMarks;
  readonly intervals: readonly ViewInterval[];
  readonly globals: readonly ViewGlobal[];
  /** Sorted by `invoke`. */
  readonly operations: readonly ViewOperation[];
  readonly failure: ViewFailure | null;
  /** Message ids whose arrows are drawn as part of the failure's evidence. */
  readonly highlightMessages: readonly number[];
  /** Event indexes marked as part of the failure's evidence: the failure event and those the failure concerns. */
  readonly highlightEvents: readonly number[];
  /** Virtual times (ms) the failure's message names, e.g. `(t=40 ms, t=95 ms)`: marked on the time axis. */
  readonly highlightTimesMs: readonly number[];
  /** Extra facts the test recorded (`TraceFile.details`), as text, for the side panel. */
  readonly details: ReadonlyArray<readonly [string, string]>;
}

/** What the page reads from its `<script type="application/json">` tag. */
export interface ViewerData {
  readonly trace: TraceFile;
  readonly view: ViewModel;
}
