import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/** Repository root: this file lives in `scripts/lib/`. */
const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');
const exercisesRoot = path.join(repositoryRoot, 'exercises') + path.sep;
const solutionsRoot = path.join(repositoryRoot, 'solutions') + path.sep;

/**
 * Maps a learner's source file under `exercises/` to the file that should run in its place, or returns
 * `undefined` when the file is not an exercise source file (tests and anything outside `exercises/`).
 *
 * With `mistakePath` (a file under `solutions/<chapter>/<exercise>/mistakes/`), the exercise's source
 * file is replaced by that mistake; every other exercise still gets its reference solution.
 */
export function redirectTarget(exerciseFile: string, mistakePath: string | undefined): string | undefined {
  if (!exerciseFile.startsWith(exercisesRoot) || !exerciseFile.endsWith('.ts') || exerciseFile.endsWith('.test.ts')) {
    return undefined;
  }
  const relative = exerciseFile.slice(exercisesRoot.length);
  // Only an exercise's own source file is the learner's: `NN-chapter/MM-exercise/<file>.ts`. Shared
  // test support elsewhere under exercises/ runs as it is in both projects.
  const parts = relative.split(path.sep);
  if (parts.length !== 3 || !/^\d\d-/.test(parts[0]!) || !/^\d\d-/.test(parts[1]!)) return undefined;
  const solutionFile = path.join(solutionsRoot, relative);
  if (mistakePath !== undefined) {
    const mistakeFile = path.resolve(repositoryRoot, mistakePath);
    const mistakeExercise = path.dirname(path.dirname(mistakeFile));
    if (path.dirname(solutionFile) === mistakeExercise) return mistakeFile;
  }
  if (!existsSync(solutionFile)) {
    throw new Error(
      `No reference solution for ${path.relative(repositoryRoot, exerciseFile)}: expected ` +
        `${path.relative(repositoryRoot, solutionFile)}. Every exercise source file needs its mirror under solutions/.`,
    );
  }
  return solutionFile;
}

/**
 * A Vite plugin for the `solutions` test project: imports of an exercise's source file are redirected to
 * the reference solution (or to the known mistake named by the `KATA_MISTAKE` environment variable).
 * Tests keep importing the exercise with a relative path, so editors and `tsc` see the learner's file.
 */
export function solutionRedirect(): Plugin {
  const mistakePath = process.env['KATA_MISTAKE'] || undefined;
  if (mistakePath !== undefined && !existsSync(path.resolve(repositoryRoot, mistakePath))) {
    throw new Error(`KATA_MISTAKE names ${mistakePath}, which does not exist.`);
  }
  return {
    name: 'kata-solution-redirect',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (importer === undefined || !importer.startsWith(exercisesRoot)) return null;
      if (!source.startsWith('.')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved === null) return null;
      const target = redirectTarget(resolved.id, mistakePath);
      return target === undefined ? null : target;
    },
  };
}
