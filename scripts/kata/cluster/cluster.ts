/**
 * `npm run kata -- cluster <exercise> --nodes 3`: the exercise's node as real processes behind a router,
 * driven by its workload in real time, with a partition in the middle, judged by the checkers.
 *
 * @module
 */

import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { History } from '../../../harness/history.ts';
import { MAX_SEED, Rng, deriveSeed } from '../../../harness/random.ts';
import { traceHash, type TraceEvent, type TraceFile } from '../../../harness/trace/node.ts';
import { renderTraceHtml } from '../../../harness/viewer/index.ts';
import type { Exercise } from '../../lib/exercises.ts';
import { writeMaelstromExecutable } from '../maelstrom.ts';
import { kataPaths } from '../state.ts';
import { Router } from './router.ts';
import { WORKLOADS } from './workloads.ts';

/** How to run the cluster. */
export interface ClusterOptions {
  readonly nodes: number;
  readonly solution: boolean;
  /** How long the clients invoke operations, in ms (real time). */
  readonly timeLimitMs: number;
  readonly seed?: number | undefined;
  /** Where the executable, the storage and the trace go (default `.kata/cluster/`). */
  readonly folder?: string | undefined;
}

/** What a cluster run found. */
export interface ClusterResult {
  readonly passed: boolean;
  /** The printed summary. */
  readonly summary: string;
  readonly tracePath: string;
  readonly viewerPath: string;
  readonly history: History<unknown, unknown>;
  /** True when every node process had exited at the end. */
  readonly allStopped: boolean;
}

/** The `p`-th percentile (0 to 100) of sorted numbers, nearest rank. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function latencyLine(history: History<unknown, unknown>): string {
  const latencies = history
    .filter((operation) => operation.status === 'ok' && operation.returnMs !== null)
    .map((operation) => operation.returnMs! - operation.callMs)
    .sort((a, b) => a - b);
  if (latencies.length === 0) return 'latency: no operation completed';
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  return `latency of ok operations: p50 ${ms(percentile(latencies, 50))}, p90 ${ms(percentile(latencies, 90))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1)!)}`;
}

/** Runs the cluster; every process it started has stopped when it resolves. */
export async function runCluster(root: string, exercise: Exercise, options: ClusterOptions): Promise<ClusterResult> {
  const seed = options.seed ?? randomInt(0, MAX_SEED); // real randomness: a real run, with its seed printed
  const folder = options.folder ?? path.join(kataPaths(root).folder, 'cluster');
  mkdirSync(folder, { recursive: true });
  const { executable, binding } = await writeMaelstromExecutable(root, exercise, {
    solution: options.solution,
    // A fresh storage folder per run: a cluster starts empty.
    folder: mkdtempSync(path.join(folder, `${path.basename(exercise.directory)}-`)),
  });
  const workload = WORKLOADS[binding.workload];
  if (workload === undefined) throw new Error(`kata cluster has no clients for the ${binding.workload} workload`);
  const nodeIds = Array.from({ length: options.nodes }, (_, index) => `n${index + 1}`);
  const router = new Router(nodeIds, seed, { delayMs: { min: 0, max: 5 }, dropRate: 0.01 });
  const rng = new Rng(deriveSeed(seed, 'clients'));
  let result;
  try {
    await router.start(executable, seed);
    const untilMs = router.nowMs() + options.timeLimitMs;
    const isolated = nodeIds[rng.int(0, nodeIds.length - 1)]!;
    const timers: ReturnType<typeof setTimeout>[] = [];
    if (nodeIds.length > 1) {
      timers.push(
        setTimeout(
          () => router.partition([[isolated], nodeIds.filter((id) => id !== isolated)]),
          options.timeLimitMs * 0.3,
        ),
      );
      timers.push(setTimeout(() => router.heal(), options.timeLimitMs * 0.6));
    }
    result = await workload({ router, rng, untilMs, clients: Math.max(2, options.nodes), requestTimeoutMs: 1_000 });
    timers.forEach(clearTimeout);
  } finally {
    await router.stop();
  }
  const events = withOperations(router.events, result.history);
  const tracePath = path.join(folder, `${path.basename(exercise.directory)}-seed-${seed}.json`);
  const trace: TraceFile = {
    version: 1,
    seed,
    nodes: nodeIds,
    clients: [...new Set(result.history.map((operation) => operation.clientId))].sort(),
    endMs: router.nowMs(),
    hash: traceHash(events),
    details: { realProcesses: true, workload: binding.workload, timeLimitMs: options.timeLimitMs },
    events,
  };
  writeFileSync(tracePath, `${JSON.stringify(trace)}\n`);
  const viewerPath = tracePath.replace(/\.json$/, '.html');
  writeFileSync(viewerPath, renderTraceHtml(trace));
  const counts = { ok: 0, fail: 0, indeterminate: 0 };
  for (const operation of result.history) counts[operation.status]++;
  const summary = [
    `${exercise.id}: ${options.nodes} node processes (${options.solution ? 'reference solution' : 'your node'}), workload ${binding.workload}, seed ${seed}`,
    `  ${result.history.length} operations in ${(options.timeLimitMs / 1000).toFixed(1)} s: ${counts.ok} ok, ${counts.fail} failed, ${counts.indeterminate} indeterminate`,
    `  ${latencyLine(result.history)}`,
    nodeIds.length > 1
      ? `  a partition cut one node off from ${(options.timeLimitMs * 0.3) / 1000} s to ${(options.timeLimitMs * 0.6) / 1000} s`
      : '',
    `  verdict: ${result.verdict.split('\n').join('\n  ')}`,
    `  trace    ${tracePath}`,
    `  viewer   ${viewerPath}  (open it in a browser)`,
  ]
    .filter((line) => line !== '')
    .join('\n');
  return {
    passed: result.passed,
    summary,
    tracePath,
    viewerPath,
    history: result.history,
    allStopped: router.allStopped(),
  };
}

/** The router's events with each client operation's invoke and complete, in time order. */
function withOperations(events: readonly TraceEvent[], history: History<unknown, unknown>): TraceEvent[] {
  const operations: TraceEvent[] = history.flatMap((operation): TraceEvent[] => [
    { t: operation.callMs, kind: 'invoke', client: operation.clientId, op: operation.id, input: operation.input },
    ...(operation.returnMs === null
      ? []
      : [
          {
            t: operation.returnMs,
            kind: 'complete' as const,
            client: operation.clientId,
            op: operation.id,
            status: operation.status,
            output: operation.output,
          },
        ]),
  ]);
  return [...events, ...operations]
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.t - b.event.t || a.index - b.index)
    .map(({ event }) => event);
}
