/**
 * How the search decides that two states are the same: the model's own `equal`/`hash`, or by default
 * canonical JSON.
 *
 * @module
 */

import type { Model } from '../model.ts';

/** A state's canonical JSON, boxed so it never compares equal to a state that happens to be that string. */
class JsonKey {
  readonly json: string;
  constructor(json: string) {
    this.json = json;
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
  if (equal === undefined) return canonicalIdentity as StateIdentity<State>;
  return {
    keyOf: (state) => state,
    hashOf: hash === undefined ? () => 0 : (key) => hash.call(model, key as State) | 0,
    same: (a, b) => equal.call(model, a as State, b as State),
  };
}

const canonicalIdentity: StateIdentity<unknown> = {
  keyOf(state) {
    // Primitives are their own key: comparing them with === is exact and needs no serialising.
    if (state === null || typeof state !== 'object') return state;
    return new JsonKey(canonicalJson(state));
  },
  hashOf(key) {
    if (typeof key === 'string') return hashString(key);
    if (typeof key === 'number')
      return (key | 0) === key ? Math.imul(key ^ 0x27d4eb2d, 0x165667b1) : hashString(String(key));
    if (key instanceof JsonKey) return hashString(key.json) ^ 0x5bd1e995;
    return key === null ? 1 : key === undefined ? 2 : key === true ? 3 : key === false ? 4 : 5;
  },
  same(a, b) {
    if (a === b) return true;
    return a instanceof JsonKey && b instanceof JsonKey && a.json === b.json;
  },
};

/**
 * FNV-1a over at most 32 characters spread across the string, plus its length. Long states (a key that
 * was appended to many times) would otherwise cost their whole length on every step; a collision only
 * costs one extra equality check.
 */
function hashString(text: string): number {
  let hash = 0x811c9dc5 ^ text.length;
  const stride = text.length <= 32 ? 1 : Math.floor(text.length / 32);
  for (let index = text.length - 1; index >= 0; index -= stride) {
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
      throw new Error(
        `A model state contains a ${typeof value}; the default state comparison needs plain data. ` +
          'Give the model `equal` and `hash`.',
      );
  }
}

function canonicalArray(values: readonly unknown[]): string {
  return `[${values.map((value) => canonicalJson(value)).join(',')}]`;
}

function canonicalObject(value: object): string {
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new Error(
      `A model state contains a ${value.constructor.name}; the default state comparison needs plain data ` +
        '(objects, arrays, strings, numbers, booleans, null). Give the model `equal` and `hash`.',
    );
  }
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${fields.join(',')}}`;
}
