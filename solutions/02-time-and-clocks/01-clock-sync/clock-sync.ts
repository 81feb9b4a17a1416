/**
 * Reference solution for exercise 2.1: clock synchronisation with Cristian's algorithm.
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeFactory, NodeId, RpcRequest } from '#harness';

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

/**
 * Cristian's estimate. The server read its clock somewhere during the round trip; the best guess is the
 * middle, which is wrong by at most half the round trip.
 */
export function estimateOffset(sample: SyncSample): OffsetEstimate {
  const roundTripMs = sample.replyReceivedAtMs - sample.requestSentAtMs;
  const serverTimeAtReplyMs = sample.serverTimeMs + roundTripMs / 2;
  return { offsetMs: serverTimeAtReplyMs - sample.replyReceivedAtMs, errorBoundMs: roundTripMs / 2 };
}

/** Given: the time server. It answers every `time_request` with its own (perfect) clock. */
export const createTimeServer: NodeFactory = () => ({
  onMessage(ctx, from, message) {
    if (message.type !== 'time_request') return;
    const response: TimeResponse = { type: 'time_response', serverTimeMs: ctx.now() };
    ctx.reply(from, message, response);
  },
});

/**
 * The synchronised clock, as a function of the local clock.
 *
 * Invariant: `shownAt(local)` never decreases as `local` grows, and `shownAt(local) - slewLeftAt(local)` is
 * the latest estimate of server time. So `|shown - true time| <= estimateErrorMs + slewLeft` (plus drift).
 */
interface SyncedClock {
  /** Local clock reading at which the anchor was set. */
  readonly anchorLocalMs: number;
  /** Synchronised time shown at the anchor. */
  readonly anchorShownMs: number;
  /** Backward correction not yet absorbed at the anchor, ms (0 or more). */
  readonly slewMs: number;
  /** Error bound of the latest estimate: half its round trip. */
  readonly estimateErrorMs: number;
}

function readSynced(clock: SyncedClock, localMs: number): { timeMs: number; slewLeftMs: number } {
  const elapsedMs = localMs - clock.anchorLocalMs;
  // At half speed the clock falls behind local time by half a ms per ms: that is how the correction is absorbed.
  const absorbedMs = Math.min(clock.slewMs, elapsedMs * (1 - SLEW_SPEED));
  return { timeMs: clock.anchorShownMs + elapsedMs - absorbedMs, slewLeftMs: clock.slewMs - absorbedMs };
}

/** Applies a new estimate: jump forward at once, slew backward. */
function adjust(clock: SyncedClock | null, localMs: number, estimate: OffsetEstimate): SyncedClock {
  const estimatedMs = localMs + estimate.offsetMs;
  const base = { anchorLocalMs: localMs, estimateErrorMs: estimate.errorBoundMs };
  // The first sync may set the clock outright: nobody has read it yet.
  if (clock === null) return { ...base, anchorShownMs: estimatedMs, slewMs: 0 };
  const shownMs = readSynced(clock, localMs).timeMs;
  if (estimatedMs >= shownMs) return { ...base, anchorShownMs: estimatedMs, slewMs: 0 };
  return { ...base, anchorShownMs: shownMs, slewMs: shownMs - estimatedMs };
}

/** A node that keeps a synchronised clock with Cristian's algorithm and answers `read_clock`. */
export function createClockSyncNode(): Node {
  let clock: SyncedClock | null = null;

  async function syncOnce(ctx: NodeContext): Promise<void> {
    const requestSentAtMs = ctx.now();
    const request: TimeRequest = { type: 'time_request' };
    const result = await ctx.rpc<TimeResponse>(TIME_SERVER, request, { timeoutMs: 2 * SYNC_INTERVAL_MS });
    if (!result.ok) return; // lost or too slow: keep the clock we have and try again later
    const replyReceivedAtMs = ctx.now();
    const estimate = estimateOffset({ requestSentAtMs, serverTimeMs: result.reply.serverTimeMs, replyReceivedAtMs });
    clock = adjust(clock, replyReceivedAtMs, estimate);
  }

  return {
    onStart(ctx) {
      ctx.setTimer(0, { type: 'sync' });
    },

    async onTimer(ctx, timer) {
      if (timer.type !== 'sync') return;
      await syncOnce(ctx);
      ctx.setTimer(SYNC_INTERVAL_MS, { type: 'sync' });
    },

    onMessage(ctx, from, message) {
      if (message.type !== 'read_clock') return;
      let reply: ReadClockOk = { type: 'read_clock_ok', timeMs: null, errorBoundMs: null };
      if (clock !== null) {
        const { timeMs, slewLeftMs } = readSynced(clock, ctx.now());
        reply = { type: 'read_clock_ok', timeMs, errorBoundMs: clock.estimateErrorMs + slewLeftMs };
      }
      ctx.reply(from, message, reply);
    },
  };
}
