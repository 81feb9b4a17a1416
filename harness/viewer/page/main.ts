/**
 * The trace viewer's page script: draws a trace as a space-time (Lamport) diagram on a canvas.
 *
 * It runs in the browser, from the standalone HTML file written by `renderTraceHtml`, which bundles
 * these modules into one inline script with esbuild. Scale: a trace can hold 100,000 events and more;
 * each frame draws only the visible window. Nothing from the trace is ever parsed as HTML: text goes
 * through `textContent` or the canvas's `fillText`.
 *
 * @module
 */
import type { ViewerData } from '../view-model.ts';
import { setUpFilters, setUpHeader } from './chrome.ts';
import { byId } from './dom.ts';
import { draw } from './draw.ts';
import { setUpInput } from './input.ts';
import { fit, indexSpans, layOut } from './layout.ts';
import { showDetails } from './navigation.ts';
import { createTestHook } from './test-hook.ts';
import { readTraceData } from './trace-data.ts';
import { createViewer, type PageElements } from './viewer.ts';

function pageElements(): PageElements {
  const plot = byId('plot') as HTMLCanvasElement;
  const overview = byId('overview') as HTMLCanvasElement;
  return {
    stage: byId('stage'),
    plot,
    overview,
    tooltip: byId('tooltip'),
    details: byId('details'),
    plotContext: plot.getContext('2d')!,
    overviewContext: overview.getContext('2d')!,
  };
}

const data = JSON.parse(byId('kata-trace-data').textContent ?? 'null') as ViewerData;
const viewer = createViewer(readTraceData(data), pageElements());
setUpHeader(viewer);
setUpFilters(viewer);
layOut(viewer);
indexSpans(viewer);
fit(viewer);
setUpInput(viewer);
showDetails(viewer);
draw(viewer);
Object.defineProperty(window, '__viewer', { value: createTestHook(viewer) });
