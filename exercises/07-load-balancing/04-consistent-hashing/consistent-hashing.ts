/**
 * Exercise 7.4: consistent hashing with virtual nodes, then bounded loads. The spec is in README.md,
 * next to this file.
 *
 * Write two things. A ring (`createHashRing`): each backend stands at V points, and a key belongs to
 * the backend of the first point clockwise from the key's hash. Then a picker on top of it
 * (`createBoundedLoadPicker`): the balancer (given, in `../_given/balancer.ts`) asks it which backend
 * gets each request, `pick(key)`, and the picker sends the key to its own backend unless that one is
 * full, and then on round the ring.
 *
 * @module
 */
import { todo } from '#harness';
import type { BackendId, BoundedLoadOptions, HashRing, Picker, PickerContext } from './protocol.ts';
// 💡 ringHash(text) and virtualNodeLabel(backend, index) are in protocol.ts too: import them as you need them.

const README = 'exercises/07-load-balancing/04-consistent-hashing/README.md';

/** A consistent-hash ring with `virtualNodes` points per backend, holding `initial` at first. */
export function createHashRing(initial: readonly BackendId[], virtualNodes: number): HashRing {
  // 💡 Keep the points in an array sorted by position. Point i of backend b sits at
  //    ringHash(virtualNodeLabel(b, i)): it must not depend on any other backend, nor on the order
  //    they joined in.
  return {
    add(backend) {
      // 👉 Adding one that is already there is an error. Otherwise put its V points on the ring.
      todo(`add ${backend}'s ${virtualNodes} points to the ring (initially ${initial.join(', ')})`, README);
    },
    remove(backend) {
      // 👉 Take its points off. Removing one that is not there does nothing.
      todo(`take ${backend}'s points off the ring`, README);
    },
    lookup(key) {
      // 👉 The first point at or after ringHash(key) (a binary search); past the last point, wrap to the first.
      return todo(`find the backend of the first point clockwise from ringHash(${JSON.stringify(key)})`, README);
    },
    successors(key) {
      // 👉 Walk clockwise from lookup's point, noting each backend the first time you meet it.
      return todo(`list every backend once, clockwise from ${JSON.stringify(key)}`, README);
    },
  };
}

/**
 * Consistent hashing with bounded loads: no backend above ceil(c × m / n) requests in flight, where m
 * counts every request in flight with the new one.
 */
export function createBoundedLoadPicker(
  initial: readonly BackendId[],
  context: PickerContext,
  options: BoundedLoadOptions,
): Picker {
  // 👉 Refuse a balance factor below 1. Build the ring with options.virtualNodes points per backend.
  return {
    pick(key) {
      // 👉 The capacity is ceil(c × m / n): read every backend's load from context.load.inFlight(...),
      //    and count this request in m. The key's own backend if it is below the capacity; otherwise
      //    the next DISTINCT backend clockwise that is.
      return todo(
        `pick a backend for ${JSON.stringify(key)} with bounded loads (c = ${options.balanceFactor}, ` +
          `${typeof context.load.inFlight})`,
        README,
      );
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
