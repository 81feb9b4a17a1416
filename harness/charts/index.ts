/**
 * Charts for offline pages, drawn with uPlot: a standalone HTML file that opens from disk, fetches
 * nothing, and runs only its own script and style (a Content-Security-Policy by hash).
 *
 * The simplest page lists its charts and lets the default page script draw them:
 *
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { renderChartsPage } from './harness/charts/index.ts';
 * writeFileSync('latency.html', renderChartsPage('Latency under load', {
 *   charts: [{ kind: 'lines', title: 'p99 latency', xLabel: 'load (req/s)', yLabel: 'latency (ms)',
 *              x: [100, 200, 400], series: [{ label: 'round robin', values: [4, 9, 31] }] }],
 * }));
 * ```
 *
 * A page with its own layout passes `renderChartPage` its markup and its own page script, a
 * browser-side module that reads the data with `readPageData()` and draws with `drawChart()` (both in
 * `harness/charts/browser/`, typechecked against the DOM by `browser/tsconfig.json`).
 *
 * @module
 */
export { renderChartPage, renderChartsPage, type ChartPageOptions } from './page.ts';
export type { BarChartSpec, ChartSeries, ChartSpec, ChartsPageData, LineChartSpec } from './spec.ts';
