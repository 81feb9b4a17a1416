/**
 * Local clocks: every node reads its own clock, which may be skewed (offset) and drift (run fast or
 * slow) relative to true time, like the quartz clock of a real machine.
 *
 * @module
 */

/** How a node's clock differs from true (virtual) time. */
export interface ClockSettings {
  /** Offset from true time at t=0, in ms. Positive: the clock is ahead. Default 0. */
  readonly skewMs: number;
  /**
   * How fast the clock runs compared with true time, in parts per million. `+100` gains 0.1 ms per
   * second. Real quartz clocks drift by tens of ppm. Default 0.
   */
  readonly driftPpm: number;
}

/** A perfect clock. */
export const PERFECT_CLOCK: ClockSettings = { skewMs: 0, driftPpm: 0 };

/** The local clock reading, in whole ms, of a node with `clock` at true time `trueMs`. */
export function localTimeMs(clock: ClockSettings, trueMs: number): number {
  return Math.floor(trueMs + (trueMs * clock.driftPpm) / 1_000_000 + clock.skewMs);
}

/**
 * How much true time passes while the node's clock advances by `localMs` (a timer set for `localMs`
 * fires after this many true ms), rounded up to whole ms.
 */
export function trueDurationMs(clock: ClockSettings, localMs: number): number {
  if (clock.driftPpm === 0) return Math.ceil(localMs);
  return Math.ceil(localMs / (1 + clock.driftPpm / 1_000_000));
}

/**
 * Checks clock settings.
 *
 * @throws RangeError naming the node and the bad setting.
 */
export function checkClockSettings(node: string, clock: ClockSettings): void {
  if (!Number.isFinite(clock.skewMs)) {
    throw new RangeError(`Clock skewMs of ${node} must be a finite number of ms; got ${String(clock.skewMs)}.`);
  }
  if (!Number.isFinite(clock.driftPpm) || clock.driftPpm <= -1_000_000) {
    throw new RangeError(`Clock driftPpm of ${node} must be finite and above -1,000,000; got ${String(clock.driftPpm)}.`);
  }
}
