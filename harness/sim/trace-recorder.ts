/**
 * The trace recorder: every event of a run, in order, unless recording is off (benchmarks).
 *
 * @module
 */
import type { FailureEvent, TraceEvent } from '../trace/node.ts';

/** Collects a run's trace events. */
export class TraceRecorder {
  /** Whether events are recorded. The failure that stops a run is recorded either way. */
  readonly enabled: boolean;
  /** The events so far, in the order they happened. */
  readonly events: TraceEvent[] = [];

  /** A recorder that records (`enabled`) or drops everything but the failure. */
  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  /**
   * Records `event` when recording is on. Hot paths (send, deliver) test {@link TraceRecorder.enabled}
   * first, so that a run without a trace does not even build the event.
   */
  record(event: TraceEvent): void {
    if (this.enabled) this.events.push(event);
  }

  /** Records the failure that stopped the run, even with recording off: the report needs it. */
  recordFailure(event: FailureEvent): void {
    this.events.push(event);
  }
}
