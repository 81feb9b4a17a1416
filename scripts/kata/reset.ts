/**
 * `kata reset`: put an exercise's stub back, after saving the learner's file under `.kata/saved/`.
 * A learner's work is never lost: the save happens first, and nothing is written if it fails.
 *
 * @module
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Exercise } from '../lib/exercises.ts';
import { commitsTouching, fileAt, isGitRepository } from './git.ts';
import { kataPaths } from './state.ts';

/** A stub as git has it. */
export interface CommittedStub {
  readonly content: string;
  /** The commit it was taken from. */
  readonly commit: string;
  /** Why that commit: it is the newest one whose version still calls `todo(`, or the first one. */
  readonly reason: 'newest-stub' | 'first-commit';
}

/**
 * Finds the stub of `file` in git: the newest committed version that still calls `todo(` (so a stub
 * that the workshop's authors updated comes back updated, while a learner who committed their own work
 * still gets the stub), or else the version of the first commit that has the file.
 *
 * @throws Error when `root` is not a git repository or git never saw `file`.
 */
export function findCommittedStub(root: string, file: string): CommittedStub {
  if (!isGitRepository(root)) {
    throw new Error(`${root} is not a git repository, so there is no committed stub to restore ${file} from.`);
  }
  const commits = commitsTouching(root, file);
  for (const commit of commits) {
    const content = fileAt(root, commit, file);
    if (content !== null && content.includes('todo(')) return { content, commit, reason: 'newest-stub' };
  }
  for (const commit of [...commits].reverse()) {
    const content = fileAt(root, commit, file);
    if (content !== null) return { content, commit, reason: 'first-commit' };
  }
  throw new Error(`git has no committed version of ${file}: there is no stub to restore.`);
}

/** What {@link resetExercise} did to one file. */
export interface ResetFile {
  /** The learner's file, relative to the root. */
  readonly file: string;
  /** Where the learner's version was saved (relative to the root), or `null` when nothing needed saving. */
  readonly savedTo: string | null;
  readonly stub: CommittedStub;
  /** The file already was the stub: nothing changed. */
  readonly unchanged: boolean;
  /** The file was not there (the learner deleted or renamed it): the stub was written afresh. */
  readonly wasMissing: boolean;
}

/**
 * Restores every learner file of `exercise` to its stub, saving the current version first. A deleted
 * learner file is written afresh. Other files in the folder (a learner's own helpers) are left as they are.
 */
export function resetExercise(root: string, exercise: Exercise, now: Date = new Date()): ResetFile[] {
  // Find every stub before touching anything, so a missing one leaves all files as they were.
  const stubs = exercise.learnerFiles.map((file) => ({ file, stub: findCommittedStub(root, file) }));
  return stubs.map(({ file, stub }) => {
    const absolute = path.join(root, file);
    const current = existsSync(absolute) ? readFileSync(absolute, 'utf8') : null;
    if (current === stub.content) return { file, savedTo: null, stub, unchanged: true, wasMissing: false };
    const savedTo = current === null ? null : saveLearnerFile(root, exercise, file, now);
    writeFileSync(absolute, stub.content);
    return { file, savedTo, stub, unchanged: false, wasMissing: current === null };
  });
}

/**
 * Copies the learner's `file` to `.kata/saved/<exercise>/<timestamp>-<name>` and checks the copy; returns
 * its path relative to the root.
 */
export function saveLearnerFile(root: string, exercise: Exercise, file: string, now: Date): string {
  const folder = path.join(kataPaths(root).saved, ...exercise.id.split('/'));
  mkdirSync(folder, { recursive: true });
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[:]/g, '-');
  let target = path.join(folder, `${stamp}-${path.basename(file)}`);
  for (let copy = 2; existsSync(target); copy++) target = path.join(folder, `${stamp}-${copy}-${path.basename(file)}`);
  const source = path.join(root, file);
  copyFileSync(source, target);
  if (!readFileSync(target).equals(readFileSync(source))) {
    throw new Error(`Saving ${file} to ${target} did not produce an identical copy; nothing was reset.`);
  }
  return path.relative(root, target);
}
