/**
 * Test support for chapter 4 (not a learner file): a client of a replicated counter (Maelstrom's
 * `pn-counter` workload: `add` with a delta, `read`), its workload, and the check of the final reads
 * against what the adds could have made the counter (`#harness/check`'s counter bounds).
 *
 * Replies are read as Maelstrom's are: `add_ok` and `read_ok` are oks; no answer in time leaves an add
 * indeterminate (it may or may not have been applied).
 *
 * @module
 */
import type { ClientContext, NodeId, OperationOutcome } from '#harness';
import { checkCounterBounds, type CounterAdd, type CounterBoundsSummary, type CounterRead } from '#harness/check';
import { check, type Simulation } from '#harness/testing';

/** An operation on the counter, as the history records it. */
export type CounterInput = { readonly f: 'add'; readonly delta: number } | { readonly f: 'read' };

/** What a counter operation returned: the value, for a read. */
export interface CounterOutput {
  readonly value?: number;
}

/**
 * Sends one add or read to `node`, waits up to `timeoutMs` for the answer, and records the operation in
 * the history.
 *
 * @throws Error (stopping the run) for an answer that is neither add_ok nor a read_ok with a number.
 */
export function counterOperation(
  c: ClientContext,
  node: NodeId,
  input: CounterInput,
  timeoutMs: number,
): Promise<OperationOutcome<CounterOutput>> {
  return c.operation<CounterInput, CounterOutput>(input, async () => {
    const request = input.f === 'add' ? { type: 'add', delta: input.delta } : { type: 'read' };
    const result = await c.rpc(node, request, { timeoutMs });
    if (!result.ok) return { status: 'indeterminate' };
    const answer = result.reply as { readonly type: string; readonly value?: unknown };
    const asked = input.f === 'add' ? `an add of ${input.delta}` : 'a read';
    if (input.f === 'add') {
      check(answer.type === 'add_ok', `${node} answered ${asked} with ${JSON.stringify(answer)} instead of add_ok`);
      return { status: 'ok', output: {} };
    }
    check(
      answer.type === 'read_ok' && typeof answer.value === 'number',
      `${node} answered ${asked} with ${JSON.stringify(answer)}: a read of the counter is answered read_ok with a number`,
    );
    return { status: 'ok', output: { value: answer.value } };
  });
}

/** Options of {@link counterWorkload}. */
export interface CounterWorkloadOptions {
  /** The client invokes no operation at or after this time, ms. */
  readonly untilMs: number;
  /** How long the client waits for an answer, ms. */
  readonly timeoutMs: number;
  /** Longest pause between two operations, ms. Default 50. */
  readonly maxPauseMs?: number;
  /** Whether deltas may be negative. Default true. */
  readonly decrements?: boolean;
}

/**
 * A client's mix of adds (three in four, deltas from -5 to 5, or 1 to 5 without decrements) and reads
 * sent to one node, with short pauses, until `untilMs`. The same delta comes again and again, so a
 * replica cannot tell adds apart by their content.
 */
export async function counterWorkload(c: ClientContext, node: NodeId, options: CounterWorkloadOptions): Promise<void> {
  const lowest = options.decrements === false ? 1 : -5;
  while (c.now() < options.untilMs) {
    const input: CounterInput = c.randomInt(0, 3) === 0 ? { f: 'read' } : { f: 'add', delta: c.randomInt(lowest, 5) };
    await counterOperation(c, node, input, options.timeoutMs);
    await c.sleep(c.randomInt(0, options.maxPauseMs ?? 50));
  }
}

/** Every add the clients attempted, for the counter-bounds check. */
export function addsOf(sim: Simulation): CounterAdd[] {
  return sim.history<CounterInput, CounterOutput>().flatMap((operation) =>
    operation.input.f === 'add'
      ? [
          {
            delta: operation.input.delta,
            status: operation.status,
            callMs: operation.callMs,
            client: operation.clientId,
          },
        ]
      : [],
  );
}

/**
 * Checks each final read against what the adds could have made the counter (`counter-bounds: ...` on
 * failure). Returns the bounds, for the test to print.
 */
export function assertFinalReadsInBounds(sim: Simulation, finalReads: readonly CounterRead[]): CounterBoundsSummary {
  const verdict = checkCounterBounds({ adds: addsOf(sim), finalReads });
  if (!verdict.ok) {
    throw new Error(`counter-bounds: ${verdict.violations.map((violation) => violation.message).join('\n  ')}`);
  }
  return verdict;
}
