/**
 * What is under the pointer, from what the last frame drew (`v.drawn`).
 *
 * @module
 */
import { AXIS_H, STRIP_H } from './layout.ts';
import type { Viewer } from './viewer.ts';

/** A picked element: the event it stands for, and the arrow when it was one. */
export interface Hit {
  readonly event: number;
  readonly arrow?: number;
}

/** How near (in CSS pixels) a mark or an arrow must be to be picked. */
const PICK_RADIUS_PX = 7;

/**
 * The nearest mark or arrow within a few pixels of (x, y), in canvas coordinates; else an operation bar,
 * a network flag or a shaded stretch under it; else null. An arrow stands for the event that ended it
 * (its delivery or drop), or its send when it was still in flight.
 */
export function pick(v: Viewer, x: number, y: number): Hit | null {
  const { drawn } = v;
  const { arrows, marks, count } = v.data;
  let best: Hit | null = null;
  let bestDistance = PICK_RADIUS_PX;
  for (let slot = 0; slot < drawn.markCount; slot++) {
    const distance = Math.hypot((drawn.mx[slot] ?? 0) - x, (drawn.my[slot] ?? 0) - y) - 1.5;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = { event: marks.event[drawn.mark[slot] ?? 0] ?? 0 };
    }
  }
  for (let slot = 0; slot < drawn.arrowCount; slot++) {
    const distance = distanceToSegment(
      x,
      y,
      drawn.ax1[slot] ?? 0,
      drawn.ay1[slot] ?? 0,
      drawn.ax2[slot] ?? 0,
      drawn.ay2[slot] ?? 0,
    );
    if (distance < bestDistance) {
      bestDistance = distance;
      const arrow = drawn.arrow[slot] ?? 0;
      best = { event: arrows.end[arrow] === count ? (arrows.send[arrow] ?? 0) : (arrows.end[arrow] ?? 0), arrow };
    }
  }
  if (best !== null) return best;
  for (const bar of drawn.bars) {
    if (x >= bar.x && x <= bar.x + bar.w && y >= bar.y - 2 && y <= bar.y + bar.h + 2)
      return { event: bar.operation.invoke };
  }
  if (y > AXIS_H && y < AXIS_H + STRIP_H) {
    for (const flag of drawn.flags) if (x >= flag.x - 4 && x <= flag.x + flag.w) return { event: flag.event };
  }
  for (const band of drawn.bands) {
    if (x >= band.x && x <= band.x + band.w && y >= band.y && y <= band.y + band.h)
      return { event: band.interval.start };
  }
  return null;
}

/** The distance from (px, py) to the segment from (x1, y1) to (x2, y2). */
export function distanceToSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const lengthSquared = dx * dx + dy * dy;
  const along = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / lengthSquared));
  return Math.hypot(px - (x1 + along * dx), py - (y1 + along * dy));
}
