/**
 * The import redirect of a "find the bug" kata (`npm run kata -- bug`): with `KATA_BUG` naming a kata
 * folder (`.kata/bugs/<chapter>/<exercise>/bug-<n>/`), an exercise test's import of one of its
 * exercise's learner files loads the file of that name in the kata folder instead. Everything else
 * resolves as usual: given code, test support, and the kata files' own imports (written to point at the
 * exercise's folder, so the editor resolves them too).
 *
 * It is the `solutions` project's redirect (`solution-redirect.ts`) with the kata folder in place of
 * `solutions/`, so the tests keep importing `./raft.ts` and need no copy.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { MANIFEST_FILE, readManifest } from './exercises.ts';

/**
 * The environment variable that names the kata folder, relative to the repository root. It may name
 * several, separated by `path.delimiter`, each of another exercise (verify runs a kata of each chapter
 * in one vitest run).
 */
export const BUG_VARIABLE = 'KATA_BUG';

/** Where the katas' folders are, relative to the root. */
export const BUG_FOLDER = path.join('.kata', 'bugs');

/** The exercise folder a kata folder belongs to: `.kata/bugs/<ch>/<ex>/bug-<n>` → `exercises/<ch>/<ex>`. */
export function exerciseOfKata(kataFolder: string): string {
  const relative = path.relative(BUG_FOLDER, path.normalize(kataFolder));
  const parts = relative.split(path.sep);
  if (parts.length !== 3 || relative.startsWith('..'))
    throw new Error(
      `${BUG_VARIABLE}=${kataFolder} is not a bug kata folder (${BUG_FOLDER}/<chapter>/<exercise>/bug-<n>).`,
    );
  return path.join('exercises', parts[0]!, parts[1]!);
}

/**
 * Where an import resolved to `file` (absolute) goes while the kata in `kataFolder` runs: the kata's
 * file when `file` is a learner file of the kata's exercise, else `undefined`.
 */
export function bugTarget(root: string, kataFolder: string, file: string): string | undefined {
  const exerciseDirectory = path.join(root, exerciseOfKata(kataFolder));
  if (path.dirname(file) !== exerciseDirectory || !existsSync(path.join(exerciseDirectory, MANIFEST_FILE)))
    return undefined;
  const manifest = readManifest(root, path.relative(root, exerciseDirectory));
  if (!manifest.learnerFiles.includes(path.basename(file))) return undefined;
  const target = path.join(root, kataFolder, path.basename(file));
  if (!existsSync(target))
    throw new Error(
      `The bug kata ${kataFolder} has no ${path.basename(file)}: start it again with npm run kata -- bug.`,
    );
  return target;
}

/** The Vite plugin: inert unless `KATA_BUG` is set. `root` is the repository root. */
export function bugRedirect(root: string): Plugin {
  return {
    name: 'kata-bug-redirect',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      const kataFolders = (process.env[BUG_VARIABLE] ?? '').split(path.delimiter).filter((folder) => folder !== '');
      if (kataFolders.length === 0 || importer === undefined || !source.startsWith('.')) return null;
      if (!importer.startsWith(path.join(root, 'exercises') + path.sep)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved === null) return null;
      for (const kataFolder of kataFolders) {
        const target = bugTarget(root, kataFolder, resolved.id);
        if (target !== undefined) return target;
      }
      return null;
    },
  };
}
