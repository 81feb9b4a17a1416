/**
 * The lines an exercise adds to the one it builds on. In a chain of exercises (chapter 05: each stub is
 * the previous reference solution plus `todo(...)`s) most of a solution's lines are inherited: they are
 * scored by the mutation run of the exercise that introduced them, against the tests written for them.
 * A chained exercise is scored on its own lines: those of its solution that differ from the previous
 * exercise's solution (what its stub adds and what the learner writes).
 *
 * @module
 */
import { structuredPatch } from 'diff';

/** An inclusive range of 1-based lines. */
export interface LineRange {
  readonly first: number;
  readonly last: number;
}

/**
 * The lines of `after` that are not in `before` (added or changed), as ranges of `after`'s 1-based line
 * numbers, in order. Deleted lines leave nothing behind in `after`, so they add no range.
 */
export function linesAddedSince(before: string, after: string): LineRange[] {
  const patch = structuredPatch('before', 'after', before, after, '', '', { context: 0 });
  const ranges: LineRange[] = [];
  for (const hunk of patch.hunks) {
    let line = hunk.newStart;
    for (const text of hunk.lines) {
      if (text.startsWith('+')) {
        const last = ranges.at(-1);
        if (last !== undefined && last.last === line - 1) ranges[ranges.length - 1] = { first: last.first, last: line };
        else ranges.push({ first: line, last: line });
        line++;
      } else if (!text.startsWith('-') && !text.startsWith('\\')) line++;
    }
  }
  return ranges;
}

/** How many lines `ranges` cover. */
export function lineCount(ranges: readonly LineRange[]): number {
  return ranges.reduce((sum, { first, last }) => sum + last - first + 1, 0);
}
