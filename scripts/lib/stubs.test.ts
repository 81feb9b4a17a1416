import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { temporaryWorkshop } from '../kata/test-fixtures.ts';
import { findExercises } from './exercises.ts';
import { checkStub, findStubSources, generateStub, writeStubPatch } from './stubs.ts';

const SOLUTION = 'line 1\nline 2\nline 3\nline 4\nline 5\n';
const STUB = 'line 1\nline 2\ntodo(line 3)\nline 4\nline 5\n';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function workshop(committedStub: string): string {
  const root = temporaryWorkshop({
    'exercises/05-consensus/01-a/exercise.json': '{ "learnerFiles": ["raft.ts"] }',
    'exercises/05-consensus/01-a/raft.ts': 'stub 1\n',
    'exercises/05-consensus/02-b/exercise.json': '{ "learnerFiles": ["raft.ts"], "stub": { "from": "05-consensus/01-a" } }',
    'exercises/05-consensus/02-b/raft.ts': committedStub,
    'solutions/05-consensus/01-a/raft.ts': SOLUTION,
  });
  roots.push(root);
  const [source] = findStubSources(findExercises(root));
  mkdirSync(path.join(root, 'solutions/05-consensus/02-b'), { recursive: true });
  writeFileSync(path.join(root, source!.patch), writeStubPatch(source!, SOLUTION, STUB));
  return root;
}

describe('stubs from the previous solution', () => {
  test('the stored patch gives back the stub, and a committed stub equal to it passes the check', () => {
    const root = workshop(STUB);
    const [source] = findStubSources(findExercises(root));
    expect(generateStub(root, source!), 'solution + patch = stub').toBe(STUB);
    expect(checkStub(root, source!), 'nothing to report').toBeNull();
  });

  test('a committed stub that drifted is named with its first differing line', () => {
    const root = workshop(STUB.replace('line 4', 'line four'));
    const [source] = findStubSources(findExercises(root));
    const problem = checkStub(root, source!) ?? '';
    expect(problem, 'names the stub and the line').toContain('exercises/05-consensus/02-b/raft.ts is not what solutions/05-consensus/02-b/stub.patch generates');
    expect(problem, 'shows both versions of the line').toMatch(/line 4:\n {2}stub: {6}line four\n {2}generated: line 4/);
  });
});
