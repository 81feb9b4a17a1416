/**
 * From a trace to the elements of its space-time diagram: which lane each event belongs to, which
 * send each delivery or drop ends, when nodes were down, paused or cut off, and the client operations.
 *
 * Pure and linear in the number of events, so that a failing test can afford to write the page.
 *
 * @module
 */
import { describeNetwork, type TraceEvent, type TraceFile } from '../trace/index.ts';
import type {
  ArrowFate,
  ViewArrows,
  ViewFailure,
  ViewGlobal,
  ViewInterval,
  ViewLane,
  ViewMarks,
  ViewModel,
  ViewOperation,
} from './view-model.ts';

/** How to draw a trace. */
export interface ViewerOptions {
  /** The page's title. Default: the failure's message, or `Trace, seed <seed>`. */
  readonly title?: string;
  /**
   * Operation ids (`op#N`, the ids of the history) that a checker could not place, e.g. the evidence of
   * an `illegal` linearizability verdict. Added to any given as `highlightOperations` in
   * `TraceFile.details`.
   */
  readonly highlightOperations?: readonly number[];
  /** Message ids (`#N`) that are part of the failure's evidence. Added to any given in `TraceFile.details`. */
  readonly highlightMessages?: readonly number[];
}

/** Keys of `TraceFile.details` that the viewer reads as highlights rather than shows as text. */
const HIGHLIGHT_KEYS = ['highlightOperations', 'highlightMessages'] as const;

/** Mark kinds, in the order their codes are assigned. `send`, `deliver` and `drop` are arrows, not marks. */
const MARK_KINDS = [
  'start',
  'restart',
  'crash',
  'timer-set',
  'timer-fire',
  'timer-cancel',
  'log',
  'invoke',
  'complete',
  'duplicate',
  'clock',
  'crash-armed',
  'crash-expired',
  'failure',
  'pause',
  'resume',
] as const;

type MarkKind = (typeof MARK_KINDS)[number];

const FATE_OF_DROP: Readonly<Record<string, ArrowFate>> = { network: 1, partition: 2, 'node-down': 3 };

/** A label longer than this is cut with an ellipsis; the full value is one click away. */
const MAX_LABEL_CHARS = 80;

/**
 * Builds everything the page draws from `trace`. Events that name a node missing from `trace.nodes` and
 * `trace.clients` get a lane of their own rather than being lost.
 */
export function buildViewModel(trace: TraceFile, options: ViewerOptions = {}): ViewModel {
  const lanes = collectLanes(trace);
  const laneIndex = new Map(lanes.map((lane, index) => [lane.id, index]));
  const laneOf = (id: string): number => laneIndex.get(id) ?? 0;
  const events = trace.events;
  const { arrows, types } = collectArrows(events, laneOf);
  const failure = describeFailure(trace);
  const operations = collectOperations(events, lanes, laneOf, [
    ...(options.highlightOperations ?? []),
    ...numbersIn(trace.details?.['highlightOperations']),
    ...(failure === null ? [] : mentionedOperations(failure.message)),
  ]);
  const knownMessages = new Set(arrows.id);
  const highlightMessages = unique([
    ...(options.highlightMessages ?? []),
    ...numbersIn(trace.details?.['highlightMessages']),
    ...(failure === null ? [] : mentionedMessages(failure.message)),
  ]).filter((id) => knownMessages.has(id));
  return {
    title: options.title ?? (failure === null ? `Trace, seed ${trace.seed}` : firstLine(failure.message)),
    lanes,
    clientLanes: lanes.flatMap((lane, index) => (lane.kind === 'client' ? [index] : [])),
    types,
    markKinds: MARK_KINDS,
    arrows,
    marks: collectMarks(events, laneOf),
    intervals: [
      ...downIntervals(events, laneOf),
      ...pausedIntervals(events, laneOf),
      ...cutIntervals(events, lanes),
    ].sort((a, b) => a.start - b.start),
    globals: collectGlobals(events),
    operations,
    failure,
    highlightMessages,
    highlightEvents: unique([
      ...(failure !== null && failure.event >= 0 ? [failure.event] : []),
      ...concerning(trace),
    ]).sort((a, b) => a - b),
    highlightTimesMs: failure === null ? [] : mentionedTimes(failure.message),
    details: Object.entries(trace.details ?? {})
      .filter(([key]) => !(HIGHLIGHT_KEYS as readonly string[]).includes(key))
      .map(
        ([key, value]) =>
          [key, typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value))] as const,
      ),
  };
}

