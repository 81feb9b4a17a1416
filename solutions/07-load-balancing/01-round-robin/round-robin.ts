/**
 * Exercise 7.1: round robin and smooth weighted round robin. The spec is in README.md, next to the stub.
 *
 * @module
 */
import type { BackendId, Picker, WeightedBackend } from './protocol.ts';

/**
 * Plain round robin: each backend in turn, in the order they were added. Weights are ignored.
 *
 * Invariant: `cursor` is the index in `backends` of the backend whose turn is next (any value when
 * the list is empty; it is taken modulo the length when read).
 */
export function createRoundRobin(initial: readonly BackendId[]): Picker {
  const backends: BackendId[] = [];
  let cursor = 0;
  const picker: Picker = {
    pick() {
      if (backends.length === 0) return null;
      cursor %= backends.length;
      const chosen = backends[cursor]!;
      cursor = (cursor + 1) % backends.length;
      return chosen;
    },
    add(backend) {
      if (backends.includes(backend)) throw new Error(`${backend} is already a backend of this round robin.`);
      // A new backend joins at the end of the rotation, so the turn order of the others is unchanged.
      backends.push(backend);
    },
    remove(backend) {
      const index = backends.indexOf(backend);
      if (index === -1) return;
      backends.splice(index, 1);
      // Everyone after the removed backend moved one place to the front: so must the cursor, when it
      // pointed past the removed one, or the backend whose turn was next would be skipped.
      if (index < cursor) cursor--;
      if (backends.length > 0) cursor %= backends.length;
    },
  };
  for (const backend of initial) picker.add(backend);
  return picker;
}

/** A backend's state in smooth weighted round robin. */
interface Peer {
  readonly id: BackendId;
  readonly weight: number;
  /** nginx's `current_weight`: grows by `weight` at every pick, drops by the total weight when chosen. */
  currentWeight: number;
}

/**
 * Smooth weighted round robin, nginx's algorithm (ngx_http_upstream_get_peer): at every pick each
 * backend's current weight grows by its weight; the backend with the highest current weight (the
 * first added, on a tie) is chosen, and its current weight drops by the sum of all weights.
 *
 * Invariant: the current weights add up to 0 after every pick, and after every change of backends
 * (a change starts a new cycle from all zeros). So over each cycle of W picks, W the total weight,
 * a backend of weight w is chosen exactly w times, spread out instead of in a row.
 */
export function createSmoothWeightedRoundRobin(initial: readonly WeightedBackend[]): Picker {
  const peers: Peer[] = [];
  const restartCycle = () => {
    for (const peer of peers) peer.currentWeight = 0;
  };
  const picker: Picker = {
    pick() {
      if (peers.length === 0) return null;
      let total = 0;
      let best: Peer | null = null;
      for (const peer of peers) {
        peer.currentWeight += peer.weight;
        total += peer.weight;
        if (best === null || peer.currentWeight > best.currentWeight) best = peer;
      }
      best!.currentWeight -= total;
      return best!.id;
    },
    add(backend, weight = 1) {
      if (!Number.isInteger(weight) || weight < 1) {
        throw new RangeError(`${backend}'s weight must be a whole number, 1 or more; got ${weight}.`);
      }
      if (peers.some((peer) => peer.id === backend)) throw new Error(`${backend} is already a backend.`);
      peers.push({ id: backend, weight, currentWeight: 0 });
      restartCycle();
    },
    remove(backend) {
      const index = peers.findIndex((peer) => peer.id === backend);
      if (index === -1) return;
      peers.splice(index, 1);
      restartCycle();
    },
  };
  for (const { id, weight } of initial) picker.add(id, weight);
  return picker;
}
