/**
 * The clients of `kata cluster`, one workload per Maelstrom workload: what they ask, what they record,
 * and how the result is judged (with the same checkers as the simulated tests where there is one).
 *
 * @module
 */

import { checkLinearizability, formatCheckResult, kvModel, type KvInput, type KvOutput } from '#harness/check';
import { HistoryRecorder, type History } from '../../../harness/history.ts';
import type { Rng } from '../../../harness/random.ts';
import type { Router } from './router.ts';

/** What a workload's run found. */
export interface WorkloadResult {
  readonly history: History<unknown, unknown>;
  /** True when the checker found nothing wrong. */
  readonly passed: boolean;
  /** The checker's verdict in words. */
  readonly verdict: string;
}

/** What a workload needs to run. */
export interface WorkloadRun {
  readonly router: Router;
  readonly rng: Rng;
  /** The clients stop invoking after this time (router clock, ms). */
  readonly untilMs: number;
  readonly clients: number;
  readonly requestTimeoutMs: number;
}

/** A client loop: invoke, wait, record, until the time is up. */
async function clientLoop(run: WorkloadRun, client: string, step: (client: string) => Promise<void>): Promise<void> {
  while (run.router.nowMs() < run.untilMs) {
    await step(client);
    await new Promise((resolve) => setTimeout(resolve, run.rng.int(5, 30)));
  }
}

async function allClients(run: WorkloadRun, step: (client: string) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: run.clients }, (_, index) => clientLoop(run, `c${index + 1}`, step)));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)]!;
}

/** Echo: every answer must carry back exactly the text sent. */
async function echo(run: WorkloadRun): Promise<WorkloadResult> {
  const recorder = new HistoryRecorder<{ f: 'echo'; text: string }, { text: unknown }>();
  let wrong = 0;
  let count = 0;
  await allClients(run, async (client) => {
    const text = `${client}-${++count}`;
    const id = recorder.invoke(client, { f: 'echo', text }, run.router.nowMs());
    const answer = await run.router.request(
      client,
      pick(run.rng, run.router.nodeIds),
      { type: 'echo', echo: text },
      run.requestTimeoutMs,
    );
    if (!answer.ok) return recorder.complete(id, 'indeterminate', undefined, run.router.nowMs());
    if (answer.body.type !== 'echo_ok' || answer.body.echo !== text) wrong++;
    recorder.complete(
      id,
      answer.body.type === 'echo_ok' ? 'ok' : 'fail',
      { text: answer.body.echo },
      run.router.nowMs(),
    );
  });
  const history = recorder.history();
  const answered = history.filter((operation) => operation.status === 'ok').length;
  const passed = wrong === 0 && answered > 0;
  const verdict = passed ? `every echo came back unchanged` : `${wrong} echo(s) came back wrong, ${answered} answered`;
  return { history, passed, verdict };
}

/** Unique ids: no id handed out twice, by any node. */
async function uniqueIds(run: WorkloadRun): Promise<WorkloadResult> {
  const recorder = new HistoryRecorder<{ f: 'generate' }, { id: unknown }>();
  await allClients(run, async (client) => {
    const id = recorder.invoke(client, { f: 'generate' }, run.router.nowMs());
    const answer = await run.router.request(
      client,
      pick(run.rng, run.router.nodeIds),
      { type: 'generate' },
      run.requestTimeoutMs,
    );
    if (!answer.ok) return recorder.complete(id, 'indeterminate', undefined, run.router.nowMs());
    const ok = answer.body.type === 'generate_ok';
    recorder.complete(id, ok ? 'ok' : 'fail', ok ? { id: answer.body.id } : undefined, run.router.nowMs());
  });
  const history = recorder.history();
  const ids = history
    .filter((operation) => operation.status === 'ok')
    .map((operation) => JSON.stringify(operation.output?.id));
  const duplicates = ids.length - new Set(ids).size;
  const passed = duplicates === 0 && ids.length > 0;
  const verdict = passed
    ? `${ids.length} ids, all different`
    : `${duplicates} id(s) handed out twice among ${ids.length}`;
  return { history, passed, verdict };
}

/** After the time limit, a client still retries its last operation this long before giving up on it. */
const RETRY_GRACE_MS = 2_000;

/**
 * lin-kv: reads and writes on a few keys, judged by the linearizability checker's kv model. Like the
 * simulated tests' clerk, a client retries an operation (same `msg_id`, which the store's sessions
 * recognise) at the leader it is pointed to, until it gets an answer or gives up: then it is
 * indeterminate.
 */
async function linKv(run: WorkloadRun): Promise<WorkloadResult> {
  const recorder = new HistoryRecorder<KvInput, KvOutput>();
  const leaderHint = new Map<string, string>();
  await allClients(run, async (client) => {
    const key = run.rng.int(0, 2);
    const write = run.rng.chance(0.5);
    const value = run.rng.int(0, 9);
    const input: KvInput = write
      ? { f: 'put', key: JSON.stringify(key), value: JSON.stringify(value) }
      : { f: 'get', key: JSON.stringify(key) };
    const body = write ? { type: 'write', key, value } : { type: 'read', key };
    const id = recorder.invoke(client, input, run.router.nowMs());
    const msgId = run.router.newMessageId();
    while (run.router.nowMs() < run.untilMs + RETRY_GRACE_MS) {
      const node = leaderHint.get(client) ?? pick(run.rng, run.router.nodeIds);
      const answer = await run.router.request(client, node, body, run.requestTimeoutMs, msgId);
      const nowMs = run.router.nowMs();
      if (!answer.ok) {
        leaderHint.delete(client);
        continue;
      }
      const reply = answer.body;
      if (reply.type === 'write_ok') return recorder.complete(id, 'ok', {}, nowMs);
      if (reply.type === 'read_ok') return recorder.complete(id, 'ok', { value: JSON.stringify(reply.value) }, nowMs);
      if (reply.type === 'error' && reply.code === 20) return recorder.complete(id, 'ok', { value: '' }, nowMs);
      const hint = typeof reply.text === 'string' ? /leader may be (\S+)/.exec(reply.text)?.[1] : undefined;
      if (hint !== undefined && run.router.nodeIds.includes(hint)) leaderHint.set(client, hint);
      else leaderHint.delete(client);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    recorder.complete(id, 'indeterminate', undefined, run.router.nowMs());
  });
  const history = recorder.history();
  const result = checkLinearizability(kvModel, history);
  const verdict =
    result.verdict === 'ok'
      ? 'linearizable'
      : result.verdict === 'unknown'
        ? `unknown (${result.reason}): NOT a pass`
        : `not linearizable\n${formatCheckResult(result)}`;
  return { history: history as History<unknown, unknown>, passed: result.verdict === 'ok', verdict };
}

/** The workloads `kata cluster` can drive, by Maelstrom workload name. */
export const WORKLOADS: Readonly<Record<string, (run: WorkloadRun) => Promise<WorkloadResult>>> = {
  echo,
  'unique-ids': uniqueIds,
  'lin-kv': linKv,
};
