/**
 * Given code for exercise 7.4: the ring's hash and labels (shared with every balancer, so that all of
 * them place keys and backends the same way), the interface of the ring you write, and the options of
 * the bounded-load picker.
 *
 * @module
 */
export type { BackendId, Picker, PickerContext } from '../_given/balancer.ts';
export type { LoadView } from '../_given/load-board.ts';
export { RING_SIZE, ringHash, virtualNodeLabel } from '../_given/ring-hash.ts';
import type { BackendId } from '../_given/balancer.ts';

/**
 * A consistent-hash ring with virtual nodes. Each backend stands at V points: point `i` of backend `b`
 * at `ringHash(virtualNodeLabel(b, i))`, for `i` from 0 to V − 1. A key belongs to the backend of the
 * first point at or clockwise after `ringHash(key)`; past the last point the ring wraps round to the
 * first. Two points at the same position: the one whose backend id sorts first (`'b1' < 'b2'`) comes first.
 */
export interface HashRing {
  /** Puts `backend`'s V points on the ring. Adding a backend that is already there is an error (throw). */
  add(backend: BackendId): void;
  /** Takes `backend`'s points off the ring. Removing one that is not there does nothing. */
  remove(backend: BackendId): void;
  /** The backend that owns `key`: the backend of the first point clockwise from `ringHash(key)`. `null` on an empty ring. */
  lookup(key: string): BackendId | null;
  /**
   * Every backend on the ring once, in the order the walk clockwise from `ringHash(key)` first meets
   * one of its points. The first is `lookup(key)`; the second is where the key goes when its own
   * backend is full. Empty on an empty ring.
   */
  successors(key: string): BackendId[];
}

/** The options of the bounded-load picker. */
export interface BoundedLoadOptions {
  /** Points per backend (V), a whole number of at least 1. The tests use 100 unless they say otherwise. */
  readonly virtualNodes: number;
  /**
   * The balance factor c, at least 1: no backend may hold more than ceil(c × m / n) requests in flight,
   * m counting every request in flight with the new one, n the backends on the ring.
   */
  readonly balanceFactor: number;
}
