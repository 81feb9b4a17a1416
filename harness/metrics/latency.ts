/**
 * Latency figures: percentiles by the nearest-rank method, over latencies measured in virtual time.
 *
 * @module
 */

/** The usual figures of a set of latencies, in ms. */
export interface LatencySummary {
  /** How many latencies. */
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/**
 * The `q`-quantile of `values` (`q` in (0, 1]) by the nearest-rank method: the smallest value with at
 * least `q` of all values at or below it. So p99 of 1,000 latencies is the 990th smallest.
 *
 * @throws RangeError for no values, or `q` outside (0, 1].
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values: record at least one latency first.');
  if (!(q > 0 && q <= 1)) throw new RangeError(`percentile: q must be in (0, 1]; got ${q}.`);
  return nearestRank(
    [...values].sort((a, b) => a - b),
    q,
  );
}

/** The `q`-quantile of `sorted` (ascending, at least one value; `q` in (0, 1]) by the nearest-rank method. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}

/** Count, mean, p50, p99, p99.9 and max of `latenciesMs`. */
export function summarizeLatency(latenciesMs: readonly number[]): LatencySummary {
  if (latenciesMs.length === 0) throw new RangeError('summarizeLatency of no latencies: no request completed.');
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.ceil(q * sorted.length) - 1]!;
  return {
    count: sorted.length,
    meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p50Ms: rank(0.5),
    p99Ms: rank(0.99),
    p999Ms: rank(0.999),
    maxMs: sorted.at(-1)!,
  };
}

/** `summary` in one line, e.g. `n=2000 mean 105 ms, p50 80 ms, p99 410 ms, p99.9 620 ms, max 700 ms`. */
export function formatLatency(summary: LatencySummary): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  return (
    `n=${summary.count} mean ${ms(summary.meanMs)}, p50 ${ms(summary.p50Ms)}, p99 ${ms(summary.p99Ms)}, ` +
    `p99.9 ${ms(summary.p999Ms)}, max ${ms(summary.maxMs)}`
  );
}
