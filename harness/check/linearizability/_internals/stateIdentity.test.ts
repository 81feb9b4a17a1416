import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Model } from '../model.ts';
import { registerModel } from '../models/register.ts';
import { canonicalJson, stateIdentityFor } from './stateIdentity.ts';

const identity = stateIdentityFor(registerModel as Model<unknown, unknown, unknown>);

/** The same value with every object's keys in reverse order, and a field holding undefined added. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries([...entries.map(([key, field]) => [key, reordered(field)]), ['#absent', undefined]]);
}

describe('the default state identity (plain data, no JSON built)', () => {
  it('calls two states the same exactly when their canonical JSON is the same, with equal hashes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const [keyA, keyB] = [identity.keyOf(a), identity.keyOf(b)];
        expect(identity.same(keyA, keyB)).toBe(canonicalJson(a) === canonicalJson(b));
        const twin = identity.keyOf(reordered(a));
        expect(identity.same(keyA, twin)).toBe(true);
        expect(identity.hashOf(twin)).toBe(identity.hashOf(keyA));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes strings that differ only in the order of their appended parts apart', () => {
    // A key appended to in different orders: one length, differences anywhere in the middle.
    const parts = Array.from({ length: 40 }, (_, index) => `x ${index % 7} ${index} y`);
    const states = Array.from({ length: 500 }, (_, rotation) => {
      const order = [...parts];
      const [a, b] = [rotation % order.length, (rotation * 7 + 3) % order.length];
      [order[a], order[b]] = [order[b]!, order[a]!];
      return order.join('') + String(rotation).padStart(3, '0');
    });
    const distinct = new Set(states);
    const hashes = new Set(states.map((state) => identity.hashOf(identity.keyOf(state))));
    expect(hashes.size).toBe(distinct.size);
  });

  it('tells an array from an object and a number from a string', () => {
    const same = (a: unknown, b: unknown): boolean => identity.same(identity.keyOf(a), identity.keyOf(b));
    expect(same([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(same({ x: 1 }, { x: '1' })).toBe(false);
    expect(same({ x: [1, { y: null }] }, { x: [1, { y: null }] })).toBe(true);
  });

  it('refuses a state that is not plain data, and says what to do', () => {
    expect(() => identity.keyOf({ seen: new Map() })).toThrow(/contains a Map; .*Give the model `equal` and `hash`/);
    expect(() => identity.keyOf({ f: () => 1 })).toThrow(/contains a function; .*Give the model `equal` and `hash`/);
  });
});
