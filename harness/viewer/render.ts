/**
 * The viewer page: one standalone HTML file with its style, script and data inline.
 *
 * Safety, in two layers. (1) Nothing from the trace is written into the markup: the only data is one
 * `<script type="application/json">` whose `<`, `>` and `&` are written as JSON escapes, so a payload
 * holding `</script>` or `<!--` cannot end it early; the page script then puts text on screen with
 * `textContent` and the canvas's `fillText`, never as HTML. (2) A Content-Security-Policy allows only
 * the page's own style and script, by hash: even markup that slipped through could not run a script or
 * fetch anything.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceFile } from '../trace/index.ts';
import { buildViewModel, type ViewerOptions } from './model.ts';
import { bundleIife, inlinable, pageHead } from './standalone-page.ts';
import type { ViewerData } from './view-model.ts';

/** The page's style and script, built once per process (see `pageAssets`). */
let assets: { readonly style: string; readonly script: string } | null = null;

/** The page's style (`page/viewer.css`) and script (`bundlePageScript`), read and built on first use. */
function pageAssets(): { readonly style: string; readonly script: string } {
  assets ??= {
    style: inlinable(
      'harness/viewer/page/viewer.css',
      readFileSync(fileURLToPath(new URL('./page/viewer.css', import.meta.url)), 'utf8'),
    ),
    script: bundlePageScript(),
  };
  return assets;
}

/**
 * The page script: `page/main.ts` and what it imports, bundled by esbuild into one IIFE, so that the
 * script's names stay off `window`. Built in memory: nothing is written, nothing fetched. esbuild gives
 * the same bytes for the same sources, and the paths in its comments are relative to this folder, so
 * the same trace gives the same page in every clone. Exported for the viewer's tests.
 */
export function bundlePageScript(): string {
  const pageFolder = fileURLToPath(new URL('./page/', import.meta.url));
  return bundleIife({
    entry: path.join(pageFolder, 'main.ts'),
    tsconfig: path.join(pageFolder, 'tsconfig.json'),
    workingDir: fileURLToPath(new URL('.', import.meta.url)),
    name: 'harness/viewer/page/main.ts',
  });
}

/**
 * Writes `value` as JSON that is safe inside a `<script>` element: `<`, `>` and `&` become `\u003c`,
 * `\u003e` and `\u0026` (they can only occur inside JSON strings, where the escapes mean the same), and
 * so do the line separators U+2028 and U+2029.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Renders `trace` as one standalone HTML page: a space-time diagram (a lane per node and client,
 * messages as arrows from send to delivery, drops and duplicates marked, crashes and cut links shaded,
 * timers and logs as marks), the client operations as a timeline under it, and the failure with its
 * evidence highlighted. Clicking an element shows its payload and its node's log around it; the page
 * filters by node and message type, zooms and scrolls in time, and steps through events with the
 * arrow keys.
 *
 * The page needs nothing else: no network, no other file; it opens from disk. It stays usable for
 * 100,000 events and more, as it draws only the visible time window. Pure: the same trace and options
 * give the same string.
 */
export function renderTraceHtml(trace: TraceFile, options: ViewerOptions = {}): string {
  const view = buildViewModel(trace, options);
  const data: ViewerData = { trace, view };
  const { style, script } = pageAssets();
  return `${pageHead(view.title, style, script)}
<body>
<header class="top"><h1 id="title"></h1><div class="summary" id="summary"></div></header>
<div class="failure" id="failure" hidden></div>
<div class="toolbar" role="toolbar" aria-label="Trace controls">
  <div class="group"><span class="label">Step</span>
    <button type="button" class="tool" id="btn-first" title="First event (Home)">|◀</button>
    <button type="button" class="tool" id="btn-prev" title="Previous event (← or k)">◀</button>
    <button type="button" class="tool" id="btn-next" title="Next event (→ or j)">▶</button>
    <button type="button" class="tool" id="btn-last" title="Last event (End)">▶|</button>
  </div>
  <div class="group"><span class="label">Zoom</span>
    <button type="button" class="tool" id="btn-zoom-out" title="Zoom out (−)">−</button>
    <button type="button" class="tool" id="btn-zoom-in" title="Zoom in (+)">+</button>
    <button type="button" class="tool" id="btn-fit" title="Show the whole run (0)">Fit</button>
  </div>
  <div class="group"><span class="label">X axis</span>
    <button type="button" class="tool" id="btn-mode-time" aria-pressed="true" title="Place events by virtual time (t)">time</button>
    <button type="button" class="tool" id="btn-mode-order" aria-pressed="false" title="Place events one step apart, in the order they happened (t)">order</button>
  </div>
  <div class="group" id="lane-filters"><span class="label">Lanes</span></div>
  <div class="group" id="type-filters"><span class="label">Messages</span></div>
  <div class="group" id="kind-filters"><span class="label">Marks</span></div>
</div>
<main class="body">
  <div class="stage" id="stage">
    <canvas id="plot" aria-label="Space-time diagram of the trace"></canvas>
    <canvas id="overview" aria-label="The whole run; click to move the view"></canvas>
    <div class="hint"><kbd>wheel</kbd> or drag: scroll in time · <kbd>ctrl</kbd>+<kbd>wheel</kbd>: zoom · <kbd>←</kbd> <kbd>→</kbd>: step · <kbd>f</kbd>: the failure · <kbd>t</kbd>: time or order · ✕ dropped · ◯ duplicated · ○ timer fired · ▪ log · ⊕ crash aimed at a kind of step · hatched grey: down · hatched amber: links cut</div>
  </div>
  <aside class="side" aria-label="Details">
    <section id="details" aria-live="polite"></section>
    <section id="extra"><h2>Test details</h2></section>
  </aside>
</main>
<div id="tooltip" role="tooltip"></div>
<noscript>This page needs JavaScript to draw the trace. The same trace, as JSON, sits beside this file.</noscript>
<script type="application/json" id="kata-trace-data">${jsonForScript(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}
