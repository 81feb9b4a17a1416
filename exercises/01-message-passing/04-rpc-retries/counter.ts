/**
 * Exercise 1.4: RPC with timeouts and retries. The spec is in README.md, next to this file.
 *
 * Write both halves of a counter service:
 * - `createCounterServer`: applies each increment at most once, however many times it arrives;
 * - `incrementWithRetries`: the client side, which retries after timeouts and reports honestly.
 *
 * @module
 */
import { type ClientContext, type Node, type NodeId, type OperationOutcome, todo } from '#harness';
import type { IncrementOutput, RetryOptions } from './protocol.ts';
// 💡 The messages (IncrementRequest, IncrementOk, ReadRequest, ReadOk) are in protocol.ts too: import them as
//    you need them.

const README = 'exercises/01-message-passing/04-rpc-retries/README.md';

/** The counter server. */
export function createCounterServer(): Node {
  // 💡 This function runs again after every crash: variables kept here are lost then. Only
  //    ctx.storage survives.
  return {
    onMessage(ctx, from, message) {
      // 👉 `read`: answer with ctx.reply(from, message, { type: 'read_ok', value }).
      // 👉 `increment`: the first time a (clientId, requestId) arrives, add delta to the counter and
      //    answer { type: 'increment_ok', value }. Every later time, answer with the same value again
      //    and do not add anything.
      // 💡 The network may duplicate a request, and a client may retry one: "later times" happen.
      // 💡 A crash can strike between two lines of this handler, after any reply or storage write. Save
      //    the new value and what you remember about the request in ONE ctx.storage.set, before you reply.
      todo('answer read and apply each increment at most once', README);
      void [ctx, from, message];
    },
  };
}

/**
 * Adds `delta` to the counter on `server`, retrying after each timeout, up to `options.attempts`
 * requests in all.
 *
 * @returns `{ status: 'ok', output: { value } }` when a reply came; `{ status: 'indeterminate' }`
 *   when every attempt timed out.
 */
export async function incrementWithRetries(
  client: ClientContext,
  server: NodeId,
  delta: number,
  options: RetryOptions,
): Promise<OperationOutcome<IncrementOutput>> {
  // 👉 Pick a request id once, then send { type: 'increment', clientId: client.id, requestId, delta }
  //    with client.rpc(server, request, { timeoutMs: options.timeoutMs }), up to options.attempts times.
  // 💡 client.randomInt(min, max) gives seeded random numbers: the same in every replay of a run.
  // 💡 A timeout does not tell you the increment did not happen. What can you honestly report?
  todo('send the increment, retry after timeouts, and report the outcome honestly', README);
  void [client, server, delta, options];
}
