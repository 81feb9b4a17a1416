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

/**
 * A thrown value in words, for a headline: `TypeError: x is undefined` for an error, the value itself
 * otherwise. Never throws, whatever was thrown: an object without a prototype, a `toString` or a getter
 * that throws, a proxy. Reading the value runs learner code (getters), so each read is guarded.
 */
export function describeThrown(thrown: unknown): string {
  if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) return primitiveText(thrown);
  const name = safely(() => {
    const value: unknown = (thrown as { name?: unknown }).name;
    return typeof value === 'string' && value !== '' ? value : null;
  });
  const message = safely(() => {
    const value: unknown = (thrown as { message?: unknown }).message;
    return typeof value === 'string' ? value : null;
  });
  const isError = safely(() => thrown instanceof Error) === true;
  if (isError || message !== null) {
    const label = name ?? 'Error';
    return message === null
      ? `${label} (its message could not be read)`
      : message === ''
        ? label
        : `${label}: ${message}`;
  }
  const text = safely(() => {
    const value: unknown = JSON.stringify(thrown);
    return typeof value === 'string' ? value : null;
  });
  if (text !== null && text !== '{}') return `a thrown ${typeof thrown === 'function' ? 'function' : 'value'} ${text}`;
  const asString = safely(() => {
    const value = String(thrown);
    return value === '[object Object]' ? null : value;
  });
  if (asString !== null) return asString;
  const prototype = safely(() => Object.getPrototypeOf(thrown) as unknown);
  return prototype === null
    ? 'an object with no prototype (not an Error: throw new Error("...") to get a message and a stack)'
    : 'an object that is not an Error (throw new Error("...") to get a message and a stack)';
}

function primitiveText(value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'an empty string' : value;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** `read()`, or `null` if it throws: learner getters may throw anything. */
function safely<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}
