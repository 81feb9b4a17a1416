/**
 * The trace viewer in a real browser: headless Chromium, driven by playwright-core, opening pages
 * written from real simulations, from disk.
 *
 * Run with `npx vitest run --project browser` (or `npm run verify`). Chromium comes from the system
 * (`/usr/bin/chromium`, or `KATA_CHROMIUM=/path/to/chrome`); `.ci/run` installs it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Simulation, TraceEvent } from '#harness/testing';
import { writeTraceFiles } from '../../harness/testing/failure-report.ts';
import { formatTraceEvent } from '../../harness/trace/index.ts';
import type { ViewerTestHook } from '../../harness/viewer/page-hook.ts';
import { renderTraceHtml } from '../../harness/viewer/index.ts';
import { launchChromium, openFromDisk, type OpenedPage } from './chromium.ts';
import {
  busyGossip,
  crashMidStepAndSkewedClock,
  HOSTILE_LOG,
  HOSTILE_VALUE,
  hostileMessageId,
  troubledRegister,
} from './demo.ts';

/**
 * What the tests read from the page's global object. (The repository's TypeScript has no DOM types, so
 * the functions run in the page reach it through `globalThis`.)
 */
interface PageGlobals {
  __viewer?: ViewerTestHook;
  __pwned?: boolean;
}

let browser: Browser;
let folder: string;

