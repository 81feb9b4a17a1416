/**
 * What a failure concerns, and which trace events show it: the nodes, ids, messages and operations the
 * violation names, the crashes and partitions of those nodes, and every crash that struck in the middle
 * of a step. A failure report lists these beside the last events of the run, and the trace viewer marks
 * them, so a cause at t=45 ms is not hidden behind three seconds of retransmission timers.
 *
 * @module
 */
import { focusOfViolation, PropertyViolated, type Violation } from '../check/verdict.ts';
import { SimulationError } from '../sim/index.ts';
import type { TraceEvent } from '../trace/index.ts';

/** What a failure concerns. Built by {@link failureFocus}. */
export interface FailureFocus {
  /** Nodes and clients involved. */
  readonly nodes: ReadonlySet<string>;
  /** Ids named, as they appear in message payloads and operations (`m17`, `c2-1`). */
  readonly ids: ReadonlySet<string>;
  /** Trace message numbers named (`#4`). */
  readonly messages: ReadonlySet<number>;
  /** Operations named (`op#3`). */
  readonly operations: ReadonlySet<number>;
  /** When the property broke, if known; else `null`. */
  readonly atMs: number | null;
}

/** The run a focus is found in: its trace and the names of its nodes and clients. */
export interface FocusedRun {
  readonly trace: readonly TraceEvent[];
  readonly nodeIds: readonly string[];
  readonly clientIds: readonly string[];
}

/**
 * What `error`, which stopped `run`, concerns: the focus of every violation a checker reported (found
 * on `error` or anywhere in its chain of causes), the node a simulator error names, and the node
 * names, message ids, `#N` message numbers and `op#N` operations its `headline` mentions.
 *
 * Cost: O(trace length + headline length).
 */
