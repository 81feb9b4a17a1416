/**
 * Fixtures for the kata command's tests: exercises and courses built from names, and a temporary
 * workshop folder on disk. Used by `scripts/kata/*.test.ts` only.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Exercise } from '../lib/exercises.ts';
import type { Course } from './course.ts';

/** An exercise as `findExercises` would describe `exercises/<chapter>/<name>/<file>`. */
export function fakeExercise(
  chapter: string,
  name: string,
  file = `${name.replace(/^\d+-/, '')}.ts`,
  withTests = true,
): Exercise {
  const directory = path.join('exercises', chapter, name);
  return {
    id: `${chapter}/${name}`,
    chapter,
    directory,
    solutionDirectory: path.join('solutions', chapter, name),
    learnerFiles: [path.join(directory, file)],
    givenFiles: [],
    stubFrom: null,
    testFiles: withTests ? [path.join(directory, file.replace(/\.ts$/, '.test.ts'))] : [],
    mistakes: [],
    alternatives: [],
  };
}

/** A course of two chapters: message passing (echo, unique-ids, reliable-delivery) and clocks (lamport, vector-clocks). */
export function fakeCourse(): Course {
  const chapter = (id: string, title: string, names: Array<[string, string]>) => ({
    id,
    title,
    exercises: names.map(([name, exerciseTitle]) => ({ exercise: fakeExercise(id, name), title: exerciseTitle })),
  });
  return {
    chapters: [
      chapter('01-message-passing', 'Chapter 01: message passing', [
        ['01-echo', '1.1 Echo'],
        ['02-unique-ids', '1.2 Unique IDs'],
        ['03-reliable-delivery', '1.3 Reliable delivery'],
      ]),
      chapter('02-time-and-clocks', 'Chapter 02: time and clocks', [
        ['01-lamport', '2.1 Lamport clocks'],
        ['02-vector-clocks', '2.2 Vector clocks'],
      ]),
    ],
  };
}

/** Creates a temporary folder holding `files` (paths relative to it); returns its path. */
export function temporaryWorkshop(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kata-test-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

/** Runs git in `root` as a test user (no signing), returning what it printed. */
export function git(root: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}
