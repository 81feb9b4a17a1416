/**
 * Load figures from what the backends saw ({@link BackendSpan}s): requests per backend, how even they
 * are (max / mean), how many requests each backend had in hand over time, and load amplification.
 *
 * @module
 */
import type { BackendSpan } from '../http/backend-log.ts';
import type { NodeId } from '../node.ts';

/** How evenly requests spread over the backends. */
export interface LoadBalance {
  /** Requests per backend, every backend listed (0 for none). */
  readonly requests: Readonly<Record<NodeId, number>>;
  readonly maxLoad: number;
  readonly meanLoad: number;
  /** `maxLoad / meanLoad`: 1 is perfectly even. 1 when no backend got any request. */
  readonly maxOverMean: number;
}

/** Requests per backend among `backends`, and their max and mean. */
export function loadBalance(spans: readonly BackendSpan[], backends: readonly NodeId[]): LoadBalance {
  if (backends.length === 0) throw new RangeError('loadBalance needs at least one backend.');
  const requests: Record<NodeId, number> = Object.fromEntries(backends.map((backend) => [backend, 0]));
  for (const span of spans) if (span.backend in requests) requests[span.backend]! += 1;
  const counts = Object.values(requests);
  const maxLoad = Math.max(...counts);
  const meanLoad = counts.reduce((sum, count) => sum + count, 0) / counts.length;
  return { requests, maxLoad, meanLoad, maxOverMean: meanLoad === 0 ? 1 : maxLoad / meanLoad };
}

/** Per-backend load over time: the mean number of requests each backend had in hand, per bucket. */
export interface LoadOverTime {
  /** Where each bucket starts, ms. */
  readonly bucketStartsMs: readonly number[];
  /** For each backend, one value per bucket: requests in hand (waiting or served), averaged over the bucket. */
  readonly inFlight: Readonly<Record<NodeId, readonly number[]>>;
}

/**
 * How many requests each backend had in hand (arrived, not yet answered), averaged over buckets of
 * `bucketMs` from 0 to `untilMs`. A request never answered counts until `untilMs`.
 */
export function loadOverTime(
  spans: readonly BackendSpan[],
  backends: readonly NodeId[],
  options: { readonly bucketMs: number; readonly untilMs: number },
): LoadOverTime {
  const { bucketMs, untilMs } = options;
  if (!(bucketMs > 0) || !(untilMs > 0)) throw new RangeError('loadOverTime: bucketMs and untilMs must be above 0.');
  const buckets = Math.ceil(untilMs / bucketMs);
  const bucketStartsMs = Array.from({ length: buckets }, (_, index) => index * bucketMs);
  const inFlight: Record<NodeId, number[]> = Object.fromEntries(
    backends.map((backend) => [backend, new Array<number>(buckets).fill(0)]),
  );
  for (const span of spans) {
    const series = inFlight[span.backend];
    if (series === undefined) continue;
    const from = span.arrivedAtMs;
    const to = Math.min(span.finishedAtMs ?? untilMs, untilMs);
    for (let index = Math.floor(from / bucketMs); index < buckets && index * bucketMs < to; index++) {
      const start = index * bucketMs;
      const overlap = Math.min(to, start + bucketMs) - Math.max(from, start);
      if (overlap > 0) series[index]! += overlap / bucketMs;
    }
  }
  return { bucketStartsMs, inFlight };
}

/**
 * Load amplification: requests sent to backends per request received from callers. 1 means no
 * retries; 3 means every request cost three backend requests (a retry storm).
 */
export function loadAmplification(backendRequests: number, callerRequests: number): number {
  if (callerRequests <= 0) throw new RangeError('loadAmplification: no request came from the callers.');
  return backendRequests / callerRequests;
}
