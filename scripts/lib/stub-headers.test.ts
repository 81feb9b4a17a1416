import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { findExercises, repositoryRoot } from './exercises.ts';

/** `05-consensus` and `02-log-replication` → `5.2`: how the course numbers its exercises. */
function exerciseNumber(chapter: string, directory: string): string {
  const number = (name: string) => Number(/^(\d+)-/.exec(name)?.[1]);
  return `${number(chapter)}.${number(path.basename(directory))}`;
}

describe('stub headers', () => {
  test('every learner file opens with "Exercise N.M: ..." and names other exercises as N.M', () => {
    const problems: string[] = [];
    for (const exercise of findExercises(repositoryRoot)) {
      const expected = exerciseNumber(exercise.chapter, exercise.directory);
      for (const file of exercise.learnerFiles) {
        const text = readFileSync(path.join(repositoryRoot, file), 'utf8');
        const header = text.split('\n')[1] ?? '';
        if (!header.startsWith(` * Exercise ${expected}: `))
          problems.push(`${file}: the header says "${header.trim()}", not "* Exercise ${expected}: ..."`);
        for (const match of text.matchAll(/\bExercise \d+(?![.\d])/g))
          problems.push(`${file}: "${match[0]}" names an exercise without its chapter (write N.M)`);
      }
    }
    expect(problems, 'headers that do not follow "Exercise N.M: Title"').toEqual([]);
  });
});
