/**
 * The details pane: the selected event in words (the same words as the terminal's, from
 * `harness/trace/`), its payload as text, the story of its message or operation, its node's log around
 * it, and the events just before and after. Every row is a button that selects the event it names.
 *
 * @module
 */
import type { TraceEvent } from '../../trace/index.ts';
import type { ViewOperation } from '../view-model.ts';
import { el } from './dom.ts';
import { describe, formatMs, pretty } from './format.ts';
import { FATE_WORDS, laneOfEvent, lowerBound } from './trace-data.ts';
import type { Viewer } from './viewer.ts';
import { eventShown } from './visibility.ts';

/** What a row does when clicked: select the event at `index`. */
type OnSelect = (index: number) => void;

/** How many events the "around it" list scans for, each way, before it gives up. */
const NEARBY_SCAN_LIMIT = 20_000;

/** Fills the pane for the selected event, or with how to use the page when nothing is selected. */
export function renderDetails(v: Viewer, onSelect: OnSelect): void {
  const panel = v.page.details;
  const { data } = v;
  panel.replaceChildren();
  const index = v.state.selected;
  const event = data.events[index];
  if (event === undefined) {
    panel.append(intro(v));
    return;
  }
  const heading = el('h2', '', `Event ${(index + 1).toLocaleString('en-US')} of ${data.count.toLocaleString('en-US')}`);
  const title = el('div', 'event-title', describe(event));
  title.id = 'event-title';
  if (data.highlightEvents.has(index) || event.kind === 'failure') title.append(el('span', 'badge bad', 'failure'));
  const meta = el('div', 'event-meta', `t=${formatMs(event.t)} (virtual)`);
  panel.append(heading, title, meta);
  let laneForLogs = laneOfEvent(data, event);
  if (event.kind === 'send' || event.kind === 'deliver' || event.kind === 'drop' || event.kind === 'duplicate') {
    const sent = data.events[data.sendOfMessage(event.id) ?? -1];
    if (sent?.kind === 'send') meta.textContent += ` · ${sent.bytes} bytes`;
    if (data.highlightMessages.has(event.id)) title.append(el('span', 'badge bad', 'evidence'));
    laneForLogs = data.laneIndexOf.get(event.kind === 'deliver' ? event.to : event.from) ?? -1;
    panel.append(messageStory(v, event.id, index, onSelect));
  }
  if (event.kind === 'invoke' || event.kind === 'complete') {
    const operation = data.operationAt.get(index);
    if (operation !== undefined) panel.append(operationStory(v, operation));
  }
  const explanation = crashExplanation(event);
  if (explanation !== null) panel.append(el('div', 'event-meta', explanation));
  for (const interval of data.view.intervals.filter((candidate) => candidate.start === index))
    panel.append(el('div', 'event-meta', interval.label));
  const payload = el('pre', 'payload', payloadText(v, event));
  payload.id = 'payload';
  panel.append(el('h2', '', payloadHeading(event)), payload);
  if (laneForLogs >= 0) panel.append(logAround(v, laneForLogs, index, onSelect));
  panel.append(nearbyEvents(v, index, onSelect));
}

/** What a crash, or a crash aimed at a kind of step, means, in a sentence; `null` for other events. */
function crashExplanation(event: TraceEvent): string | null {
  const effects = (done: number): string => `${done} effect${done === 1 ? '' : 's'}`;
  if (event.kind === 'crash' && event.midStep !== undefined) {
    const aimed = event.midStep.target === undefined ? '' : ` It was a crash aimed at its ${event.midStep.target}.`;
    return `It died partway through a step: ${effects(event.midStep.afterEffects)} of that step happened before the crash; the rest never did.${aimed}`;
  }
  if (event.kind === 'crash-armed') {
    const drawn =
      event.drawnFrom === undefined
        ? ''
        : ` The kind was drawn at random from the ${event.drawnFrom.length} it had taken.`;
    const now = event.provoked === true ? ' It crashes the node now, so that a restart runs onStart.' : '';
    return `A crash waits for this node's next ${event.step} and strikes after ${effects(event.afterEffects)} of it.${drawn}${now}`;
  }
  if (event.kind === 'crash-expired') return `The crash aimed here never struck: ${event.reason}.`;
  return null;
}

