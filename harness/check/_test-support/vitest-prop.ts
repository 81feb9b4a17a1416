/**
 * Test-only helper: a vitest test that runs a fast-check property, spelled like `@fast-check/vitest`'s
 * `test.prop([arbitraries])(name, predicate)`.
 *
 * Why not `@fast-check/vitest` itself: importing it costs about 3 s per test file here (it loads a
 * second copy of vitest's runtime), which alone would break the checkers' 3 s test budget. Plain
 * `fast-check` imports in milliseconds. A failing property still prints its seed and path to replay.
 *
 * @module
 */
import fc from 'fast-check';
import { it } from 'vitest';

/** Declares one vitest test per call that asserts `predicate` over values drawn from `arbitraries`. */
export function prop<Ts extends [unknown, ...unknown[]]>(
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  parameters?: fc.Parameters<Ts>,
): (name: string, predicate: (...args: Ts) => boolean | void) => void {
  return (name, predicate) => {
    it(name, () => {
      fc.assert(fc.property<Ts>(...arbitraries, predicate), parameters);
    });
  };
}
