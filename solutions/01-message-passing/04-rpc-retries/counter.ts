/**
 * Exercise 4, reference solution: a counter behind an RPC, with timeouts, retries and at-most-once
 * request handling.
 *
 * The client retries with the same request id; the server remembers the reply it gave for each
 * (clientId, requestId) and gives it again instead of applying the increment a second time. The
 * counter and that table are one record in durable storage, saved with one write before the reply.
 *
 * @module
 */
import type { ClientContext, Node, NodeContext, NodeId, OperationOutcome } from '#harness';
import type { IncrementOk, IncrementOutput, IncrementRequest, ReadOk, RetryOptions } from './protocol.ts';

/**
 * The server's whole durable state. It lives in ONE storage key, so one `ctx.storage.set` saves the new
 * value and the remembered reply together: a crash keeps both or neither. Invariants:
 * - `value` is the sum of the deltas of every increment applied;
 * - `replies[<clientId>/<requestId>]` exists exactly when that increment has been applied, and holds the
 *   value the server answered with.
 */
interface CounterState {
  readonly value: number;
  readonly replies: Readonly<Record<string, number>>;
}

const STATE_KEY = 'counter';
const EMPTY: CounterState = { value: 0, replies: {} };
const replyKey = (clientId: string, requestId: string): string => `${clientId}/${requestId}`;

/** The counter server. Everything it knows is in `ctx.storage`, so it survives crashes. */
export function createCounterServer(): Node {
  return {
    onMessage(ctx, from, message) {
      switch (message.type) {
        case 'increment':
          return increment(ctx, from, message as IncrementRequest);
        case 'read':
          return ctx.reply(from, message, { type: 'read_ok', value: loadState(ctx).value } satisfies ReadOk);
        default:
          return ctx.log(`ignored a ${message.type} message from ${from}`);
      }
    },
  };
}

function loadState(ctx: NodeContext): CounterState {
  return ctx.storage.get<CounterState>(STATE_KEY) ?? EMPTY;
}

/** Applies an increment the first time its (clientId, requestId) arrives; answers every copy the same way. */
function increment(ctx: NodeContext, from: NodeId, request: IncrementRequest): void {
  const key = replyKey(request.clientId, request.requestId);
  const state = loadState(ctx);
  let value = state.replies[key];
  if (value === undefined) {
    value = state.value + request.delta;
    // One write for one atomic change: the value and the remembered reply are never saved apart. And it
    // comes before the reply: a crash between the two leaves a saved increment that a retry finds, never
    // an answer the server does not remember giving.
    ctx.storage.set(STATE_KEY, { value, replies: { ...state.replies, [key]: value } } satisfies CounterState);
  }
  ctx.reply(from, request, { type: 'increment_ok', value } satisfies IncrementOk);
}

/**
 * Adds `delta` to the counter on `server`, retrying after each timeout, up to `options.attempts`
 * requests in all. Every attempt carries the same request id, so the server applies it at most once.
 *
 * @returns `ok` with the server's value when a reply came; `indeterminate` when every attempt timed
 *   out: the increment may have been applied (a reply was lost) or not (every request was lost).
 */
export async function incrementWithRetries(
  client: ClientContext,
  server: NodeId,
  delta: number,
  options: RetryOptions,
): Promise<OperationOutcome<IncrementOutput>> {
  // Drawn from the client's seeded generator: unique in practice, and the same in every replay.
  const requestId = client.randomInt(0, 0x7fff_ffff).toString(36);
  const request = { type: 'increment', clientId: client.id, requestId, delta };
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const result = await client.rpc<IncrementOk>(server, request, { timeoutMs: options.timeoutMs });
    if (result.ok) return { status: 'ok', output: { value: result.reply.value } };
  }
  // A timeout is not a "no": the server may have applied it and only the replies were lost.
  return { status: 'indeterminate' };
}
