/**
 * How the search decides that two states are the same: the model's own `equal`/`hash`, or by default
 * plain-data equality (what comparing canonical JSON would say, without building it).
 *
 * @module
 */

import type { Model } from '../model.ts';

/**
 * An object-valued state with its structural hash, computed once when the state is first reached. Boxed,
 * so that it never compares equal to a primitive state.
 */
class PlainKey {
  readonly value: object;
  readonly hash: number;
  constructor(value: object) {
    this.value = value;
    this.hash = plainHash(value);
  }
}

/**
 * Turns states into cache keys. `keyOf` is called once per new state; `hashOf` and `same` work on keys.
 * Invariant: `same(a, b)` implies `hashOf(a) === hashOf(b)`.
 */
export interface StateIdentity<State> {
  keyOf(state: State): unknown;
  hashOf(key: unknown): number;
  same(a: unknown, b: unknown): boolean;
}

/** The identity the checker uses for `model`. */
export function stateIdentityFor<State>(model: Model<State, unknown, unknown>): StateIdentity<State> {
  const { equal, hash } = model;
  if (equal === undefined) return plainDataIdentity as StateIdentity<State>;
  return {
    keyOf: (state) => state,
    hashOf: hash === undefined ? () => 0 : (key) => hash.call(model, key as State) | 0,
    same: (a, b) => equal.call(model, a as State, b as State),
  };
}

/**
 * The default: states are plain data, the same when their canonical JSON (object keys sorted) would be
 * the same. Neither is built: an object's hash combines its fields' hashes in an order that does not
 * matter, and equality walks both values. Walking costs what building the JSON would have, without the
 * strings, their sorting and the garbage.
 */
const plainDataIdentity: StateIdentity<unknown> = {
  keyOf(state) {
    // Primitives are their own key: comparing them with === is exact and needs no serialising.
    if (state === null || typeof state !== 'object') return state;
    return new PlainKey(state);
  },
  hashOf(key) {
    if (key instanceof PlainKey) return key.hash ^ 0x5bd1e995;
    return primitiveHash(key);
  },
  same(a, b) {
    if (a === b) return true;
    return a instanceof PlainKey && b instanceof PlainKey && a.hash === b.hash && plainEqual(a.value, b.value);
  },
};

function primitiveHash(value: unknown): number {
  if (typeof value === 'string') return hashString(value);
  if (typeof value === 'number')
    return (value | 0) === value ? Math.imul(value ^ 0x27d4eb2d, 0x165667b1) : hashString(String(value));
  return value === null ? 1 : value === undefined ? 2 : value === true ? 3 : value === false ? 4 : 5;
}

/**
 * A hash of plain data, equal for values {@link plainEqual} calls equal: object fields are combined by
 * addition, so key order does not matter, and fields holding `undefined` are left out, as JSON leaves them.
 *
 * @throws Error for values that are not plain data, with the same words as {@link canonicalJson}.
 */
function plainHash(value: unknown): number {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') notPlainData(value);
    return primitiveHash(value);
  }
  if (Array.isArray(value)) {
    let hash = 0x3c6ef372 ^ value.length;
    for (const element of value as readonly unknown[]) hash = Math.imul(hash ^ plainHash(element), 0x01000193);
    return hash | 0;
  }
  assertPlainObject(value);
  const record = value as Record<string, unknown>;
  let hash = 0x1b873593;
  for (const key in record) {
    const field = record[key];
    if (field === undefined) continue;
    hash = (hash + Math.imul(hashString(key) ^ 0x2f, 0x9e3779b1) + Math.imul(plainHash(field), 0x85ebca6b)) | 0;
  }
  return hash;
}

/** Whether two plain-data values have the same canonical JSON. Both have been hashed, so both are plain data. */
function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // NaN has one canonical JSON, so it equals itself here.
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) {
      if (!plainEqual(a[index] as unknown, b[index] as unknown)) return false;
    }
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let fields = 0;
  for (const key in left) {
    if (left[key] === undefined) continue;
    fields++;
    if (!plainEqual(left[key], right[key])) return false;
  }
  for (const key in right) if (right[key] !== undefined) fields--;
  return fields === 0;
}

function assertPlainObject(value: object): void {
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new Error(
      `A model state contains a ${value.constructor.name}; the default state comparison needs plain data ` +
        '(objects, arrays, strings, numbers, booleans, null). Give the model `equal` and `hash`.',
    );
  }
}

function notPlainData(value: unknown): never {
  throw new Error(
    `A model state contains a ${typeof value}; the default state comparison needs plain data. ` +
      'Give the model `equal` and `hash`.',
  );
}

/**
 * FNV-1a over the whole string, plus its length. Sampling only some characters looks cheaper but is not:
 * a key appended to in different orders gives states of one length that differ only between the samples,
 * and every such state then lands in one bucket of the configuration cache, so each new configuration is
 * compared with all of them (the `c50-bad` history searched 5x slower that way).
 */
function hashString(text: string): number {
  let hash = 0x811c9dc5 ^ text.length;
  for (let index = text.length - 1; index >= 0; index--) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash | 0;
}

/**
 * JSON with object keys sorted, so that equal plain-data states give equal strings.
 *
 * @throws Error for values JSON cannot represent faithfully (Map, Set, functions...): give the model
 *   `equal` and `hash` instead.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : `"#${String(value)}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return '"#undefined"';
    case 'object':
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value);
    default:
      return notPlainData(value);
  }
}

function canonicalArray(values: readonly unknown[]): string {
  return `[${values.map((value) => canonicalJson(value)).join(',')}]`;
}

function canonicalObject(value: object): string {
  assertPlainObject(value);
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${fields.join(',')}}`;
}
