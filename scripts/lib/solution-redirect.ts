import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { MANIFEST_FILE, readManifest } from './exercises.ts';
import { applyMistake, readMistake, type MistakeFile } from './mistakes.ts';

/** Repository root: this file lives in `scripts/lib/`. */
const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');
const exercisesRoot = path.join(repositoryRoot, 'exercises') + path.sep;
const solutionsRoot = path.join(repositoryRoot, 'solutions') + path.sep;

/** The environment variable that names the known mistake to run: a patch file under `solutions/`. */
export const MISTAKE_VARIABLE = 'KATA_MISTAKE';

/**
 * The environment variable that names an alternative solution to run (`solutions/.../alternatives/`).
 * It is read exactly as {@link MISTAKE_VARIABLE} is; either may name either kind of patch.
 */
export const ALTERNATIVE_VARIABLE = 'KATA_ALTERNATIVE';

/**
 * Maps a learner's file under `exercises/` (one its exercise's manifest lists) to its reference solution
 * under `solutions/`, or returns `undefined` for any other file: tests, given code, shared test support.
 */
export function redirectTarget(exerciseFile: string): string | undefined {
  if (!exerciseFile.startsWith(exercisesRoot) || !exerciseFile.endsWith('.ts')) return undefined;
  const directory = path.dirname(exerciseFile);
  if (!existsSync(path.join(directory, MANIFEST_FILE))) return undefined;
  const manifest = readManifest(repositoryRoot, path.relative(repositoryRoot, directory));
  if (!manifest.learnerFiles.includes(path.basename(exerciseFile))) return undefined;
  const solutionFile = path.join(solutionsRoot, path.relative(exercisesRoot, exerciseFile));
  if (!existsSync(solutionFile)) {
    throw new Error(
      `No reference solution for ${path.relative(repositoryRoot, exerciseFile)}: expected ` +
        `${path.relative(repositoryRoot, solutionFile)}. Every learner file needs its solution under solutions/.`,
    );
  }
  return solutionFile;
}

/**
 * Where a solution's relative import of given code points. A solution imports given code the way its
 * stub does (`./protocol.ts`); the file is in the exercise's folder, not the solution's. Like tsc's
 * `rootDirs` (see tsconfig.json), a relative import from `solutions/` that finds nothing there resolves
 * in the mirror folder under `exercises/`. Returns `undefined` when the import needs no help.
 */
export function givenCodeTarget(solutionFile: string, source: string): string | undefined {
  if (!solutionFile.startsWith(solutionsRoot) || !source.startsWith('.')) return undefined;
  const inSolutions = path.resolve(path.dirname(solutionFile), source);
  if (existsSync(inSolutions)) return undefined;
  const inExercises = path.join(exercisesRoot, path.relative(solutionsRoot, inSolutions));
  return existsSync(inExercises) ? inExercises : undefined;
}

/**
 * The files of the known mistakes and alternative solutions named by `KATA_MISTAKE` and
 * `KATA_ALTERNATIVE`, by absolute path, or an empty map when none is named. Each variable holds one
 * patch file, or several joined with `path.delimiter` (at most one per exercise, so that one run can
 * judge a patch of each). They are read at each call, so one process can run one set after another.
 */
export function activeMistakeFiles(): ReadonlyMap<string, MistakeFile> {
  const named = [MISTAKE_VARIABLE, ALTERNATIVE_VARIABLE]
    .flatMap((variable) => (process.env[variable] ?? '').split(path.delimiter))
    .filter((entry) => entry !== '');
  const files = new Map<string, MistakeFile>();
  const exercises = new Set<string>();
  for (const entry of named) {
    const relative = path.relative(repositoryRoot, path.resolve(repositoryRoot, entry));
    if (!relative.endsWith('.patch') || !existsSync(path.join(repositoryRoot, relative))) {
      throw new Error(
        `${MISTAKE_VARIABLE} or ${ALTERNATIVE_VARIABLE} names ${entry}, which is not a known mistake or an ` +
          `alternative solution (a .patch file under solutions/*/*/mistakes/ or solutions/*/*/alternatives/).`,
      );
    }
    const mistake = readMistake(repositoryRoot, relative);
    if (exercises.has(mistake.solutionDirectory)) {
      throw new Error(
        `${MISTAKE_VARIABLE} and ${ALTERNATIVE_VARIABLE} name two patches of ${mistake.solutionDirectory}; ` +
          `one run can judge one patch per exercise.`,
      );
    }
    exercises.add(mistake.solutionDirectory);
    for (const file of applyMistake(repositoryRoot, mistake)) files.set(path.join(repositoryRoot, file.file), file);
  }
  return files;
}

/**
 * A Vite plugin for the `solutions` test project: imports of a learner's file are redirected to its
 * reference solution, and the solution's imports of given code find it in the exercise's folder. With `KATA_MISTAKE` naming a known mistake, the solution's text is served with
 * the mistake's patch applied, under the solution's own path (stack traces and reports name that file).
 * Tests keep importing the exercise with a relative path, so editors and `tsc` see the learner's file.
 */
export function solutionRedirect(): Plugin {
  activeMistakeFiles(); // a mistake that does not exist or does not apply fails before any test runs
  return {
    name: 'kata-solution-redirect',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (importer === undefined || !source.startsWith('.')) return null;
      if (importer.startsWith(solutionsRoot)) return givenCodeTarget(importer, source) ?? null;
      if (!importer.startsWith(exercisesRoot)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved === null) return null;
      return redirectTarget(resolved.id) ?? null;
    },
    load(id) {
      if (!id.startsWith(solutionsRoot)) return null;
      return activeMistakeFiles().get(id)?.text ?? null;
    },
  };
}
