/**
 * The page's side of the data handshake: reading the JSON that `renderChartPage` embedded, and saying
 * when the charts are drawn.
 *
 * @module
 */
import { CHART_DATA_ID } from '../spec.ts';

/** The data embedded in the page (`ChartPageOptions.data`), parsed. The caller names its shape. */
export function readPageData<T>(): T {
  const element = document.getElementById(CHART_DATA_ID);
  if (element === null) throw new Error(`The page has no #${CHART_DATA_ID} element to read its data from.`);
  return JSON.parse(element.textContent ?? 'null') as T;
}

/**
 * Marks the page as drawn: `<html data-charts-drawn="N">`, with N the number of charts. Browser tests
 * (and screenshots) wait for it.
 */
export function markDrawn(chartCount: number): void {
  document.documentElement.dataset['chartsDrawn'] = String(chartCount);
}

/** A new element with text set through `textContent` (never parsed as HTML). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (text !== undefined) created.textContent = text;
  if (className !== undefined) created.className = className;
  return created;
}
