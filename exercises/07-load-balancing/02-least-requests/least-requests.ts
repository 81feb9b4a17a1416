/**
 * Exercise 7.2: least outstanding requests, and outlier ejection. The spec is in README.md, next to this file.
 *
 * Write one picker. The balancer (given, in `../_given/balancer.ts`) asks it which backend gets each
 * request (`pick`), tells it when each request has ended and how (`finished`), and when a backend
 * joins (`add`) or leaves (`remove`).
 *
 * @module
 */
import { todo } from '#harness';
import type { BackendId, BackendOutcome, OutlierEjection, Picker, PickerClock } from './protocol.ts';

const README = 'exercises/07-load-balancing/02-least-requests/README.md';

/**
 * Least outstanding requests: each request goes to the backend with the fewest requests in flight,
 * among the backends not ejected. With `ejection`, a backend that fails too often in a row is taken
 * out of the rotation for a while, longer each time. `null`: no ejection.
 */
export function createLeastRequests(
  initial: readonly BackendId[],
  clock: PickerClock,
  ejection: OutlierEjection | null,
): Picker {
  // 💡 Keep, per backend: requests in flight, failures in a row, how many times it was ejected, and
  //    until when it is ejected. `clock.now()` is the time in ms.
  return {
    pick() {
      // 👉 The backend with the fewest requests in flight, among those not ejected; count one more for it.
      //    A backend whose ejection is over is back. No backend to pick: return null.
      return todo(`pick the least loaded backend (at t=${clock.now()})`, README);
    },
    add(backend) {
      // 👉 A new backend starts with nothing in flight. Adding one that is already there is an error.
      todo(`add ${backend} (initially ${initial.join(', ')})`, README);
    },
    remove(backend) {
      todo(`remove ${backend}`, README);
    },
    finished(backend: BackendId, outcome: BackendOutcome) {
      // 👉 One request fewer in flight, whatever the outcome. Then, with ejection on, count the
      //    failures in a row (which outcomes are failures?) and eject when there are enough.
      todo(
        `note that a request to ${backend} ended: ${outcome} (ejection ${ejection === null ? 'off' : 'on'})`,
        README,
      );
    },
  };
}