beforeAll(async () => {
  browser = await launchChromium();
  folder = mkdtempSync(path.join(os.tmpdir(), 'kata-viewer-'));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

/** Opens `file` from disk (see `openFromDisk`) and waits for the viewer's test hook. */
function open(file: string): Promise<OpenedPage> {
  return openFromDisk(browser, file, {
    viewport: { width: 1400, height: 900 },
    ready: (page) =>
      page.waitForFunction(() => (globalThis as unknown as PageGlobals).__viewer !== undefined, undefined, {
        timeout: 30_000,
      }),
  });
}

function hook<T>(page: Page, read: (viewer: ViewerTestHook) => T): Promise<T> {
  return page.evaluate(`(${read.toString()})(window.__viewer)`) as Promise<T>;
}

describe('a failing run, drawn', () => {
  let sim: Simulation;
  let viewerPath: string;
  let hostileId: number;
  let page: Page;
  let requests: string[];
  let errors: string[];

  beforeAll(async () => {
    sim = await troubledRegister();
    hostileId = hostileMessageId(sim);
    process.env['KATA_TRACE_DIR'] = folder;
    try {
      ({ viewerPath } = writeTraceFiles(
        sim,
        { file: 'scripts/browser-tests/viewer.test.ts', name: 'a failing run' },
        {
          message: `n2 delivered message #${hostileId} from n1 twice; op#2 read a stale value`,
          atMs: 380,
          replay: 'KATA_SEED=7 npm test',
        },
        { faults: 't=220ms partition {n1} | {n2, n3}', highlightOperations: [1] },
      ));
    } finally {
      delete process.env['KATA_TRACE_DIR'];
    }
    ({ page, requests, errors } = await open(viewerPath));
  }, 60_000);

  afterAll(async () => {
    await page?.close();
  });

  test('the page sits beside the JSON trace and opens from disk, fetching nothing', async () => {
    expect(existsSync(viewerPath.replace(/\.html$/, '.json'))).toBe(true);
    expect(requests).toEqual([pathToFileURL(viewerPath).href]);
    expect(errors).toEqual([]);
    expect(await page.title()).toContain(`message #${hostileId}`);
    expect(await page.textContent('#failure')).toContain(`n2 delivered message #${hostileId} from n1 twice`);
  });

  test('one lane per node and client; arrows, drops, duplicates, crashes, timers and logs are drawn', async () => {
    expect(await hook(page, (viewer) => viewer.visibleLanes())).toEqual(['n1', 'n2', 'n3', 'c1', 'c2']);
    const arrows = await hook(page, (viewer) => viewer.visibleArrows());
    expect(arrows.length).toBeGreaterThan(50);
    const fates = new Set(arrows.map((arrow) => arrow.fate));
    expect(fates).toContain('delivered');
    expect(fates).toContain('dropped: the link was cut');
    expect(fates).toContain('dropped by the network');
    const kinds = new Set((await hook(page, (viewer) => viewer.visibleMarks())).map((mark) => mark.kind));
    for (const kind of ['crash', 'restart', 'duplicate', 'log', 'timer-fire', 'invoke', 'complete'])
      expect(kinds, kind).toContain(kind);
    const operations = await hook(page, (viewer) => viewer.visibleOperations());
    expect(operations).toHaveLength(sim.history().length);
    expect(
      operations
        .filter((operation) => operation.highlighted)
        .map((operation) => operation.op)
        .sort(),
    ).toEqual([1, 2]);
  });

  test('clicking a message shows its payload, as text: a payload with <script> does not run', async () => {
    const sendIndex = sim.trace.findIndex((event) => event.kind === 'send' && event.id === hostileId);
    const deliverIndex = sim.trace.findIndex((event) => event.kind === 'deliver' && event.id === hostileId);
    await hook(page, (viewer) => viewer.range()); // the page is ready
    await page.evaluate(
      ([from, to]) => (globalThis as unknown as PageGlobals).__viewer!.zoomTo(from! - 2, to! + 2),
      [sim.trace[sendIndex]!.t, sim.trace[deliverIndex]!.t],
    );
    const arrow = (await hook(page, (viewer) => viewer.visibleArrows())).find(
      (candidate) => candidate.id === hostileId && candidate.fate === 'delivered',
    );
    expect(arrow, `message #${hostileId} is on screen`).toBeDefined();
    await page.mouse.click(arrow!.x1 + (arrow!.x2 - arrow!.x1) * 0.4, arrow!.y1 + (arrow!.y2 - arrow!.y1) * 0.4);
    expect(await page.textContent('#event-title')).toContain(`#${hostileId}`);
    expect(await page.textContent('#payload')).toContain(JSON.stringify(HOSTILE_VALUE).slice(1, -1));
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
  });

  test("the details show the node's log around the event, as text", async () => {
    const logIndex = sim.trace.findIndex((event) => event.kind === 'log' && event.text === HOSTILE_LOG);
    await page.evaluate(
      ([t]) => (globalThis as unknown as PageGlobals).__viewer!.zoomTo(t! - 5, t! + 5),
      [sim.trace[logIndex]!.t],
    );
    const mark = (await hook(page, (viewer) => viewer.visibleMarks())).find(
      (candidate) => candidate.event === logIndex,
    );
    expect(mark, 'the log line is on screen').toBeDefined();
    await page.mouse.click(mark!.x, mark!.y);
    expect(await hook(page, (viewer) => viewer.selected())).toBe(logIndex);
    expect(await page.textContent('#payload')).toBe(HOSTILE_LOG);
    expect(await page.textContent('#log-around')).toContain(HOSTILE_LOG);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned)).toBeUndefined();
    expect(await page.locator('img, b').count()).toBe(0);
  });

  test('stepping goes forward and back through events, with keys and buttons', async () => {
    await page.keyboard.press('Home');
    expect(await hook(page, (viewer) => viewer.selected())).toBe(0);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await hook(page, (viewer) => viewer.selected())).toBe(2);
    await page.click('#btn-prev');
    expect(await hook(page, (viewer) => viewer.selected())).toBe(1);
    await page.click('#btn-next');
    expect(await hook(page, (viewer) => viewer.selected())).toBe(2);
    await page.keyboard.press('End');
    expect(await hook(page, (viewer) => viewer.selected())).toBe(sim.trace.length - 1);
    expect(await page.textContent('#event-title')).toContain(describeBriefly(sim.trace.at(-1)!));
  });

  test('filtering by node hides its lane, its arrows, and its events from stepping', async () => {
    await page.click('#btn-fit');
    await page.click('.chip[data-lane="n3"]');
    expect(await hook(page, (viewer) => viewer.visibleLanes())).toEqual(['n1', 'n2', 'c1', 'c2']);
    const arrows = await hook(page, (viewer) => viewer.visibleArrows());
    expect(arrows.length).toBeGreaterThan(0);
    expect(arrows.filter((arrow) => arrow.from === 'n3' || arrow.to === 'n3')).toEqual([]);
    await page.keyboard.press('Home');
    for (let step = 0; step < 40; step++) {
      const index = await hook(page, (viewer) => viewer.selected());
      expect(involves(sim.trace[index]!, 'n3'), `event ${index} involves n3`).toBe(false);
      await page.keyboard.press('ArrowRight');
    }
    await page.click('.chip[data-lane="n3"]');
    expect(await hook(page, (viewer) => viewer.visibleLanes())).toContain('n3');
  });

  test('filtering by message type hides those arrows', async () => {
    await page.click('#btn-fit');
    await page.click('.chip[data-type="replicate"]');
    const arrows = await hook(page, (viewer) => viewer.visibleArrows());
    expect(arrows.length).toBeGreaterThan(0);
    expect(arrows.filter((arrow) => arrow.type === 'replicate')).toEqual([]);
    await page.click('.chip[data-type="replicate"]');
    expect((await hook(page, (viewer) => viewer.visibleArrows())).some((arrow) => arrow.type === 'replicate')).toBe(
      true,
    );
  });

  test('the wheel scrolls in time, ctrl+wheel zooms, and f goes to the failure', async () => {
    await page.click('#btn-fit');
    const box = (await page.locator('#plot').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 100);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -600);
    await page.keyboard.up('Control');
    const zoomed = await hook(page, (viewer) => viewer.range());
    await page.mouse.wheel(0, 300);
    const scrolled = await hook(page, (viewer) => viewer.range());
    expect(zoomed.end - zoomed.start).toBeLessThan(sim.nowMs / 2);
    expect(scrolled.start).toBeGreaterThan(zoomed.start);
    expect(scrolled.end - scrolled.start).toBeCloseTo(zoomed.end - zoomed.start, 6);
    await page.keyboard.press('f');
    const range = await hook(page, (viewer) => viewer.range());
    expect(range.start).toBeLessThan(380);
    expect(range.end).toBeGreaterThan(380);
    expect(sim.trace[await hook(page, (viewer) => viewer.selected())]!.t).toBeLessThanOrEqual(380);
  });

  test('the x axis can show event order instead of time', async () => {
    await page.keyboard.press('t');
    expect((await hook(page, (viewer) => viewer.range())).mode).toBe('order');
    expect((await hook(page, (viewer) => viewer.visibleArrows())).length).toBeGreaterThan(0);
    await page.click('#btn-mode-time');
    expect((await hook(page, (viewer) => viewer.range())).mode).toBe('time');
  });
});

