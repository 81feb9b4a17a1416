/**
 * What a learner must never read in an exercise's failure: vitest's own equality text
 * (`expected false to be true`, `expected 15 to be 5 // Object.is equality`), which says nothing about
 * the system. Exercise tests assert with `check` and `checkEqual` from `harness/testing` instead;
 * verify runs every known mistake and looks for this text in what fails.
 *
 * @module
 */

/** vitest's wording of a failed `toBe`, `toEqual`, `toStrictEqual` and the like. */
const VITEST_EQUALITY = /\bexpected .{1,200}? to (?:be|equal|deeply equal|strictly equal)\b.*$/m;

/** The line of `message` that is vitest's bare equality text, or null when there is none. */
export function bareAssertionText(message: string): string | null {
  return VITEST_EQUALITY.exec(message)?.[0] ?? null;
}
