/**
 * The trace's hash. Node only (it uses `node:crypto`), so it sits apart from the browser-safe rest of
 * `trace/`: the viewer page never loads it.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { TraceEvent } from './events.ts';

/**
 * A stable hash of a trace (SHA-256 of its events as JSON lines, first 16 hex digits). Equal hashes mean
 * the runs were identical.
 */
export function traceHash(events: readonly TraceEvent[]): string {
  const hash = createHash('sha256');
  for (const event of events) hash.update(JSON.stringify(event) + '\n');
  return hash.digest('hex').slice(0, 16);
}
