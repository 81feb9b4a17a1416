/**
 * Exercise 7.2: least outstanding requests, with outlier ejection. The spec is in README.md, next to the stub.
 *
 * @module
 */
import type { BackendId, BackendOutcome, OutlierEjection, Picker, PickerClock } from './protocol.ts';

/** What the picker knows of one backend. */
interface Backend {
  readonly id: BackendId;
  /** Requests sent to it that have not finished yet. */
  inFlight: number;
  /** Failures in a row since its last success (or since it came back from an ejection). */
  failuresInARow: number;
  /** How many times it was ejected so far: the next ejection lasts one base time more. */
  ejections: number;
  /** Ejected until this time, ms; `null` when it is in the rotation. */
  ejectedUntilMs: number | null;
}

/**
 * Least outstanding requests: each request goes to the backend with the fewest requests in flight
 * (the first added, on a tie), among the backends not ejected. With `ejection`, a backend that fails
 * `consecutiveFailures` times in a row (a 5xx, a network error or a timeout) is ejected for
 * `baseEjectionMs` times the number of its ejections so far, at most `maxEjectionMs`, unless that would
 * eject more than `maxEjectionPercent` of the backends. `null`: no ejection at all.
 *
 * Invariant: `inFlight` is the number of picks of the backend minus the `finished` calls for it, for
 * every outcome; a backend whose `ejectedUntilMs` has passed is back in the rotation with no failures.
 */
export function createLeastRequests(
  initial: readonly BackendId[],
  clock: PickerClock,
  ejection: OutlierEjection | null,
): Picker {
  const backends: Backend[] = [];

  /** Brings back every backend whose ejection is over. */
  const returnEjected = () => {
    const nowMs = clock.now();
    for (const backend of backends) {
      if (backend.ejectedUntilMs !== null && backend.ejectedUntilMs <= nowMs) {
        backend.ejectedUntilMs = null;
        backend.failuresInARow = 0;
      }
    }
  };

  /** Ejects `backend` if the cap allows it. */
  const eject = (backend: Backend, rules: OutlierEjection) => {
    const ejected = backends.filter((other) => other.ejectedUntilMs !== null).length;
    if ((ejected + 1) * 100 > rules.maxEjectionPercent * backends.length) return;
    backend.ejections++;
    const durationMs = Math.min(rules.baseEjectionMs * backend.ejections, rules.maxEjectionMs);
    backend.ejectedUntilMs = clock.now() + durationMs;
  };

  const picker: Picker = {
    pick() {
      returnEjected();
      let best: Backend | null = null;
      for (const backend of backends) {
        if (backend.ejectedUntilMs !== null) continue;
        if (best === null || backend.inFlight < best.inFlight) best = backend;
      }
      if (best === null) return null;
      best.inFlight++;
      return best.id;
    },
    add(id) {
      if (backends.some((backend) => backend.id === id)) throw new Error(`${id} is already a backend.`);
      backends.push({ id, inFlight: 0, failuresInARow: 0, ejections: 0, ejectedUntilMs: null });
    },
    remove(id) {
      const index = backends.findIndex((backend) => backend.id === id);
      if (index !== -1) backends.splice(index, 1);
    },
    finished(id: BackendId, outcome: BackendOutcome) {
      const backend = backends.find((candidate) => candidate.id === id);
      // A backend removed while its request was in flight: nothing left to count.
      if (backend === undefined) return;
      // Every outcome ends the request: a failure that does not decrement makes the backend look busy forever.
      backend.inFlight--;
      returnEjected();
      if (ejection === null || backend.ejectedUntilMs !== null) return;
      if (outcome === 'success') {
        backend.failuresInARow = 0;
        return;
      }
      // A timeout or a broken connection is a failure too (Envoy counts them with the 5xx by default).
      backend.failuresInARow++;
      if (backend.failuresInARow >= ejection.consecutiveFailures) eject(backend, ejection);
    },
  };
  for (const id of initial) picker.add(id);
  return picker;
}
