/**
 * A small read-only window into what is drawn, for the browser tests (and for curious learners), at
 * `window.__viewer`. Positions are in page coordinates.
 *
 * @module
 */
import { clampView, plotWidth, visibleRange, type XRange } from './layout.ts';
import { draw, flushDraw } from './draw.ts';
import { FATE_WORDS } from './trace-data.ts';
import type { AxisMode, Viewer } from './viewer.ts';

/** What `window.__viewer` answers. */
export interface TestHook {
  /** Arrows drawn in the last frame. */
  visibleArrows(): Array<{ id: number; type: string; from: string; to: string; fate: string; x1: number; y1: number; x2: number; y2: number }>;
  /** Marks drawn in the last frame (one per glyph: marks on the same pixel share one). */
  visibleMarks(): Array<{ event: number; kind: string; lane: string; x: number; y: number }>;
  /** The lanes drawn, top to bottom. */
  visibleLanes(): string[];
  /** The operation bars drawn. */
  visibleOperations(): Array<{ op: number; highlighted: boolean; status: string }>;
  /** The selected event's index, or -1. */
  selected(): number;
  /** The x range on screen, and its unit. */
  range(): XRange & { mode: AxisMode };
  /** Shows x from `start` to `end` (in the current axis's unit) and draws at once. */
  zoomTo(start: number, end: number): void;
  /** How many frames were drawn, and how long the last one took (ms). */
  frames(): { count: number; lastFrameMs: number };
  readonly eventCount: number;
}

/** The hook for `v`. Each reader first draws any pending frame, so it reads what the state shows. */
export function createTestHook(v: Viewer): TestHook {
  const { drawn } = v;
  const { arrows, marks, view, laneIds } = v.data;
  return {
    visibleArrows() {
      flushDraw(v);
      const box = v.page.plot.getBoundingClientRect();
      const list: ReturnType<TestHook['visibleArrows']> = [];
      for (let slot = 0; slot < drawn.arrowCount; slot++) {
        const arrow = drawn.arrow[slot] ?? 0;
        list.push({
          id: arrows.id[arrow] ?? 0,
          type: view.types[arrows.type[arrow] ?? 0]?.name ?? '',
          from: laneIds[arrows.from[arrow] ?? 0] ?? '',
          to: laneIds[arrows.to[arrow] ?? 0] ?? '',
          fate: FATE_WORDS[arrows.fate[arrow] ?? 0] ?? '',
          x1: box.left + (drawn.ax1[slot] ?? 0), y1: box.top + (drawn.ay1[slot] ?? 0),
          x2: box.left + (drawn.ax2[slot] ?? 0), y2: box.top + (drawn.ay2[slot] ?? 0),
        });
      }
      return list;
    },
    visibleMarks() {
      flushDraw(v);
      const box = v.page.plot.getBoundingClientRect();
      const list: ReturnType<TestHook['visibleMarks']> = [];
      for (let slot = 0; slot < drawn.markCount; slot++) {
        const mark = drawn.mark[slot] ?? 0;
        list.push({
          event: marks.event[mark] ?? 0,
          kind: view.markKinds[marks.kind[mark] ?? 0] ?? '',
          lane: laneIds[marks.lane[mark] ?? 0] ?? '',
          x: box.left + (drawn.mx[slot] ?? 0),
          y: box.top + (drawn.my[slot] ?? 0),
        });
      }
      return list;
    },
    visibleLanes() {
      flushDraw(v);
      return laneIds.filter((_, index) => (v.geometry.laneY[index] ?? -1) >= 0);
    },
    visibleOperations() {
      flushDraw(v);
      return drawn.bars.map((bar) => ({ op: bar.operation.op, highlighted: bar.operation.highlighted, status: bar.operation.status }));
    },
    selected: () => v.state.selected,
    range: () => ({ ...visibleRange(v), mode: v.state.mode }),
    zoomTo(start, end) {
      v.state.scale = plotWidth(v) / Math.max(end - start, 1e-6);
      v.state.startX = start;
      clampView(v);
      draw(v);
    },
    frames: () => ({ count: drawn.frames, lastFrameMs: drawn.lastFrameMs }),
    eventCount: v.data.count,
  };
}