function collectLanes(trace: TraceFile): ViewLane[] {
  const lanes: ViewLane[] = [];
  const seen = new Set<string>();
  const add = (id: string, kind: ViewLane['kind']): void => {
    if (seen.has(id)) return;
    seen.add(id);
    lanes.push({ id, kind });
  };
  for (const id of trace.nodes) add(id, 'node');
  for (const id of trace.clients) add(id, 'client');
  for (const event of trace.events) {
    for (const id of lanesOfEvent(event))
      add(id, event.kind === 'invoke' || event.kind === 'complete' ? 'client' : 'node');
  }
  return lanes;
}

function lanesOfEvent(event: TraceEvent): string[] {
  switch (event.kind) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return [event.from, event.to];
    case 'invoke':
    case 'complete':
      return [event.client];
    case 'links':
    case 'network':
      return [];
    case 'failure':
      return event.node === null ? [] : [event.node];
    default:
      return [event.node];
  }
}

interface Copy {
  id: number;
  send: number;
  end: number;
  fromLane: number;
  toLane: number;
  type: number;
  fate: ArrowFate;
}

function collectArrows(
  events: readonly TraceEvent[],
  laneOf: (id: string) => number,
): { arrows: ViewArrows; types: ViewModel['types'] } {
  const typeIndex = new Map<string, number>();
  const typeCounts: number[] = [];
  const sends = new Map<number, { index: number; type: number; copies: number; ended: number }>();
  const duplicated = new Set<number>();
  const copies: Copy[] = [];
  events.forEach((event, index) => {
    if (event.kind === 'send') {
      let type = typeIndex.get(event.type);
      if (type === undefined) {
        type = typeCounts.length;
        typeIndex.set(event.type, type);
        typeCounts.push(0);
      }
      typeCounts[type]!++;
      sends.set(event.id, { index, type, copies: 1, ended: 0 });
      return;
    }
    if (event.kind !== 'deliver' && event.kind !== 'drop' && event.kind !== 'duplicate') return;
    const sent = sends.get(event.id);
    if (sent === undefined) return; // A trace cut before its send; nothing to draw the arrow from.
    if (event.kind === 'duplicate') {
      sent.copies++;
      duplicated.add(event.id);
      return;
    }
    sent.ended++;
    const fate = event.kind === 'deliver' ? 0 : (FATE_OF_DROP[event.reason] ?? 1);
    copies.push({
      id: event.id,
      send: sent.index,
      end: index,
      fromLane: laneOf(event.from),
      toLane: laneOf(event.to),
      type: sent.type,
      fate,
    });
  });
  for (const [id, sent] of sends) {
    const send = events[sent.index] as Extract<TraceEvent, { kind: 'send' }>;
    for (let copy = sent.ended; copy < sent.copies; copy++) {
      copies.push({
        id,
        send: sent.index,
        end: -1,
        fromLane: laneOf(send.from),
        toLane: laneOf(send.to),
        type: sent.type,
        fate: 4,
      });
    }
  }
  copies.sort((a, b) => a.send - b.send || (a.end === -1 ? Infinity : a.end) - (b.end === -1 ? Infinity : b.end));
  const arrows: ViewArrows = {
    id: [],
    send: [],
    end: [],
    fromLane: [],
    toLane: [],
    type: [],
    fate: [],
    duplicated: [],
  };
  for (const copy of copies) {
    arrows.id.push(copy.id);
    arrows.send.push(copy.send);
    arrows.end.push(copy.end);
    arrows.fromLane.push(copy.fromLane);
    arrows.toLane.push(copy.toLane);
    arrows.type.push(copy.type);
    arrows.fate.push(copy.fate);
    arrows.duplicated.push(duplicated.has(copy.id) ? 1 : 0);
  }
  const types = [...typeIndex.keys()].map((name, index) => ({ name, count: typeCounts[index]! }));
  return { arrows, types };
}

