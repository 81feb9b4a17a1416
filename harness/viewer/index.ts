/**
 * The trace viewer: a failing run's trace as a standalone HTML page with a space-time (Lamport)
 * diagram, to open in a browser from disk.
 *
 * A failing simulation test writes one beside its JSON trace (see `writeTraceFiles` in `harness/testing`)
 * and prints its path. To draw a trace yourself:
 *
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { renderTraceHtml } from './harness/viewer/index.ts';
 * writeFileSync('trace.html', renderTraceHtml(trace, { highlightOperations: [3, 7] }));
 * ```
 *
 * @module
 */
export { renderTraceHtml, jsonForScript } from './render.ts';
export { buildViewModel, mentionedMessages, mentionedOperations, mentionedTimes, type ViewerOptions } from './model.ts';
export type {
  ArrowFate,
  ViewArrows,
  ViewFailure,
  ViewGlobal,
  ViewInterval,
  ViewLane,
  ViewMarks,
  ViewMessageType,
  ViewModel,
  ViewOperation,
  ViewerData,
} from './view-model.ts';
