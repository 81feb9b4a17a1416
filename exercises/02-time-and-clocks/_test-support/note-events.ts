/**
 * Test support for chapter 2 (not a learner file): matching the events a node reports with `logEvent`
 * to the ground truth of the trace, for exercises 2.3 and 2.5, whose nodes do local events and send
 * each other notes.
 *
 * @module
 */
import type { NodeId } from '#harness';
import type { CausalEvent, CausalHistory } from '#harness/testing';
import type { LogEvent } from '#harness/trace';

/** What a `logEvent` line says an event was. */
export type NoteEventKind = 'local' | 'send' | 'deliver';

/** One reported event, matched to the ground-truth event it stamps. */
export interface ReportedEvent<Stamp> {
  readonly node: NodeId;
  readonly kind: NoteEventKind;
  readonly id: string;
  /** The timestamp the node reported: a vector, an HLC. */
  readonly stamp: Stamp;
  readonly event: CausalEvent;
}

/** A `logEvent` line, read: `undefined` for a line that is not a report. Throws, in words, on a malformed report. */
export type ReadReport<Stamp> = (log: LogEvent) => { kind: NoteEventKind; id: string; stamp: Stamp } | undefined;

/**
 * Reads every `logEvent` line and matches it to the trace: `local X` is the log line itself (a local
 * event); the k-th `send X` at n is n's k-th send of note X; the k-th `deliver X` at n is n's k-th
 * delivery of note X. Fails, in words, on an event that was not reported or a report with no event.
 * `stampName` is what the learner passes to `logEvent` (`vector`, `hlc`), for the failure messages.
 * The result is in trace order.
 */
export function matchReportedEvents<Stamp>(
  history: CausalHistory,
  read: ReadReport<Stamp>,
  stampName: string,
): ReportedEvent<Stamp>[] {
  const noteId = new Map<number, string>();
  const sends = new Map<string, CausalEvent[]>();
  const deliveries = new Map<string, CausalEvent[]>();
  const push = (map: Map<string, CausalEvent[]>, key: string, event: CausalEvent) =>
    map.set(key, [...(map.get(key) ?? []), event]);
  for (const causal of history.events) {
    const event = causal.event;
    if (event.kind === 'send' && event.type === 'note') {
      const id = String((event.message as { id?: unknown }).id);
      noteId.set(event.id, id);
      push(sends, `${event.from} ${id}`, causal);
    } else if (event.kind === 'deliver' && event.type === 'note') {
      push(deliveries, `${event.to} ${noteId.get(event.id)}`, causal);
    }
  }
  const reported: ReportedEvent<Stamp>[] = [];
  const used = new Map<string, number>();
  for (const causal of history.events) {
    const event = causal.event;
    if (event.kind !== 'log') continue;
    const report = read(event);
    if (report === undefined) continue;
    const { kind, id, stamp } = report;
    if (kind === 'local') {
      reported.push({ node: event.node, kind, id, stamp, event: causal });
      continue;
    }
    const key = `${event.node} ${id}`;
    const index = used.get(`${kind} ${key}`) ?? 0;
    const matched = (kind === 'send' ? sends : deliveries).get(key)?.[index];
    if (matched === undefined) {
      const did = kind === 'send' ? `sent note ${id}` : `received note ${id}`;
      throw new Error(
        `${event.node} reported ${kind} number ${index + 1} of note ${id} at t=${event.t} ms, but it ${did} only ${index} time(s)`,
      );
    }
    used.set(`${kind} ${key}`, index + 1);
    reported.push({ node: event.node, kind, id, stamp, event: matched });
  }
  for (const [kind, map] of [
    ['send', sends],
    ['deliver', deliveries],
  ] as const) {
    for (const [key, events] of map) {
      const count = used.get(`${kind} ${key}`) ?? 0;
      if (count >= events.length) continue;
      const [node, id] = key.split(' ');
      const verb = kind === 'send' ? 'sent' : 'delivered';
      throw new Error(
        `${node} ${verb} note ${id} at t=${events[count]!.event.t} ms but reported no '${kind} ${id}' event: ` +
          `call logEvent(ctx, '${kind}', id, ${stampName}) for every ${kind === 'send' ? 'send' : 'delivery'}`,
      );
    }
  }
  return reported.sort((a, b) => a.event.traceIndex - b.event.traceIndex);
}
