/**
 * One frame of the diagram, drawn on request at most once per animation frame. Each frame draws only
 * what falls in the visible window (every list in the view model is sorted by event index, so the
 * drawing modules binary-search it), and records what it drew for picking and the test hook.
 *
 * @module
 */
import { BAD } from './canvas.ts';
import { arrowGeometry, drawArrows, traceSegment } from './draw-arrows.ts';
import {
  drawAxis,
  drawGlobals,
  drawGrid,
  drawGutter,
  drawIntervals,
  drawLaneBackgrounds,
  drawLaneStatus,
} from './draw-lanes.ts';
import { drawMarks, eventPoint } from './draw-marks.ts';
import { drawOperations } from './draw-operations.ts';
import {
  AXIS_H,
  BOTTOM_PAD,
  failureX,
  GUTTER_W,
  STRIP_H,
  visibleRange,
  xOf,
  xOfTime,
  xToPx,
  type XRange,
} from './layout.ts';
import { drawOverview } from './overview.ts';
import type { Viewer } from './viewer.ts';
import { arrowShown } from './visibility.ts';

/** Asks for a frame; several requests before it is drawn make one frame. */
export function requestDraw(v: Viewer): void {
  if (v.frame.pending) return;
  v.frame.pending = true;
  requestAnimationFrame(() => flushDraw(v));
}

/** Draws now if a frame is pending (the test hook calls it, so that it reads what the state shows). */
export function flushDraw(v: Viewer): void {
  if (!v.frame.pending) return;
  v.frame.pending = false;
  draw(v);
}

/** Draws a frame now. */
export function draw(v: Viewer): void {
  const began = performance.now();
  const ctx = v.page.plotContext;
  const { cssWidth, cssHeight } = v.geometry;
  const ratio = window.devicePixelRatio || 1;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, cssWidth, cssHeight);
  const range = visibleRange(v);
  ctx.save();
  ctx.beginPath();
  ctx.rect(GUTTER_W, 0, cssWidth - GUTTER_W, cssHeight);
  ctx.clip();
  drawLaneBackgrounds(v);
  drawIntervals(v, range);
  drawGrid(v, range);
  drawGlobals(v, range);
  drawArrows(v, range);
  drawMarks(v, range);
  drawLaneStatus(v, range);
  drawFailureLine(v);
  drawFailureTimes(v, range);
  drawSelection(v);
  drawOperations(v, range);
  ctx.restore();
  drawGutter(v);
  drawAxis(v, range);
  drawOverview(v);
  v.drawn.frames++;
  v.drawn.lastFrameMs = performance.now() - began;
}

/** A dashed red line where the run failed, labelled at the top. */
function drawFailureLine(v: Viewer): void {
  const x = failureX(v);
  if (x === null) return;
  const ctx = v.page.plotContext;
  const { cssWidth, cssHeight } = v.geometry;
  const px = Math.round(xToPx(v, x)) + 0.5;
  ctx.strokeStyle = BAD;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([6, 3]);
  ctx.beginPath();
  ctx.moveTo(px, AXIS_H);
  ctx.lineTo(px, cssHeight - BOTTOM_PAD);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = 'bold 11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const label = '✖ failure';
  const width = ctx.measureText(label).width;
  ctx.fillStyle = BAD;
  const left = px + width + 10 > cssWidth ? px - width - 9 : px + 1;
  ctx.fillRect(left, AXIS_H + 2, width + 8, 16);
  ctx.fillStyle = '#fff';
  ctx.fillText(label, left + 4, AXIS_H + 10);
}

/** The times the failure's message names, as red ticks on the axis and faint lines down the lanes. */
function drawFailureTimes(v: Viewer, range: XRange): void {
  const ctx = v.page.plotContext;
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const ms of v.data.view.highlightTimesMs) {
    const x = xOfTime(v, ms);
    if (x < range.start || x > range.end) continue;
    const px = Math.round(xToPx(v, x)) + 0.5;
    ctx.strokeStyle = 'rgba(207, 34, 46, 0.45)';
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H + STRIP_H);
    ctx.lineTo(px, v.geometry.cssHeight - BOTTOM_PAD);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = BAD;
    ctx.beginPath();
    ctx.moveTo(px - 5, AXIS_H + STRIP_H - 8);
    ctx.lineTo(px + 5, AXIS_H + STRIP_H - 8);
    ctx.lineTo(px, AXIS_H + STRIP_H - 1);
    ctx.fill();
    ctx.fillText(`t=${ms}`, px + 6, AXIS_H + STRIP_H - 6);
  }
}

/** The message id of the selected event, when it is about a message. */
function selectedMessage(v: Viewer): number | null {
  const event = v.data.events[v.state.selected];
  if (event === undefined) return null;
  return event.kind === 'send' || event.kind === 'deliver' || event.kind === 'drop' || event.kind === 'duplicate'
    ? event.id
    : null;
}

/** The selected event: a ring, a faint line down the lanes, and every copy of its message in dark blue. */
function drawSelection(v: Viewer): void {
  if (v.state.selected < 0) return;
  const ctx = v.page.plotContext;
  const message = selectedMessage(v);
  if (message !== null) {
    ctx.strokeStyle = '#0b1f3a';
    ctx.lineWidth = 2.4;
    ctx.beginPath();
    for (const arrow of v.data.arrowsOfMessage(message)) {
      if (!arrowShown(v, arrow)) continue;
      traceSegment(ctx, arrowGeometry(v, arrow), true);
    }
    ctx.stroke();
  }
  const point = eventPoint(v, v.state.selected);
  const px = Math.round(xToPx(v, xOf(v, v.state.selected))) + 0.5;
  ctx.strokeStyle = 'rgba(9, 105, 218, 0.45)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(px, AXIS_H);
  ctx.lineTo(px, v.geometry.cssHeight - BOTTOM_PAD);
  ctx.stroke();
  if (point === null) return;
  ctx.strokeStyle = '#0969da';
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.arc(point.x, point.y, 10, 0, Math.PI * 2);
  ctx.stroke();
}
