/**
 * Given code for exercise 7.1: what a picker is. The balancer (`../_given/balancer.ts`) asks its
 * picker which backend gets each request, and tells it when backends join or leave.
 *
 * @module
 */
import type { BackendId } from '../_given/balancer.ts';

export type { BackendId, Picker } from '../_given/balancer.ts';

/** A backend and its weight: a backend of weight 4 gets four requests for every one of a backend of weight 1. */
export interface WeightedBackend {
  /** The backend's node id, e.g. `b1`. */
  readonly id: BackendId;
  /** A whole number, 1 or more. */
  readonly weight: number;
}
