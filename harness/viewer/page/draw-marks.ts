/**
 * Drawing the point events on the lanes (starts, crashes, pauses, timers, logs, operations, clock changes, the
 * failure), one path per kind, and finding where an event sits on screen.
 *
 * @module
 */
import { BAD } from './canvas.ts';
import { arrowGeometry } from './draw-arrows.ts';
import { AXIS_H, xOf, xToPx, type XRange } from './layout.ts';
import { laneOfEvent, lowerBound } from './trace-data.ts';
import type { Viewer } from './viewer.ts';
import { markShown } from './visibility.ts';

/** How far apart marks of one kind on one lane must be to be drawn separately, in pixels. */
const MARK_SPACING_PX: Readonly<Record<string, number>> = {
  'timer-set': 3,
  'timer-fire': 6,
  'timer-cancel': 5,
  log: 5,
  duplicate: 8,
  clock: 8,
  'crash-armed': 8,
  'crash-expired': 8,
};
/** Where each kind's glyph sits relative to its lane's line, so a click lands on the glyph it aims at. */
const MARK_OFFSET_Y: Readonly<Record<string, number>> = {
  'timer-set': -6.5,
  'timer-fire': -9,
  'timer-cancel': -9,
  log: 7.5,
};

/** Draws the visible marks, records them in `v.drawn`, and rings the failure's events in red. */
export function drawMarks(v: Viewer, range: XRange): void {
  const { drawn } = v;
  const { marks, view } = v.data;
  const ctx = v.page.plotContext;
  drawn.markCount = 0;
  const pad = 10 / v.state.scale;
  const first = lowerBound(marks.count, (mark) => xOf(v, marks.event[mark] ?? 0), range.start - pad);
  const kinds = view.markKinds.length;
  const lastPx = new Float64Array(view.lanes.length * kinds).fill(-1e9);
  /** Positions per kind: x, y pairs. */
  const byKind: number[][] = view.markKinds.map(() => []);
  for (let mark = first; mark < marks.count; mark++) {
    const x = xOf(v, marks.event[mark] ?? 0);
    if (x > range.end + pad) break;
    if (!markShown(v, mark)) continue;
    const lane = marks.lane[mark] ?? 0;
    const kind = marks.kind[mark] ?? 0;
    const px = xToPx(v, x);
    // Marks closer than a glyph's width look like one: draw one (the rest stay reachable by stepping).
    const key = lane * kinds + kind;
    if (Math.abs(px - (lastPx[key] ?? -1e9)) < (MARK_SPACING_PX[view.markKinds[kind] ?? ''] ?? 1)) continue;
    lastPx[key] = px;
    const y = v.geometry.laneY[lane] ?? 0;
    const slot = drawn.markCount++;
    drawn.mark[slot] = mark;
    drawn.mx[slot] = px;
    drawn.my[slot] = y + (MARK_OFFSET_Y[view.markKinds[kind] ?? ''] ?? 0);
    byKind[kind]?.push(px, y);
  }
  byKind.forEach((positions, kind) => drawGlyphs(v, kind, positions));
  ctx.strokeStyle = BAD;
  ctx.lineWidth = 2;
  for (const event of v.data.highlightEvents) {
    const point = eventPoint(v, event);
    if (point === null) continue;
    ctx.beginPath();
    ctx.arc(point.x, point.y, 9, 0, Math.PI * 2);
    ctx.stroke();
  }
}

