import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationCache, LinearizedSet } from './linearizedSet.ts';

const SIZE = 100;

/** Members of a LinearizedSet, read back bit by bit. */
function membersOf(set: LinearizedSet): number[] {
  const members: number[] = [];
  for (let index = 0; index < SIZE; index++) if (set.has(index)) members.push(index);
  return members;
}

describe('LinearizedSet', () => {
  it('keeps its members, hash and compact bounds right through any adds and deletes', () => {
    // Toggling mostly low indices makes full leading words common, as in a real search.
    const toggles = fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: SIZE - 1 })), {
      maxLength: 300,
    });
    fc.assert(
      fc.property(toggles, (indices) => {
        const set = new LinearizedSet(SIZE);
        const reference = new Set<number>();
        for (const index of indices) {
          if (reference.has(index)) {
            reference.delete(index);
            set.delete(index);
          } else {
            reference.add(index);
            set.add(index);
          }
        }
        expect(membersOf(set)).toEqual([...reference].sort((a, b) => a - b));
        const fresh = new LinearizedSet(SIZE);
        for (const index of reference) fresh.add(index);
        // Same members, same hash and same stored words, whatever the path that led there.
        expect(set.hash).toBe(fresh.hash);
        expect(set.fullWords).toBe(fresh.fullWords);
        expect(set.storedEnd()).toBe(fresh.storedEnd());
      }),
    );
  });
});

describe('ConfigurationCache', () => {
  it('reports a configuration as new exactly once, even when every hash collides', () => {
    const configuration = fc.record({
      members: fc.uniqueArray(fc.integer({ min: 0, max: 70 }), { maxLength: 70 }),
      state: fc.integer({ min: 0, max: 2 }),
    });
    // A few configurations, visited in a random order with repeats, as a search revisits them.
    const visits = fc
      .tuple(fc.array(configuration, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 40 }))
      .map(([pool, picks]) => picks.map((pick) => pool[pick % pool.length]!));
    fc.assert(
      fc.property(visits, (drawn) => {
        const cache = new ConfigurationCache((a, b) => a === b, 4);
        const noOptional = new LinearizedSet(0);
        const seen = new Set<string>();
        for (const { members, state } of drawn) {
          const set = new LinearizedSet(SIZE);
          for (const index of members) set.add(index);
          const key = `${[...members].sort((a, b) => a - b).join(',')}|${state}`;
          // A constant state hash forces every lookup to compare sets and states word by word.
          expect(cache.addIfNew(set, noOptional, state, 0)).toBe(!seen.has(key));
          seen.add(key);
        }
      }),
    );
  });

  it('treats a configuration as covered when a cached one placed a subset of its indeterminate operations', () => {
    const configuration = fc.record({
      completed: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
      // "Everything below some index, plus a few": full leading words, as a long search produces.
      optional: fc
        .tuple(fc.integer({ min: 0, max: 40 }), fc.uniqueArray(fc.integer({ min: 0, max: 69 }), { maxLength: 4 }))
        .map(([below, extra]) => [...new Set([...Array.from({ length: below }, (_, index) => index), ...extra])]),
      state: fc.integer({ min: 0, max: 1 }),
    });
    const visits = fc
      .tuple(fc.array(configuration, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 40 }))
      .map(([pool, picks]) => picks.map((pick) => pool[pick % pool.length]!));
    fc.assert(
      fc.property(visits, (drawn) => {
        const cache = new ConfigurationCache((a, b) => a === b, 4);
        const added: Array<{ completed: Set<number>; optional: Set<number>; state: number }> = [];
        for (const { completed, optional, state } of drawn) {
          const completedSet = new LinearizedSet(4);
          const optionalSet = new LinearizedSet(70);
          completed.forEach((index) => completedSet.add(index));
          optional.forEach((index) => optionalSet.add(index));
          const covered = added.some(
            (entry) =>
              entry.state === state &&
              entry.completed.size === completed.length &&
              completed.every((index) => entry.completed.has(index)) &&
              [...entry.optional].every((index) => optional.includes(index)),
          );
          expect(cache.addIfNew(completedSet, optionalSet, state, state)).toBe(!covered);
          if (!covered) added.push({ completed: new Set(completed), optional: new Set(optional), state });
        }
      }),
    );
  });
});
