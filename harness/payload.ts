/**
 * Copying messages as a network would: only plain data crosses, and the receiver gets its own copy.
 *
 * A payload may hold `null`, booleans, numbers, strings, arrays and plain objects (nested in any way,
 * without cycles). Functions, class instances (Map, Set, Date, your own classes), symbols, bigints and
 * cycles cannot cross a real network, so they are rejected.
 *
 * @module
 */

/** Why a payload could not be copied: a description of the offending value and where it sits. */
export class PayloadProblem extends Error {
  /** Where in the payload the problem is, e.g. `message.entries[3].callback`. */
  readonly path: string;

  /** Creates a problem report for the value at `path`. */
  constructor(path: string, description: string) {
    super(`${path} ${description}`);
    this.name = 'PayloadProblem';
    this.path = path;
  }
}

/** The result of {@link copyPayload}. */
export interface CopiedPayload<T> {
  /** A deep copy that shares no memory with the original. */
  readonly copy: T;
  /** Size of the payload once encoded as JSON, in bytes (UTF-16 code units, a close estimate). */
  readonly bytes: number;
}

/** Payloads nested deeper than this are rejected: real encoders have limits too. */
export const MAX_PAYLOAD_DEPTH = 100;

/**
 * Deep-copies plain data and measures its encoded size.
 *
 * @param rootName - How to name the root in error messages, e.g. `message`.
 * @throws PayloadProblem if the value holds something a network cannot carry.
 */
export function copyPayload<T>(value: T, rootName = 'message'): CopiedPayload<T> {
  const sizer = { bytes: 0 };
  const copy = copyValue(value, rootName, sizer, [], 0) as T;
  return { copy, bytes: sizer.bytes };
}

function copyValue(value: unknown, path: string, sizer: { bytes: number }, ancestors: object[], depth: number): unknown {
  switch (typeof value) {
    case 'string':
      sizer.bytes += value.length + 2;
      return value;
    case 'number':
      sizer.bytes += numberLength(value);
      return value;
    case 'boolean':
      sizer.bytes += value ? 4 : 5;
      return value;
    case 'undefined':
      // Kept as-is inside objects (JSON would drop the key); counted as nothing.
      return undefined;
    case 'object':
      if (value === null) {
        sizer.bytes += 4;
        return null;
      }
      return copyObject(value, path, sizer, ancestors, depth);
    case 'function':
      throw new PayloadProblem(path, 'is a function: functions cannot be sent over a network. Send data instead.');
    case 'symbol':
      throw new PayloadProblem(path, 'is a symbol: symbols cannot be sent over a network. Use a string.');
    case 'bigint':
      throw new PayloadProblem(path, 'is a bigint: JSON cannot carry it. Use a number or a string.');
  }
}

function copyObject(value: object, path: string, sizer: { bytes: number }, ancestors: object[], depth: number): unknown {
  if (depth >= MAX_PAYLOAD_DEPTH) {
    throw new PayloadProblem(path, `is nested more than ${MAX_PAYLOAD_DEPTH} levels deep.`);
  }
  if (ancestors.includes(value)) {
    throw new PayloadProblem(path, 'refers back to one of its own parents (a cycle): a cycle cannot be encoded.');
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return copyArray(value, path, sizer, ancestors, depth);
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const className = (value as { constructor?: { name?: string } }).constructor?.name ?? 'an object with a prototype';
      throw new PayloadProblem(
        path,
        `is an instance of ${className}: only plain objects and arrays can be sent. ` +
          'Convert it to plain data first (e.g. a Map to an object or an array of pairs, a Set to an array, a Date to a number).',
      );
    }
    const copy: Record<string, unknown> = {};
    sizer.bytes += 2;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const field = (value as Record<string, unknown>)[key];
      sizer.bytes += key.length + 4;
      copy[key] = copyValue(field, `${path}.${key}`, sizer, ancestors, depth + 1);
    }
    return copy;
  } finally {
    ancestors.pop();
  }
}

function copyArray(value: unknown[], path: string, sizer: { bytes: number }, ancestors: object[], depth: number): unknown[] {
  const copy = new Array<unknown>(value.length);
  sizer.bytes += 2 + Math.max(0, value.length - 1);
  for (let index = 0; index < value.length; index++) {
    copy[index] = copyValue(value[index], `${path}[${index}]`, sizer, ancestors, depth + 1);
  }
  return copy;
}

function numberLength(value: number): number {
  if (Number.isInteger(value) && value >= 0 && value < 10) return 1;
  if (Number.isInteger(value) && value >= 0 && value < 1_000_000) return Math.floor(Math.log10(value)) + 1;
  return String(value).length;
}