function payloadHeading(event: TraceEvent): string {
  if (event.kind === 'invoke') return 'Input';
  if (event.kind === 'complete') return 'Output';
  return event.kind === 'log' || event.kind === 'failure' ? 'Text' : 'Payload';
}

/** What the event carries, as text: a message's payload, an operation's input or output, a log line. */
function payloadText(v: Viewer, event: TraceEvent): string {
  switch (event.kind) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'duplicate': {
      const sent = v.data.events[v.data.sendOfMessage(event.id) ?? -1];
      return sent?.kind === 'send' ? pretty(sent.message) : '(the send is not in this trace)';
    }
    case 'invoke':
      return pretty(event.input);
    case 'complete':
      return pretty(event.output);
    case 'log':
      return event.text;
    case 'failure':
      return event.message;
    case 'timer-set':
    case 'timer-fire':
      return `timer #${event.timer} ${event.type}`;
    case 'links':
      return event.cut.length === 0
        ? 'no links cut'
        : `cut links:\n${event.cut.map(([from, to]) => `  ${from} ↛ ${to}`).join('\n')}`;
    default:
      return pretty(event);
  }
}

function intro(v: Viewer): HTMLElement {
  const { view } = v.data;
  const section = el('div', 'intro');
  section.append(el('h2', '', 'Details'));
  section.append(
    el('p', '', 'Click an arrow, a mark or an operation to see its payload and the node’s log around it.'),
  );
  section.append(
    el('p', '', 'Step through the events with → and ← (or j and k); only events that pass the filters are visited.'),
  );
  if (view.failure !== null) {
    const marked = view.failure.focus >= 0 ? ' The events it concerns carry a red failure badge.' : '';
    section.append(el('p', '', `Press f to jump to the failure.${marked}`));
  }
  if (view.highlightTimesMs.length > 0) {
    const times = view.highlightTimesMs.map((ms) => `t=${ms} ms`).join(', ');
    section.append(el('p', '', `The failure names ${times}: they are marked in red on the time axis.`));
  }
  return section;
}

/** Every copy of message `id`: sent, duplicated, delivered, dropped. */
function messageStory(v: Viewer, id: number, current: number, onSelect: OnSelect): HTMLElement {
  const { events, arrows, times, count } = v.data;
  const section = el('div');
  const send = v.data.sendOfMessage(id);
  if (send === undefined || events[send]?.kind !== 'send') return section;
  const copies = v.data.arrowsOfMessage(id);
  section.append(
    el('h2', '', `Message #${id}: ${copies.map((arrow) => FATE_WORDS[arrows.fate[arrow] ?? 0] ?? '').join(', ')}`),
  );
  const indexes = [send];
  for (const arrow of copies) if ((arrows.end[arrow] ?? count) < count) indexes.push(arrows.end[arrow] ?? 0);
  // The network duplicates a message as it sends it: the duplicate event follows the send at the same time.
  for (let index = send + 1; index < count && times[index] === times[send]; index++) {
    const event = events[index];
    if (event?.kind === 'duplicate' && event.id === id) indexes.push(index);
  }
  const rows = el('div', 'rows');
  for (const index of [...new Set(indexes)].sort((a, b) => a - b)) {
    rows.append(
      eventRow(
        v,
        index,
        onSelect,
        `${index === current ? 'current' : ''} ${events[index]?.kind === 'drop' ? 'bad' : ''}`,
      ),
    );
  }
  section.append(rows);
  return section;
}

