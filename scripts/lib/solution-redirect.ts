import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { applyMistake, readMistake, type MistakeFile } from './mistakes.ts';

/** Repository root: this file lives in `scripts/lib/`. */
const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');
const exercisesRoot = path.join(repositoryRoot, 'exercises') + path.sep;
const solutionsRoot = path.join(repositoryRoot, 'solutions') + path.sep;

/** The environment variable that names the known mistake to run: a patch file under `solutions/`. */
export const MISTAKE_VARIABLE = 'KATA_MISTAKE';

/**
 * Maps a learner's source file under `exercises/` to its reference solution under `solutions/`, or
 * returns `undefined` when the file is not an exercise source file (tests and anything outside
 * `exercises/`).
 */
export function redirectTarget(exerciseFile: string): string | undefined {
  if (!exerciseFile.startsWith(exercisesRoot) || !exerciseFile.endsWith('.ts') || exerciseFile.endsWith('.test.ts')) {
    return undefined;
  }
  const relative = exerciseFile.slice(exercisesRoot.length);
  // Only an exercise's own source file is the learner's: `NN-chapter/MM-exercise/<file>.ts`. Shared
  // test support elsewhere under exercises/ runs as it is in both projects.
  const parts = relative.split(path.sep);
  if (parts.length !== 3 || !/^\d\d-/.test(parts[0]!) || !/^\d\d-/.test(parts[1]!)) return undefined;
  const solutionFile = path.join(solutionsRoot, relative);
  if (!existsSync(solutionFile)) {
    throw new Error(
      `No reference solution for ${path.relative(repositoryRoot, exerciseFile)}: expected ` +
        `${path.relative(repositoryRoot, solutionFile)}. Every exercise source file needs its mirror under solutions/.`,
    );
  }
  return solutionFile;
}

/**
 * The files of the known mistakes named by `KATA_MISTAKE`, by absolute path, or an empty map when none
 * is named. The variable holds one patch file, or several joined with `path.delimiter` (at most one per
 * exercise, so that one run can judge a mistake of each). It is read at each call, so one process can
 * run one set of mistakes after another.
 */
export function activeMistakeFiles(): ReadonlyMap<string, MistakeFile> {
  const named = (process.env[MISTAKE_VARIABLE] ?? '').split(path.delimiter).filter((entry) => entry !== '');
  const files = new Map<string, MistakeFile>();
  const exercises = new Set<string>();
  for (const entry of named) {
    const relative = path.relative(repositoryRoot, path.resolve(repositoryRoot, entry));
    if (!relative.endsWith('.patch') || !existsSync(path.join(repositoryRoot, relative))) {
      throw new Error(`${MISTAKE_VARIABLE} names ${entry}, which is not a known mistake (a .patch file under solutions/*/*/mistakes/).`);
    }
    const mistake = readMistake(repositoryRoot, relative);
    if (exercises.has(mistake.solutionDirectory)) {
      throw new Error(`${MISTAKE_VARIABLE} names two mistakes of ${mistake.solutionDirectory}; one run can judge one mistake per exercise.`);
    }
    exercises.add(mistake.solutionDirectory);
    for (const file of applyMistake(repositoryRoot, mistake)) files.set(path.join(repositoryRoot, file.file), file);
  }
  return files;
}

/**
 * A Vite plugin for the `solutions` test project: imports of an exercise's source file are redirected to
 * the reference solution. With `KATA_MISTAKE` naming a known mistake, the solution's text is served with
 * the mistake's patch applied, under the solution's own path (stack traces and reports name that file).
 * Tests keep importing the exercise with a relative path, so editors and `tsc` see the learner's file.
 */
export function solutionRedirect(): Plugin {
  activeMistakeFiles(); // a mistake that does not exist or does not apply fails before any test runs
  return {
    name: 'kata-solution-redirect',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (importer === undefined || !importer.startsWith(exercisesRoot)) return null;
      if (!source.startsWith('.')) return null;
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
