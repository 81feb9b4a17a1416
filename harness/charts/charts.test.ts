import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { renderChartPage, renderChartsPage, type ChartsPageData } from './index.ts';

const hostile = '</script><script>window.__pwned = true</script><!-- <img src=x onerror=alert(1)>';
const data: ChartsPageData = {
  charts: [
    {
      kind: 'lines',
      title: `p99 latency ${hostile}`,
      xLabel: 'load (requests/s)',
      yLabel: 'latency (ms)',
      x: [100, 200, 400],
      series: [{ label: hostile, values: [4, null, 31] }],
      yLog: true,
    },
    { kind: 'bars', title: 'learners', yLabel: 'learners', categories: ['1.1', '1.2'], series: [] },
  ],
};
const page = renderChartsPage(`Latency ${hostile}`, data);
const scripts = [...page.matchAll(/<script>([^]*?)<\/script>/g)].map((match) => match[1]!);
const styles = [...page.matchAll(/<style>([^]*?)<\/style>/g)].map((match) => match[1]!);

describe('a chart page', () => {
  test('holds its data once, as JSON no label can break out of', () => {
    const [, json] = /<script type="application\/json" id="chart-data">([^]*?)<\/script>/.exec(page) ?? [];
    expect(json).not.toMatch(/[<>]/);
    expect(JSON.parse(json!)).toEqual(data);
    expect(page.split(hostile).length).toBe(1);
    expect(page).toContain('<title>Latency &lt;/script&gt;');
  });

  test('runs only its own script and style: the policy names them by hash and allows nothing else', () => {
    const policy = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(page)?.[1] ?? '';
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(policy.split('; ')).toEqual([
      "default-src 'none'",
      `style-src ${hash(styles[0]!)}`,
      `script-src ${hash(scripts[0]!)}`,
      "img-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]);
  });

  test('bundles uPlot and its stylesheet, as one IIFE naming no absolute path and parsing no HTML', () => {
    const [script] = scripts;
    expect(script, 'one IIFE, so its names stay off window').toMatch(/^("use strict";\n)?\(\(\) => \{/);
    expect(script).toContain('// node_modules/uplot/dist/uPlot.esm.js');
    expect(script).toContain('// harness/charts/browser/main.ts');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    expect(script).not.toContain(fileURLToPath(new URL('../..', import.meta.url)));
    expect(styles[0]).toContain('.uplot');
  });

  test('the same options give the same page; a page of its own takes its markup, style and script', () => {
    expect(renderChartsPage(`Latency ${hostile}`, data)).toBe(page);
    const own = renderChartPage({
      title: 'Own',
      data: { rows: 1 },
      body: '<main id="own"></main>',
      style: '#own { color: red; }',
      script: fileURLToPath(new URL('./browser/main.ts', import.meta.url)),
    });
    expect(own).toContain('<main id="own"></main>');
    expect(own).not.toContain('id="charts"');
    expect(own).toContain('#own { color: red; }');
  });
});