export function failureFocus(run: FocusedRun, error: unknown, headline: string): FailureFocus {
  const nodes = new Set<string>();
  const ids = new Set<string>();
  const operations = new Set<number>();
  const times: number[] = [];
  for (const violation of violationsIn(error)) {
    const focus = focusOfViolation(violation);
    for (const node of focus.nodes ?? []) nodes.add(node);
    for (const id of focus.ids ?? []) ids.add(id);
    for (const op of focus.operations ?? []) operations.add(op);
    if (focus.atMs !== undefined) times.push(focus.atMs);
  }
  if (error instanceof SimulationError && error.context.node !== null) nodes.add(error.context.node);

  const words = new Set(headline.match(/[\w.:/-]+/g) ?? []);
  for (const name of [...run.nodeIds, ...run.clientIds]) if (words.has(name)) nodes.add(name);
  for (const id of payloadIds(run.trace)) if (words.has(id)) ids.add(id);
  for (const [, op] of headline.matchAll(/\bop#(\d+)/g)) operations.add(Number(op));
  const messages = new Set([...headline.matchAll(/(?<!op)#(\d+)\b/g)].map(([, id]) => Number(id)));
  return { nodes, ids, messages, operations, atMs: times.length === 0 ? null : Math.min(...times) };
}

/** At most this many mid-step crashes, and crashes, restarts and cuts of the nodes involved, are listed. */
const MAX_FAULT_EVENTS = 8;
/** At most this many events about the messages and operations involved: the first half and the last. */
const MAX_NAMED_EVENTS = 10;
/** The last events of the run are listed too, whatever they are: this many. */
const TAIL_EVENTS = 8;

/** The events a failure report lists, as indexes into the trace, ascending. */
export interface ReportedEvents {
  /** Every event listed. */
  readonly shown: readonly number[];
  /** Those that concern the failure (the others are listed as the last events of the run). */
  readonly concerning: ReadonlySet<number>;
}

/**
 * The events a failure report lists: those that concern the failure (every crash in the middle of a
 * step; the crashes, restarts, pauses and cut links of the nodes involved; the sends, deliveries and drops of
 * the messages named and the replies to them; the operations named), and the last events of the run. Trace `failure` events are left out: the failure is the
 * report's headline.
 *
 * Cost: O(trace length).
 */
export function relevantEvents(trace: readonly TraceEvent[], focus: FailureFocus): ReportedEvents {
  const faults: number[] = [];
  const named: number[] = [];
  const messages = new Set(focus.messages);
  const requests = new Set<string>();
  let cutOff = false;
  trace.forEach((event, index) => {
    if (event.kind === 'links') {
      // A cut of a node involved, and the change that ends it.
      const cuts = event.cut.some(([from, to]) => focus.nodes.has(from) || focus.nodes.has(to));
      if (cuts || cutOff) faults.push(index);
      cutOff = cuts;
    } else if (isFaultAbout(event, focus.nodes)) faults.push(index);
    else if (isAbout(event, focus, messages, requests)) named.push(index);
  });
  const midStep = faults.filter((index) => isMidStepCrash(trace[index]!));
  const others = faults.filter((index) => !isMidStepCrash(trace[index]!));
  const concerning = new Set([...midStep, ...others].slice(0, MAX_FAULT_EVENTS));
  const half = MAX_NAMED_EVENTS / 2;
  for (const index of named.length <= MAX_NAMED_EVENTS ? named : [...named.slice(0, half), ...named.slice(-half)])
    concerning.add(index);
  const listable = trace.flatMap((event, index) => (event.kind === 'failure' ? [] : [index]));
  const tail = listable.slice(-TAIL_EVENTS);
  const shown = [...new Set([...concerning, ...tail])].sort((a, b) => a - b);
  return { shown, concerning };
}

/** Whether `event` is a crash that struck partway through a step: the kind of fault a report never hides. */
export function isMidStepCrash(event: TraceEvent): boolean {
  return event.kind === 'crash' && event.midStep !== undefined;
}

function isFaultAbout(event: TraceEvent, nodes: ReadonlySet<string>): boolean {
  switch (event.kind) {
    case 'crash':
      return event.midStep !== undefined || nodes.has(event.node);
    case 'restart':
    case 'crash-armed':
    case 'pause':
    case 'resume':
      return nodes.has(event.node);
    default:
      return false;
  }
}

/**
 * Whether `event` concerns a message or operation of `focus`. `messages` grows with the sends found,
 * and `requests` with their rpc ids (`from>to:rpcId`), so that the reply (`inReplyTo`) to a request that names an id
 * counts too (a `send_ok` names no message id, but answers a request that did).
 */
function isAbout(event: TraceEvent, focus: FailureFocus, messages: Set<number>, requests: Set<string>): boolean {
  switch (event.kind) {
    case 'send': {
      const { rpcId, inReplyTo } = (event.message ?? {}) as { rpcId?: unknown; inReplyTo?: unknown };
      const named = messages.has(event.id) || mentions(event.message, focus.ids);
      const reply = typeof inReplyTo === 'number' && requests.has(`${event.to}>${event.from}:${inReplyTo}`);
      if (named && typeof rpcId === 'number') requests.add(`${event.from}>${event.to}:${rpcId}`);
      if (named || reply) messages.add(event.id);
      return named || reply;
    }
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return messages.has(event.id);
    case 'invoke':
      return focus.operations.has(event.op) || mentions(event.input, focus.ids);
    case 'complete':
      return focus.operations.has(event.op) || mentions(event.output, focus.ids);
    case 'log':
      return focus.nodes.has(event.node) && [...focus.ids].some((id) => event.text.includes(id));
    default:
      return false;
  }
}

/** Whether a string field of `value` (searched two levels deep) is one of `ids`. */
function mentions(value: unknown, ids: ReadonlySet<string>, depth = 0): boolean {
  if (ids.size === 0) return false;
  if (typeof value === 'string') return ids.has(value);
  if (value === null || typeof value !== 'object' || depth > 2) return false;
  return Object.values(value).some((field) => mentions(field, ids, depth + 1));
}

/** The string values of fields named `id`, `key`, or ending in `Id`, in the run's messages and operations. */
function payloadIds(trace: readonly TraceEvent[]): Set<string> {
  const ids = new Set<string>();
  const collect = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    for (const [key, field] of Object.entries(value)) {
      if (typeof field === 'string' && (key === 'id' || key === 'key' || key.endsWith('Id'))) ids.add(field);
    }
  };
  for (const event of trace) {
    if (event.kind === 'send') collect(event.message);
    else if (event.kind === 'invoke') collect(event.input);
  }
  return ids;
}

/** Every violation carried by `error` or its causes. */
function violationsIn(error: unknown): Violation[] {
  const found: Violation[] = [];
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (current instanceof PropertyViolated) found.push(...current.violations);
  }
  return found;
}