function collectMarks(events: readonly TraceEvent[], laneOf: (id: string) => number): ViewMarks {
  const marks: ViewMarks = { event: [], lane: [], kind: [] };
  const codes = new Map<string, number>(MARK_KINDS.map((kind, index) => [kind, index]));
  events.forEach((event, index) => {
    const lane = markLane(event);
    if (lane === null) return;
    marks.event.push(index);
    marks.lane.push(laneOf(lane));
    marks.kind.push(codes.get(event.kind as MarkKind)!);
  });
  return marks;
}

function markLane(event: TraceEvent): string | null {
  switch (event.kind) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'links':
    case 'network':
      return null;
    case 'duplicate':
      return event.from;
    case 'invoke':
    case 'complete':
      return event.client;
    case 'failure':
      return event.node;
    default:
      return event.node;
  }
}

function downIntervals(events: readonly TraceEvent[], laneOf: (id: string) => number): ViewInterval[] {
  const intervals: ViewInterval[] = [];
  const open = new Map<string, { start: number; atMs: number }>();
  events.forEach((event, index) => {
    if (event.kind === 'crash' && !open.has(event.node)) open.set(event.node, { start: index, atMs: event.t });
    if (event.kind === 'restart') {
      const crash = open.get(event.node);
      if (crash === undefined) return;
      open.delete(event.node);
      const label = `${event.node} down: crashed at t=${crash.atMs} ms, restarted at t=${event.t} ms`;
      intervals.push({ lane: laneOf(event.node), kind: 'down', start: crash.start, end: index, label, text: 'down' });
    }
  });
  for (const [node, crash] of open) {
    const label = `${node} down: crashed at t=${crash.atMs} ms, never restarted`;
    intervals.push({ lane: laneOf(node), kind: 'down', start: crash.start, end: -1, label, text: 'down' });
  }
  return intervals;
}

/** The stretches during which a node was paused: from its `pause` to its `resume`, or to a crash that ended it. */
function pausedIntervals(events: readonly TraceEvent[], laneOf: (id: string) => number): ViewInterval[] {
  const intervals: ViewInterval[] = [];
  const open = new Map<string, { start: number; atMs: number }>();
  events.forEach((event, index) => {
    if (event.kind === 'pause' && !open.has(event.node)) open.set(event.node, { start: index, atMs: event.t });
    if (event.kind !== 'resume' && event.kind !== 'crash') return;
    const paused = open.get(event.node);
    if (paused === undefined) return;
    open.delete(event.node);
    const how = event.kind === 'resume' ? `woke at t=${event.t} ms` : `crashed while paused at t=${event.t} ms`;
    const label = `${event.node} paused at t=${paused.atMs} ms, ${how}`;
    intervals.push({
      lane: laneOf(event.node),
      kind: 'paused',
      start: paused.start,
      end: index,
      label,
      text: 'paused',
    });
  });
  for (const [node, paused] of open) {
    const label = `${node} paused at t=${paused.atMs} ms, still paused when the run ended`;
    intervals.push({ lane: laneOf(node), kind: 'paused', start: paused.start, end: -1, label, text: 'paused' });
  }
  return intervals;
}

/** For every lane, the stretches during which at least one link to or from it was cut. */
function cutIntervals(events: readonly TraceEvent[], lanes: readonly ViewLane[]): ViewInterval[] {
  const intervals: ViewInterval[] = [];
  const open = new Map<number, { start: number; label: string; text: string }>();
  events.forEach((event, index) => {
    if (event.kind !== 'links') return;
    lanes.forEach((lane, laneIndex) => {
      const text = describeCut(lane.id, event.cut);
      const current = open.get(laneIndex);
      if (current !== undefined && current.text === text) return;
      if (current !== undefined) {
        intervals.push({
          lane: laneIndex,
          kind: 'cut',
          start: current.start,
          end: index,
          label: current.label,
          text: current.text,
        });
        open.delete(laneIndex);
      }
      if (text !== '')
        open.set(laneIndex, { start: index, label: `${lane.id} ${text} (${event.change} at t=${event.t} ms)`, text });
    });
  });
  for (const [lane, current] of open) intervals.push({ lane, kind: 'cut', end: -1, ...current });
  return intervals;
}

