/**
 * Test support for exercise 3.4 (not a learner file): a client of the quorum key-value store, its
 * workload, and the linearizability check of what the clients saw.
 *
 * Replies are read as Maelstrom's are: `get_ok` and `put_ok` are oks; an `error` (code 0, timeout), or
 * no answer at all, leaves the operation indeterminate: a put may have reached some replicas.
 *
 * @module
 */
import type { ClientContext, NodeId, OperationOutcome } from '#harness';
import type { Operation } from '#harness/testing';
import {
  assertLinearizable,
  checkLinearizability,
  kvModel,
  withoutUnseenIndeterminateWrites,
  type CheckResult,
  type KvInput,
  type KvOutput,
} from '#harness/check';
import { check, type Simulation } from '#harness/testing';

/** A get or a put: the operations the quorum store serves. */
export type QuorumInput = Extract<KvInput, { readonly f: 'get' | 'put' }>;

/** What a client saw of one request, beyond the history: which node, when, and the raw answer. */
export interface Exchange {
  readonly client: NodeId;
  readonly node: NodeId;
  readonly input: QuorumInput;
  readonly sentAtMs: number;
  /** When the answer came, ms; `null` when none came in time. */
  readonly answeredAtMs: number | null;
  /** The answer; `null` when none came. */
  readonly answer: { readonly type: string; readonly value?: unknown; readonly code?: unknown } | null;
}

/** Describes an input as a sentence fragment: `get("x")`, `put("x", "c1:3")`. */
export function describeInput(input: QuorumInput): string {
  return input.f === 'get'
    ? `get(${JSON.stringify(input.key)})`
    : `put(${JSON.stringify(input.key)}, ${JSON.stringify(input.value)})`;
}

/** Describes what a node answered, for a failure message: `get_ok "2"`, `put_ok`, `error (…)`, `no answer`. */
export function describeAnswer(answer: Exchange['answer']): string {
  if (answer === null) return 'no answer';
  if (answer.type === 'get_ok') return `get_ok ${JSON.stringify(answer.value)}`;
  if (answer.type === 'error') return `error (code ${JSON.stringify(answer.code)})`;
  return answer.type;
}

/**
 * Sends one get or put to `node`, waits up to `timeoutMs` for the answer, records the operation in the
 * history and the exchange in `log` if given.
 *
 * @throws Error (stopping the run) for an answer that is none of get_ok, put_ok or error.
 */
export function quorumOperation(
  c: ClientContext,
  node: NodeId,
  input: QuorumInput,
  options: { readonly timeoutMs: number; readonly log?: Exchange[] },
): Promise<OperationOutcome<KvOutput>> {
  return c.operation<QuorumInput, KvOutput>(input, async () => {
    const sentAtMs = c.now();
    const request =
      input.f === 'get' ? { type: 'get', key: input.key } : { type: 'put', key: input.key, value: input.value };
    const result = await c.rpc(node, request, { timeoutMs: options.timeoutMs });
    const answer = result.ok ? (result.reply as Exchange['answer']) : null;
    options.log?.push({ client: c.id, node, input, sentAtMs, answeredAtMs: result.ok ? c.now() : null, answer });
    if (answer === null || answer.type === 'error') return { status: 'indeterminate' };
    if (answer.type === 'get_ok' && input.f === 'get') {
      check(
        typeof answer.value === 'string',
        `${node} answered ${describeInput(input)} with get_ok value ${JSON.stringify(answer.value)}: a get_ok carries the value as a string ('' for a key never written)`,
      );
      return { status: 'ok', output: { value: answer.value as string } };
    }
    if (answer.type === 'put_ok' && input.f === 'put') return { status: 'ok', output: {} };
    throw new Error(
      `${node} answered ${describeInput(input)} with ${JSON.stringify(answer)}: the answer to a ${input.f} is ${input.f}_ok, ` +
        'or an error (code 0) when the coordinator gave up',
    );
  });
}

/** Options of {@link quorumWorkload}. */
export interface QuorumWorkloadOptions {
  /** The client invokes no operation at or after this time, ms. */
  readonly untilMs: number;
  /** How long the client waits for an answer, ms. */
  readonly timeoutMs: number;
  /** The keys it gets and puts. */
  readonly keys: readonly string[];
  /** Longest pause between two operations, ms. Default 30. */
  readonly maxPauseMs?: number;
}

/**
 * A client's mix of gets and puts (half each) on `keys`, each sent to a node drawn from `nodes` (any
 * node coordinates), until `untilMs`. Put values are `<client>:<i>`, never repeated.
 */
export async function quorumWorkload(
  c: ClientContext,
  nodes: readonly NodeId[],
  options: QuorumWorkloadOptions,
): Promise<void> {
  for (let i = 1; c.now() < options.untilMs; i++) {
    const key = options.keys[c.randomInt(0, options.keys.length - 1)]!;
    const node = nodes[c.randomInt(0, nodes.length - 1)]!;
    const input: QuorumInput = c.randomInt(0, 1) === 0 ? { f: 'get', key } : { f: 'put', key, value: `${c.id}:${i}` };
    await quorumOperation(c, node, input, options);
    await c.sleep(c.randomInt(0, options.maxPauseMs ?? 30));
  }
}

/** The clients' history, without the puts that cannot change the verdict (see withoutUnseenIndeterminateWrites). */
function historyOf(sim: Simulation): Operation<QuorumInput, KvOutput>[] {
  return withoutUnseenIndeterminateWrites(sim.history<QuorumInput, KvOutput>(), {
    written: (input) => (input.f === 'put' ? `${input.key}=${input.value}` : undefined),
    read: (input, output) => (input.f === 'get' ? `${input.key}=${output?.value ?? ''}` : undefined),
  });
}

/** Checks that the clients' history is linearizable for a key-value store (throws with the checker's evidence). */
export function assertQuorumHistoryLinearizable(sim: Simulation): void {
  assertLinearizable(kvModel, historyOf(sim), { maxSteps: 5_000_000 });
}

/** The checker's verdict on the clients' history, for a test that expects it to find a violation. */
export function checkQuorumHistory(sim: Simulation): CheckResult<string, KvInput, KvOutput> {
  return checkLinearizability(kvModel, historyOf(sim), { maxSteps: 5_000_000 });
}
