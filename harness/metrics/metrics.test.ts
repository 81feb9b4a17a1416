import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  formatLatency,
  latencyPercentileChart,
  loadOverTimeChart,
  writeMetricsPage,
  loadAmplification,
  loadBalance,
  loadOverTime,
  percentile,
  RequestLog,
  messagesPerOperation,
  summarizeLatency,
} from '#harness/testing';
import { BackendLog } from '#harness/http';

describe('latency percentiles (nearest rank)', () => {
  const latencies = Array.from({ length: 1_000 }, (_, index) => 1_000 - index); // 1..1000, shuffled order

  test('p50, p99 and p99.9 of 1..1000 are the 500th, 990th and 999th smallest', () => {
    expect(percentile(latencies, 0.5)).toBe(500);
    expect(percentile(latencies, 0.99)).toBe(990);
    expect(percentile(latencies, 0.999)).toBe(999);
    expect(percentile(latencies, 1)).toBe(1_000);
    expect(percentile([7], 0.5)).toBe(7);
  });

  test('the summary holds count, mean, percentiles and max, and prints in one line', () => {
    const summary = summarizeLatency(latencies);
    expect(summary).toEqual({ count: 1_000, meanMs: 500.5, p50Ms: 500, p99Ms: 990, p999Ms: 999, maxMs: 1_000 });
    expect(formatLatency(summary)).toBe('n=1000 mean 501 ms, p50 500 ms, p99 990 ms, p99.9 999 ms, max 1000 ms');
  });

  test('no latencies, or a quantile outside (0, 1], is an error that says so', () => {
    expect(() => percentile([], 0.5)).toThrow(/no values/);
    expect(() => percentile([1], 0)).toThrow(/q must be in \(0, 1\]/);
    expect(() => summarizeLatency([])).toThrow(/no request completed/);
  });
});

describe('what the callers saw', () => {
  test('latencies of the successful requests, and the share that failed or timed out', () => {
    const log = new RequestLog();
    log.add({ caller: 'c1', sentAtMs: 0, endedAtMs: 10, outcome: 'ok' });
    log.add({ caller: 'c1', sentAtMs: 5, endedAtMs: 25, outcome: 'ok' });
    log.add({ caller: 'c1', sentAtMs: 6, endedAtMs: 7, outcome: 'error' });
    log.add({ caller: 'c2', sentAtMs: 8, endedAtMs: 108, outcome: 'timeout' });
    expect(log.latenciesMs()).toEqual([10, 20]);
    expect(log.latenciesMs(5)).toEqual([20]);
    expect(log.errorRate()).toBe(0.5);
    expect(new RequestLog().errorRate()).toBe(0);
    expect(() => log.add({ caller: 'c1', sentAtMs: 9, endedAtMs: 8, outcome: 'ok' })).toThrow(
      /ended .* before it was sent/,
    );
  });
});

describe('what the backends saw', () => {
  function spans(): BackendLog {
    const log = new BackendLog();
    for (const [backend, from, to] of [
      ['b1', 0, 10],
      ['b1', 5, 15],
      ['b1', 20, 30],
      ['b2', 0, 20],
    ] as const) {
      const token = log.arrived(backend, 'GET', `http://${backend}/work`, from);
      log.started(token, from);
      log.finished(token, to, 200);
    }
    log.arrived('b2', 'GET', 'http://b2/work', 30); // never answered
    return log;
  }

  test('requests per backend, max and mean load, every backend listed', () => {
    expect(loadBalance(spans().spans, ['b1', 'b2', 'b3'])).toEqual({
      requests: { b1: 3, b2: 2, b3: 0 },
      maxLoad: 3,
      meanLoad: 5 / 3,
      maxOverMean: 3 / (5 / 3),
    });
    expect(loadBalance([], ['b1']).maxOverMean).toBe(1);
  });

  test('load over time: requests in hand per backend, averaged per bucket; an open request counts to the end', () => {
    const load = loadOverTime(spans().spans, ['b1', 'b2'], { bucketMs: 10, untilMs: 40 });
    expect(load.bucketStartsMs).toEqual([0, 10, 20, 30]);
    expect(load.inFlight).toEqual({ b1: [1.5, 0.5, 1, 0], b2: [1, 1, 0, 1] });
  });

  test('load amplification: backend requests per caller request', () => {
    expect(loadAmplification(330, 300)).toBeCloseTo(1.1);
    expect(() => loadAmplification(3, 0)).toThrow(/no request came from the callers/);
  });
});

describe('the metrics as charts', () => {
  test('latency percentiles per policy: one line each, from p50 to p99.9, on a log scale', () => {
    const latencies = Array.from({ length: 1_000 }, (_, index) => index + 1);
    const chart = latencyPercentileChart('latency', { fast: latencies, none: [] });
    expect(chart.yLog).toBe(true);
    expect(chart.x.at(-1)).toBe(3);
    expect(chart.series.map((series) => series.label)).toEqual(['fast', 'none']);
    expect(chart.series[0]!.values.at(-1)).toBe(999); // p99.9 of 1..1000
    expect(chart.series[0]!.values.at(7)).toBe(990); // two nines: p99
    expect(chart.series[1]!.values.every((value) => value === null)).toBe(true);
  });

  test('load over time: one line per backend, time in seconds', () => {
    const chart = loadOverTimeChart('load', { bucketStartsMs: [0, 500], inFlight: { b1: [1, 2], b2: [0, 0.5] } });
    expect(chart.x).toEqual([0, 0.5]);
    expect(chart.series).toEqual([
      { label: 'b1', values: [1, 2] },
      { label: 'b2', values: [0, 0.5] },
    ]);
  });

  test('a metrics page is an offline HTML file with the charts as data', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'metrics-page-'));
    const file = writeMetricsPage(path.join(dir, 'sub', 'page.html'), 'Latency', [
      latencyPercentileChart('latency', { rr: [1, 2, 3] }),
    ]);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/Content-Security-Policy/);
    expect(html).toContain('"label":"rr"');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});

describe('messagesPerOperation', () => {
  test('counts every message but the clients’ own, per operation', () => {
    const stats = {
      messagesSent: 30,
      bytesSent: 0,
      messagesDelivered: 30,
      messagesDropped: { network: 0, partition: 0, 'node-down': 0 },
      messagesDuplicated: 0,
      byType: {
        read: { messages: 4, bytes: 0 },
        read_ok: { messages: 4, bytes: 0 },
        query: { messages: 22, bytes: 0 },
      },
      bySender: {},
    };
    expect(messagesPerOperation(stats, 4, ['read', 'read_ok', 'write'])).toBe(5.5);
    expect(messagesPerOperation(stats, 0, ['read'])).toBe(0);
  });
});
