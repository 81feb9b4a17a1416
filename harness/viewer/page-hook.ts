/**
 * The shape of the viewer page's test hook, `window.__viewer`: what the browser tests (and curious
 * learners) can ask a drawn page. Types only and without DOM types, so that both the page (which
 * implements it in `page/test-hook.ts`) and the Node-side browser tests (which call it) import this one
 * declaration.
 *
 * @module
 */

/** What `window.__viewer` answers. Positions are in page coordinates. */
export interface ViewerTestHook {
  /** Arrows drawn in the last frame. */
  visibleArrows(): Array<{
    id: number;
    type: string;
    from: string;
    to: string;
    fate: string;
    x1: number;
    y1: number;
    x2: number;
    y2: number;
  }>;
  /** Marks drawn in the last frame (one per glyph: marks on the same pixel share one). */
  visibleMarks(): Array<{ event: number; kind: string; lane: string; x: number; y: number }>;
  /** The lanes drawn, top to bottom. */
  visibleLanes(): string[];
  /** The operation bars drawn. */
  visibleOperations(): Array<{ op: number; highlighted: boolean; status: string }>;
  /** The selected event's index, or -1. */
  selected(): number;
  /** The x range on screen, and its unit: virtual time (ms) or event order (index). */
  range(): { start: number; end: number; mode: 'time' | 'order' };
  /** Shows x from `start` to `end` (in the current axis's unit) and draws at once. */
  zoomTo(start: number, end: number): void;
  /** How many frames were drawn, and how long the last one took (ms). */
  frames(): { count: number; lastFrameMs: number };
  /** How many events the trace holds. */
  readonly eventCount: number;
}
