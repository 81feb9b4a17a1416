/**
 * The chart pages (`harness/charts/`) in headless Chromium: a page with a line chart and stacked bars,
 * opened from disk. Run with `npx vitest run --project browser scripts/browser-tests/charts.test.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { renderChartsPage } from '../../harness/charts/index.ts';
import { canvasPixels, launchChromium, openChartPage } from './chromium.ts';

const LINE = '#0072b2';
const DONE = '#009e73';
const STARTED = '#e69f00';
const HOSTILE = '<img src=x onerror="window.__pwned = true">';

let browser: Browser;
let folder: string;
let file: string;
let page: Page;
let requests: string[];
let errors: string[];

beforeAll(async () => {
  browser = await launchChromium();
  folder = mkdtempSync(path.join(os.tmpdir(), 'kata-charts-'));
  file = path.join(folder, 'charts.html');
  writeFileSync(
    file,
    renderChartsPage('Two charts', {
      charts: [
        {
          kind: 'lines',
          title: 'p99 latency',
          xLabel: 'load (requests/s)',
          yLabel: 'latency (ms)',
          x: [100, 200, 400, 800],
          series: [{ label: HOSTILE, values: [3, 5, null, 40], color: LINE }],
          yLog: true,
        },
        {
          kind: 'bars',
          title: 'learners per exercise',
          yLabel: 'learners',
          categories: ['1.1', '1.2', '1.3'],
          series: [
            { label: 'done', values: [5, 2, 0], color: DONE },
            { label: 'in progress', values: [1, 3, 0], color: STARTED },
          ],
        },
      ],
    }),
  );
  ({ page, requests, errors } = await openChartPage(browser, file));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

test('opens from disk, fetches nothing, and raises no error or policy violation', () => {
  expect(requests).toEqual([pathToFileURL(file).href]);
  expect(errors).toEqual([]);
});

test('draws each chart on its own canvas, in its series colours', async () => {
  expect(await page.getAttribute('html', 'data-charts-drawn')).toBe('2');
  const [lines, bars, ...rest] = await canvasPixels(page, [LINE, DONE, STARTED]);
  expect(rest).toEqual([]);
  expect(lines!.byColor[LINE]).toBeGreaterThan(200);
  expect(bars!.byColor[DONE]).toBeGreaterThan(1_000);
  expect(bars!.byColor[STARTED]).toBeGreaterThan(500);
  expect(await page.locator('figcaption').allTextContents()).toEqual(['p99 latency', 'learners per exercise']);
});

test('labels are text, never markup', async () => {
  expect(await page.locator('.u-legend').first().textContent()).toContain(HOSTILE);
  expect(await page.evaluate('window.__pwned === undefined && document.querySelectorAll("img").length === 0')).toBe(
    true,
  );
});
