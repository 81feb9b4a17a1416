import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { cluster, simulate, type TraceFile } from '#harness/testing';
import type { PassingTrace } from '../testing/passing-trace.ts';
import { chattyNode } from './helpers.ts';

describe('traces of passing runs', () => {
  let folder = '';
  afterEach(() => {
    delete process.env['KATA_TRACE_LOG'];
    delete process.env['KATA_TRACE_DIR'];
    rmSync(folder, { recursive: true, force: true });
  });

  test('are written only when KATA_TRACE_LOG asks, and listed in it', async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'passing-trace-'));
    process.env['KATA_TRACE_DIR'] = path.join(folder, 'traces');
    await simulate({ seed: 5, nodes: cluster(2, chattyNode()) }, (sim) => sim.run({ untilMs: 50 }));
    expect(existsSync(path.join(folder, 'traces')), 'no trace of a passing run by default').toBe(false);

    const log = path.join(folder, 'passing.jsonl');
    process.env['KATA_TRACE_LOG'] = log;
    await simulate({ seed: 6, nodes: cluster(2, chattyNode()) }, (sim) => sim.run({ untilMs: 50 }));
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.length, 'one run, one line').toBe(1);
    const entry = JSON.parse(lines[0]!) as PassingTrace;
    expect({ seed: entry.seed, test: entry.test }, 'the run').toEqual({
      seed: 6,
      test: 'are written only when KATA_TRACE_LOG asks, and listed in it',
    });
    const trace = JSON.parse(readFileSync(entry.trace, 'utf8')) as TraceFile;
    expect(trace.seed, 'the trace is of that run').toBe(6);
    expect(trace.failure, 'and names no failure').toBeUndefined();
    expect(readFileSync(entry.viewer, 'utf8'), 'the viewer page beside it').toContain('<html');
  });
});
