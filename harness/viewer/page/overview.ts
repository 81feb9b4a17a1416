/**
 * The overview under the diagram: event density over the whole run, the failure, and the window being
 * shown. Clicking or dragging it moves the window (see `input.ts`).
 *
 * @module
 */
import { BAD } from './canvas.ts';
import { failureX, GUTTER_W, maxX, OVERVIEW_H, plotWidth, visibleRange, xOf } from './layout.ts';
import type { Viewer } from './viewer.ts';

function overviewXToPx(v: Viewer, x: number): number {
  return GUTTER_W + (x / maxX(v)) * plotWidth(v);
}

/** Draws the overview; the density is counted once per width and axis mode. */
export function drawOverview(v: Viewer): void {
  const context = v.page.overviewContext;
  const ratio = window.devicePixelRatio || 1;
  const height = OVERVIEW_H;
  const width = plotWidth(v);
  const cssWidth = v.geometry.cssWidth;
  let cache = v.frame.overview;
  if (cache === null || cache.width !== width || cache.mode !== v.state.mode) {
    const counts = new Float64Array(Math.ceil(width) + 1);
    for (let index = 0; index < v.data.count; index++) {
      const column = Math.floor((xOf(v, index) / maxX(v)) * width);
      const slot = Math.min(counts.length - 1, Math.max(0, column));
      counts[slot] = (counts[slot] ?? 0) + 1;
    }
    cache = { width, mode: v.state.mode, counts, max: counts.reduce((a, b) => Math.max(a, b), 1) };
    v.frame.overview = cache;
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, cssWidth, height);
  context.fillStyle = '#f6f8fa';
  context.fillRect(0, 0, cssWidth, height);
  context.fillStyle = '#8c959f';
  context.font = '10px system-ui, sans-serif';
  context.textBaseline = 'middle';
  context.fillText('whole run', 10, height / 2);
  context.fillStyle = '#afb8c1';
  const { counts, max } = cache;
  for (let column = 0; column < counts.length; column++) {
    const value = counts[column] ?? 0;
    if (value === 0) continue;
    const bar = Math.max(1, (Math.sqrt(value) / Math.sqrt(max)) * (height - 8));
    context.fillRect(GUTTER_W + column, height - 2 - bar, 1, bar);
  }
  const failure = failureX(v);
  if (failure !== null) {
    context.fillStyle = BAD;
    context.fillRect(overviewXToPx(v, failure) - 1, 0, 2, height);
  }
  const range = visibleRange(v);
  const left = overviewXToPx(v, Math.max(0, range.start));
  const right = overviewXToPx(v, Math.min(maxX(v), range.end));
  context.fillStyle = 'rgba(9, 105, 218, 0.12)';
  context.fillRect(left, 1, Math.max(2, right - left), height - 2);
  context.strokeStyle = '#0969da';
  context.lineWidth = 1.5;
  context.strokeRect(left, 1, Math.max(2, right - left), height - 2);
}
