/**
 * `kata diff`: the learner's file beside the reference solution, as a unified diff (`git diff
 * --no-index`, which needs no repository).
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { solutionFileOf, type Exercise } from '../lib/exercises.ts';

/** The diff of one learner file against its reference solution. */
export interface SolutionDiff {
  readonly learnerFile: string;
  readonly solutionFile: string;
  /** The unified diff; empty when the files are identical. */
  readonly diff: string;
}

/**
 * Diffs each learner file of `exercise` against `solutions/<chapter>/<exercise>/<file>`.
 *
 * @throws Error when the solutions are not in this copy of the workshop, or git cannot run.
 */
export function diffAgainstSolution(root: string, exercise: Exercise, color: boolean): SolutionDiff[] {
  return exercise.learnerFiles.map((learnerFile) => {
    const solutionFile = solutionFileOf(exercise, learnerFile);
    if (!existsSync(path.join(root, solutionFile))) {
      throw new Error(
        `There is no reference solution ${solutionFile} in this copy of the workshop (solutions/ may have been removed on purpose).`,
      );
    }
    const result = spawnSync(
      'git',
      ['diff', '--no-index', `--color=${color ? 'always' : 'never'}`, '--', learnerFile, solutionFile],
      {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    // git diff --no-index exits 0 when the files are the same, 1 when they differ, higher on trouble.
    if (result.error !== undefined || result.status === null || result.status > 1) {
      throw new Error(
        `git diff could not compare ${learnerFile} with ${solutionFile}: ${result.error?.message ?? result.stderr.trim()}`,
      );
    }
    return { learnerFile, solutionFile, diff: result.stdout };
  });
}
