/**
 * Exercise 2.1: clock synchronisation with Cristian's algorithm. The spec is in README.md, next to this
 * file.
 *
 * Write `estimateOffset` (the arithmetic) and `createClockSyncNode` (the node that asks the server for
 * the time, keeps a synchronised clock, and answers `read_clock`). The time server is given.
 *
 * @module
 */
import { type Node, todo } from '#harness';
import type { OffsetEstimate, SyncSample } from './protocol.ts';
// 💡 protocol.ts also holds TIME_SERVER, SYNC_INTERVAL_MS, SLEW_SPEED and the messages (TimeRequest, TimeResponse,
//    ReadClock, ReadClockOk): import them as you need them. The time server is in time-server.ts.

const README = 'exercises/02-time-and-clocks/01-clock-sync/README.md';

/**
 * Cristian's estimate: from one round trip, how far the server's clock is from this node's clock, and
 * how wrong that estimate can be.
 */
export function estimateOffset(sample: SyncSample): OffsetEstimate {
  // 💡 The server read its clock (T) at some moment between t0 and t1. You do not know when.
  // 👉 Guess the middle: when the reply arrives (t1), the server's clock shows about T + (t1 - t0) / 2.
  //    The offset is that guess minus t1. The guess is wrong by at most half the round trip.
  todo('estimate the offset and its error bound from one round trip (Cristian)', README);
  void sample;
}

/** A node that keeps a synchronised clock with Cristian's algorithm and answers `read_clock`. */
export function createClockSyncNode(): Node {
  // 💡 ctx.now() is this node's own clock: skewed and drifting. The synchronised clock is something you
  //    compute from it: local reading + your estimated offset (+ whatever slewing is still going on).
  return {
    onStart(ctx) {
      // 👉 Sync at once, then every SYNC_INTERVAL_MS: a timer whose handler calls itself again is enough.
      todo('start syncing with the time server', README);
      void ctx;
    },

    onTimer(ctx, timer) {
      // 👉 Read ctx.now() (t0), ctx.rpc(TIME_SERVER, { type: 'time_request' }, { timeoutMs }), read ctx.now()
      //    again (t1). On a timeout, keep the clock you have. Then set the next timer.
      // 💡 Handlers may be async: `async onTimer(ctx, timer) { const result = await ctx.rpc(...); ... }`.
      // 👉 A new estimate ahead of your clock: jump forward. Behind it: never jump back. Run the clock at
      //    SLEW_SPEED until the difference is absorbed.
      todo('sync with the time server and adjust the clock', README);
      void [ctx, timer];
    },

    onMessage(ctx, from, message) {
      // 👉 Answer `read_clock` with ctx.reply(from, message, { type: 'read_clock_ok', timeMs, errorBoundMs }).
      //    Before the first sync both are null. errorBoundMs = half the round trip of the latest sync, plus
      //    the backward correction not yet slewed in.
      todo('answer read_clock with the synchronised time and its error bound', README);
      void [ctx, from, message];
    },
  };
}
