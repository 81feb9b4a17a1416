/**
 * Where things sit: the lanes' heights, the x axis (virtual time or event order) and the visible
 * window, and the conversions between x values and pixels.
 *
 * @module
 */
import { lowerBound } from './trace-data.ts';
import type { AxisMode, Viewer } from './viewer.ts';

/** Width of the lane names on the left, in CSS pixels. */
export const GUTTER_W = 96;
/** Height of the time axis at the top. */
export const AXIS_H = 24;
/** Height of the strip under the axis where network-wide changes are flagged. */
export const STRIP_H = 22;
/** Height of one lane. */
export const LANE_H = 48;
/** Height of the heading above the history timeline. */
export const OPS_HEADER_H = 26;
/** Height of one client's row in the history timeline. */
export const OP_ROW_H = 24;
/** Space under the last row. */
export const BOTTOM_PAD = 10;
/** Space right of the plot. */
export const RIGHT_PAD = 16;
/** Height of the overview canvas. */
export const OVERVIEW_H = 38;

/** A stretch of the x axis, in its unit. */
export interface XRange {
  readonly start: number;
  readonly end: number;
}

/** x position (in axis units) of event `index`; `count` is the end of the run. */
export function xOf(v: Viewer, index: number): number {
  return v.state.mode === 'time' ? (v.data.times[index] ?? 0) : index;
}

/** The end of the axis. */
export function maxX(v: Viewer): number {
  return v.state.mode === 'time' ? Math.max(v.data.times[v.data.count] ?? 0, 1) : Math.max(v.data.count, 1);
}

/** x of a virtual time, in axis units: in order mode, the first event at or after it. */
export function xOfTime(v: Viewer, ms: number): number {
  return v.state.mode === 'time' ? ms : lowerBound(v.data.count, (index) => v.data.times[index] ?? 0, ms);
}

/** x of the failure, in axis units, or null when the run did not fail. */
export function failureX(v: Viewer): number | null {
  const failure = v.data.view.failure;
  if (failure === null) return null;
  if (v.state.mode === 'time') return failure.atMs;
  if (failure.event >= 0) return failure.event;
  return lowerBound(v.data.count, (index) => v.data.times[index] ?? 0, failure.atMs + 1e-9);
}

/** Width of the plot (the canvas without the gutter and the right pad), in CSS pixels. */
export function plotWidth(v: Viewer): number {
  return Math.max(50, v.geometry.cssWidth - GUTTER_W - RIGHT_PAD);
}

/** The canvas x (CSS pixels) of axis value `x`. */
export function xToPx(v: Viewer, x: number): number {
  return GUTTER_W + (x - v.state.startX) * v.state.scale;
}

/** The axis value at canvas x `px` (CSS pixels). */
export function pxToX(v: Viewer, px: number): number {
  return v.state.startX + (px - GUTTER_W) / v.state.scale;
}

/** The x range on screen. */
export function visibleRange(v: Viewer): XRange {
  return { start: v.state.startX, end: v.state.startX + plotWidth(v) / v.state.scale };
}

/** Places the visible lanes and history rows, and sizes both canvases to the stage. */
export function layOut(v: Viewer): void {
  const { view } = v.data;
  const geometry = v.geometry;
  geometry.laneY = new Float64Array(view.lanes.length).fill(-1);
  let y = AXIS_H + STRIP_H;
  view.lanes.forEach((_, index) => {
    if (v.state.hiddenLanes.has(index)) return;
    geometry.laneY[index] = y + LANE_H / 2;
    y += LANE_H;
  });
  geometry.lanesBottom = y;
  geometry.rowY = new Float64Array(view.clientLanes.length).fill(-1);
  if (view.operations.length > 0) {
    y += OPS_HEADER_H;
    view.clientLanes.forEach((lane, row) => {
      if (v.state.hiddenLanes.has(lane)) return;
      geometry.rowY[row] = y;
      y += OP_ROW_H;
    });
  }
  geometry.cssHeight = y + BOTTOM_PAD;
  geometry.cssWidth = Math.max(320, v.page.stage.clientWidth);
  resizeCanvas(v.page.plot, geometry.cssWidth, geometry.cssHeight);
  resizeCanvas(v.page.overview, geometry.cssWidth, OVERVIEW_H);
  v.frame.overview = null;
}

function resizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): void {
  const ratio = window.devicePixelRatio || 1;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
}

/** Keeps the window within a quarter of its width of the run. */
export function clampView(v: Viewer): void {
  const span = plotWidth(v) / v.state.scale;
  const margin = span * 0.25;
  v.state.startX = Math.min(Math.max(v.state.startX, -margin), maxX(v) - span + margin);
}

/** Shows the whole run. */
export function fit(v: Viewer): void {
  v.state.scale = plotWidth(v) / (maxX(v) * 1.02);
  v.state.startX = -maxX(v) * 0.01;
}

/** Zooms by `factor`, keeping the x under pixel `px` in place. */
export function zoomAt(v: Viewer, factor: number, px: number): void {
  const anchor = pxToX(v, px);
  const minScale = plotWidth(v) / (maxX(v) * 4);
  const maxScale = v.state.mode === 'time' ? 400 : 200;
  v.state.scale = Math.min(maxScale, Math.max(minScale, v.state.scale * factor));
  v.state.startX = anchor - (px - GUTTER_W) / v.state.scale;
  clampView(v);
}

/** Where the buttons and keys zoom around: the selected event, else the failure, when on screen; else the middle. */
export function focusPx(v: Viewer): number {
  const { start, end } = visibleRange(v);
  for (const x of [v.state.selected >= 0 ? xOf(v, v.state.selected) : null, failureX(v)]) {
    if (x !== null && x >= start && x <= end) return xToPx(v, x);
  }
  return GUTTER_W + plotWidth(v) / 2;
}

/** Scrolls by `px` pixels. */
export function panBy(v: Viewer, px: number): void {
  v.state.startX += px / v.state.scale;
  clampView(v);
}

/** Keeps x in view: centres it when it is outside, or too near an edge. */
export function reveal(v: Viewer, x: number): void {
  const { start, end } = visibleRange(v);
  const margin = (end - start) * 0.08;
  if (x < start + margin || x > end - margin) {
    v.state.startX = x - (end - start) / 2;
    clampView(v);
  }
}

/**
 * Switches the x axis, keeping the same stretch of the run on screen: the window's edges are converted
 * to the other axis.
 */
export function switchAxis(v: Viewer, mode: AxisMode): void {
  const { start, end } = visibleRange(v);
  const { times, count } = v.data;
  const toIndex = (ms: number): number => lowerBound(count, (index) => times[index] ?? 0, ms);
  const toMs = (x: number): number => times[Math.max(0, Math.min(count, x))] ?? 0;
  const [from, to] =
    mode === 'order' ? [toIndex(start), toIndex(end)] : [toMs(Math.floor(start)), toMs(Math.ceil(end))];
  v.state.mode = mode;
  indexSpans(v);
  if (to - from < 1e-9) fit(v);
  else {
    v.state.scale = plotWidth(v) / (to - from);
    v.state.startX = from;
  }
  clampView(v);
  if (v.state.selected >= 0) reveal(v, xOf(v, v.state.selected));
}

/** Sorts the arrows into short and long by their span on the current axis (see `ArrowSpans`). */
export function indexSpans(v: Viewer): void {
  const { arrows } = v.data;
  const spans = new Float64Array(arrows.count);
  for (let arrow = 0; arrow < arrows.count; arrow++)
    spans[arrow] = xOf(v, arrows.end[arrow] ?? 0) - xOf(v, arrows.send[arrow] ?? 0);
  const threshold = spans.slice().sort()[Math.floor(arrows.count * 0.995)] ?? 0;
  const isLong = new Uint8Array(arrows.count);
  const long: number[] = [];
  let shortSpanMax = 0;
  for (let arrow = 0; arrow < arrows.count; arrow++) {
    const span = spans[arrow] ?? 0;
    if (span > threshold) {
      isLong[arrow] = 1;
      long.push(arrow);
    } else shortSpanMax = Math.max(shortSpanMax, span);
  }
  v.spans.isLong = isLong;
  v.spans.longArrows = Int32Array.from(long);
  v.spans.shortSpanMax = shortSpanMax;
}
