/**
 * Exercise 7.3: power of two choices. The spec is in README.md, next to this file.
 *
 * Write one picker. The balancer (given, in `../_given/balancer.ts`) asks it which backend gets each
 * request (`pick`), and tells it when a backend joins (`add`) or leaves (`remove`). It hands the
 * picker a `context`: `context.random()` (seeded random numbers) and `context.load.inFlight(backend)`
 * (the requests each backend has in flight, as fresh as the balancer's load reports are).
 *
 * @module
 */
import { todo } from '#harness';
import type { BackendId, Picker, PickerContext } from './protocol.ts';

const README = 'exercises/07-load-balancing/03-power-of-two/README.md';

/**
 * Power of two choices: for each request, draw two different backends uniformly at random and send
 * the request to the one with fewer requests in flight in `context.load`.
 */
export function createPowerOfTwoChoices(initial: readonly BackendId[], context: PickerContext): Picker {
  // 💡 Keep the backends in a list. Random numbers come from `context.random()`, never Math.random.
  return {
    pick() {
      // 👉 No backend: null. One: that one. Otherwise draw two DIFFERENT backends, every pair equally
      //    likely, and return the one whose `context.load.inFlight(...)` is lower (a tie: the first drawn).
      return todo(`pick the less loaded of two random backends (random source: ${typeof context.random})`, README);
    },
    add(backend) {
      // 👉 Adding one that is already there is an error.
      todo(`add ${backend} (initially ${initial.join(', ')})`, README);
    },
    remove(backend) {
      // 👉 Removing one that is not there does nothing.
      todo(`remove ${backend}`, README);
    },
  };
}
