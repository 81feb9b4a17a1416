/**
 * Wording helpers for the simulator's error messages.
 *
 * @module
 */

/** The `type` of a message or timer payload, or `untyped`. */
export function describeType(value: unknown): string {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : 'untyped';
}

/** A value as it would be written in code, for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
