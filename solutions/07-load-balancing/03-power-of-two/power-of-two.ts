/**
 * Exercise 7.3: power of two choices. The spec is in README.md, next to the stub.
 *
 * @module
 */
import type { BackendId, Picker, PickerContext } from './protocol.ts';

/**
 * Power of two choices (Mitzenmacher 2001; Envoy's `LEAST_REQUEST` with `choice_count = 2`): for each
 * request, draw two different backends uniformly at random and send it to the one with fewer
 * requests in flight in `context.load`; on a tie, the first drawn. One backend: that one. None: `null`.
 *
 * Invariant: the two candidates are always two different backends of the picker's list, every pair
 * equally likely; the picker keeps no count of its own (the load view is the only load it knows).
 */
export function createPowerOfTwoChoices(initial: readonly BackendId[], context: PickerContext): Picker {
  const backends: BackendId[] = [];

  /** A uniform index in [0, count), from the balancer's seeded random numbers. */
  const draw = (count: number) => Math.min(count - 1, Math.floor(context.random() * count));

  const picker: Picker = {
    pick() {
      if (backends.length === 0) return null;
      if (backends.length === 1) return backends[0]!;
      const first = draw(backends.length);
      // The second from the other n - 1: shift past the first, so the two always differ.
      let second = draw(backends.length - 1);
      if (second >= first) second++;
      const a = backends[first]!;
      const b = backends[second]!;
      return context.load.inFlight(b) < context.load.inFlight(a) ? b : a;
    },
    add(backend) {
      if (backends.includes(backend)) throw new Error(`${backend} is already a backend.`);
      backends.push(backend);
    },
    remove(backend) {
      const index = backends.indexOf(backend);
      if (index !== -1) backends.splice(index, 1);
    },
  };
  for (const backend of initial) picker.add(backend);
  return picker;
}
