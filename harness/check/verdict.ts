/**
 * The shape every checker's answer takes: a verdict plus the evidence behind it.
 *
 * A checker is a pure function from plain records to a {@link Verdict}. It never throws because the
 * system under test misbehaved (that is an expected outcome, returned as data); it throws only when its
 * *input* is malformed, which is a mistake in the test. The `assert…` helpers turn a failed verdict into
 * an `Error` for tests that just want to stop, using {@link describeViolations}.
 *
 * @module
 */

/**
 * One broken promise, told in domain words.
 *
 * @typeParam Property - the short, stable name of the property that broke, such as `exactly-once` or
 *   `no-loss`. Tests and the trace viewer match on it; it never changes wording.
 * @typeParam Evidence - the input records that show the problem.
 */
export interface Violation<Property extends string = string, Evidence = unknown> {
  /** Which property broke, e.g. `exactly-once`. */
  readonly property: Property;
  /**
   * One sentence naming nodes, message ids and virtual times, e.g.
   * `n2 delivered message m17 from n1 twice (t=340 ms, t=912 ms)`.
   */
  readonly message: string;
  /** The input records involved, so a viewer can point at them. */
  readonly evidence: readonly Evidence[];
}

/**
 * A checker's answer: `ok: true`, or `ok: false` with at least one violation. Both carry the same
 * summary (counts of what was checked, per-element outcomes), so a passing run still says what it saw.
 *
 * Invariant: `ok === false` exactly when `violations` is present and non-empty.
 *
 * @typeParam V - the checker's violation type.
 * @typeParam Summary - what the checker reports either way.
 */
export type Verdict<V extends Violation, Summary extends object = Record<never, never>> =
  ({ readonly ok: true } & Summary) | ({ readonly ok: false; readonly violations: readonly V[] } & Summary);

/** How many violations an assertion message lists before it says "and N more". */
export const LISTED_VIOLATIONS = 5;

/**
 * Describes violations for a human, starting with the property names.
 *
 * One violation reads `exactly-once: n2 delivered message m17 from n1 twice (…)`. Several read
 * `exactly-once, no-loss: 3 violations` followed by one line each (tagged with the property when they
 * differ), at most `limit` of them, then `… and N more`.
 *
 * Cost: O(number of violations).
 */
export function describeViolations(violations: readonly Violation[], limit: number = LISTED_VIOLATIONS): string {
  const first = violations[0];
  if (first === undefined) return 'no violations';
  if (violations.length === 1) return `${first.property}: ${first.message}`;
  const properties = [...new Set(violations.map((violation) => violation.property))];
  const tagged = properties.length > 1;
  const lines = violations
    .slice(0, Math.max(0, limit))
    .map((violation) => `  - ${tagged ? `[${violation.property}] ` : ''}${violation.message}`);
  const rest = violations.length - lines.length;
  if (rest > 0) lines.push(`  … and ${rest} more`);
  return `${properties.join(', ')}: ${violations.length} violations\n${lines.join('\n')}`;
}

/**
 * Returns the verdict if it passed; otherwise throws an `Error` whose message is
 * {@link describeViolations} of its violations (so it starts with the property name).
 */
export function throwOnViolations<V extends Violation, Summary extends object>(
  verdict: Verdict<V, Summary>,
): { readonly ok: true } & Summary {
  if (verdict.ok) return verdict;
  throw new Error(describeViolations(verdict.violations));
}
