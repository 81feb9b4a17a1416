/**
 * Test support for exercise 7.3: the two pickers power of two choices is measured against. Random
 * choice (one uniform draw, load ignored) and least loaded (every backend's load read, the lowest
 * wins, ties broken at random: Mitzenmacher's "join the shortest queue" as seen through the load
 * view). Both read only what the balancer gives a picker: its random numbers and its load view.
 *
 * @module
 */
import type { BackendId, Picker, PickerContext } from '../_given/balancer.ts';

/** A list of backends that joins and leaves as a picker is told. */
function membership(initial: readonly BackendId[]) {
  const backends: BackendId[] = [];
  return {
    backends,
    add(backend: BackendId) {
      if (backends.includes(backend)) throw new Error(`${backend} is already a backend.`);
      backends.push(backend);
    },
    remove(backend: BackendId) {
      const index = backends.indexOf(backend);
      if (index !== -1) backends.splice(index, 1);
    },
    init() {
      for (const backend of initial) this.add(backend);
    },
  };
}

/** A uniform index in [0, count) from `context`'s random numbers. */
function uniformIndex(context: PickerContext, count: number): number {
  return Math.min(count - 1, Math.floor(context.random() * count));
}

/** Random choice: every request to a backend drawn uniformly, whatever the loads. */
export function randomChoice(initial: readonly BackendId[], context: PickerContext): Picker {
  const members = membership(initial);
  members.init();
  return {
    pick: () =>
      members.backends.length === 0 ? null : members.backends[uniformIndex(context, members.backends.length)]!,
    add: (backend) => members.add(backend),
    remove: (backend) => members.remove(backend),
  };
}

/**
 * Least loaded: every request to a backend with the fewest requests in flight in the load view, drawn
 * at random among the ties. With a stale view, every request between two reports goes to the backends
 * that were least loaded at the last report: the herd.
 */
export function leastLoaded(initial: readonly BackendId[], context: PickerContext): Picker {
  const members = membership(initial);
  members.init();
  return {
    pick() {
      if (members.backends.length === 0) return null;
      const loads = members.backends.map((backend) => context.load.inFlight(backend));
      const least = Math.min(...loads);
      const ties = members.backends.filter((_, index) => loads[index] === least);
      return ties[uniformIndex(context, ties.length)]!;
    },
    add: (backend) => members.add(backend),
    remove: (backend) => members.remove(backend),
  };
}
