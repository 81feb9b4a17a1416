import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { temporaryWorkshop } from '../kata/test-fixtures.ts';
import { findExercises } from './exercises.ts';
import { checkStub, findGeneratedFiles, findStubSources, generateStub, writeStubPatch } from './stubs.ts';

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
    'exercises/05-consensus/02-b/exercise.json':
      '{ "learnerFiles": ["raft.ts"], "stub": { "from": "05-consensus/01-a" } }',
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
    expect(problem, 'names the stub and the line').toContain(
      'exercises/05-consensus/02-b/raft.ts is not what solutions/05-consensus/02-b/stub.patch generates',
    );
    expect(problem, 'shows both versions of the line').toMatch(
      /line 4:\n {2}stub: {6}line four\n {2}generated: line 4/,
    );
  });

  test("the next solution is the stub plus solution.patch, so a fix to the first solution reaches it with --write's order", () => {
    const lines = (count: number) => Array.from({ length: count }, (_, index) => `line ${index + 1}`).join('\n') + '\n';
    const first = lines(12);
    const stub = first.replace('line 3\n', 'todo(line 3)\n');
    const answer = first.replace('line 3\n', 'line 3, written by the learner\n');
    const root = temporaryWorkshop({
      'exercises/05-consensus/01-a/exercise.json': '{ "learnerFiles": ["raft.ts"] }',
      'exercises/05-consensus/01-a/raft.ts': 'stub 1\n',
      'exercises/05-consensus/02-b/exercise.json':
        '{ "learnerFiles": ["raft.ts"], "stub": { "from": "05-consensus/01-a" } }',
      'exercises/05-consensus/02-b/raft.ts': stub,
      'solutions/05-consensus/01-a/raft.ts': first,
      'solutions/05-consensus/02-b/raft.ts': answer,
    });
    roots.push(root);
    const [stubFile, solution] = findGeneratedFiles(findExercises(root));
    expect([stubFile!.kind, solution!.kind], 'stub first, then its solution').toEqual(['stub', 'solution']);
    expect(solution!.base, 'made from the stub').toBe('exercises/05-consensus/02-b/raft.ts');
    expect(solution!.target, 'into the solution').toBe('solutions/05-consensus/02-b/raft.ts');
    writeFileSync(path.join(root, stubFile!.patch), writeStubPatch(stubFile!, first, stub));
    writeFileSync(path.join(root, solution!.patch), writeStubPatch(solution!, stub, answer));
    expect(checkStub(root, solution!), 'the committed solution is what the chain gives').toBeNull();
    // One fix to the first solution, far from what the patches change: regenerate in order.
    writeFileSync(path.join(root, 'solutions/05-consensus/01-a/raft.ts'), first.replace('line 11', 'line 11, fixed'));
    for (const file of [stubFile!, solution!]) writeFileSync(path.join(root, file.target), generateStub(root, file));
    expect(readFileSync(path.join(root, solution!.target), 'utf8'), 'the fix reached the next solution').toBe(
      answer.replace('line 11', 'line 11, fixed'),
    );
  });
});
