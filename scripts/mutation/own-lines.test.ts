import { describe, expect, test } from 'vitest';
import { lineCount, linesAddedSince } from './own-lines.ts';

const lines = (...texts: string[]) => texts.map((text) => `${text}\n`).join('');

describe('linesAddedSince', () => {
  test('no change: no lines', () => {
    expect(linesAddedSince(lines('a', 'b'), lines('a', 'b'))).toEqual([]);
  });

  test('added and changed lines, numbered as in the new file, neighbours merged', () => {
    const before = lines('a', 'b', 'c', 'd');
    const after = lines('a', 'B', 'new', 'c', 'd', 'e');
    expect(linesAddedSince(before, after)).toEqual([
      { first: 2, last: 3 },
      { first: 6, last: 6 },
    ]);
  });

  test('deleted lines add nothing', () => {
    expect(linesAddedSince(lines('a', 'b', 'c'), lines('a', 'c'))).toEqual([]);
  });

  test('a file from nothing: every line', () => {
    expect(linesAddedSince('', lines('a', 'b'))).toEqual([{ first: 1, last: 2 }]);
  });

  test('lineCount adds the ranges up', () => {
    expect(
      lineCount([
        { first: 2, last: 3 },
        { first: 6, last: 6 },
      ]),
    ).toBe(3);
  });
});
