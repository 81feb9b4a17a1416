/**
 * What an exercise's test result depends on, as one hash: the files of its folder (the learner's
 * files, the tests, given code), the chapter's shared folders (`_given/`, `_test-support/`), any other
 * file its code imports by a relative path, the harness, and the test setup (vitest config, packages).
 * Two runs whose hashes match give the same result: the tests are deterministic, so a result can be
 * kept until one of these files changes.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Exercise } from '../lib/exercises.ts';

/**
 * Bumped when the way results are measured changes, so results measured the old way are not reused.
 * Part of every hash.
 */
const MEASUREMENT_VERSION = 1;

/** Files and folders, relative to the root, that every exercise's result depends on. */
const SHARED_INPUTS = [
  'harness',
  'vitest.config.ts',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
  path.join('scripts', 'lib', 'solution-redirect.ts'),
];

/** A relative import or re-export in TypeScript source: `from './x.ts'`, `import('../y.ts')`, `import './z.ts'`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The hash of each exercise's inputs, by exercise id. Reads every input file once. */
export function inputHashes(root: string, exercises: readonly Exercise[]): Record<string, string> {
  const contents = new Map<string, string>();
  const read = (file: string): string => {
    let hash = contents.get(file);
    if (hash === undefined) {
      hash = createHash('sha256')
        .update(readFileSync(path.join(root, file)))
        .digest('hex');
      contents.set(file, hash);
    }
    return hash;
  };
  const shared = SHARED_INPUTS.flatMap((entry) => filesUnder(root, entry));
  const hashes: Record<string, string> = {};
  for (const exercise of exercises) {
    const files = [...new Set([...shared, ...exerciseInputs(root, exercise)])].sort();
    const hash = createHash('sha256').update(`kata measurement ${MEASUREMENT_VERSION}\n`);
    for (const file of files) hash.update(`${file.split(path.sep).join('/')}\0${read(file)}\n`);
    hashes[exercise.id] = hash.digest('hex');
  }
  return hashes;
}

/**
 * The files one exercise's result depends on beyond the shared ones: its folder, its chapter's `_`
 * folders, and every file reached from them by relative imports. Paths are relative to `root`.
 */
export function exerciseInputs(root: string, exercise: Exercise): string[] {
  const chapterFolder = path.join('exercises', exercise.chapter);
  const sharedFolders = existsSync(path.join(root, chapterFolder))
    ? readdirSync(path.join(root, chapterFolder), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name.startsWith('_'))
        .map((entry) => path.join(chapterFolder, entry.name))
    : [];
  const found = new Set([exercise.directory, ...sharedFolders].flatMap((folder) => filesUnder(root, folder)));
  const pending = [...found];
  // Follow relative imports out of these folders (e.g. a protocol file given by an earlier exercise).
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (!file.endsWith('.ts')) continue;
    for (const match of readFileSync(path.join(root, file), 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = path.normalize(path.join(path.dirname(file), match[1]!));
      if (found.has(target) || target.startsWith('..') || !isFile(root, target)) continue;
      found.add(target);
      pending.push(target);
    }
  }
  return [...found];
}

/** Every file under `entry` (a file or a folder, relative to `root`), sorted; none when it does not exist. */
function filesUnder(root: string, entry: string): string[] {
  const absolute = path.join(root, entry);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [entry];
  return readdirSync(absolute, { withFileTypes: true })
    .filter((child) => child.name !== 'node_modules' && !child.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((child) => filesUnder(root, path.join(entry, child.name)));
}

function isFile(root: string, file: string): boolean {
  return existsSync(path.join(root, file)) && statSync(path.join(root, file)).isFile();
}
