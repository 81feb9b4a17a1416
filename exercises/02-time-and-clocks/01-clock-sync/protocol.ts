/**
 * Exercise 2.1's constants (the time server's id, the sync interval, the slew speed), its messages, and
 * the types of `estimateOffset`. This file is given: the stub, the solution and the tests all import
 * it.
 */
import type { Message, NodeId, RpcRequest } from '#harness';

/** The id of the time server node. Its clock is perfect: it shows true time. */
export const TIME_SERVER: NodeId = 'server';

/** How often a node asks the server for the time, in ms of its own clock. */
export const SYNC_INTERVAL_MS = 500;

/** While a backward correction is being slewed in, the synchronised clock runs at this speed (half speed). */
export const SLEW_SPEED = 0.5;

/** Node → server: "what time is it?". Send it with `ctx.rpc`. */
export interface TimeRequest extends RpcRequest {
  readonly type: 'time_request';
}

/** Server → node: the server's clock when it handled the request. */
export interface TimeResponse extends Message {
  readonly type: 'time_response';
  readonly serverTimeMs: number;
}

/** Client → node: "what does your synchronised clock say?". Sent with `ctx.rpc`. */
export interface ReadClock extends RpcRequest {
  readonly type: 'read_clock';
}

/** Node → client: the synchronised clock and how far from true time it may be; both `null` before the first sync. */
export interface ReadClockOk extends Message {
  readonly type: 'read_clock_ok';
  readonly timeMs: number | null;
  readonly errorBoundMs: number | null;
}

/** One round trip to the server, read on the node's own clock (t0, t1) and the server's (T). */
export interface SyncSample {
  /** t0: the node's clock when it sent the request. */
  readonly requestSentAtMs: number;
  /** T: the server's clock when it answered. */
  readonly serverTimeMs: number;
  /** t1: the node's clock when the reply arrived. */
  readonly replyReceivedAtMs: number;
}

/** What a sample says: server time ≈ local time + `offsetMs`, give or take `errorBoundMs`. */
export interface OffsetEstimate {
  readonly offsetMs: number;
  readonly errorBoundMs: number;
}
