/**
 * Copying messages as a network would: only plain data crosses, and the receiver gets its own copy.
 *
 * A payload may hold `null`, booleans, numbers, strings, arrays and plain objects (nested in any way,
 * without cycles). Functions, class instances (Map, Set, Date, your own classes), symbols, bigints and
 * cycles cannot cross a real network, so they are rejected.
 *
 * What arrives is what its JSON would carry, so the receiver, the trace and a real network agree:
 * - a field whose value is `undefined` is left out, and `undefined` in an array arrives as `null`;
 * - `-0` arrives as `0`;
 * - `NaN`, `Infinity` and `-Infinity` are refused, naming the field. JSON would turn them into `null`
 *   without a word, and a receiver doing arithmetic on that `null` fails far from the cause; a number
 *   that is not finite in a message is nearly always a bug (a division by zero, a missing value);
 * - an own `__proto__` key (as `JSON.parse` makes from `{"__proto__": ...}`) is plain data, kept as an
 *   own key; it never changes the copy's prototype.
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
  try {
    const copy = copyValue(value, sizer, [], 0) as T;
    return { copy, bytes: sizer.bytes };
  } catch (error) {
    // The fast path keeps no paths; on failure, walk again to say exactly where the problem is.
    if (error instanceof PayloadProblem) throw locateProblem(value, rootName, [], 0) ?? error;
    throw error;
  }
}

function copyValue(value: unknown, sizer: { bytes: number }, ancestors: object[], depth: number): unknown {
  switch (typeof value) {
    case 'string':
      sizer.bytes += value.length + 2;
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new PayloadProblem('', 'cannot be sent');
      sizer.bytes += numberLength(value);
      // JSON writes -0 as 0.
      return value === 0 ? 0 : value;
    case 'boolean':
      sizer.bytes += value ? 4 : 5;
      return value;
    case 'undefined':
      // The caller leaves the key out of an object and writes null in an array, as JSON does.
      return undefined;
    case 'object':
      if (value === null) {
        sizer.bytes += 4;
        return null;
      }
      return copyObject(value, sizer, ancestors, depth);
    default:
      throw new PayloadProblem('', 'cannot be sent');
  }
}

function copyObject(value: object, sizer: { bytes: number }, ancestors: object[], depth: number): unknown {
  if (depth >= MAX_PAYLOAD_DEPTH || ancestors.includes(value)) throw new PayloadProblem('', 'cannot be sent');
  ancestors.push(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    const array = new Array<unknown>(value.length);
    sizer.bytes += 2 + Math.max(0, value.length - 1);
    for (let index = 0; index < value.length; index++) {
      const item = copyValue(value[index], sizer, ancestors, depth + 1);
      if (item === undefined) sizer.bytes += 4;
      array[index] = item === undefined ? null : item;
    }
    copy = array;
  } else {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw new PayloadProblem('', 'cannot be sent');
    const object: Record<string, unknown> = {};
    sizer.bytes += 2;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const field = copyValue((value as Record<string, unknown>)[key], sizer, ancestors, depth + 1);
      if (field === undefined) continue;
      sizer.bytes += key.length + 4;
      // An own `__proto__` key is data: a plain assignment would set the copy's prototype instead.
      if (key === '__proto__')
        Object.defineProperty(object, key, { value: field, enumerable: true, writable: true, configurable: true });
      else object[key] = field;
    }
    copy = object;
  }
  ancestors.pop();
  return copy;
}

/** Finds the first value that cannot be sent and describes it with its path; `undefined` if none. */
function locateProblem(value: unknown, path: string, ancestors: object[], depth: number): PayloadProblem | undefined {
  switch (typeof value) {
    case 'function':
      return new PayloadProblem(path, 'is a function: functions cannot be sent over a network. Send data instead.');
    case 'symbol':
      return new PayloadProblem(path, 'is a symbol: symbols cannot be sent over a network. Use a string.');
    case 'bigint':
      return new PayloadProblem(path, 'is a bigint: JSON cannot carry it. Use a number or a string.');
    case 'number':
      return Number.isFinite(value)
        ? undefined
        : new PayloadProblem(
            path,
            `is ${String(value)}: JSON cannot carry it (it would arrive as null). A number that is not finite is ` +
              'usually a bug, such as a division by zero or arithmetic on a missing value; send a finite number or null.',
          );
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return undefined;
  if (depth >= MAX_PAYLOAD_DEPTH)
    return new PayloadProblem(path, `is nested more than ${MAX_PAYLOAD_DEPTH} levels deep.`);
  if (ancestors.includes(value)) {
    return new PayloadProblem(path, 'refers back to one of its own parents (a cycle): a cycle cannot be encoded.');
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) {
    const className = (value as { constructor?: { name?: string } }).constructor?.name ?? 'an object with a prototype';
    return new PayloadProblem(
      path,
      `is an instance of ${className}: only plain objects and arrays can be sent. ` +
        'Convert it to plain data first (e.g. a Map to an object or an array of pairs, a Set to an array, a Date to a number).',
    );
  }
  ancestors.push(value);
  try {
    const entries = Array.isArray(value)
      ? value.map((item, index) => [`${path}[${index}]`, item] as const)
      : Object.keys(value).map((key) => [`${path}.${key}`, (value as Record<string, unknown>)[key]] as const);
    for (const [childPath, child] of entries) {
      const problem = locateProblem(child, childPath, ancestors, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    ancestors.pop();
  }
}

function numberLength(value: number): number {
  // Small whole numbers (counters, ids, terms) are by far the most common: count their digits cheaply.
  if (value >= 0 && value < 1e9 && value === Math.floor(value)) {
    return value < 10
      ? 1
      : value < 100
        ? 2
        : value < 1e3
          ? 3
          : value < 1e4
            ? 4
            : value < 1e5
              ? 5
              : value < 1e6
                ? 6
                : value < 1e7
                  ? 7
                  : value < 1e8
                    ? 8
                    : 9;
  }
  return String(value).length;
}
