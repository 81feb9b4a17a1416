/**
 * Test support for chapter 4 (not a learner file): a client of a replicated register, its workload, and
 * the checks the chapter's tests run on what the clients saw: linearizability, and availability (the
 * ok-fraction per side of a partition, as Maelstrom measures it).
 *
 * Replies are read as Maelstrom's are: `read_ok` and `write_ok` are oks; an `error` with code 11
 * (temporarily unavailable) is a definite failure, the operation did not happen; an `error` with code 0
 * (timeout), or no answer at all, leaves the operation indeterminate.
 *
 * @module
 */
import type { ClientContext, NodeId, OperationOutcome } from '#harness';
import {
  assertLinearizable,
  checkAvailability,
  registerModel,
  type AvailabilityBound,
  type AvailabilityCell,
  type AvailabilitySide,
  type AvailabilityWindow,
  type RegisterInput,
  type RegisterOutput,
  withoutUnseenIndeterminateWrites,
} from '#harness/check';
import { check, type Simulation } from '#harness/testing';

/** The codes of Maelstrom's errors that a register node may answer with. */
const DEFINITE_ERROR = 11;
const INDEFINITE_ERROR = 0;

/** What a client saw of one request, beyond the history: which node, and the raw answer. */
export interface Exchange {
  readonly client: NodeId;
  readonly node: NodeId;
  readonly input: RegisterInput;
  readonly sentAtMs: number;
  /** When the answer came, ms; `null` when none came in time. */
  readonly answeredAtMs: number | null;
  /** The answer's type and, for an error, its code; `null` when none came. */
  readonly answer: { readonly type: string; readonly code?: unknown; readonly value?: unknown } | null;
}

/** Client `c<i>` for node `n<i>`: in the chapter's tests each client talks to one node, and sits on its side of a partition. */
export const clientOf = (node: NodeId): NodeId => node.replace(/^n/, 'c');

/** A side of a partition: its nodes' clients, under the name the availability sentence uses (`minority {n1}`). */
export function side(name: string, nodes: readonly NodeId[]): AvailabilitySide {
  return { name: `${name} {${nodes.join(', ')}}`, clients: nodes.map(clientOf) };
}

/** Fails unless the register node answered `exchange` with a value; says what it did instead. */
export function valueRead(exchange: Exchange | undefined, what: string): number | null {
  check(exchange !== undefined, `${what}: the read was never sent`);
  check(
    exchange.answer?.type === 'read_ok',
    `${what}: ${exchange.node} answered ${JSON.stringify(exchange.answer)} instead of read_ok`,
  );
  return exchange.answer.value as number | null;
}

/**
 * Sends one read or write to `node`, waits up to `timeoutMs` for the answer, records the operation in
 * the history, and the exchange in `log` if given.
 *
 * @throws Error (stopping the run) for an answer that is none of read_ok, write_ok or error.
 */
export function registerOperation(
  c: ClientContext,
  node: NodeId,
  input: RegisterInput,
  options: {
    readonly timeoutMs: number;
    readonly log?: Exchange[];
    /** Fields the request carries besides its type and value, e.g. `{ level: 'QUORUM' }` (exercise 4.3). */
    readonly fields?: Readonly<Record<string, unknown>>;
  },
): Promise<OperationOutcome<RegisterOutput>> {
  return c.operation<RegisterInput, RegisterOutput>(input, async () => {
    const sentAtMs = c.now();
    const base = input.f === 'read' ? { type: 'read' } : { type: 'write', value: input.value };
    const request = { ...options.fields, ...base };
    const result = await c.rpc(node, request, { timeoutMs: options.timeoutMs });
    const answer = result.ok ? (result.reply as Exchange['answer']) : null;
    options.log?.push({ client: c.id, node, input, sentAtMs, answeredAtMs: result.ok ? c.now() : null, answer });
    if (answer === null) return { status: 'indeterminate' };
    return outcomeOf(node, input, answer);
  });
}

function outcomeOf(
  node: NodeId,
  input: RegisterInput,
  answer: NonNullable<Exchange['answer']>,
): OperationOutcome<RegisterOutput> {
  const asked = input.f === 'read' ? 'a read' : `a write of ${String(input.value)}`;
  if (answer.type === 'read_ok' && input.f === 'read') {
    const value = answer.value;
    check(
      value === null || typeof value === 'number',
      `${node} answered ${asked} with read_ok value ${JSON.stringify(value)}: a read_ok carries the number last written, or null if none was`,
    );
    return { status: 'ok', output: { value: value as number | null } };
  }
  if (answer.type === 'write_ok' && input.f === 'write') return { status: 'ok', output: {} };
  if (answer.type === 'error' && answer.code === DEFINITE_ERROR) return { status: 'fail' };
  if (answer.type === 'error' && answer.code === INDEFINITE_ERROR) return { status: 'indeterminate' };
  throw new Error(
    `${node} answered ${asked} with ${JSON.stringify(answer)}: the answer to a ${input.f} is ${input.f}_ok, or an error ` +
      `with code ${DEFINITE_ERROR} (it did not happen) or ${INDEFINITE_ERROR} (it may have happened)`,
  );
}

/** Options of {@link registerWorkload}. */
export interface WorkloadOptions {
  /** The client invokes no operation at or after this time, ms. */
  readonly untilMs: number;
  /** How long the client waits for an answer, ms. */
  readonly timeoutMs: number;
  /** A number no other client uses, so that every write has a value of its own. */
  readonly clientNumber: number;
  /** Longest pause between two operations, ms. Default 50. */
  readonly maxPauseMs?: number;
  /** Where to record every exchange, if anywhere. */
  readonly log?: Exchange[];
}

/**
 * A client's mix of reads and writes (half each) sent to one node, with short pauses, until `untilMs`.
 * Write values are `clientNumber * 10_000 + i`, never repeated.
 */
export async function registerWorkload(c: ClientContext, node: NodeId, options: WorkloadOptions): Promise<void> {
  for (let i = 1; c.now() < options.untilMs; i++) {
    const input: RegisterInput =
      c.randomInt(0, 1) === 0 ? { f: 'read' } : { f: 'write', value: options.clientNumber * 10_000 + i };
    await registerOperation(c, node, input, options);
    await c.sleep(c.randomInt(0, options.maxPauseMs ?? 50));
  }
}

/** Checks that the clients' history is linearizable for a single register. */
export function assertRegisterLinearizable(sim: Simulation): void {
  const history = withoutUnseenIndeterminateWrites(sim.history<RegisterInput, RegisterOutput>(), {
    written: (input) => (input.f === 'write' ? input.value : undefined),
    read: (input, output) => (input.f === 'read' ? output?.value : undefined),
  });
  assertLinearizable(registerModel, history, { maxSteps: 5_000_000 });
}

/**
 * Measures the ok-fraction of each side in each window and checks the bounds (`availability: ...` on
 * failure). Returns the cells and the sentence that says them, for the test to print.
 */
export function assertAvailabilityOf(
  sim: Simulation,
  sides: readonly AvailabilitySide[],
  windows: readonly AvailabilityWindow[],
  bounds: readonly AvailabilityBound[],
): { readonly cells: readonly AvailabilityCell[]; readonly sentence: string } {
  const verdict = checkAvailability({ history: sim.history(), sides, windows, bounds });
  if (!verdict.ok) {
    throw new Error(
      `availability: ${verdict.violations.map((violation) => violation.message).join('\n  ')}\n  measured:\n    ${verdict.sentence.replaceAll('\n', '\n    ')}`,
    );
  }
  return verdict;
}
