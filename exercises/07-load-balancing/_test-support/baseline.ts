/**
 * Test support for chapter 07: plain round robin, written here so an exercise can compare its picker
 * with it whatever the learner's own round robin (exercise 7.1) does.
 *
 * @module
 */
import type { BackendId, Picker } from '../_given/balancer.ts';

/** Each backend in turn, in the order given. Membership changes are not needed by the comparisons. */
export function baselineRoundRobin(backends: readonly BackendId[]): Picker {
  let next = 0;
  return {
    pick() {
      if (backends.length === 0) return null;
      const chosen = backends[next % backends.length]!;
      next++;
      return chosen;
    },
    add(backend) {
      throw new Error(`baselineRoundRobin has fixed backends; cannot add ${backend}.`);
    },
    remove(backend) {
      throw new Error(`baselineRoundRobin has fixed backends; cannot remove ${backend}.`);
    },
  };
}
