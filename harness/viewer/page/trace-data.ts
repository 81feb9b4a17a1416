/**
 * The trace as the page reads it: parsed once from the page's JSON, with the view model's columns as
 * typed arrays and the look-ups the drawing, picking and details need. Read-only after it is built;
 * the indexes that only some interactions need are built on first use.
 *
 * @module
 */
import type { TraceEvent, TraceFile } from '../../trace/index.ts';
import type { ViewerData, ViewModel, ViewOperation } from '../view-model.ts';

/** What became of a copy of a message, by its `ArrowFate` code. */
export const FATE_WORDS = [
  'delivered',
  'dropped by the network',
  'dropped: the link was cut',
  'dropped: the receiver was down',
  'still in flight when the run ended',
];

/** Mark kind codes by name; -1 for a kind the view model does not use. */
export interface MarkKindCodes {
  readonly start: number;
  readonly restart: number;
  readonly crash: number;
  readonly timerSet: number;
  readonly timerFire: number;
  readonly timerCancel: number;
  readonly log: number;
  readonly invoke: number;
  readonly complete: number;
  readonly duplicate: number;
  readonly clock: number;
  readonly crashArmed: number;
  readonly crashExpired: number;
  readonly failure: number;
  readonly pause: number;
  readonly resume: number;
}

/** The trace and its view model, indexed for the page. */
export interface TraceData {
  readonly trace: TraceFile;
  readonly view: ViewModel;
  readonly events: readonly TraceEvent[];
  /** The number of events. */
  readonly count: number;
  readonly laneIds: readonly string[];
  readonly laneIndexOf: ReadonlyMap<string, number>;
  readonly typeIndexOf: ReadonlyMap<string, number>;
  /** Event times, made non-decreasing (this only guards the binary searches); `times[count]` is the end of the run. */
  readonly times: Float64Array;
  /** The arrows' columns (see `ViewArrows`); `end` is `count` for a copy still in flight. */
  readonly arrows: {
    readonly count: number;
    readonly id: Int32Array;
    readonly send: Int32Array;
    readonly end: Int32Array;
    readonly from: Int32Array;
    readonly to: Int32Array;
    readonly type: Int32Array;
    readonly fate: Uint8Array;
    readonly duplicated: Uint8Array;
  };
  /** The marks' columns (see `ViewMarks`). */
  readonly marks: {
    readonly count: number;
    readonly event: Int32Array;
    readonly lane: Int32Array;
    readonly kind: Uint8Array;
  };
  readonly kind: MarkKindCodes;
  readonly timerKinds: ReadonlySet<number>;
  readonly highlightMessages: ReadonlySet<number>;
  readonly highlightEvents: ReadonlySet<number>;
  /** Operations by the event index of their invoke and of their complete. */
  readonly operationAt: ReadonlyMap<number, ViewOperation>;
  /** The arrows (copies) of message `id`. */
  arrowsOfMessage(id: number): readonly number[];
  /** The event index of message `id`'s send. */
  sendOfMessage(id: number): number | undefined;
  /** The event indexes of lane `lane`'s log lines, in order. */
  logsOf(lane: number): Int32Array;
}

