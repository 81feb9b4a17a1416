import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findExercises } from '../lib/exercises.ts';
import { diffAgainstSolution } from './diff.ts';
import { temporaryWorkshop } from './test-fixtures.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('diff', () => {
  test('compares only the files the manifest names with their solutions, never given code or tests', () => {
    const exercise = path.join('exercises', '01-message-passing', '01-echo');
    const root = temporaryWorkshop({
      [path.join(exercise, 'exercise.json')]: '{ "learnerFiles": ["echo.ts"] }\n',
      [path.join(exercise, 'echo.ts')]: 'export const answer = 1; // mine\n',
      [path.join(exercise, 'protocol.ts')]: 'export type Echo = { readonly type: "echo" };\n',
      [path.join(exercise, 'echo.test.ts')]: "import './echo.ts';\n",
      ['solutions/01-message-passing/01-echo/echo.ts']: 'export const answer = 42;\n',
    });
    roots.push(root);
    const [found] = findExercises(root);
    const diffs = diffAgainstSolution(root, found!, false);
    expect(
      diffs.map(({ learnerFile, solutionFile }) => ({ learnerFile, solutionFile })),
      'one pair: the learner file and its solution',
    ).toEqual([
      { learnerFile: path.join(exercise, 'echo.ts'), solutionFile: 'solutions/01-message-passing/01-echo/echo.ts' },
    ]);
    expect(diffs[0]!.diff, 'the diff shows the learner line and the solution line').toMatch(
      /^-export const answer = 1; \/\/ mine$[\s\S]*^\+export const answer = 42;$/m,
    );
    expect(diffs[0]!.diff.includes('protocol.ts'), 'given code is not part of the diff').toBe(false);
  });

  test('a missing solution is said in words', () => {
    const exercise = path.join('exercises', '01-message-passing', '01-echo');
    const root = temporaryWorkshop({
      [path.join(exercise, 'exercise.json')]: '{ "learnerFiles": ["echo.ts"] }\n',
      [path.join(exercise, 'echo.ts')]: 'export {};\n',
    });
    roots.push(root);
    const [found] = findExercises(root);
    expect(() => diffAgainstSolution(root, found!, false), 'no solutions/ folder').toThrow(
      /no reference solution solutions\/01-message-passing\/01-echo\/echo\.ts/,
    );
  });
});
