import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findAlternatives, type Alternative } from './alternatives.ts';
import { findMistakes, type Mistake } from './mistakes.ts';

export type { Alternative } from './alternatives.ts';
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
  /** The learner's files, as the exercise's manifest lists them: what the learner edits. */
  readonly learnerFiles: readonly string[];
  /**
   * Given code: every other `.ts` file in the folder that is not a test (message types, storage layout,
   * helpers). Stub, solution and tests import it alike; it is never redirected and never copied.
   */
  readonly givenFiles: readonly string[];
  /** The exercise whose solution this one's stub builds on (the manifest's `stub.from`), or `null`. */
  readonly stubFrom: string | null;
  readonly testFiles: readonly string[];
  readonly mistakes: readonly Mistake[];
  /** Second correct implementations, which every test must accept (`solutions/.../alternatives/`). */
  readonly alternatives: readonly Alternative[];
}

const numbered = /^\d\d-/;

/** How strictly {@link findExercises} reads the exercises. */
export interface FindOptions {
  /**
   * Accept a manifest whose learner file is missing from the folder. The course tools (`kata`) need it:
   * a learner who deleted their stub must still be able to `reset` it. Checks of the repository leave it
   * false, so a manifest that names a file that is not there is an error.
   */
  readonly learnerFilesMayBeMissing?: boolean;
}

/** Every exercise under `exercises/`, in chapter and exercise order. */
export function findExercises(root = repositoryRoot, options: FindOptions = {}): Exercise[] {
  const exercisesRoot = path.join(root, 'exercises');
  if (!existsSync(exercisesRoot)) return [];
  const exercises: Exercise[] = [];
  for (const chapter of listDirectories(exercisesRoot).filter((name) => numbered.test(name))) {
    for (const exercise of listDirectories(path.join(exercisesRoot, chapter)).filter((name) => numbered.test(name))) {
      const directory = path.join('exercises', chapter, exercise);
      const solutionDirectory = path.join('solutions', chapter, exercise);
      const files = readdirSync(path.join(root, directory));
      const manifest = readManifest(root, directory, options);
      exercises.push({
        id: `${chapter}/${exercise}`,
        chapter,
        directory,
        solutionDirectory,
        learnerFiles: manifest.learnerFiles.map((file) => path.join(directory, file)),
        givenFiles: files
          .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !manifest.learnerFiles.includes(file))
          .map((file) => path.join(directory, file)),
        stubFrom: manifest.stub?.from ?? null,
        testFiles: files.filter((file) => file.endsWith('.test.ts')).map((file) => path.join(directory, file)),
        mistakes: findMistakes(root, solutionDirectory),
        alternatives: findAlternatives(root, solutionDirectory),
      });
    }
  }
  return exercises;
}

/**
 * An exercise's manifest, `exercises/<chapter>/<exercise>/exercise.json`. It is the one place that says
 * which files are the learner's: the solution redirect, `kata`, `verify`, the docs build and the solution
 * branch all read it.
 */
export interface ExerciseManifest {
  /** The files the learner edits, relative to the exercise folder. Each has its solution under `solutions/`. */
  readonly learnerFiles: readonly string[];
  /** Where the stub comes from when it builds on an earlier exercise's solution. */
  readonly stub?: { readonly from: string };
}

/** The file name of an exercise's manifest. */
export const MANIFEST_FILE = 'exercise.json';

/** Reads and checks an exercise's manifest; throws naming the file and the problem. */
export function readManifest(root: string, directory: string, options: FindOptions = {}): ExerciseManifest {
  const file = path.join(directory, MANIFEST_FILE);
  const problem = (text: string) => new Error(`${file}: ${text}`);
  if (!existsSync(path.join(root, file)))
    throw problem(`missing. Every exercise lists its learner files there, e.g. { "learnerFiles": ["echo.ts"] }.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.join(root, file), 'utf8'));
  } catch (error) {
    throw problem(`not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  const manifest = parsed as Partial<ExerciseManifest> | null;
  const learnerFiles = manifest?.learnerFiles;
  if (
    !Array.isArray(learnerFiles) ||
    learnerFiles.length === 0 ||
    !learnerFiles.every((name) => typeof name === 'string' && /^[\w.-]+\.ts$/.test(name) && !name.endsWith('.test.ts'))
  ) {
    throw problem(
      '"learnerFiles" must list one or more .ts files of the exercise folder (not tests), e.g. ["raft.ts"].',
    );
  }
  for (const name of options.learnerFilesMayBeMissing === true ? [] : learnerFiles) {
    if (!existsSync(path.join(root, directory, name))) throw problem(`lists ${name}, which is not in the folder.`);
  }
  if (manifest?.stub !== undefined && typeof manifest.stub?.from !== 'string')
    throw problem('"stub.from" must name an exercise, e.g. "05-consensus/01-leader-election".');
  return manifest as ExerciseManifest;
}

/** The reference solution of one learner file. */
export function solutionFileOf(exercise: Exercise, learnerFile: string): string {
  return path.join(exercise.solutionDirectory, path.basename(learnerFile));
}

function listDirectories(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
