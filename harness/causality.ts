/**
 * Ground truth about causality, computed from a trace: which events happened before which.
 *
 * Lamport's *happened-before* relation (→): a → b if a and b happen at the same node and a comes
 * first, or a is the send of a message and b its delivery, or a → c and c → b for some c. Events
 * related in neither direction are *concurrent*. The simulator saw every send and delivery, so it knows
 * this relation exactly; the clocks chapter checks learners' logical clocks against it.
 *
 * An event *at a node* is one of: its start, a send it made, a delivery to it, a timer firing at it, or a
 * line it logged. (Drops, duplicates and fault events belong to no node.)
 *
 * @module
 */
import type { NodeId } from './node.ts';
import type { TraceEvent } from './trace/index.ts';

/** One event at a node, with its place in the trace and its ground-truth vector timestamp. */
export interface CausalEvent {
  /** Index of the event in the trace. */
  readonly traceIndex: number;
  /** The node the event happened at. */
  readonly node: NodeId;
  /** The trace event itself. */
  readonly event: TraceEvent;
  /**
   * The event's vector timestamp: for each node, how many of that node's events happened before or
   * at this one. Computed by the simulator from what it saw, not by any node.
   */
  readonly vector: Readonly<Record<NodeId, number>>;
}

/** How two events relate. */
export type CausalRelation = 'before' | 'after' | 'concurrent' | 'same';

/** The happened-before relation of one run. */
export interface CausalHistory {
  /** Every event at a node, in trace order. */
  readonly events: readonly CausalEvent[];
  /** The nodes that have events, sorted. */
  readonly nodes: readonly NodeId[];
  /** Does `a` happen before `b` (a → b)? */
  happenedBefore(a: CausalEvent, b: CausalEvent): boolean;
  /** How `a` relates to `b`: `before` means a → b. */
  relation(a: CausalEvent, b: CausalEvent): CausalRelation;
  /** The event for trace index `traceIndex`, if it is an event at a node. */
  at(traceIndex: number): CausalEvent | undefined;
  /** The send event of message `messageId` and its deliveries (a duplicated message is delivered twice). */
  message(messageId: number): { readonly send: CausalEvent | undefined; readonly deliveries: readonly CausalEvent[] };
}

/** The node an event happened at, or `null` for events that belong to no node. */
export function nodeOfEvent(event: TraceEvent): NodeId | null {
  switch (event.kind) {
    case 'start':
    case 'timer-fire':
    case 'log':
      return event.node;
    case 'send':
      return event.from;
    case 'deliver':
      return event.to;
    case 'invoke':
    case 'complete':
      return event.client;
    default:
      return null;
  }
}

/**
 * Computes the happened-before relation of a trace in one pass (O(events × nodes)).
 * A crash does not break a node's chain: its events after a restart still come after those before.
 */
export function causalHistory(trace: readonly TraceEvent[]): CausalHistory {
  const nodeSet = new Set<NodeId>();
  for (const event of trace) {
    const node = nodeOfEvent(event);
    if (node !== null) nodeSet.add(node);
  }
  const nodes = [...nodeSet].sort();
  const clocks = new Map<NodeId, Record<NodeId, number>>(
    nodes.map((node) => [node, Object.fromEntries(nodes.map((other) => [other, 0]))]),
  );
  const sendVectors = new Map<number, Record<NodeId, number>>();
  const events: CausalEvent[] = [];
  const byTraceIndex = new Map<number, CausalEvent>();
  const sends = new Map<number, CausalEvent>();
  const deliveries = new Map<number, CausalEvent[]>();
  trace.forEach((event, traceIndex) => {
    const node = nodeOfEvent(event);
    if (node === null) return;
    const clock = clocks.get(node)!;
    if (event.kind === 'deliver') {
      const sent = sendVectors.get(event.id);
      if (sent !== undefined) for (const other of nodes) clock[other] = Math.max(clock[other]!, sent[other]!);
    }
    clock[node]!++;
    const vector = Object.freeze({ ...clock });
    if (event.kind === 'send') sendVectors.set(event.id, vector);
    const causal: CausalEvent = { traceIndex, node, event, vector };
    events.push(causal);
    byTraceIndex.set(traceIndex, causal);
    if (event.kind === 'send') sends.set(event.id, causal);
    if (event.kind === 'deliver') deliveries.set(event.id, [...(deliveries.get(event.id) ?? []), causal]);
  });
  const happenedBefore = (a: CausalEvent, b: CausalEvent) => a !== b && a.vector[a.node]! <= b.vector[a.node]!;
  return {
    events,
    nodes,
    happenedBefore,
    relation(a, b) {
      if (a === b) return 'same';
      if (happenedBefore(a, b)) return 'before';
      if (happenedBefore(b, a)) return 'after';
      return 'concurrent';
    },
    at: (traceIndex) => byTraceIndex.get(traceIndex),
    message: (messageId) => ({ send: sends.get(messageId), deliveries: deliveries.get(messageId) ?? [] }),
  };
}
