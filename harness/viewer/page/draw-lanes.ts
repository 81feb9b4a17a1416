/**
 * Drawing the frame around the events: lane backgrounds, shaded down time and cut links, the time grid
 * and axis, the network-wide flags, and the lane names in the gutter.
 *
 * @module
 */
import { fillTextClipped } from './canvas.ts';
import { formatMs } from './format.ts';
import {
  AXIS_H,
  BOTTOM_PAD,
  GUTTER_W,
  LANE_H,
  maxX,
  OP_ROW_H,
  OPS_HEADER_H,
  plotWidth,
  STRIP_H,
  xOf,
  xToPx,
  type XRange,
} from './layout.ts';
import type { Viewer } from './viewer.ts';
import { eventShown } from './visibility.ts';

/** Each lane's background and line. */
export function drawLaneBackgrounds(v: Viewer): void {
  const ctx = v.page.plotContext;
  const { cssWidth, laneY, lanesBottom } = v.geometry;
  v.data.view.lanes.forEach((lane, index) => {
    const y = laneY[index] ?? -1;
    if (y < 0) return;
    ctx.fillStyle = lane.kind === 'client' ? '#fbfaf6' : index % 2 === 0 ? '#fafbfc' : '#ffffff';
    ctx.fillRect(GUTTER_W, y - LANE_H / 2, cssWidth, LANE_H);
    ctx.strokeStyle = '#c9d1d9';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(Math.max(GUTTER_W, xToPx(v, 0)), y);
    ctx.lineTo(Math.min(cssWidth, xToPx(v, xOf(v, v.data.count))), y);
    ctx.stroke();
  });
  if (lanesBottom > AXIS_H + STRIP_H) {
    ctx.strokeStyle = '#eaeef2';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(GUTTER_W, AXIS_H + STRIP_H + 0.5);
    ctx.lineTo(cssWidth, AXIS_H + STRIP_H + 0.5);
    ctx.stroke();
  }
}

/** A hatched fill, made once per colour pair. */
function hatch(v: Viewer, colour: string, background: string): CanvasPattern | string {
  const key = colour + background;
  const patterns = v.frame.patterns;
  if (!patterns.has(key)) {
    const tile = document.createElement('canvas');
    tile.width = 8;
    tile.height = 8;
    const tileContext = tile.getContext('2d')!;
    tileContext.fillStyle = background;
    tileContext.fillRect(0, 0, 8, 8);
    tileContext.strokeStyle = colour;
    tileContext.lineWidth = 1.2;
    tileContext.beginPath();
    tileContext.moveTo(-2, 10);
    tileContext.lineTo(10, -2);
    tileContext.moveTo(-2, 2);
    tileContext.lineTo(2, -2);
    tileContext.moveTo(6, 10);
    tileContext.lineTo(10, 6);
    tileContext.stroke();
    patterns.set(key, v.page.plotContext.createPattern(tile, 'repeat'));
  }
  return patterns.get(key) ?? background;
}

/** How each kind of stretch is drawn: band fill (two hatch colours), outline, label, bar along the lane. */
const BAND_STYLE = {
  down: {
    hatch: ['rgba(87, 96, 106, 0.35)', 'rgba(87, 96, 106, 0.12)'],
    edge: 'rgba(87, 96, 106, 0.55)',
    text: '#3d444d',
    bar: '#57606a',
  },
  paused: {
    hatch: ['rgba(130, 80, 223, 0.30)', 'rgba(130, 80, 223, 0.10)'],
    edge: 'rgba(130, 80, 223, 0.6)',
    text: '#5a32a3',
    bar: '#8250df',
  },
  cut: {
    hatch: ['rgba(191, 135, 0, 0.30)', 'rgba(255, 223, 93, 0.16)'],
    edge: 'rgba(191, 135, 0, 0.6)',
    text: '#7d5a00',
    bar: '#d4a72c',
  },
} as const;

/**
 * Shaded stretches: grey where a node was down, violet where it was paused, amber where its links were
 * cut. Recorded for picking.
 */
