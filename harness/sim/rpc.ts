/**
 * Rpc tagging: a request carries an `rpcId` its sender never used before (not even in an earlier
 * incarnation), its reply carries `inReplyTo`, and the reply resolves the waiting promise instead of
 * reaching `onMessage`. A timeout is an internal timer.
 *
 * The fields are there for people (the trace, the receiver's code); the match is made by a tag on the
 * envelope that only `ctx.reply` sets. So a message of the learner's own with an `inReplyTo` field (an
 * `ack` naming what it acknowledges) sent with `ctx.send` is an ordinary message: it is never swallowed
 * as a late reply, and never resolves an unrelated rpc. In a reply, `ctx.reply` writes `inReplyTo` over
 * a field of that name.
 *
 * @module
 */
import type { Message, NodeId, OutgoingMessage, RpcOptions, RpcResult } from '../node.ts';
import { log, noteAsync } from './node-runtime.ts';
import type { Runtime, SimState } from './state.ts';
import { cancelTimer, setTimer } from './timers.ts';
import { send } from './transport.ts';

/** Sends `request` as an rpc and resolves with its reply, or with a timeout after `options.timeoutMs`. */
export function rpc(
  state: SimState,
  runtime: Runtime,
  to: NodeId,
  request: OutgoingMessage,
  options: RpcOptions,
): Promise<RpcResult> {
  if (options === null || typeof options !== 'object' || !Number.isFinite(options.timeoutMs) || options.timeoutMs < 0) {
    state.stopWith(
      'bad-request',
      runtime.id,
      `${runtime.id} called rpc(${JSON.stringify(to)}, ...) without a valid timeoutMs: pass { timeoutMs: 1000 } or similar.`,
    );
  }
  const rpcId = runtime.nextRpcId++;
  return new Promise<RpcResult>((resolve) => {
    const timer = setTimer(state, runtime, options.timeoutMs, { type: `rpc-timeout:${request.type}` }, () => {
      runtime.rpcs.delete(rpcId);
      resolve({ ok: false, error: 'timeout' });
    });
    runtime.rpcs.set(rpcId, { resolve, timer });
    send(state, runtime, to, { ...request, rpcId });
  });
}

/**
 * Takes a reply to one of `runtime`'s rpcs: resolves the waiting call, or notes a late reply to one
 * that already timed out or that an earlier incarnation made. Returns false for an `inReplyTo` this node
 * never used, which then reaches `onMessage` like any message.
 */
export function takeReply(state: SimState, runtime: Runtime, rpcId: number, reply: Message): boolean {
  const pending = runtime.rpcs.get(rpcId);
  if (pending === undefined) {
    // A reply to a request that already timed out, or that an earlier incarnation made (or a duplicate
    // of a reply): the caller has moved on, so it is noted and not handed to onMessage.
    if (rpcId >= runtime.nextRpcId) return false;
    log(
      state,
      runtime,
      `late reply ${reply.type} to request ${rpcId} ignored: that rpc already timed out or was answered`,
    );
    return true;
  }
  runtime.rpcs.delete(rpcId);
  cancelTimer(state, runtime, pending.timer);
  noteAsync(state, runtime);
  pending.resolve({ ok: true, reply });
  return true;
}
