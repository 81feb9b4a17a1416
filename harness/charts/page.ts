/**
 * A standalone chart page: one HTML file with its style, script and data inline, that opens from disk
 * and fetches nothing.
 *
 * Safety, in two layers, as for the trace viewer. (1) Data never becomes markup: it sits in one
 * `<script type="application/json">` whose `<`, `>` and `&` are JSON escapes, and the page script puts
 * text on screen with `textContent` (uPlot draws on a canvas). (2) A Content-Security-Policy allows only
 * the page's own style and script, by hash: no other script runs and nothing is fetched.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { escapeHtml } from '../viewer/html.ts';
import { jsonForScript } from '../viewer/index.ts';
import { inlinable, pageHead } from '../viewer/standalone-page.ts';
import { bundlePageScript, uplotCss } from './bundle.ts';
import { CHART_DATA_ID, CHARTS_ID, type ChartsPageData } from './spec.ts';

/** What {@link renderChartPage} builds a page from. */
export interface ChartPageOptions {
  /** The page's title (escaped). */
  readonly title: string;
  /** The page's data, embedded as JSON; the page script reads it with `readPageData()`. */
  readonly data: unknown;
  /**
   * The page script's entry module, an absolute path to a browser-side `.ts` file (it may import
   * `harness/charts/browser/draw.ts` and uPlot). Default: `browser/main.ts`, which draws the charts of
   * a {@link ChartsPageData} into the element `#charts`.
   */
  readonly script?: string;
  /**
   * The body's markup before the data and the script: fixed, trusted markup written by the caller (ids
   * for the page script to fill), never learner or run data. Default: a heading and `<main id="charts">`.
   */
  readonly body?: string;
  /** Extra CSS after uPlot's (trusted, inlined and hashed). */
  readonly style?: string;
  /** What a browser without JavaScript shows. */
  readonly noscript?: string;
}

const DEFAULT_SCRIPT = fileURLToPath(new URL('./browser/main.ts', import.meta.url));

const BASE_STYLE = `body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d232b; background: #fff; }
figure.chart { margin: 0 0 2rem; }
figure.chart figcaption { font-weight: 600; margin-bottom: 0.25rem; }`;

/**
 * Builds the page. Pure apart from the first build of each page script (cached for the process): the
 * same options give the same string.
 */
export function renderChartPage(options: ChartPageOptions): string {
  const style = inlinable('the page style', [uplotCss(), BASE_STYLE, options.style ?? ''].join('\n'));
  const script = bundlePageScript(options.script ?? DEFAULT_SCRIPT);
  const body = options.body ?? `<h1>${escapeHtml(options.title)}</h1>\n<main id="${CHARTS_ID}"></main>`;
  return `${pageHead(options.title, style, script)}
<body>
${body}
<noscript>${escapeHtml(options.noscript ?? 'This page needs JavaScript to draw its charts.')}</noscript>
<script type="application/json" id="${CHART_DATA_ID}">${jsonForScript(options.data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

/** A page of charts drawn by the default page script, top to bottom. */
export function renderChartsPage(title: string, data: ChartsPageData): string {
  return renderChartPage({ title, data });
}
