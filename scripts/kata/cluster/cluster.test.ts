/**
 * `kata cluster`: echo, unique-ids and the Raft key-value store as real processes behind the router,
 * a partition in the middle, the history judged, and every process stopped at the end.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceFile } from '../../../harness/trace/index.ts';
import { findExercises, repositoryRoot } from '../../lib/exercises.ts';
import { runCluster } from './cluster.ts';

const exercise = (id: string) => findExercises(repositoryRoot).find((candidate) => candidate.id === id)!;

describe('kata cluster', () => {
  it.each([
    ['01-message-passing/01-echo', 1_500, 'every echo came back unchanged'],
    ['01-message-passing/02-unique-ids', 1_500, 'all different'],
    ['05-consensus/04-kv-store', 5_000, 'linearizable'],
  ])('%s for %i ms: three processes, a partition at the router, then "%s"', async (id, timeLimitMs, verdict) => {
    const folder = mkdtempSync(path.join(tmpdir(), 'kata-cluster-'));
    const result = await runCluster(repositoryRoot, exercise(id), {
      nodes: 3,
      solution: true,
      timeLimitMs,
      seed: 11,
      folder,
    });
    expect(result.summary).toContain(verdict);
    expect(result.passed).toBe(true);
    expect(result.allStopped).toBe(true);
    expect(result.history.some((operation) => operation.status === 'ok')).toBe(true);
    expect(result.summary).toMatch(/latency of ok operations: p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms/);
    const trace = JSON.parse(readFileSync(result.tracePath, 'utf8')) as TraceFile;
    expect(trace.nodes).toEqual(['n1', 'n2', 'n3']);
    const kinds = new Set(trace.events.map((event) => event.kind));
    for (const kind of ['start', 'send', 'deliver', 'links', 'invoke', 'complete']) expect(kinds).toContain(kind);
    expect(trace.events.find((event) => event.kind === 'links')).toMatchObject({
      change: expect.stringMatching(/^partition \{n\d\} \| /),
    });
    expect(readFileSync(result.viewerPath, 'utf8')).toContain('<!DOCTYPE html>');
  });
});
