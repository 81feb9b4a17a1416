/**
 * The metrics as charts (uPlot, through `harness/charts`): latency percentiles per policy, and each
 * backend's load over time. These build plain chart specs; {@link writeMetricsPage} puts them on an
 * offline page.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderChartsPage, type ChartSpec, type LineChartSpec } from '../charts/index.ts';
import { nearestRank } from './latency.ts';
import type { LoadOverTime } from './load.ts';

/** Where the latency curve is sampled, in "nines": 1 is p90, 2 is p99, 3 is p99.9. */
const NINES = [0.3, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3];

/**
 * One line per policy: its latency at each percentile from p50 to p99.9, on a log scale. The x axis
 * counts nines (1 = p90, 2 = p99, 3 = p99.9), so the tail gets as much room as the median.
 */
export function latencyPercentileChart(
  title: string,
  latenciesMs: Readonly<Record<string, readonly number[]>>,
): LineChartSpec {
  return {
    kind: 'lines',
    title,
    xLabel: 'percentile, in nines (1 = p90, 2 = p99, 3 = p99.9)',
    yLabel: 'latency (ms)',
    yLog: true,
    x: NINES,
    series: Object.entries(latenciesMs).map(([label, values]) => {
      // Sorted once per policy, not once per point: a run holds tens of thousands of latencies.
      const sorted = [...values].sort((a, b) => a - b);
      return {
        label,
        values: NINES.map((nines) => (sorted.length === 0 ? null : Math.max(1, nearestRank(sorted, 1 - 10 ** -nines)))),
      };
    }),
  };
}

/** One line per backend: the requests it had in hand (waiting or served), averaged per bucket, over time. */
export function loadOverTimeChart(title: string, load: LoadOverTime): LineChartSpec {
  return {
    kind: 'lines',
    title,
    xLabel: 'virtual time (s)',
    yLabel: 'requests in hand',
    x: load.bucketStartsMs.map((ms) => ms / 1_000),
    series: Object.entries(load.inFlight).map(([label, values]) => ({ label, values: [...values] })),
  };
}

/** Writes `charts` as one offline page at `file` (folders made as needed) and returns the file's path. */
export function writeMetricsPage(file: string, title: string, charts: readonly ChartSpec[]): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderChartsPage(title, { charts }));
  return file;
}