export function drawIntervals(v: Viewer, range: XRange): void {
  const ctx = v.page.plotContext;
  const { cssWidth, laneY } = v.geometry;
  v.drawn.bands = [];
  for (const interval of v.data.view.intervals) {
    const y = laneY[interval.lane] ?? -1;
    if (y < 0) continue;
    const x1 = xOf(v, interval.start);
    const x2 = xOf(v, interval.end < 0 ? v.data.count : interval.end);
    if (x2 < range.start || x1 > range.end) continue;
    const left = Math.max(GUTTER_W - 2, xToPx(v, x1));
    const right = Math.min(cssWidth + 2, Math.max(xToPx(v, x2), xToPx(v, x1) + 3));
    // Down time and pauses sit in the middle of the lane (a node is never both); cut links around it.
    const inLane = interval.kind !== 'cut';
    const style = BAND_STYLE[interval.kind];
    const top = inLane ? y - LANE_H / 2 + 5 : y - LANE_H / 2 + 2;
    const height = inLane ? LANE_H - 10 : LANE_H - 4;
    ctx.fillStyle = hatch(v, style.hatch[0], style.hatch[1]);
    ctx.fillRect(left, top, right - left, height);
    ctx.strokeStyle = style.edge;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, right - left - 1, height - 1);
    if (right - left > 40) {
      ctx.fillStyle = style.text;
      ctx.font = '600 10.5px system-ui, sans-serif';
      // Cut links are labelled at the top of the lane, down time and pauses at the bottom, so both can show at once.
      ctx.textBaseline = inLane ? 'bottom' : 'top';
      fillTextClipped(
        ctx,
        interval.text,
        Math.max(left, GUTTER_W) + 5,
        inLane ? top + height - 1 : top + 1,
        right - Math.max(left, GUTTER_W) - 10,
      );
    }
    v.drawn.bands.push({ interval, x: left, y: top, w: right - left, h: height });
  }
}

/**
 * A solid bar along the lane line for down time (grey), pauses (violet) and cut links (amber), drawn
 * over the arrows so that it stays visible however dense the trace is.
 */
export function drawLaneStatus(v: Viewer, range: XRange): void {
  const ctx = v.page.plotContext;
  for (const interval of v.data.view.intervals) {
    const y = v.geometry.laneY[interval.lane] ?? -1;
    if (y < 0) continue;
    const x1 = xOf(v, interval.start);
    const x2 = xOf(v, interval.end < 0 ? v.data.count : interval.end);
    if (x2 < range.start || x1 > range.end) continue;
    const left = Math.max(GUTTER_W, xToPx(v, x1));
    const right = Math.min(v.geometry.cssWidth, Math.max(xToPx(v, x2), xToPx(v, x1) + 2));
    const inLane = interval.kind !== 'cut';
    ctx.fillStyle = BAND_STYLE[interval.kind].bar;
    ctx.fillRect(left, inLane ? y - 2 : y + LANE_H / 2 - 5, right - left, inLane ? 4 : 3);
  }
}

/** Tick positions for the visible range: 1, 2 or 5 times a power of ten, about 110 px apart. */
function ticks(v: Viewer, range: XRange): number[] {
  const target = (range.end - range.start) / Math.max(2, plotWidth(v) / 110);
  const power = 10 ** Math.floor(Math.log10(Math.max(target, 1e-9)));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= target) ?? power * 10;
  const finalStep = v.state.mode === 'order' ? Math.max(1, Math.round(step)) : step;
  const list: number[] = [];
  const first = Math.max(0, Math.ceil(range.start / finalStep)) * finalStep;
  const last = Math.min(range.end, maxX(v));
  for (let x = first; x <= last && list.length < 200; x += finalStep) list.push(x);
  return list;
}

function tickLabel(v: Viewer, x: number): string {
  if (v.state.mode === 'order') return `#${Math.round(x).toLocaleString('en-US')}`;
  return formatMs(Math.round(x * 1000) / 1000);
}

/** Faint vertical lines at the ticks. */
export function drawGrid(v: Viewer, range: XRange): void {
  const ctx = v.page.plotContext;
  ctx.strokeStyle = 'rgba(208, 215, 222, 0.55)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const x of ticks(v, range)) {
    const px = Math.round(xToPx(v, x)) + 0.5;
    ctx.moveTo(px, AXIS_H);
    ctx.lineTo(px, v.geometry.cssHeight - BOTTOM_PAD);
  }
  ctx.stroke();
}