/**
 * Which of `node`'s links are cut, in words: `cut off from n2, n3` when both directions are cut,
 * `cannot send to n2` or `cannot hear from n2` for one direction. Empty when none is cut.
 */
function describeCut(node: string, cut: ReadonlyArray<readonly [string, string]>): string {
  const out = new Set(cut.filter(([from]) => from === node).map(([, to]) => to));
  const into = new Set(cut.filter(([, to]) => to === node).map(([from]) => from));
  const both = [...out].filter((peer) => into.has(peer));
  const parts = [
    both.length > 0 ? `cut off from ${both.join(', ')}` : '',
    [...out]
      .filter((peer) => !into.has(peer))
      .map((peer) => `cannot send to ${peer}`)
      .join(', '),
    [...into]
      .filter((peer) => !out.has(peer))
      .map((peer) => `cannot hear from ${peer}`)
      .join(', '),
  ];
  return parts.filter((part) => part !== '').join('; ');
}

function collectGlobals(events: readonly TraceEvent[]): ViewGlobal[] {
  const globals: ViewGlobal[] = [];
  events.forEach((event, index) => {
    if (event.kind === 'links') globals.push({ event: index, label: event.change });
    if (event.kind === 'network') {
      globals.push({ event: index, label: describeNetwork(event) });
    }
  });
  return globals;
}

function collectOperations(
  events: readonly TraceEvent[],
  lanes: readonly ViewLane[],
  laneOf: (id: string) => number,
  highlighted: readonly number[],
): ViewOperation[] {
  const rowOfLane = new Map<number, number>();
  lanes.forEach((lane, index) => {
    if (lane.kind === 'client') rowOfLane.set(index, rowOfLane.size);
  });
  const marked = new Set(highlighted);
  const open = new Map<number, { op: number; row: number; invoke: number; input: unknown }>();
  const operations: ViewOperation[] = [];
  const finish = (
    entry: { op: number; row: number; invoke: number; input: unknown },
    complete: number,
    status: ViewOperation['status'],
    output: unknown,
  ): void => {
    const outcome = status === 'ok' ? `ok ${brief(output)}` : status;
    operations.push({
      op: entry.op,
      row: entry.row,
      invoke: entry.invoke,
      complete,
      status,
      label: `${brief(entry.input)} → ${outcome}`,
      highlighted: marked.has(entry.op),
    });
  };
  events.forEach((event, index) => {
    if (event.kind === 'invoke') {
      open.set(event.op, {
        op: event.op,
        row: rowOfLane.get(laneOf(event.client)) ?? 0,
        invoke: index,
        input: event.input,
      });
    } else if (event.kind === 'complete') {
      const entry = open.get(event.op);
      if (entry === undefined) return;
      open.delete(event.op);
      finish(entry, index, event.status, event.output);
    }
  });
  for (const entry of open.values()) finish(entry, -1, 'indeterminate', undefined);
  return operations.sort((a, b) => a.invoke - b.invoke);
}

function describeFailure(trace: TraceFile): ViewFailure | null {
  const failureEvent = trace.events.findIndex((event) => event.kind === 'failure');
  if (trace.failure !== undefined) {
    const violationAtMs = trace.failure.violationAtMs ?? null;
    return {
      message: trace.failure.message,
      atMs: trace.failure.atMs,
      replay: trace.failure.replay ?? null,
      event: failureEvent,
      focus: offendingEvent(trace.events, concerning(trace), violationAtMs),
      violationAtMs,
    };
  }
  const event = trace.events[failureEvent];
  if (event === undefined || event.kind !== 'failure') return null;
  return { message: event.message, atMs: event.t, replay: null, event: failureEvent, focus: -1, violationAtMs: null };
}

