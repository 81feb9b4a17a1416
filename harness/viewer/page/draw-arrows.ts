/**
 * Drawing the messages: one arrow per copy, batched by colour, with crosses where copies were dropped
 * and type labels where there is room. Only the arrows in the visible window are visited.
 *
 * @module
 */
import { BAD, colourOfType } from './canvas.ts';
import { LANE_H, xOf, xToPx, type XRange } from './layout.ts';
import { lowerBound } from './trace-data.ts';
import type { Viewer } from './viewer.ts';
import { arrowShown } from './visibility.ts';

/** Past this many visible arrows, arrowheads and labels are left out: they would only be noise. */
const DETAIL_LIMIT = 2500;

/** A segment on the canvas. */
export interface Segment {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * The screen segment of an arrow. A copy dropped at its send (a cut link, a lost packet) is a short stub
 * towards its receiver: it never travelled.
 */
export function arrowGeometry(v: Viewer, arrow: number): Segment {
  const { arrows, times } = v.data;
  const { laneY } = v.geometry;
  const send = arrows.send[arrow] ?? 0;
  const end = arrows.end[arrow] ?? 0;
  const fate = arrows.fate[arrow] ?? 0;
  const x1 = xToPx(v, xOf(v, send));
  const y1 = laneY[arrows.from[arrow] ?? 0] ?? 0;
  let x2 = xToPx(v, xOf(v, end));
  let y2 = laneY[arrows.to[arrow] ?? 0] ?? 0;
  if ((fate === 1 || fate === 2) && (times[end] ?? 0) === (times[send] ?? 0)) {
    const dy = y2 - y1;
    y2 = y1 + Math.sign(dy || 1) * Math.min(Math.abs(dy) * 0.45, LANE_H * 0.7);
    x2 = Math.max(x2, x1 + 14);
  }
  return { x1, y1, x2, y2 };
}

/** Every arrow in the visible range that the filters let through, in send order. */
function forEachVisibleArrow(v: Viewer, range: XRange, visit: (arrow: number) => void): void {
  const { arrows } = v.data;
  const { isLong, longArrows, shortSpanMax } = v.spans;
  const first = lowerBound(arrows.count, (arrow) => xOf(v, arrows.send[arrow] ?? 0), range.start - shortSpanMax - 1);
  const pad = 20 / v.state.scale;
  for (let arrow = first; arrow < arrows.count; arrow++) {
    const x1 = xOf(v, arrows.send[arrow] ?? 0);
    if (x1 > range.end + pad) break;
    if (isLong[arrow] === 1 || xOf(v, arrows.end[arrow] ?? 0) < range.start - pad || !arrowShown(v, arrow)) continue;
    visit(arrow);
  }
  for (const arrow of longArrows) {
    if (
      xOf(v, arrows.send[arrow] ?? 0) > range.end + pad ||
      xOf(v, arrows.end[arrow] ?? 0) < range.start - pad ||
      !arrowShown(v, arrow)
    )
      continue;
    visit(arrow);
  }
}

/** About how many arrows start in the visible range (without the filters), by binary search. */
function estimateVisibleArrows(v: Viewer, range: XRange): number {
  const { arrows } = v.data;
  const sendX = (arrow: number): number => xOf(v, arrows.send[arrow] ?? 0);
  return lowerBound(arrows.count, sendX, range.end) - lowerBound(arrows.count, sendX, range.start);
}

/** Draws the visible arrows and records them in `v.drawn`. */
export function drawArrows(v: Viewer, range: XRange): void {
  const { drawn } = v;
  const { arrows, view } = v.data;
  const ctx = v.page.plotContext;
  drawn.arrowCount = 0;
  // Zoomed out, many arrows land on the same pixels: draw each (lanes, type, fate, pixels) once.
  // Past a few thousand arrows, snap their ends to a coarser grid: the picture is the same, with far
  // fewer lines for the (often software) rasteriser.
  const seen = new Set<number>();
  const lanes = view.lanes.length;
  const grid = estimateVisibleArrows(v, range) > 4000 ? 3 : 1;
  forEachVisibleArrow(v, range, (arrow) => {
    const geometry = arrowGeometry(v, arrow);
    const x1 = Math.round(geometry.x1 / grid) * grid;
    const x2 = Math.round(geometry.x2 / grid) * grid;
    const { y1, y2 } = geometry;
    const pixels = Math.round(x1) * 8192 + Math.round(x2 - x1) + 4096;
    const lanePair = (pixels * lanes + (arrows.from[arrow] ?? 0)) * lanes + (arrows.to[arrow] ?? 0);
    const key = (lanePair * 8 + (arrows.fate[arrow] ?? 0)) * 64 + ((arrows.type[arrow] ?? 0) % 64);
    if (seen.has(key)) return;
    seen.add(key);
    const slot = drawn.arrowCount++;
    drawn.arrow[slot] = arrow;
    drawn.ax1[slot] = x1;
    drawn.ay1[slot] = y1;
    drawn.ax2[slot] = x2;
    drawn.ay2[slot] = y2;
  });
  const count = drawn.arrowCount;
  const detailed = count <= DETAIL_LIMIT;
  ctx.lineCap = detailed ? 'round' : 'butt';
  // Fainter as they crowd: a dense stretch reads as a darker shade instead of a solid wall.
  ctx.globalAlpha = detailed ? 0.9 : Math.max(0.12, Math.min(0.6, 1500 / count));
  for (let type = 0; type < view.types.length; type++) {
    if (v.state.hiddenTypes.has(type)) continue;
    ctx.strokeStyle = colourOfType(type);
    for (const dashed of [false, true]) {
      ctx.lineWidth = detailed ? 1.4 : 1;
      ctx.setLineDash(dashed ? [4, 3] : []);
      ctx.beginPath();
      let any = false;
      for (let slot = 0; slot < count; slot++) {
        const arrow = drawn.arrow[slot] ?? 0;
        if (arrows.type[arrow] !== type || (arrows.fate[arrow] !== 0) !== dashed) continue;
        any = true;
        traceArrow(v, slot, detailed && arrows.fate[arrow] === 0);
      }
      if (any) ctx.stroke();
    }
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  drawArrowEnds(v, count, detailed);
  if (detailed) drawArrowLabels(v, count);
  // The failure's evidence, on top of everything else.
  ctx.strokeStyle = BAD;
  ctx.lineWidth = 2.6;
  ctx.beginPath();
  let anyHighlighted = false;
  for (let slot = 0; slot < count; slot++) {
    if (!v.data.highlightMessages.has(arrows.id[drawn.arrow[slot] ?? 0] ?? -1)) continue;
    anyHighlighted = true;
    traceArrow(v, slot, true);
  }
  if (anyHighlighted) ctx.stroke();
}

/** Adds the arrow drawn in `slot` (and, when `head`, its arrowhead) to the current path. */
function traceArrow(v: Viewer, slot: number, head: boolean): void {
  const { drawn } = v;
  traceSegment(
    v.page.plotContext,
    { x1: drawn.ax1[slot] ?? 0, y1: drawn.ay1[slot] ?? 0, x2: drawn.ax2[slot] ?? 0, y2: drawn.ay2[slot] ?? 0 },
    head,
  );
}

/** Adds an arrow along `segment` to the current path; a message to itself is a little arc above the lane. */
export function traceSegment(ctx: CanvasRenderingContext2D, { x1, y1, x2, y2 }: Segment, head: boolean): void {
  ctx.moveTo(x1, y1);
  if (y1 === y2) {
    ctx.quadraticCurveTo((x1 + x2) / 2, y1 - 16, Math.max(x2, x1 + 6), y2);
    return;
  }
  ctx.lineTo(x2, y2);
  const length = Math.hypot(x2 - x1, y2 - y1);
  if (!head || length < 14) return;
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const size = 7;
  ctx.moveTo(x2 - size * Math.cos(angle - 0.42), y2 - size * Math.sin(angle - 0.42));
  ctx.lineTo(x2, y2);
  ctx.lineTo(x2 - size * Math.cos(angle + 0.42), y2 - size * Math.sin(angle + 0.42));
}

/** Crosses where copies were dropped, dots where they were still in flight. */
function drawArrowEnds(v: Viewer, count: number, detailed: boolean): void {
  const { drawn } = v;
  const { fate: fates } = v.data.arrows;
  const ctx = v.page.plotContext;
  ctx.strokeStyle = BAD;
  ctx.lineWidth = detailed ? 2 : 1.5;
  ctx.beginPath();
  const size = detailed ? 4 : 3;
  for (let slot = 0; slot < count; slot++) {
    const fate = fates[drawn.arrow[slot] ?? 0] ?? 0;
    if (fate === 0 || fate === 4) continue;
    const x = drawn.ax2[slot] ?? 0;
    const y = drawn.ay2[slot] ?? 0;
    ctx.moveTo(x - size, y - size);
    ctx.lineTo(x + size, y + size);
    ctx.moveTo(x + size, y - size);
    ctx.lineTo(x - size, y + size);
  }
  ctx.stroke();
  if (!detailed) return;
  ctx.fillStyle = '#8c959f';
  for (let slot = 0; slot < count; slot++) {
    if (fates[drawn.arrow[slot] ?? 0] !== 4) continue;
    ctx.beginPath();
    ctx.arc(drawn.ax2[slot] ?? 0, drawn.ay2[slot] ?? 0, 2.5, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** Message types written along arrows that have room for them. */
function drawArrowLabels(v: Viewer, count: number): void {
  const { drawn } = v;
  const { arrows, view } = v.data;
  const ctx = v.page.plotContext;
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const placed: Array<[number, number, number]> = [];
  for (let slot = 0; slot < count && placed.length < 400; slot++) {
    const arrow = drawn.arrow[slot] ?? 0;
    const x1 = drawn.ax1[slot] ?? 0;
    const y1 = drawn.ay1[slot] ?? 0;
    const x2 = drawn.ax2[slot] ?? 0;
    const y2 = drawn.ay2[slot] ?? 0;
    const name = view.types[arrows.type[arrow] ?? 0]?.name ?? '';
    const text = arrows.duplicated[arrow] === 1 ? `${name} ×2` : name;
    const width = ctx.measureText(text).width;
    if (x2 - x1 < width + 16 || Math.abs(y2 - y1) < 20) continue;
    const x = (x1 + x2) / 2 - width / 2;
    const y = (y1 + y2) / 2;
    if (placed.some(([px, py, pw]) => Math.abs(py - y) < 12 && x < px + pw + 4 && px < x + width + 4)) continue;
    placed.push([x, y, width]);
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(x - 2, y - 7, width + 4, 14);
    ctx.fillStyle = colourOfType(arrows.type[arrow] ?? 0);
    ctx.fillText(text, x, y);
  }
}
