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

/**
 * The local clock reading, in whole ms, at true time `trueMs` of a clock that has had the settings
 * `clock` since t=0 (offset `skewMs` at t=0, running `driftPpm` fast since).
 */
export function localTimeMs(clock: ClockSettings, trueMs: number): number {
  return Math.floor(trueMs + (trueMs * clock.driftPpm) / 1_000_000 + clock.skewMs);
}

/**
 * A clock whose settings may change during a run. Invariant: at true time `anchorTrueMs` the clock
 * read `anchorLocalMs` (unrounded), and it has run at `settings.driftPpm` since.
 */
export interface ClockState {
  readonly settings: ClockSettings;
  readonly anchorTrueMs: number;
  readonly anchorLocalMs: number;
}

/** A clock with `settings` since t=0. */
export function startClock(settings: ClockSettings): ClockState {
  return { settings, anchorTrueMs: 0, anchorLocalMs: settings.skewMs };
}

/** The clock's reading, in whole ms, at true time `trueMs` (at or after its last change). */
export function readClock(state: ClockState, trueMs: number): number {
  const elapsedMs = trueMs - state.anchorTrueMs;
  return Math.floor(state.anchorLocalMs + elapsedMs + (elapsedMs * state.settings.driftPpm) / 1_000_000);
}

/**
 * Changes a clock's settings at true time `trueMs`. A new drift changes only the rate from now on; a
 * new skew *steps* the clock by the difference, as when someone sets a machine's clock by hand, so a
 * smaller skew makes the clock jump backwards.
 */
export function changeClock(state: ClockState, trueMs: number, settings: ClockSettings): ClockState {
  const elapsedMs = trueMs - state.anchorTrueMs;
  const nowLocalMs = state.anchorLocalMs + elapsedMs + (elapsedMs * state.settings.driftPpm) / 1_000_000;
  return { settings, anchorTrueMs: trueMs, anchorLocalMs: nowLocalMs + settings.skewMs - state.settings.skewMs };
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
    throw new RangeError(
      `Clock driftPpm of ${node} must be finite and above -1,000,000; got ${String(clock.driftPpm)}.`,
    );
  }
}