describe('a mid-step crash and a clock change, explained', () => {
  test('the details pane shows where the crash struck and what the clock read, in the words of the terminal', async () => {
    const sim = await crashMidStepAndSkewedClock();
    const crashIndex = sim.trace.findIndex((event) => event.kind === 'crash' && event.midStep !== undefined);
    const clockIndex = sim.trace.findIndex((event) => event.kind === 'clock');
    expect(crashIndex, 'the run has a mid-step crash').toBeGreaterThanOrEqual(0);
    expect(clockIndex, 'the run has a clock change').toBeGreaterThanOrEqual(0);
    const file = path.join(folder, 'crash-and-clock.html');
    writeFileSync(
      file,
      renderTraceHtml({
        version: 1,
        seed: sim.seed,
        nodes: sim.nodeIds,
        clients: sim.clientIds,
        endMs: sim.nowMs,
        hash: sim.traceHash(),
        events: sim.trace,
      }),
    );
    const { page, errors } = await open(file);
    expect(errors).toEqual([]);
    const expected = [
      [crashIndex, /n1 CRASH while handling message #\d+ \(inc\) from c1, after 1 effect\(s\)/],
      [clockIndex, /n2 clock: skew 250 ms, drift 100 ppm \(now reads [\d.]+ ms\)/],
    ] as const;
    for (const [index, detail] of expected) {
      const event = sim.trace[index]!;
      await page.evaluate(([t]) => (globalThis as unknown as PageGlobals).__viewer!.zoomTo(t! - 5, t! + 5), [event.t]);
      const mark = (await hook(page, (viewer) => viewer.visibleMarks())).find((candidate) => candidate.event === index);
      expect(mark, `the ${event.kind} mark is on screen`).toBeDefined();
      await page.mouse.click(mark!.x, mark!.y);
      expect(await hook(page, (viewer) => viewer.selected())).toBe(index);
      const title = (await page.textContent('#event-title'))!;
      expect(title).toMatch(detail);
      // One implementation: the page words the event exactly as a failure report's trace lines do.
      expect(formatTraceEvent(event)).toContain(title);
      if (event.kind === 'crash')
        expect(await page.textContent('#details')).toContain(
          '1 effect of that step happened before the crash; the rest never did',
        );
    }
    await page.close();
  });
});

describe('a trace with nothing in it', () => {
  test('opens without errors and says how to use it', async () => {
    const file = path.join(folder, 'empty.html');
    writeFileSync(
      file,
      renderTraceHtml({ version: 1, seed: 9, nodes: ['n1'], clients: [], endMs: 0, hash: '', events: [] }),
    );
    const { page, errors } = await open(file);
    expect(errors).toEqual([]);
    expect(await hook(page, (viewer) => viewer.visibleLanes())).toEqual(['n1']);
    await page.keyboard.press('ArrowRight');
    expect(await hook(page, (viewer) => viewer.selected())).toBe(-1);
    expect(await page.textContent('#details')).toContain('Click an arrow');
    await page.close();
  });
});

describe('a trace of 100,000 events', () => {
  test('opens, draws, scrolls and steps without hanging', async () => {
    const sim = await busyGossip(100_000);
    const file = path.join(folder, 'big.html');
    writeFileSync(
      file,
      renderTraceHtml({
        version: 1,
        seed: sim.seed,
        nodes: sim.nodeIds,
        clients: sim.clientIds,
        endMs: sim.nowMs,
        hash: sim.traceHash(),
        events: sim.trace,
      }),
    );
    expect(readFileSync(file, 'utf8').length).toBeGreaterThan(1_000_000);
    const startedMs = performance.now();
    const { page, errors } = await open(file);
    // Generous: this guards against hanging, not speed (the benches measure speed).
    expect(performance.now() - startedMs).toBeLessThan(30_000);
    expect(errors).toEqual([]);
    expect(await hook(page, (viewer) => viewer.eventCount)).toBe(sim.trace.length);
    expect((await hook(page, (viewer) => viewer.visibleArrows())).length).toBeGreaterThan(1_000);
    const box = (await page.locator('#plot').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 100);
    await page.keyboard.down('Control');
    for (let turn = 0; turn < 8; turn++) await page.mouse.wheel(0, -400);
    await page.keyboard.up('Control');
    const before = await hook(page, (viewer) => ({ range: viewer.range(), frames: viewer.frames().count }));
    for (let turn = 0; turn < 20; turn++) await page.mouse.wheel(0, 200);
    await page.waitForFunction(
      (frames) => (globalThis as unknown as PageGlobals).__viewer!.frames().count > frames,
      before.frames,
    );
    const after = await hook(page, (viewer) => viewer.range());
    expect(after.start).toBeGreaterThan(before.range.start);
    expect((await hook(page, (viewer) => viewer.visibleArrows())).length).toBeGreaterThan(0);
    await page.keyboard.press('End');
    expect(await hook(page, (viewer) => viewer.selected())).toBe(sim.trace.length - 1);
    await page.keyboard.press('ArrowLeft');
    expect(await hook(page, (viewer) => viewer.selected())).toBe(sim.trace.length - 2);
    await page.close();
  }, 60_000);
});

function involves(event: TraceEvent, node: string): boolean {
  return Object.values(event).includes(node);
}

function describeBriefly(event: TraceEvent): string {
  return 'node' in event && event.node !== null
    ? event.node
    : 'client' in event
      ? event.client
      : 'from' in event
        ? event.from
        : event.kind;
}
