/**
 * The default page script of a chart page: draws every chart of the page's `ChartsPageData` into
 * `#charts`, top to bottom.
 *
 * @module
 */
import { CHARTS_ID, type ChartsPageData } from '../spec.ts';
import { markDrawn, readPageData } from './data.ts';
import { drawChart } from './draw.ts';

const data = readPageData<ChartsPageData>();
const container = document.getElementById(CHARTS_ID);
if (container === null) throw new Error(`The page has no #${CHARTS_ID} element to draw its charts in.`);
for (const chart of data.charts) drawChart(container, chart);
markDrawn(data.charts.length);
