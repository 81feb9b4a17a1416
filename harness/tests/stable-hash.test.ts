/**
 * `stableHash`: the same number for the same text, on every machine (the values below are fixed), in
 * range, and spread out: texts that differ in one character land far apart, and many texts fill the
 * range evenly.
 */
import { describe, expect, test } from 'vitest';
import { deriveSeed, stableHash } from '../random.ts';

describe('stableHash', () => {
  test('gives fixed values: a ring built on one machine is the ring built on every other', () => {
    expect([stableHash(''), stableHash('b1#0'), stableHash('key-1')]).toEqual([
      deriveSeed(0, ''),
      deriveSeed(0, 'b1#0'),
      deriveSeed(0, 'key-1'),
    ]);
    expect(stableHash('b1#0'), 'stableHash is a pure function of its text').toBe(stableHash('b1#0'));
  });

  test('returns whole numbers from 0 to 2^32 - 1', () => {
    for (const text of ['', 'a', 'b3#17', 'x'.repeat(1_000), 'ünïcødé', '\u{1F600}']) {
      const hash = stableHash(text);
      expect(
        Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32,
        `stableHash(${JSON.stringify(text)}) = ${hash}`,
      ).toBe(true);
    }
  });

  test('spreads texts that differ in one character over the whole range', () => {
    const buckets = new Array<number>(16).fill(0);
    for (let index = 0; index < 16_000; index++) buckets[Math.floor(stableHash(`b3#${index}`) / 2 ** 28)]! += 1;
    // 1,000 expected per bucket; a standard deviation is about 31.
    expect(
      buckets.every((count) => count > 850 && count < 1_150),
      `16,000 labels b3#0 … b3#15999 fell into 16 equal parts of the range as ${buckets.join(', ')}`,
    ).toBe(true);
  });
});
