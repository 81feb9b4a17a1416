/**
 * A small read-only window into what is drawn, for the browser tests (and for curious learners), at
 * `window.__viewer`; its shape is declared in `../page-hook.ts`.
 *
 * @module
 */
import type { ViewerTestHook } from '../page-hook.ts';
import { clampView, plotWidth, visibleRange } from './layout.ts';
import { draw, flushDraw } from './draw.ts';
import { FATE_WORDS } from './trace-data.ts';
import type { Viewer } from './viewer.ts';

/** The hook for `v`. Each reader first draws any pending frame, so it reads what the state shows. */
export function createTestHook(v: Viewer): ViewerTestHook {
  const { drawn } = v;
  const { arrows, marks, view, laneIds } = v.data;
  return {
    visibleArrows() {
      flushDraw(v);
      const box = v.page.plot.getBoundingClientRect();
      const list: ReturnType<ViewerTestHook['visibleArrows']> = [];
      for (let slot = 0; slot < drawn.arrowCount; slot++) {
        const arrow = drawn.arrow[slot] ?? 0;
        list.push({
          id: arrows.id[arrow] ?? 0,
          type: view.types[arrows.type[arrow] ?? 0]?.name ?? '',
          from: laneIds[arrows.from[arrow] ?? 0] ?? '',
          to: laneIds[arrows.to[arrow] ?? 0] ?? '',
          fate: FATE_WORDS[arrows.fate[arrow] ?? 0] ?? '',
          x1: box.left + (drawn.ax1[slot] ?? 0),
          y1: box.top + (drawn.ay1[slot] ?? 0),
          x2: box.left + (drawn.ax2[slot] ?? 0),
          y2: box.top + (drawn.ay2[slot] ?? 0),
        });
      }
      return list;
    },
    visibleMarks() {
      flushDraw(v);
      const box = v.page.plot.getBoundingClientRect();
      const list: ReturnType<ViewerTestHook['visibleMarks']> = [];
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
      return drawn.bars.map((bar) => ({
        op: bar.operation.op,
        highlighted: bar.operation.highlighted,
        status: bar.operation.status,
      }));
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
