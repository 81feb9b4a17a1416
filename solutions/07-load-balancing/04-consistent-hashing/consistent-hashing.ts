/**
 * Exercise 7.4, reference solution: a consistent-hash ring with virtual nodes, and the bounded-load
 * picker of Mirrokni, Thorup and Zadimoghaddam on top of it.
 *
 * @module
 */
import {
  ringHash,
  virtualNodeLabel,
  type BackendId,
  type BoundedLoadOptions,
  type HashRing,
  type Picker,
  type PickerContext,
} from './protocol.ts';

/** One virtual node: a spot on the ring and the backend that stands there. */
interface Point {
  readonly position: number;
  readonly backend: BackendId;
}

/** Ring order: by position, and on the same position by backend id, so every balancer builds the same ring. */
function comparePoints(a: Point, b: Point): number {
  return a.position - b.position || (a.backend < b.backend ? -1 : a.backend > b.backend ? 1 : 0);
}

/**
 * A ring where each backend stands at `virtualNodes` points. A point's position depends only on its
 * backend's id and its number, never on which other backends are there or in what order they came:
 * that is what keeps every other key in place when one backend joins or leaves.
 */
export function createHashRing(initial: readonly BackendId[], virtualNodes: number): HashRing {
  if (!Number.isInteger(virtualNodes) || virtualNodes < 1) {
    throw new RangeError(`virtualNodes must be a whole number of at least 1; got ${virtualNodes}.`);
  }
  const backends = new Set<BackendId>();
  // Invariant: sorted by comparePoints, and holds exactly the V points of each backend in `backends`.
  let points: Point[] = [];

  /** The index of the first point at or after `position`, wrapping past the last point to 0. */
  function firstPointFrom(position: number): number {
    let low = 0;
    let high = points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (points[middle]!.position < position) low = middle + 1;
      else high = middle;
    }
    return low === points.length ? 0 : low;
  }

  const ring: HashRing = {
    add(backend) {
      if (backends.has(backend)) throw new Error(`${backend} is already on the ring.`);
      backends.add(backend);
      for (let index = 0; index < virtualNodes; index++) {
        points.push({ position: ringHash(virtualNodeLabel(backend, index)), backend });
      }
      points.sort(comparePoints);
    },
    remove(backend) {
      if (!backends.delete(backend)) return;
      points = points.filter((point) => point.backend !== backend);
    },
    lookup(key) {
      if (points.length === 0) return null;
      return points[firstPointFrom(ringHash(key))]!.backend;
    },
    successors(key) {
      const order: BackendId[] = [];
      if (points.length === 0) return order;
      const seen = new Set<BackendId>();
      const start = firstPointFrom(ringHash(key));
      // Once round the ring at most; it stops as soon as every backend has been met.
      for (let step = 0; step < points.length && seen.size < backends.size; step++) {
        const { backend } = points[(start + step) % points.length]!;
        if (seen.has(backend)) continue;
        seen.add(backend);
        order.push(backend);
      }
      return order;
    },
  };
  for (const backend of initial) ring.add(backend);
  return ring;
}

/**
 * Consistent hashing with bounded loads: a key goes to its own backend unless that backend already
 * holds its share, ceil(c × m / n) requests in flight (m counting this one); then on clockwise to the
 * next distinct backend that is below it. The capacities add up to at least m, so some backend is
 * always below its capacity.
 */
export function createBoundedLoadPicker(
  initial: readonly BackendId[],
  context: PickerContext,
  options: BoundedLoadOptions,
): Picker {
  if (!(options.balanceFactor >= 1)) {
    throw new RangeError(`balanceFactor must be at least 1; got ${options.balanceFactor}.`);
  }
  const ring = createHashRing(initial, options.virtualNodes);
  return {
    pick(key = '') {
      const order = ring.successors(key);
      if (order.length === 0) return null;
      const loads = order.map((backend) => context.load.inFlight(backend));
      const inFlightWithThisOne = loads.reduce((sum, load) => sum + load, 0) + 1;
      const capacity = Math.ceil((options.balanceFactor * inFlightWithThisOne) / order.length);
      const index = loads.findIndex((load) => load < capacity);
      return order[index === -1 ? 0 : index]!;
    },
    add: (backend) => ring.add(backend),
    remove: (backend) => ring.remove(backend),
  };
}
