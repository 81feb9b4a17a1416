/**
 * Reference solution for exercise 2.1: clock synchronisation with Cristian's algorithm.
 *
 * @module
 */
import type { Node, NodeContext } from '#harness';
import {
  SLEW_SPEED,
  SYNC_INTERVAL_MS,
  TIME_SERVER,
  type OffsetEstimate,
  type ReadClockOk,
  type SyncSample,
  type TimeRequest,
  type TimeResponse,
} from './protocol.ts';

/**
 * Cristian's estimate. The server read its clock somewhere during the round trip; the best guess is the
 * middle, which is wrong by at most half the round trip.
 */
export function estimateOffset(sample: SyncSample): OffsetEstimate {
  const roundTripMs = sample.replyReceivedAtMs - sample.requestSentAtMs;
  const serverTimeAtReplyMs = sample.serverTimeMs + roundTripMs / 2;
  return { offsetMs: serverTimeAtReplyMs - sample.replyReceivedAtMs, errorBoundMs: roundTripMs / 2 };
}

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
