/**
 * The page around the diagram: the title and summary, the failure banner, the test's extra details, and
 * the filter chips.
 *
 * @module
 */
import { colourOfType } from './canvas.ts';
import { byId, el } from './dom.ts';
import { requestDraw } from './draw.ts';
import { formatMs } from './format.ts';
import { layOut } from './layout.ts';
import { goToFailure } from './navigation.ts';
import type { Viewer } from './viewer.ts';

/** Fills the header, the failure banner and the test details. */
export function setUpHeader(v: Viewer): void {
  const { trace, view, arrows, count, times } = v.data;
  document.title = view.failure === null ? view.title : `✖ ${view.title}`;
  // With a failure, its message is right below in the banner; the heading names the run instead.
  byId('title').textContent = view.failure === null ? view.title : `Failed run, seed ${trace.seed}`;
  const messages = view.types.reduce((sum, type) => sum + type.count, 0);
  let dropped = 0;
  for (let arrow = 0; arrow < arrows.count; arrow++)
    if (arrows.fate[arrow] !== 0 && arrows.fate[arrow] !== 4) dropped++;
  const nodes = view.lanes.filter((lane) => lane.kind === 'node').length;
  const clients = view.clientLanes.length;
  byId('summary').textContent = [
    `seed ${trace.seed}`,
    `${nodes} node${nodes === 1 ? '' : 's'}, ${clients} client${clients === 1 ? '' : 's'}`,
    `${count.toLocaleString('en-US')} events`,
    `${messages.toLocaleString('en-US')} messages (${dropped.toLocaleString('en-US')} dropped)`,
    `0–${formatMs(times[count] ?? 0)} virtual`,
  ].join(' · ');
  if (view.failure !== null) {
    const failure = view.failure;
    const box = byId('failure');
    box.hidden = false;
    box.append(el('div', 'what', failure.message));
    const meta = el('div', 'meta');
    const broke = failure.violationAtMs === null ? '' : `broke at t=${formatMs(failure.violationAtMs)}, `;
    meta.append(el('span', '', `${broke}failed at t=${formatMs(failure.atMs)} · seed ${trace.seed}`));
    if (failure.replay !== null) {
      const replay = el('span', '', 'replay ');
      replay.append(el('code', '', failure.replay));
      meta.append(replay);
    }
    const jump = el('button', '', 'Show the failure (f)');
    jump.addEventListener('click', () => goToFailure(v));
    meta.append(jump);
    box.append(meta);
  }
  const extra = byId('extra');
  if (view.details.length === 0) extra.hidden = true;
  for (const [key, value] of view.details) {
    const details = el('details', 'extra');
    details.append(el('summary', '', key), el('pre', '', value));
    extra.append(details);
  }
}

/** A toggle chip for a filter; toggling it lays the page out again and redraws. */
function chip(
  v: Viewer,
  container: HTMLElement,
  text: string,
  title: string,
  onToggle: (on: boolean) => void,
): HTMLButtonElement {
  const button = el('button', 'chip');
  button.type = 'button';
  button.title = title;
  button.setAttribute('aria-pressed', 'true');
  button.append(el('span', 'name', text));
  button.addEventListener('click', () => {
    const on = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(on));
    onToggle(on);
    layOut(v);
    requestDraw(v);
  });
  container.append(button);
  return button;
}

/** The chips that show or hide lanes, message types, timers and logs. */
export function setUpFilters(v: Viewer): void {
  const { view } = v.data;
  const { hiddenLanes, hiddenTypes } = v.state;
  const toggle =
    (set: Set<number>, index: number) =>
    (on: boolean): void =>
      void (on ? set.delete(index) : set.add(index));
  const lanes = byId('lane-filters');
  view.lanes.forEach((lane, index) => {
    const button = chip(v, lanes, lane.id, `Show or hide ${lane.kind} ${lane.id}`, toggle(hiddenLanes, index));
    button.dataset['lane'] = lane.id;
    button.classList.add(lane.kind);
    button.prepend(el('span', 'dot'));
  });
  const types = byId('type-filters');
  if (view.types.length === 0) types.hidden = true;
  view.types.forEach((type, index) => {
    const button = chip(v, types, type.name, `Show or hide ${type.name} messages`, toggle(hiddenTypes, index));
    button.dataset['type'] = type.name;
    const swatch = el('span', 'swatch');
    swatch.style.background = colourOfType(index);
    button.prepend(swatch);
    button.append(el('span', 'count', type.count.toLocaleString('en-US')));
  });
  const kinds = byId('kind-filters');
  chip(v, kinds, 'timers', 'Show or hide timer marks', (on) => void (v.state.showTimers = on)).dataset['kind'] =
    'timers';
  chip(v, kinds, 'logs', 'Show or hide log marks', (on) => void (v.state.showLogs = on)).dataset['kind'] = 'logs';
}