/** Partitions, heals and new network settings: a flag in the strip and a dashed line down the lanes. */
export function drawGlobals(v: Viewer, range: XRange): void {
  const ctx = v.page.plotContext;
  v.drawn.flags = [];
  let labelEnd = -Infinity;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const global of v.data.view.globals) {
    const x = xOf(v, global.event);
    if (x < range.start - 1 || x > range.end + 1) continue;
    if (!eventShown(v, global.event)) continue;
    const px = Math.round(xToPx(v, x)) + 0.5;
    const colour = v.data.events[global.event]?.kind === 'links' ? '#8250df' : '#6e7781';
    ctx.strokeStyle = colour;
    ctx.setLineDash([3, 3]);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H + 4);
    ctx.lineTo(px, v.geometry.lanesBottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H + 4);
    ctx.lineTo(px + 7, AXIS_H + 8);
    ctx.lineTo(px, AXIS_H + 12);
    ctx.fill();
    const width = Math.min(ctx.measureText(global.label).width, 260);
    if (px + 10 > labelEnd + 8) {
      fillTextClipped(ctx, global.label, px + 10, AXIS_H + STRIP_H / 2, 260);
      labelEnd = px + 10 + width;
    }
    v.drawn.flags.push({ event: global.event, x: px, w: Math.max(12, width + 12) });
  }
}

/** The lane names (and the history rows' client names) on the left. */
export function drawGutter(v: Viewer): void {
  const ctx = v.page.plotContext;
  const { cssHeight, laneY, rowY, lanesBottom } = v.geometry;
  const { view, laneIds } = v.data;
  ctx.fillStyle = '#f6f8fa';
  ctx.fillRect(0, 0, GUTTER_W, cssHeight);
  ctx.strokeStyle = '#d0d7de';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(GUTTER_W - 0.5, 0);
  ctx.lineTo(GUTTER_W - 0.5, cssHeight);
  ctx.stroke();
  ctx.textBaseline = 'middle';
  view.lanes.forEach((lane, index) => {
    const y = laneY[index] ?? -1;
    if (y < 0) return;
    ctx.fillStyle = lane.kind === 'client' ? '#8a6a4f' : '#57606a';
    ctx.beginPath();
    if (lane.kind === 'client') ctx.rect(12, y - 4, 8, 8);
    else ctx.arc(16, y, 4.5, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#1f2328';
    ctx.font = '600 13px system-ui, sans-serif';
    fillTextClipped(ctx, lane.id, 27, y - 1, GUTTER_W - 32);
    ctx.fillStyle = '#8c959f';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText(lane.kind, 27, y + 12);
  });
  if (view.operations.length > 0) {
    ctx.fillStyle = '#57606a';
    ctx.font = '600 10.5px system-ui, sans-serif';
    ctx.fillText('OPERATIONS', 12, lanesBottom + OPS_HEADER_H / 2 + 1);
    view.clientLanes.forEach((lane, row) => {
      const top = rowY[row] ?? -1;
      if (top < 0) return;
      ctx.fillStyle = '#1f2328';
      ctx.font = '12px system-ui, sans-serif';
      fillTextClipped(ctx, laneIds[lane] ?? '', 27, top + OP_ROW_H / 2, GUTTER_W - 32);
    });
  }
  ctx.fillStyle = '#8c959f';
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillText(v.state.mode === 'time' ? 'virtual time' : 'event order', 10, AXIS_H / 2);
}

/** The x axis at the top, with its tick labels. */
export function drawAxis(v: Viewer, range: XRange): void {
  const ctx = v.page.plotContext;
  const { cssWidth } = v.geometry;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(GUTTER_W, 0, cssWidth - GUTTER_W, AXIS_H);
  ctx.strokeStyle = '#d0d7de';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(GUTTER_W, AXIS_H - 0.5);
  ctx.lineTo(cssWidth, AXIS_H - 0.5);
  ctx.stroke();
  ctx.fillStyle = '#57606a';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const x of ticks(v, range)) {
    const px = Math.round(xToPx(v, x)) + 0.5;
    if (px < GUTTER_W) continue;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H - 5);
    ctx.lineTo(px, AXIS_H);
    ctx.stroke();
    ctx.fillText(tickLabel(v, x), px + 3, AXIS_H / 2);
  }
}
