import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findMistakes, type Mistake } from './mistakes.ts';

export type { Mistake } from './mistakes.ts';

/** Repository root: this file lives in `scripts/lib/`. */
export const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');

/** One exercise, as found on disk. Paths are relative to the repository root. */
export interface Exercise {
  /** e.g. `01-message-passing/03-reliable-delivery` */
  readonly id: string;
  readonly chapter: string;
  readonly directory: string;
  readonly solutionDirectory: string;
  /** The learner's source files (not tests). */
  readonly sourceFiles: readonly string[];
  readonly testFiles: readonly string[];
  readonly mistakes: readonly Mistake[];
}

const numbered = /^\d\d-/;

/** Every exercise under `exercises/`, in chapter and exercise order. */
export function findExercises(root = repositoryRoot): Exercise[] {
  const exercisesRoot = path.join(root, 'exercises');
  if (!existsSync(exercisesRoot)) return [];
  const exercises: Exercise[] = [];
  for (const chapter of listDirectories(exercisesRoot).filter((name) => numbered.test(name))) {
    for (const exercise of listDirectories(path.join(exercisesRoot, chapter)).filter((name) => numbered.test(name))) {
      const directory = path.join('exercises', chapter, exercise);
      const solutionDirectory = path.join('solutions', chapter, exercise);
      const files = readdirSync(path.join(root, directory));
      exercises.push({
        id: `${chapter}/${exercise}`,
        chapter,
        directory,
        solutionDirectory,
        sourceFiles: files.filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')).map((file) => path.join(directory, file)),
        testFiles: files.filter((file) => file.endsWith('.test.ts')).map((file) => path.join(directory, file)),
        mistakes: findMistakes(root, solutionDirectory),
      });
    }
  }
  return exercises;
}

function listDirectories(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
