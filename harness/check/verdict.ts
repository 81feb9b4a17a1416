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
  /**
   * What the violation concerns, beyond what {@link focusOfViolation} reads from its fields and
   * evidence: a failure report lists the trace events about these nodes and ids, and shows `atMs`.
   */
  readonly focus?: ViolationFocus | undefined;
}

/**
 * What a violation concerns, so that a failure report and the trace viewer can show the events behind
 * it and not only the last ones of the run. Every field is optional; an empty focus says nothing.
 */
export interface ViolationFocus {
  /** The nodes (and clients) involved, e.g. the receiver that never delivered and the sender. */
  readonly nodes?: readonly string[] | undefined;
  /** Ids the violation names as they appear in messages and operations, e.g. message id `m17` or key `x`. */
  readonly ids?: readonly string[] | undefined;
  /** Operations of the history involved (`op#3`). */
  readonly operations?: readonly number[] | undefined;
  /** Virtual time (ms) at which the property broke, when the checker knows it. */
  readonly atMs?: number | undefined;
}

/**
 * Everything a violation concerns: its explicit {@link Violation.focus}, and the names the common
 * fields of violations and their evidence carry (`node`, `from`, `client`, `messageId`, `op`).
 *
 * Cost: O(size of the evidence).
 */
export function focusOfViolation(violation: Violation): ViolationFocus {
  const nodes = new Set(violation.focus?.nodes ?? []);
  const ids = new Set(violation.focus?.ids ?? []);
  const operations = new Set(violation.focus?.operations ?? []);
  for (const record of [violation, ...violation.evidence]) {
    if (record === null || typeof record !== 'object') continue;
    const fields = record as Readonly<Record<string, unknown>>;
    for (const key of ['node', 'from', 'client']) if (typeof fields[key] === 'string') nodes.add(fields[key]);
    if (typeof fields['messageId'] === 'string') ids.add(fields['messageId']);
    if (typeof fields['op'] === 'number') operations.add(fields['op']);
  }
  const atMs = violation.focus?.atMs;
  return { nodes: [...nodes], ids: [...ids], operations: [...operations], ...(atMs === undefined ? {} : { atMs }) };
}

/**
 * The error the `assert…` helpers throw: its message is `describeViolations` of `violations`, and
 * it keeps the violations themselves, so a failure report can find the events they concern.
 */
export class PropertyViolated extends Error {
  /** The violations, at least one. */
  readonly violations: readonly Violation[];

  /** Builds the error for `violations`. */
  constructor(violations: readonly Violation[]) {
    super(describeViolations(violations));
    this.name = 'PropertyViolated';
    this.violations = violations;
  }
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
 * Returns the verdict if it passed; otherwise throws a {@link PropertyViolated} whose message is
 * {@link describeViolations} of its violations (so it starts with the property name).
 */
export function throwOnViolations<V extends Violation, Summary extends object>(
  verdict: Verdict<V, Summary>,
): { readonly ok: true } & Summary {
  if (verdict.ok) return verdict;
  throw new PropertyViolated(verdict.violations);
}
