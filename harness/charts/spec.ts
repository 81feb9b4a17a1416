/**
 * What a chart shows, as plain data: the page's Node side builds these, embeds them as JSON, and the
 * page script draws them (`browser/draw.ts`). Types only and without DOM types, so both sides import
 * this one declaration.
 *
 * @module
 */

/** One named line or bar series. `null` leaves a gap (a line) or no bar. */
export interface ChartSeries {
  /** Shown in the legend. */
  readonly label: string;
  /** One value per x (lines) or per category (bars). */
  readonly values: ReadonlyArray<number | null>;
  /** A CSS colour; the palette's next one when absent. */
  readonly color?: string;
}

/** Lines over a numeric x axis: latency percentiles over load, messages per operation over cluster size. */
export interface LineChartSpec {
  readonly kind: 'lines';
  /** The chart's caption. */
  readonly title: string;
  /** The x axis's name, with its unit (`offered load (requests/s)`). */
  readonly xLabel: string;
  /** The y axis's name, with its unit (`latency (ms)`). */
  readonly yLabel: string;
  /** The x values, ascending; every series has one value per x. */
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  /** A logarithmic y axis (base 10), for values that span orders of magnitude such as tail latencies. */
  readonly yLog?: boolean;
}

/** Bars over named categories. Several series are stacked, the first at the bottom. */
export interface BarChartSpec {
  readonly kind: 'bars';
  /** The chart's caption. */
  readonly title: string;
  /** The categories, left to right: short labels, one per bar. */
  readonly categories: readonly string[];
  /** The y axis's name, with its unit (`learners`). */
  readonly yLabel: string;
  /** Optional name of the x axis. */
  readonly xLabel?: string;
  readonly series: readonly ChartSeries[];
}

/** Any chart the helpers draw. */
export type ChartSpec = LineChartSpec | BarChartSpec;

/** The data of a page drawn by the default page script (`browser/main.ts`): its charts, top to bottom. */
export interface ChartsPageData {
  readonly charts: readonly ChartSpec[];
}

/** The id of the page's one JSON data element. */
export const CHART_DATA_ID = 'chart-data';

/** The id of the element the default page script appends its charts to. */
export const CHARTS_ID = 'charts';
