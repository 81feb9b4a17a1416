/**
 * Headless Chromium for the browser tests: launched from the system's binary, with pages
 * opened from disk and watched for errors, requests and Content-Security-Policy violations.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env['KATA_CHROMIUM'] || '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium, or explains where to get one. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: the browser tests need one. Install it (apt-get install -y chromium) or set KATA_CHROMIUM to a Chrome or Chromium binary.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

/** A page opened from disk, with what it did while loading and since. */
export interface OpenedPage {
  readonly page: Page;
  /** Every URL the page requested (the file itself first). */
  readonly requests: string[];
  /** Page errors and console errors. */
  readonly errors: string[];
}

/**
 * Opens `file` from disk and waits until `ready` resolves. Records every request, page error and
 * console error, and every Content-Security-Policy violation as an error (a listener is installed
 * before any page script runs).
 */
export async function openFromDisk(
  browser: Browser,
  file: string,
  options: { viewport: { width: number; height: number }; ready: (page: Page) => Promise<unknown> },
): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: options.viewport });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => void requests.push(request.url()));
  page.on('pageerror', (error) => void errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.exposeFunction('__reportViolation', (text: string) => void errors.push(`CSP violation: ${text}`));
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (event) => window.__reportViolation(event.violatedDirective + ' ' + event.blockedURI));`,
  );
  await page.goto(pathToFileURL(file).href);
  await options.ready(page);
  return { page, requests, errors };
}

/** Opens a chart page (`harness/charts/`) and waits until its charts are drawn (`<html data-charts-drawn>`). */
export function openChartPage(
  browser: Browser,
  file: string,
  viewport = { width: 1280, height: 900 },
): Promise<OpenedPage> {
  return openFromDisk(browser, file, {
    viewport,
    ready: (page) => page.waitForSelector('html[data-charts-drawn]', { timeout: 30_000 }),
  });
}

/**
 * For each canvas of the page, in order: how many pixels are painted (not transparent), and how many
 * are near each of `colors` (CSS hex, `#rrggbb`).
 */
export async function canvasPixels(
  page: Page,
  colors: readonly string[] = [],
): Promise<Array<{ painted: number; byColor: Record<string, number> }>> {
  const read = (wanted: readonly string[]) => {
    const rgb = wanted.map((hex) => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)));
    const canvases = [
      ...(globalThis as unknown as { document: { querySelectorAll(s: string): unknown[] } }).document.querySelectorAll(
        'canvas',
      ),
    ];
    return canvases.map((canvas) => {
      const c = canvas as {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
      };
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      const counts = wanted.map(() => 0);
      for (let at = 0; at < data.length; at += 4) {
        if (data[at + 3]! === 0) continue;
        painted++;
        rgb.forEach(([r, g, b], index) => {
          if (Math.abs(data[at]! - r!) + Math.abs(data[at + 1]! - g!) + Math.abs(data[at + 2]! - b!) < 24)
            counts[index]!++;
        });
      }
      return { painted, byColor: Object.fromEntries(wanted.map((hex, index) => [hex, counts[index]!])) };
    });
  };
  return page.evaluate(read, colors);
}
