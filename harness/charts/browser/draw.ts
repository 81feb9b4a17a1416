/**
 * Draws a {@link ChartSpec} with uPlot: lines over a numeric x axis, or (stacked) bars over
 * categories. Every label reaches the page as text: uPlot draws axes on a canvas and writes its legend
 * with `textContent`.
 *
 * @module
 */
import uPlot from 'uplot';
import type { BarChartSpec, ChartSeries, ChartSpec, LineChartSpec } from '../spec.ts';
import { element } from './data.ts';

/** The colours series take in turn when they name none (colour-blind safe, after Okabe and Ito). */
export const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];

/** The drawn size; by default as wide as the container (at most 1,100 px) and 280 px high. */
export interface DrawOptions {
  readonly width?: number;
  readonly height?: number;
}

/** Appends `spec` to `container` as a `<figure class="chart">` with its title as caption; returns the chart. */
export function drawChart(container: HTMLElement, spec: ChartSpec, options: DrawOptions = {}): uPlot {
  const figure = element('figure', undefined, 'chart');
  figure.append(element('figcaption', spec.title));
  container.append(figure);
  const size = {
    width: options.width ?? Math.max(320, Math.min(container.clientWidth || 800, 1100)),
    height: options.height ?? 280,
  };
  const [opts, data] = spec.kind === 'lines' ? lines(spec, size) : bars(spec, size);
  return new uPlot(opts, data, figure);
}

function colorOf(series: ChartSeries, index: number): string {
  return series.color ?? PALETTE[index % PALETTE.length]!;
}

function lines(spec: LineChartSpec, size: { width: number; height: number }): [uPlot.Options, uPlot.AlignedData] {
  const opts: uPlot.Options = {
    ...size,
    scales: { x: { time: false }, y: spec.yLog === true ? { distr: 3, log: 10 } : {} },
    axes: [{ label: spec.xLabel }, { label: spec.yLabel }],
    series: [
      { label: spec.xLabel },
      ...spec.series.map((series, index) => ({
        label: series.label,
        stroke: colorOf(series, index),
        width: 2,
        points: { show: true, size: 5 },
      })),
    ],
  };
  return [opts, [[...spec.x], ...spec.series.map((series) => [...series.values])]];
}

const WHOLE_INCREMENTS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 100_000];

function wholeNumbers(spec: BarChartSpec): boolean {
  return spec.series.every((series) => series.values.every((value) => value === null || Number.isInteger(value)));
}

/**
 * Stacked bars. uPlot draws series in order and a later bar covers an earlier one, so each series is
 * drawn as the running total up to it, the top of the stack first; the legend shows each series' own value.
 */
function bars(spec: BarChartSpec, size: { width: number; height: number }): [uPlot.Options, uPlot.AlignedData] {
  const x = spec.categories.map((_, index) => index);
  const totals: number[][] = [];
  let running = x.map(() => 0);
  for (const series of spec.series) {
    running = running.map((sum, index) => sum + (series.values[index] ?? 0));
    totals.push(running);
  }
  const top = Math.max(1, ...running);
  const order = spec.series.map((_, index) => index).reverse();
  const opts: uPlot.Options = {
    ...size,
    scales: { x: { time: false, range: [-0.5, Math.max(x.length, 1) - 0.5] }, y: { range: [0, top * 1.08] } },
    axes: [
      {
        label: spec.xLabel ?? '',
        splits: () => x,
        values: (_chart, splits) => splits.map((split) => spec.categories[split] ?? ''),
        grid: { show: false },
      },
      // Whole numbers (counts, mostly) get whole-number ticks: no "0.25 learners".
      { label: spec.yLabel, ...(wholeNumbers(spec) ? { incrs: WHOLE_INCREMENTS } : {}) },
    ],
    series: [
      { label: spec.xLabel ?? 'category', value: (_chart, value) => spec.categories[value] ?? '' },
      ...order.map((index) => {
        const series = spec.series[index]!;
        const color = colorOf(series, index);
        return {
          label: series.label,
          fill: color,
          stroke: color,
          paths: uPlot.paths.bars!({ size: [0.7, 64] }),
          points: { show: false },
          value: (_chart: uPlot, _value: number, _series: number, at: number | null) =>
            at === null ? '–' : String(series.values[at] ?? '–'),
        };
      }),
    ],
  };
  return [opts, [x, ...order.map((index) => totals[index]!)]];
}
