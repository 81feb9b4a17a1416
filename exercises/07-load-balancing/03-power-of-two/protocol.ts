/**
 * Given code for exercise 7.3: what a picker is, and what the balancer gives it (`PickerContext`: the
 * clock, seeded random numbers, and a `LoadView` of the requests each backend has in flight, fresh or
 * a snapshot).
 *
 * @module
 */
export type { BackendId, Picker, PickerContext } from '../_given/balancer.ts';
export type { LoadInformation, LoadView } from '../_given/load-board.ts';
