/**
 * Exercise 7.1: round robin and smooth weighted round robin. The spec is in README.md, next to this file.
 *
 * Write two pickers. The balancer (given, in `../_given/balancer.ts`) asks its picker which backend
 * gets each request (`pick`), and tells it when a backend joins (`add`) or leaves (`remove`).
 *
 * @module
 */
import { todo } from '#harness';
import type { BackendId, Picker, WeightedBackend } from './protocol.ts';

const README = 'exercises/07-load-balancing/01-round-robin/README.md';

/** Plain round robin: each backend in turn, in the order they were added. Weights are ignored. */
export function createRoundRobin(initial: readonly BackendId[]): Picker {
  // 💡 Keep the backends in a list and remember whose turn is next.
  return {
    pick() {
      // 👉 Return the backend whose turn it is, and move the turn on. No backend at all: return null.
      return todo('pick the backend whose turn it is', README);
    },
    add(backend) {
      // 👉 A new backend joins at the end of the rotation.
      todo(`add ${backend} to the rotation (initially ${initial.join(', ')})`, README);
    },
    remove(backend) {
      // 👉 Take it out of the rotation. 💡 If you keep an index of whose turn is next, what happens to
      //    it when a backend before it leaves the list?
      todo(`remove ${backend} from the rotation`, README);
    },
  };
}

/**
 * Smooth weighted round robin, nginx's algorithm: over each cycle of W picks (W the sum of the
 * weights), a backend of weight w gets exactly w of them, spread out rather than in a row.
 */
export function createSmoothWeightedRoundRobin(initial: readonly WeightedBackend[]): Picker {
  // 💡 Each backend needs a "current weight" besides its weight. The README shows one pick step by step.
  return {
    pick() {
      return todo('pick with smooth weighted round robin', README);
    },
    add(backend, weight = 1) {
      todo(`add ${backend} with weight ${weight} (initially ${initial.length} backends)`, README);
    },
    remove(backend) {
      todo(`remove ${backend}`, README);
    },
  };
}
