/**
 * The learner's state under `.kata/` (gitignored): measured progress, hints seen, saved files, reports.
 * Every function takes the repository root, so tests can point it at a temporary folder.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the kata command keeps its files, under `root`. */
export function kataPaths(root: string) {
  const folder = path.join(root, '.kata');
  return {
    folder,
    progress: path.join(folder, 'progress.json'),
    hints: path.join(folder, 'hints.json'),
    saved: path.join(folder, 'saved'),
    reportMarkdown: path.join(folder, 'report.md'),
    reportJson: path.join(folder, 'report.json'),
  };
}

/** Reads a JSON file, or returns `fallback` when it is missing or unreadable (a state file is a cache). */
export function readJson<T>(file: string, fallback: T): T {
  if (!existsSync(file)) return fallback;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

/** Writes JSON through a temporary file and a rename, so an interrupted write never leaves half a file. */
export function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(value, null, 2) + '\n');
  renameSync(temporary, file);
}
