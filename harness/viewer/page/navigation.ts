/**
 * Moving through the run: selecting an event, stepping to the next one the filters let through, jumping
 * to the failure, and switching the x axis.
 *
 * @module
 */
import { byId } from './dom.ts';
import { renderDetails } from './details.ts';
import { requestDraw } from './draw.ts';
import { clampView, failureX, maxX, plotWidth, reveal, switchAxis, xOf, xOfTime } from './layout.ts';
import { lowerBound } from './trace-data.ts';
import type { AxisMode, Viewer } from './viewer.ts';
import { eventShown } from './visibility.ts';

/** Selects event `index`, shows its details, and (unless `scroll` is false) scrolls it into view. */
export function select(v: Viewer, index: number, { scroll = true } = {}): void {
  if (index < 0 || index >= v.data.count) return;
  v.state.selected = index;
  if (scroll) reveal(v, xOf(v, index));
  showDetails(v);
  requestDraw(v);
}

/** Clears the selection. */
export function deselect(v: Viewer): void {
  v.state.selected = -1;
  showDetails(v);
  requestDraw(v);
}

/** Re-renders the details pane for the current selection; its rows select what they name. */
export function showDetails(v: Viewer): void {
  renderDetails(v, (index) => select(v, index));
}

/** Selects the next (`direction` 1) or previous (-1) event that the filters let through; from nothing, the first or last. */
export function step(v: Viewer, direction: 1 | -1): void {
  const count = v.data.count;
  let index = v.state.selected < 0 ? (direction > 0 ? -1 : count) : v.state.selected;
  for (;;) {
    index += direction;
    if (index < 0 || index >= count) return;
    if (eventShown(v, index)) break;
  }
  select(v, index);
}

/**
 * Selects the offending event (a crash in the middle of a step, or the event the failure concerns
 * nearest its time; else the failure itself, or when a test's assertion failed, the last event before
 * it) and shows the stretch that led to the failure: from the earliest event it concerns and the times
 * its message names, or else the 60 events before it.
 */
export function goToFailure(v: Viewer): void {
  const failure = v.data.view.failure;
  const { count, times } = v.data;
  if (failure === null || count === 0) return;
  const end =
    failure.event >= 0 ? failure.event : Math.max(0, lowerBound(count, (i) => times[i] ?? 0, failure.atMs + 1e-9) - 1);
  const index = failure.focus >= 0 && failure.focus < count ? failure.focus : end;
  const x = failureX(v) ?? xOf(v, end);
  const left = Math.min(
    xOf(v, Math.max(0, end - 60)),
    ...v.data.view.highlightEvents.map((event) => xOf(v, event)),
    ...v.data.view.highlightTimesMs.map((ms) => xOfTime(v, ms)),
  );
  const span = Math.min(maxX(v) * 1.02, Math.max(x - left, 20) * 1.25);
  v.state.scale = plotWidth(v) / span;
  v.state.startX = left - (span - (x - left)) / 2;
  clampView(v);
  select(v, index, { scroll: false });
}

/** Places events by virtual time or by order, and marks the matching button pressed. */
export function setMode(v: Viewer, mode: AxisMode): void {
  if (mode === v.state.mode) return;
  switchAxis(v, mode);
  byId('btn-mode-time').setAttribute('aria-pressed', String(mode === 'time'));
  byId('btn-mode-order').setAttribute('aria-pressed', String(mode === 'order'));
  requestDraw(v);
}
