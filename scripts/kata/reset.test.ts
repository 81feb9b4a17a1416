import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findExercises } from '../lib/exercises.ts';
import { findCommittedStub, resetExercise } from './reset.ts';
import { fakeExercise, git, temporaryWorkshop } from './test-fixtures.ts';

const STUB = "export const f = () => todo('write f', 'README.md');\n";
const UPDATED_STUB = "// clearer comment\nexport const f = () => todo('write f', 'README.md');\n";
const LEARNER = 'export const f = () => 42; // my work\n';
const echo = fakeExercise('01-message-passing', '01-echo');
const file = echo.learnerFiles[0]!;

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A temporary git repository whose first commit holds the stub. */
function repository(): string {
  const root = temporaryWorkshop({ [file]: STUB });
  roots.push(root);
  git(root, 'init', '--quiet');
  commit(root, 'stub');
  return root;
}

function commit(root: string, message: string): void {
  git(root, 'add', '--all');
  git(root, 'commit', '--quiet', '-m', message);
}

describe('reset', () => {
  test("saves the learner's file under .kata/saved/, then restores the stub", () => {
    const root = repository();
    writeFileSync(path.join(root, file), LEARNER);
    const [result] = resetExercise(root, echo, new Date('2025-03-04T05:06:07.890Z'));
    expect(result!.savedTo, 'the save path names the exercise, the time and the file').toBe(
      path.join('.kata', 'saved', '01-message-passing', '01-echo', '2025-03-04T05-06-07Z-echo.ts'),
    );
    expect(readFileSync(path.join(root, result!.savedTo!), 'utf8'), "the saved copy is the learner's work").toBe(
      LEARNER,
    );
    expect(readFileSync(path.join(root, file), 'utf8'), 'the learner file is the stub again').toBe(STUB);
  });

  test('two resets in the same second keep both saved copies', () => {
    const root = repository();
    const now = new Date('2025-03-04T05:06:07Z');
    writeFileSync(path.join(root, file), LEARNER);
    const [first] = resetExercise(root, echo, now);
    writeFileSync(path.join(root, file), 'second attempt\n');
    const [second] = resetExercise(root, echo, now);
    expect(second!.savedTo, 'a second save gets its own name').not.toBe(first!.savedTo);
    expect(readFileSync(path.join(root, first!.savedTo!), 'utf8'), 'the first save is intact').toBe(LEARNER);
    expect(readFileSync(path.join(root, second!.savedTo!), 'utf8'), 'the second save holds the second attempt').toBe(
      'second attempt\n',
    );
  });

  test('a file that already is the stub is left alone, and nothing is saved', () => {
    const root = repository();
    const [result] = resetExercise(root, echo);
    expect(result!.unchanged, 'nothing to do').toBe(true);
    expect(existsSync(path.join(root, '.kata', 'saved')), 'no save folder was created').toBe(false);
  });

  test('a learner who committed their work still gets the stub, not their own commit', () => {
    const root = repository();
    writeFileSync(path.join(root, file), LEARNER);
    commit(root, 'my solution');
    const [result] = resetExercise(root, echo);
    expect(readFileSync(path.join(root, file), 'utf8'), 'the stub from the earlier commit is back').toBe(STUB);
    expect(readFileSync(path.join(root, result!.savedTo!), 'utf8'), 'the committed work was saved too').toBe(LEARNER);
  });

  test('a stub the authors updated comes back updated', () => {
    const root = repository();
    writeFileSync(path.join(root, file), UPDATED_STUB);
    commit(root, 'better stub');
    writeFileSync(path.join(root, file), LEARNER);
    resetExercise(root, echo);
    expect(readFileSync(path.join(root, file), 'utf8'), 'the newest stub is restored').toBe(UPDATED_STUB);
  });

  test('outside a git repository it refuses, and the learner file is untouched', () => {
    const root = temporaryWorkshop({ [file]: LEARNER });
    roots.push(root);
    expect(() => findCommittedStub(root, file), 'no repository, no stub').toThrow(/not a git repository/);
    expect(() => resetExercise(root, echo), 'reset refuses').toThrow();
    expect(readFileSync(path.join(root, file), 'utf8'), 'the learner file is as it was').toBe(LEARNER);
  });

  test('restores only the files the manifest names: given code and tests are left as they are', () => {
    const directory = path.dirname(file);
    const given = path.join(directory, 'protocol.ts');
    const tests = path.join(directory, 'echo.test.ts');
    const root = temporaryWorkshop({
      [path.join(directory, 'exercise.json')]: '{ "learnerFiles": ["echo.ts"] }\n',
      [file]: STUB,
      [given]: 'export interface EchoRequest { readonly type: "echo" }\n',
      [tests]: "import './echo.ts';\n",
    });
    roots.push(root);
    git(root, 'init', '--quiet');
    commit(root, 'stub');
    // An updated protocol or test (the authors', or the learner's experiment) is not the learner's file.
    for (const other of [given, tests])
      writeFileSync(path.join(root, other), `${readFileSync(path.join(root, other), 'utf8')}// changed\n`);
    writeFileSync(path.join(root, file), LEARNER);
    const [exercise] = findExercises(root);
    const results = resetExercise(root, exercise!);
    expect(
      results.map((result) => result.file),
      'one file is reset: the learner file',
    ).toEqual([file]);
    expect(readFileSync(path.join(root, file), 'utf8'), 'the stub is back').toBe(STUB);
    for (const other of [given, tests]) {
      expect(
        readFileSync(path.join(root, other), 'utf8').endsWith('// changed\n'),
        `${other} is as it was before the reset`,
      ).toBe(true);
    }
  });
});
