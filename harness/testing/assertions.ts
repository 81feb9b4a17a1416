/**
 * Assertions for exercise tests that speak only the domain: when one fails, the learner reads the
 * test's sentence and the value found, never vitest's `expected false to be true`.
 *
 * ```ts
 * check(sends.every((s) => s.accepted), 'every send should be answered with send_ok');
 * checkEqual(await readCounter(sim), 6, 'after +1, +2 and +3 the counter should read 6');
 * ```
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { NotImplementedError } from '../exercise.ts';

/** A failed {@link check} or {@link checkEqual}: its message is the test's sentence. */
export class CheckFailed extends Error {
  /** Builds the error with the test's `message`. */
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailed';
  }
}

/** Throws a {@link CheckFailed} with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/**
 * Throws a {@link CheckFailed} unless `actual` deeply equals `expected` (as `node:util`'s
 * `isDeepStrictEqual` compares). The message is `message`, then what was found: `…; found 15`.
 */
export function checkEqual<T>(actual: T, expected: T, message: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  throw new CheckFailed(`${message}; found ${describeFound(actual)}`);
}

/**
 * Throws a {@link CheckFailed} with `message` unless `action` throws: for a call the spec says must be
 * refused. A stub's `todo(...)` does not count as a refusal: its {@link NotImplementedError} is thrown
 * on, so the learner reads "Not implemented yet" rather than a passing check.
 *
 * ```ts
 * checkThrows(() => picker.add('b1'), 'add(b1) when b1 is already a backend must throw');
 * ```
 */
export function checkThrows(action: () => unknown, message: string): void {
  try {
    action();
  } catch (error) {
    if (error instanceof NotImplementedError) throw error;
    return;
  }
  throw new CheckFailed(message);
}

/** A value as a learner would write it, cut short when long. */
function describeFound(value: unknown): string {
  const text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return text.length > 300 ? `${text.slice(0, 280)}… (${text.length} characters)` : text;
}
