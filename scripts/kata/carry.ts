/**
 * `kata carry`: start an exercise from your own file of the exercise before it instead of from the
 * reference. A stub that builds on the previous exercise is that exercise's reference solution plus the
 * new `todo(...)`s (`scripts/lib/stubs.ts`), so a three-way merge can replay it on your file:
 *
 * - ours: your file of the previous exercise (e.g. `exercises/05-consensus/01-leader-election/raft.ts`),
 * - base: the previous exercise's reference solution, which the stub was made from,
 * - theirs: this exercise's stub, as its `stub.patch` generates it.
 *
 * Where you and the stub changed different lines, the result keeps both; where you both changed the
 * same lines, it holds a conflict (diff3 markers, showing the reference's lines in the middle). Your
 * current file of this exercise is saved under `.kata/saved/` first, and nothing is written if that fails.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Exercise } from '../lib/exercises.ts';
import { findStubSources, generateStub } from '../lib/stubs.ts';
import { saveLearnerFile } from './reset.ts';

/** What {@link carryForward} did to one learner file. */
export interface CarriedFile {
  /** The file written: this exercise's learner file, relative to the root. */
  readonly file: string;
  /** Your file of the previous exercise that was carried forward. */
  readonly from: string;
  /** How the conflict markers name the three sides: your file, the reference both started from, the stub. */
  readonly labels: readonly [string, string, string];
  /** Where your previous version of `file` was saved (relative to the root), or `null` when there was none. */
  readonly savedTo: string | null;
  /** How many places need your decision: each is marked `<<<<<<<` … `>>>>>>>` in `file`. */
  readonly conflicts: number;
  /** The `todo(` calls left in your previous file: carrying them forward brings them along. */
  readonly todosInPrevious: number;
}

/**
 * Merges the learner's file of `exercise.stubFrom` into `exercise`'s stub and writes the result to
 * `exercise`'s learner file, after saving that file under `.kata/saved/`.
 *
 * @throws Error when the exercise's stub does not build on another exercise, or a file is missing.
 */
export function carryForward(
  root: string,
  exercise: Exercise,
  exercises: readonly Exercise[],
  now: Date = new Date(),
): CarriedFile[] {
  if (exercise.stubFrom === null) {
    throw new Error(
      `${exercise.id}'s stub does not build on an earlier exercise, so there is nothing to carry into it; \`kata reset\` gives you its stub.`,
    );
  }
  const sources = findStubSources(exercises).filter((source) => source.exercise.id === exercise.id);
  // Work out every merge before writing anything, so a problem with one file leaves all as they were.
  const merges = sources.map((source) => {
    const from = source.from.learnerFiles.find((file) => path.basename(file) === path.basename(source.target))!;
    if (!existsSync(path.join(root, from))) throw new Error(`There is no ${from} to carry forward.`);
    const ours = readFileSync(path.join(root, from), 'utf8');
    const base = readFileSync(path.join(root, source.base), 'utf8');
    const theirs = generateStub(root, source);
    const labels = [`your ${from}`, `reference solution ${source.base}`, `stub of ${exercise.id}`] as const;
    return { source, from, ours, labels, ...mergeThreeWays(ours, base, theirs, labels) };
  });
  return merges.map(({ source, from, ours, labels, text, conflicts }) => {
    const file = source.target;
    const absolute = path.join(root, file);
    const current = existsSync(absolute) ? readFileSync(absolute, 'utf8') : null;
    const savedTo = current === null || current === text ? null : saveLearnerFile(root, exercise, file, now);
    writeFileSync(absolute, text);
    return { file, from, labels, savedTo, conflicts, todosInPrevious: ours.split('todo(').length - 1 };
  });
}

/**
 * `git merge-file -p --diff3`: the merged text, and the number of conflicts (git's exit code).
 * `labels` name ours, base and theirs in the conflict markers.
 */
export function mergeThreeWays(
  ours: string,
  base: string,
  theirs: string,
  labels: readonly [string, string, string],
): { text: string; conflicts: number } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-carry-'));
  try {
    const files = ['ours', 'base', 'theirs'].map((name) => path.join(folder, name));
    [ours, base, theirs].forEach((text, index) => writeFileSync(files[index]!, text));
    const result = spawnSync(
      'git',
      ['merge-file', '-p', '--diff3', ...labels.flatMap((label) => ['-L', label]), ...files],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    // git merge-file exits with the number of conflicts, or a negative number (255) on error.
    if (result.error !== undefined || result.status === null || result.status > 127) {
      throw new Error(`git merge-file failed (is git installed?): ${result.error?.message ?? result.stderr.trim()}`);
    }
    return { text: result.stdout, conflicts: result.status };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
