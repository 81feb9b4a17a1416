/**
 * Test support for exercise 7.2: a picker that notes what it was asked and answered (with the time),
 * and a model of least outstanding requests with outlier ejection that reads those notes and says
 * which pick broke the spec, and why.
 *
 * The model does not choose: it follows the picker's own choices and checks each one. So any way of
 * breaking a tie between equally loaded backends is accepted.
 *
 * @module
 */
import type { BackendId, BackendOutcome, Picker, PickerClock } from '../_given/balancer.ts';
import type { OutlierEjection } from '../02-least-requests/protocol.ts';

/** One thing a picker was told or answered, in order, with the balancer's time. */
export type LeastRequestsEvent =
  | { readonly kind: 'new-picker'; readonly atMs: number; readonly backends: readonly BackendId[] }
  | { readonly kind: 'pick'; readonly atMs: number; readonly backend: BackendId | null }
  | { readonly kind: 'finished'; readonly atMs: number; readonly backend: BackendId; readonly outcome: BackendOutcome }
  | { readonly kind: 'add'; readonly atMs: number; readonly backend: BackendId }
  | { readonly kind: 'remove'; readonly atMs: number; readonly backend: BackendId };

/** `create`, noting into `events` every picker it builds (with `initial` backends), every call and every answer. */
export function recordingLeastRequests(
  create: (clock: PickerClock) => Picker,
  initial: readonly BackendId[],
  events: LeastRequestsEvent[],
): (clock: PickerClock) => Picker {
  return (clock) => {
    const picker = create(clock);
    events.push({ kind: 'new-picker', atMs: clock.now(), backends: initial });
    return {
      pick() {
        const backend = picker.pick();
        events.push({ kind: 'pick', atMs: clock.now(), backend });
        return backend;
      },
      add(backend) {
        picker.add(backend);
        events.push({ kind: 'add', atMs: clock.now(), backend });
      },
      remove(backend) {
        picker.remove(backend);
        events.push({ kind: 'remove', atMs: clock.now(), backend });
      },
      finished(backend, outcome) {
        picker.finished?.(backend, outcome);
        events.push({ kind: 'finished', atMs: clock.now(), backend, outcome });
      },
    };
  };
}

/** What the spec says the picker knows of one backend. */
interface ModelBackend {
  inFlight: number;
  failuresInARow: number;
  ejections: number;
  ejectedUntilMs: number | null;
  /** Why it is ejected, in words, for the report. */
  ejectedBecause: string;
}

/**
 * Replays `events` on the spec's model and returns what broke it, in words (empty: nothing). `ejection`
 * `null` means the picker was built without outlier ejection.
 */
export function leastRequestsViolations(
  events: readonly LeastRequestsEvent[],
  ejection: OutlierEjection | null,
): string[] {
  const found: string[] = [];
  let backends = new Map<BackendId, ModelBackend>();
  let picks = 0;
  const fresh = (): ModelBackend => ({
    inFlight: 0,
    failuresInARow: 0,
    ejections: 0,
    ejectedUntilMs: null,
    ejectedBecause: '',
  });
  const returnEjected = (atMs: number) => {
    for (const backend of backends.values()) {
      if (backend.ejectedUntilMs !== null && backend.ejectedUntilMs <= atMs) {
        backend.ejectedUntilMs = null;
        backend.failuresInARow = 0;
      }
    }
  };
  const loads = () =>
    [...backends]
      .map(([id, backend]) => `${id} ${backend.inFlight}${backend.ejectedUntilMs === null ? '' : ' (ejected)'}`)
      .join(', ');
  for (const event of events) {
    if (found.length >= 3) break;
    switch (event.kind) {
      case 'new-picker':
        backends = new Map(event.backends.map((id) => [id, fresh()]));
        break;
      case 'add':
        backends.set(event.backend, fresh());
        break;
      case 'remove':
        backends.delete(event.backend);
        break;
      case 'pick': {
        picks++;
        returnEjected(event.atMs);
        const where = `pick ${picks} (t=${event.atMs} ms; in flight: ${loads()})`;
        const eligible = [...backends].filter(([, backend]) => backend.ejectedUntilMs === null);
        if (event.backend === null) {
          if (eligible.length > 0) {
            found.push(
              `${where} returned null, but ${eligible.map(([id]) => id).join(', ')} ${eligible.length === 1 ? 'was' : 'were'} ` +
                'in the rotation: never eject so many backends that none is left (max ejection percent), and ' +
                'return null only when there is no backend to pick',
            );
          }
          break;
        }
        const chosen = backends.get(event.backend);
        if (chosen === undefined) {
          found.push(`${where} went to ${event.backend}, which is not a backend of the picker`);
          break;
        }
        if (chosen.ejectedUntilMs !== null) {
          found.push(
            `${where} went to ${event.backend}, which is ejected until t=${chosen.ejectedUntilMs} ms ` +
              `(${chosen.ejectedBecause}): an ejected backend gets no request until its ejection is over, and ` +
              'each ejection must last longer than the one before (base ejection time × the number of ejections)',
          );
          break;
        }
        const least = Math.min(...eligible.map(([, backend]) => backend.inFlight));
        if (chosen.inFlight > least) {
          const idle = eligible.filter(([, backend]) => backend.inFlight === least).map(([id]) => id);
          found.push(
            `${where} went to ${event.backend} with ${chosen.inFlight} in flight, while ${idle.join(', ')} had ${least}: ` +
              'the request goes to the backend with the fewest requests in flight. A request that failed must ' +
              'still be counted as finished; an ejection must end when its time is over; a timeout or a ' +
              'network error is a failure, not a success',
          );
        }
        chosen.inFlight++;
        break;
      }
      case 'finished': {
        const backend = backends.get(event.backend);
        if (backend === undefined) break;
        backend.inFlight--;
        returnEjected(event.atMs);
        if (ejection === null || backend.ejectedUntilMs !== null) break;
        if (event.outcome === 'success') {
          backend.failuresInARow = 0;
          break;
        }
        backend.failuresInARow++;
        if (backend.failuresInARow < ejection.consecutiveFailures) break;
        const ejected = [...backends.values()].filter((other) => other.ejectedUntilMs !== null).length;
        if ((ejected + 1) * 100 > ejection.maxEjectionPercent * backends.size) break;
        backend.ejections++;
        const durationMs = Math.min(ejection.baseEjectionMs * backend.ejections, ejection.maxEjectionMs);
        backend.ejectedUntilMs = event.atMs + durationMs;
        backend.ejectedBecause =
          `${backend.failuresInARow} failures in a row, the last a ${event.outcome} at t=${event.atMs} ms; ` +
          `ejection ${backend.ejections}, for ${durationMs} ms`;
        break;
      }
    }
  }
  return found;
}