/** Reads the page's data element and indexes it. */
export function readTraceData(data: ViewerData): TraceData {
  const { trace, view } = data;
  const events = trace.events;
  const count = events.length;
  const laneIds = view.lanes.map((lane) => lane.id);
  const markKindOf = new Map(view.markKinds.map((kind, index) => [kind, index]));
  const code = (name: string): number => markKindOf.get(name) ?? -1;
  const kind: MarkKindCodes = {
    start: code('start'),
    restart: code('restart'),
    crash: code('crash'),
    timerSet: code('timer-set'),
    timerFire: code('timer-fire'),
    timerCancel: code('timer-cancel'),
    log: code('log'),
    invoke: code('invoke'),
    complete: code('complete'),
    duplicate: code('duplicate'),
    clock: code('clock'),
    crashArmed: code('crash-armed'),
    crashExpired: code('crash-expired'),
    failure: code('failure'),
    pause: code('pause'),
    resume: code('resume'),
  };
  const arrows = {
    count: view.arrows.send.length,
    id: Int32Array.from(view.arrows.id),
    send: Int32Array.from(view.arrows.send),
    end: Int32Array.from(view.arrows.end, (end) => (end < 0 ? count : end)),
    from: Int32Array.from(view.arrows.fromLane),
    to: Int32Array.from(view.arrows.toLane),
    type: Int32Array.from(view.arrows.type),
    fate: Uint8Array.from(view.arrows.fate),
    duplicated: Uint8Array.from(view.arrows.duplicated),
  };
  const marks = {
    count: view.marks.event.length,
    event: Int32Array.from(view.marks.event),
    lane: Int32Array.from(view.marks.lane),
    kind: Uint8Array.from(view.marks.kind),
  };
  const operationAt = new Map<number, ViewOperation>();
  for (const operation of view.operations) {
    operationAt.set(operation.invoke, operation);
    if (operation.complete >= 0) operationAt.set(operation.complete, operation);
  }
  let arrowsById: Map<number, number[]> | null = null;
  let sendById: Map<number, number> | null = null;
  let logsByLane: Map<number, Int32Array> | null = null;
  return {
    trace,
    view,
    events,
    count,
    laneIds,
    laneIndexOf: new Map(laneIds.map((id, index) => [id, index])),
    typeIndexOf: new Map(view.types.map((type, index) => [type.name, index])),
    times: monotoneTimes(trace),
    arrows,
    marks,
    kind,
    timerKinds: new Set([kind.timerSet, kind.timerFire, kind.timerCancel]),
    highlightMessages: new Set(view.highlightMessages),
    highlightEvents: new Set(view.highlightEvents),
    operationAt,
    arrowsOfMessage(id) {
      arrowsById ??= groupArrowsById(arrows.count, arrows.id);
      return arrowsById.get(id) ?? [];
    },
    sendOfMessage(id) {
      if (sendById === null) {
        sendById = new Map();
        for (let arrow = 0; arrow < arrows.count; arrow++) sendById.set(arrows.id[arrow] ?? 0, arrows.send[arrow] ?? 0);
      }
      return sendById.get(id);
    },
    logsOf(lane) {
      logsByLane ??= groupLogsByLane(marks, kind.log);
      return logsByLane.get(lane) ?? new Int32Array(0);
    },
  };
}

function monotoneTimes(trace: TraceFile): Float64Array {
  const count = trace.events.length;
  const times = new Float64Array(count + 1);
  let latest = 0;
  for (let index = 0; index < count; index++) {
    latest = Math.max(latest, trace.events[index]!.t);
    times[index] = latest;
  }
  times[count] = Math.max(latest, trace.endMs);
  return times;
}

function groupArrowsById(count: number, ids: Int32Array): Map<number, number[]> {
  const byId = new Map<number, number[]>();
  for (let arrow = 0; arrow < count; arrow++) {
    const id = ids[arrow] ?? 0;
    const list = byId.get(id);
    if (list === undefined) byId.set(id, [arrow]);
    else list.push(arrow);
  }
  return byId;
}

function groupLogsByLane(marks: TraceData['marks'], logKind: number): Map<number, Int32Array> {
  const lists = new Map<number, number[]>();
  for (let mark = 0; mark < marks.count; mark++) {
    if (marks.kind[mark] !== logKind) continue;
    const lane = marks.lane[mark] ?? 0;
    const list = lists.get(lane) ?? [];
    list.push(marks.event[mark] ?? 0);
    lists.set(lane, list);
  }
  return new Map([...lists].map(([lane, list]) => [lane, Int32Array.from(list)]));
}

/** The lane an event is drawn on (for a message: where its mark sits), or -1 for network-wide events. */
export function laneOfEvent(data: TraceData, event: TraceEvent): number {
  const lane = (id: string): number => data.laneIndexOf.get(id) ?? -1;
  switch (event.kind) {
    case 'send':
    case 'duplicate':
      return lane(event.from);
    case 'deliver':
      return lane(event.to);
    case 'drop':
      return lane(event.reason === 'node-down' ? event.to : event.from);
    case 'invoke':
    case 'complete':
      return lane(event.client);
    case 'links':
    case 'network':
      return -1;
    case 'failure':
      return event.node === null ? -1 : lane(event.node);
    default:
      return lane(event.node);
  }
}

/** The first index in [0, count) whose x is >= x, for a list sorted by x. */
export function lowerBound(count: number, xAt: (index: number) => number, x: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (xAt(middle) < x) low = middle + 1;
    else high = middle;
  }
  return low;
}
