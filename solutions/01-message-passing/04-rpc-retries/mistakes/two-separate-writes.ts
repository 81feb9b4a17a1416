/**
 * Known mistake: the server keeps the counter and its table of replies in durable storage, under two
 * keys, and writes them one after the other before replying. Both writes are in the same handler, one
 * line apart, so it looks atomic. It is not: a crash can strike between the two `storage.set` calls.
 * Then the increment is applied but not remembered, and the client's retry after the restart is
 * applied a second time.
 *
 * Breaks: applied twice
 */
import type { ClientContext, Message, Node, NodeContext, NodeId, OperationOutcome, RpcRequest } from '../../../../harness/index.ts';

/** Client → server: add `delta` to the counter. Retries of one increment carry the same `requestId`. */
export interface IncrementRequest extends RpcRequest {
  readonly type: 'increment';
  /** Who asks. Request ids only need to be unique per client. */
  readonly clientId: string;
  /** Names this increment, across all its retries. */
  readonly requestId: string;
  readonly delta: number;
}

/** Server → client: the counter's value right after this increment was applied. */
export interface IncrementOk extends Message {
  readonly type: 'increment_ok';
  readonly value: number;
}

/** Client → server: what is the counter's value? */
export interface ReadRequest extends RpcRequest {
  readonly type: 'read';
}

/** Server → client: the counter's value now. */
export interface ReadOk extends Message {
  readonly type: 'read_ok';
  readonly value: number;
}

/** How hard {@link incrementWithRetries} tries. */
export interface RetryOptions {
  /** How many requests to send at most (the first one included). At least 1. */
  readonly attempts: number;
  /** How long to wait for each reply, in ms. */
  readonly timeoutMs: number;
}

/** What an increment returns when it succeeds. */
export interface IncrementOutput {
  /** The counter's value right after the increment. */
  readonly value: number;
}

// Storage layout. Invariants (meant to be):
// - `value` is the sum of the deltas of every increment applied (0 when absent);
// - `reply/<clientId>/<requestId>` exists exactly when that increment has been applied, and holds the
//   value the server answered with.
const VALUE_KEY = 'value';
const replyKey = (clientId: string, requestId: string): string => `reply/${clientId}/${requestId}`;

/** The counter server. Everything it knows is in `ctx.storage`, so it survives crashes. */
export function createCounterServer(): Node {
  return {
    onMessage(ctx, from, message) {
      switch (message.type) {
        case 'increment':
          return increment(ctx, from, message as IncrementRequest);
        case 'read':
          return ctx.reply(from, message, { type: 'read_ok', value: currentValue(ctx) } satisfies ReadOk);
        default:
          return ctx.log(`ignored a ${message.type} message from ${from}`);
      }
    },
  };
}

function currentValue(ctx: NodeContext): number {
  return ctx.storage.get<number>(VALUE_KEY) ?? 0;
}

/** Applies an increment the first time its (clientId, requestId) arrives; answers every copy the same way. */
function increment(ctx: NodeContext, from: NodeId, request: IncrementRequest): void {
  const key = replyKey(request.clientId, request.requestId);
  let value = ctx.storage.get<number>(key);
  if (value === undefined) {
    value = currentValue(ctx) + request.delta;
    ctx.storage.set(VALUE_KEY, value);
    ctx.storage.set(key, value); // the mistake: a second write, so a crash can fall between the two
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