/** The indexes of the events the failure concerns (`TraceFile.failure.events`), those that exist. */
function concerning(trace: TraceFile): number[] {
  const events = trace.failure?.events ?? [];
  return events.filter((index) => Number.isInteger(index) && index >= 0 && index < trace.events.length);
}

/** The event "Show the failure" selects, among `indexes` (see {@link ViewFailure.focus}). */
function offendingEvent(
  events: readonly TraceEvent[],
  indexes: readonly number[],
  violationAtMs: number | null,
): number {
  const crashes = indexes.filter((index) => {
    const event = events[index]!;
    return event.kind === 'crash' && event.midStep !== undefined;
  });
  if (crashes.length > 0) {
    if (violationAtMs === null) return crashes[0]!;
    const distance = (index: number): number => Math.abs(events[index]!.t - violationAtMs);
    return crashes.reduce((best, index) => (distance(index) < distance(best) ? index : best));
  }
  const upTo = violationAtMs === null ? indexes : indexes.filter((index) => events[index]!.t <= violationAtMs);
  return upTo.at(-1) ?? indexes.at(-1) ?? -1;
}

/**
 * Message ids a failure message names in the way the harness's checkers word them: `message #17`,
 * `messages #3 and #5`.
 */
export function mentionedMessages(text: string): number[] {
  const ids: number[] = [];
  for (const match of text.matchAll(/\bmessages?\s+((?:#\d+(?:\s*,\s*|\s+and\s+|\s*)?)+)/gi)) {
    for (const id of match[1]!.matchAll(/#(\d+)/g)) ids.push(Number(id[1]));
  }
  return unique(ids);
}

/** Operation ids a failure message names: `op#3`, `operation #3`, `operations #3 and #4`. */
export function mentionedOperations(text: string): number[] {
  const ids: number[] = [];
  for (const match of text.matchAll(/\bop(?:eration)?s?\s*((?:#\d+(?:\s*,\s*|\s+and\s+|\s*)?)+)/gi)) {
    for (const id of match[1]!.matchAll(/#(\d+)/g)) ids.push(Number(id[1]));
  }
  return unique(ids);
}

/** Virtual times a failure message names, as the harness words them: `t=40 ms`, `t=95ms`. */
export function mentionedTimes(text: string): number[] {
  return unique([...text.matchAll(/\bt=(\d+(?:\.\d+)?)\s*ms\b/g)].map((match) => Number(match[1])));
}

/** Numbers given as an array of numbers or as text like `3, 7 12` (test `details` are strings). */
function numbersIn(value: unknown): number[] {
  if (Array.isArray(value)) return value.filter((item): item is number => Number.isInteger(item));
  if (typeof value === 'string') return [...value.matchAll(/\d+/g)].map((match) => Number(match[0]));
  return [];
}

/**
 * A value in a few words for a bar: an object led by its `f` or `type` (as Jepsen histories and
 * messages name what they are), then its other fields, e.g. `write 3` for `{ f: 'write', value: 3 }`.
 */
function brief(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return compact(value);
  const record = value as Record<string, unknown>;
  const leadKey = typeof record['f'] === 'string' ? 'f' : typeof record['type'] === 'string' ? 'type' : null;
  const rest = Object.entries(record).filter(([key, field]) => key !== leadKey && field !== undefined);
  const words = [
    ...(leadKey === null ? [] : [String(record[leadKey])]),
    ...(rest.length === 1 && leadKey !== null
      ? [plain(rest[0]![1])]
      : rest.map(([key, field]) => `${key}=${plain(field)}`)),
  ];
  return cut(words.join(' '));
}

function plain(value: unknown): string {
  return typeof value === 'string' ? value : compact(value);
}

function compact(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return cut(text);
}

function cut(text: string): string {
  return text.length > MAX_LABEL_CHARS ? `${text.slice(0, MAX_LABEL_CHARS - 1)}…` : text;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? text;
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

function unique(numbers: readonly number[]): number[] {
  return [...new Set(numbers)];
}
