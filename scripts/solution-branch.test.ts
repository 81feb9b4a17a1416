import { rmSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { git, temporaryWorkshop } from './kata/test-fixtures.ts';
import { createSolutionBranch } from './solution-branch.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('solution branch', () => {
  test("replaces exactly the manifest's learner files with their solutions; given code and tests stay", () => {
    const exercise = 'exercises/01-message-passing/01-echo';
    const root = temporaryWorkshop({
      [`${exercise}/exercise.json`]: '{ "learnerFiles": ["echo.ts"] }\n',
      [`${exercise}/echo.ts`]: "export const answer = todo('write it');\n",
      [`${exercise}/protocol.ts`]: 'export type Echo = { readonly type: "echo" };\n',
      [`${exercise}/echo.test.ts`]: "import './echo.ts';\n",
      'solutions/01-message-passing/01-echo/echo.ts': 'export const answer = 42;\n',
      'solutions/01-message-passing/01-echo/NOTES.md': '# Notes\n',
    });
    roots.push(root);
    git(root, 'init', '--quiet');
    git(root, 'add', '--all');
    git(root, 'commit', '--quiet', '-m', 'workshop');
    createSolutionBranch(root);
    const changed = git(root, 'diff', '--name-only', 'HEAD', 'solution').trim().split('\n');
    expect(changed, 'the solution branch changes the learner file only').toEqual([`${exercise}/echo.ts`]);
    expect(git(root, 'show', `solution:${exercise}/echo.ts`), 'it holds the solution').toBe(
      'export const answer = 42;\n',
    );
  });
});