/** Draws every mark of one kind in a single path. */
function drawGlyphs(v: Viewer, kind: number, positions: readonly number[]): void {
  if (positions.length === 0) return;
  const ctx = v.page.plotContext;
  const KIND = v.data.kind;
  ctx.setLineDash([]);
  ctx.beginPath();
  const each = (shape: (x: number, y: number) => void): void => {
    for (let index = 0; index < positions.length; index += 2) shape(positions[index] ?? 0, positions[index + 1] ?? 0);
  };
  const stroke = (colour: string, width: number): void => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.stroke();
  };
  switch (kind) {
    case KIND.start:
    case KIND.restart:
      each((x, y) => {
        ctx.moveTo(x, y - 6);
        ctx.lineTo(x + 7, y);
        ctx.lineTo(x, y + 6);
        ctx.closePath();
      });
      ctx.fillStyle = kind === KIND.start ? '#2da44e' : '#1a7f37';
      ctx.fill();
      return;
    case KIND.crash:
      each((x, y) => {
        ctx.moveTo(x - 6, y - 6);
        ctx.lineTo(x + 6, y + 6);
        ctx.moveTo(x + 6, y - 6);
        ctx.lineTo(x - 6, y + 6);
      });
      stroke('#24292f', 3);
      return;
    case KIND.timerSet:
      each((x, y) => {
        ctx.moveTo(x, y - 9);
        ctx.lineTo(x, y - 4);
      });
      stroke('rgba(176, 136, 0, 0.55)', 1);
      return;
    case KIND.timerFire:
      each((x, y) => {
        ctx.moveTo(x + 3, y - 9);
        ctx.arc(x, y - 9, 3, 0, Math.PI * 2);
      });
      ctx.fillStyle = '#fff8c5';
      ctx.fill();
      stroke('rgba(191, 135, 0, 0.8)', 1.1);
      return;
    case KIND.timerCancel:
      each((x, y) => {
        ctx.moveTo(x - 2.5, y - 11.5);
        ctx.lineTo(x + 2.5, y - 6.5);
        ctx.moveTo(x + 2.5, y - 11.5);
        ctx.lineTo(x - 2.5, y - 6.5);
      });
      stroke('#8c959f', 1.2);
      return;
    case KIND.log:
      each((x, y) => ctx.rect(x - 2.5, y + 5, 5, 5));
      ctx.fillStyle = '#0969da';
      ctx.fill();
      return;
    case KIND.invoke:
    case KIND.complete:
      each((x, y) => {
        const d = kind === KIND.invoke ? 4 : -4;
        ctx.moveTo(x + d, y - 8);
        ctx.lineTo(x, y - 8);
        ctx.lineTo(x, y + 8);
        ctx.lineTo(x + d, y + 8);
      });
      stroke('#24292f', 1.6);
      return;
    case KIND.duplicate:
      each((x, y) => {
        ctx.moveTo(x + 5, y);
        ctx.arc(x, y, 5, 0, Math.PI * 2);
      });
      stroke('#e07b1a', 1.6);
      return;
    case KIND.clock:
      each((x, y) => {
        ctx.moveTo(x + 5, y);
        ctx.arc(x, y, 5, 0, Math.PI * 2);
        ctx.moveTo(x, y);
        ctx.lineTo(x, y - 3.5);
        ctx.moveTo(x, y);
        ctx.lineTo(x + 2.5, y);
      });
      stroke('#57606a', 1.2);
      return;
    case KIND.crashArmed:
      // A crosshair: a crash aimed at a kind of step, waiting for it.
      each((x, y) => {
        ctx.moveTo(x + 5, y);
        ctx.arc(x, y, 5, 0, Math.PI * 2);
        ctx.moveTo(x - 7, y);
        ctx.lineTo(x + 7, y);
        ctx.moveTo(x, y - 7);
        ctx.lineTo(x, y + 7);
      });
      stroke('#cf222e', 1.2);
      return;
    case KIND.crashExpired:
      // The crosshair greyed out and struck through: the crash it aimed never came.
      each((x, y) => {
        ctx.moveTo(x + 5, y);
        ctx.arc(x, y, 5, 0, Math.PI * 2);
        ctx.moveTo(x - 5, y + 5);
        ctx.lineTo(x + 5, y - 5);
      });
      stroke('#8c959f', 1.2);
      return;
    case KIND.pause:
    case KIND.resume:
      // Two bars where a pause begins; a play triangle where the node wakes.
      each((x, y) =>
        kind === KIND.pause
          ? (ctx.rect(x - 4, y - 6, 3, 12), ctx.rect(x + 1, y - 6, 3, 12))
          : (ctx.moveTo(x - 3, y - 6), ctx.lineTo(x + 5, y), ctx.lineTo(x - 3, y + 6), ctx.closePath()),
      );
      ctx.fillStyle = '#8250df';
      ctx.fill();
      return;
    case KIND.failure:
      each((x, y) => {
        ctx.moveTo(x + 8, y);
        ctx.arc(x, y, 8, 0, Math.PI * 2);
      });
      ctx.fillStyle = BAD;
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.font = 'bold 11px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'center';
      each((x, y) => ctx.fillText('!', x, y + 0.5));
      ctx.textAlign = 'left';
      return;
    default:
      return;
  }
}

/** Where an event sits on screen, or null when it is off its lanes. */
export function eventPoint(v: Viewer, index: number): { x: number; y: number } | null {
  const event = v.data.events[index];
  if (event === undefined) return null;
  const x = xToPx(v, xOf(v, index));
  if (event.kind === 'links' || event.kind === 'network') return { x, y: AXIS_H + 8 };
  const lane = laneOfEvent(v.data, event);
  if (lane < 0) return { x, y: AXIS_H + 8 };
  const y = v.geometry.laneY[lane] ?? -1;
  if (y < 0) return null;
  if (event.kind === 'drop' && event.reason !== 'node-down') {
    const arrow = v.data.arrowsOfMessage(event.id).find((candidate) => v.data.arrows.end[candidate] === index);
    if (arrow !== undefined) {
      const geometry = arrowGeometry(v, arrow);
      return { x: geometry.x2, y: geometry.y2 };
    }
  }
  return { x, y };
}
