/**
 * Given code for exercise 7.2: what a picker is, how a forwarded request ended, and the settings of
 * outlier ejection (Envoy's names, in ms).
 *
 * @module
 */
export type { BackendId, BackendOutcome, Picker, PickerClock } from '../_given/balancer.ts';

/** Outlier ejection: take a backend that keeps failing out of the rotation for a while. */
export interface OutlierEjection {
  /** Eject a backend after this many failures in a row (Envoy's `consecutive_5xx`, default 5). */
  readonly consecutiveFailures: number;
  /** The first ejection lasts this long, ms; the k-th lasts k times as long (Envoy's `base_ejection_time`). */
  readonly baseEjectionMs: number;
  /** No ejection lasts longer than this, ms (Envoy's `max_ejection_time`). */
  readonly maxEjectionMs: number;
  /**
   * At most this share of the backends, in percent, is ejected at once (Envoy's `max_ejection_percent`):
   * a failure that would eject more leaves the backend in the rotation.
   */
  readonly maxEjectionPercent: number;
}
