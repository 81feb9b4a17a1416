/**
 * The class progress board (`npm run classroom -- board`) in headless Chromium: 30 report files, 2 of
 * them malformed, turned into one page and opened from disk. Run with
 * `npx vitest run --project browser scripts/browser-tests/board.test.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { STATUS_COLORS } from '../classroom/board-data.ts';
import { FIXTURE_EXERCISES, fixtureFailure, writeClass } from '../classroom/board-fixtures.ts';
import { writeBoard } from '../classroom/board.ts';
import { canvasPixels, launchChromium, openChartPage } from './chromium.ts';

const LEARNERS = 28;
const HOSTILE = '<img src=x onerror="window.__pwned = true"> Ada';
const BAD = {
  'truncated.json': '{"version": 1, "generatedAt": "2026-12-01T16:00:00.000Z", "exercises": [',
  'old-format.json': JSON.stringify({ version: 0, learner: 'Zed', exercises: [] }),
};

let browser: Browser;
let folder: string;
let file: string;
let page: Page;
let requests: string[];
let errors: string[];

beforeAll(async () => {
  browser = await launchChromium();
  folder = mkdtempSync(path.join(os.tmpdir(), 'kata-board-'));
  const files = writeClass(folder, LEARNERS, BAD, HOSTILE);
  expect(files).toHaveLength(30);
  ({ file } = writeBoard(
    files.map((name) => path.basename(name)),
    { cwd: folder, out: 'class-board.html' },
  ));
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

test('draws its three charts: every canvas is painted, the status chart in the status colours', async () => {
  expect(await page.getAttribute('html', 'data-charts-drawn')).toBe('3');
  const canvases = await canvasPixels(page, [STATUS_COLORS.done, STATUS_COLORS.started, STATUS_COLORS['not-started']]);
  expect(canvases).toHaveLength(3);
  for (const canvas of canvases) expect(canvas.painted).toBeGreaterThan(5_000);
  for (const count of Object.values(canvases[0]!.byColor)) expect(count).toBeGreaterThan(500);
});

test('the table has one row per learner, and a column per exercise', async () => {
  expect(await page.locator('#learners tbody tr').count()).toBe(LEARNERS);
  const head = await page.locator('#learners thead th').allTextContents();
  expect(head).toEqual(['learner', 'done', '1.1', '1.2', '1.3', '1.4', '2.1', 'hints read', 'bugs found']);
  const names = await page.locator('#learners tbody td.name').allTextContents();
  expect(names).toContain(HOSTILE);
  expect(names).toContain('Learner 28');
  expect(await page.evaluate('window.__pwned === undefined && document.querySelectorAll("img").length === 0')).toBe(
    true,
  );
});

test('the two bad files are listed, with what is wrong with them', async () => {
  const items = await page.locator('#skipped li').allTextContents();
  expect(items).toEqual([
    'truncated.json: not JSON (Unexpected end of JSON input)',
    'old-format.json: a report of format version 0: this board reads version 1 (npm run kata -- report)',
  ]);
});

test('the stuck list names the exercises with most learners in progress, and their most common first failing test', async () => {
  // The class as board-fixtures.ts builds it: learner n is in progress on exercise n % 4 (from 0), or
  // on 1.3 when n is a multiple of 5.
  const inProgress = FIXTURE_EXERCISES.map((_, column) =>
    Array.from({ length: LEARNERS }, (_, index) => index + 1).filter((n) => (n % 5 === 0 ? 2 : n % 4) === column),
  );
  const expected = inProgress
    .map((learners, column) => ({ learners, column }))
    .filter(({ learners }) => learners.length > 0)
    .sort((a, b) => b.learners.length - a.learners.length || a.column - b.column)
    .map(({ learners, column }) => {
      const usual = learners.filter((n) => fixtureFailure(column, n) === FIXTURE_EXERCISES[column]![3]).length;
      return `${FIXTURE_EXERCISES[column]![2]}: ${learners.length} learners in progress. Most common first failing test: ${FIXTURE_EXERCISES[column]![3]} (${usual} of ${learners.length} who report one).`;
    });
  const items = (await page.locator('#stuck li').allInnerTexts()).map((text) => text.split('\n')[0]);
  expect(items).toEqual(expected);
  expect(items[0]).toMatch(/^1\.3 Reliable delivery: 11 learners/);
});