/** When an operation was called and answered, and whether a checker could place it. */
function operationStory(v: Viewer, operation: ViewOperation): HTMLElement {
  const section = el('div');
  const invoke = v.data.events[operation.invoke];
  const complete = operation.complete >= 0 ? v.data.events[operation.complete] : undefined;
  const heading = el('h2', '', `Operation op#${operation.op}: ${operation.status}`);
  section.append(heading);
  if (operation.highlighted) {
    section.append(
      el('div', 'event-meta', 'A checker could not place this operation in any order consistent with the others.'),
    );
    heading.append(el('span', 'badge bad', 'not placeable'));
  }
  const callMs = invoke?.t ?? 0;
  const timing =
    complete === undefined
      ? `called at t=${callMs} ms; no answer by the end of the run`
      : operation.status === 'indeterminate'
        ? `called at t=${callMs} ms; the client gave up at t=${complete.t} ms (${complete.t - callMs} ms) not knowing whether it took effect`
        : `called at t=${callMs} ms, answered at t=${complete.t} ms (${complete.t - callMs} ms)`;
  section.append(el('div', 'event-meta', timing));
  return section;
}

/** The lane's log lines around event `index`, with a marker where the event falls. */
function logAround(v: Viewer, lane: number, index: number, onSelect: OnSelect): HTMLElement {
  const { events, laneIds } = v.data;
  const section = el('div');
  section.id = 'log-around';
  section.append(el('h2', '', `${laneIds[lane] ?? ''}’s log around it`));
  const logs = v.data.logsOf(lane);
  const rows = el('div', 'rows');
  section.append(rows);
  if (logs.length === 0) {
    rows.append(el('div', 'empty', 'This node wrote no log lines.'));
    return section;
  }
  const position = lowerBound(logs.length, (i) => logs[i] ?? 0, index);
  const from = Math.max(0, position - 5);
  const to = Math.min(logs.length, position + 5 + (logs[position] === index ? 1 : 0));
  for (let at = from; at <= to; at++) {
    if (at === position && logs[at] !== index) {
      const here = el('div', 'row here');
      here.append(el('span', 't', `t=${events[index]?.t ?? 0}ms`), el('span', 'text', '◀ this event'));
      rows.append(here);
    }
    if (at >= to) break;
    const logIndex = logs[at] ?? 0;
    const event = events[logIndex];
    const row = eventRow(v, logIndex, onSelect, logIndex === index ? 'current' : '');
    const text = row.querySelector('.text');
    if (text !== null && event?.kind === 'log') text.textContent = event.text;
    rows.append(row);
  }
  return section;
}

/** The events just before and after, as the stepper would visit them. */
function nearbyEvents(v: Viewer, index: number, onSelect: OnSelect): HTMLElement {
  const section = el('div');
  section.append(el('h2', '', 'Around it (step with ← →)'));
  const before: number[] = [];
  for (let at = index - 1, scanned = 0; at >= 0 && before.length < 3 && scanned < NEARBY_SCAN_LIMIT; at--, scanned++) {
    if (eventShown(v, at)) before.unshift(at);
  }
  const after: number[] = [];
  for (
    let at = index + 1, scanned = 0;
    at < v.data.count && after.length < 3 && scanned < NEARBY_SCAN_LIMIT;
    at++, scanned++
  ) {
    if (eventShown(v, at)) after.push(at);
  }
  const rows = el('div', 'rows');
  for (const at of [...before, index, ...after]) rows.append(eventRow(v, at, onSelect, at === index ? 'current' : ''));
  section.append(rows);
  return section;
}

/** A clickable line for an event. */
function eventRow(v: Viewer, index: number, onSelect: OnSelect, extraClass = ''): HTMLButtonElement {
  const event = v.data.events[index]!;
  const row = el('button', `row ${extraClass}`);
  row.type = 'button';
  row.append(el('span', 't', `t=${event.t}ms`), el('span', 'text', describe(event)));
  row.addEventListener('click', () => onSelect(index));
  return row;
}
