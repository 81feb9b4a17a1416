/**
 * The trace for Node code: everything of the browser-safe `index.ts`, and {@link traceHash}.
 *
 * @module
 */
export * from './index.ts';
export { traceHash } from './hash.ts';
