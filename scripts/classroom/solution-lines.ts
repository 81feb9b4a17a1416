/**
 * Lines that only the reference material has: for each file under `solutions/` (solutions, notes, known
 * mistakes, alternatives, trace hashes), a few lines that appear in no other committed file. A copy of
 * the workshop that contains none of them, in any file or commit, leaks no solution.
 *
 * Chapter 5's stubs are the previous exercise's solution plus `todo(...)`s, so most lines of solution k
 * are in stub k+1 and do not count; the lines the stub replaced by a todo do.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { splitPatch } from '../lib/patches.ts';

/** One line only a file under `solutions/` has. */
export interface SolutionLine {
  /** The file under `solutions/`, relative to the repository root. */
  readonly file: string;
  /** The line, trimmed. */
  readonly line: string;
}

/** Lines shorter than this are too common to prove anything ("return state;"). */
const MINIMUM_LENGTH = 30;

/**
 * Up to `perFile` distinctive lines of every committed file under `solutions/` in the repository at
 * `root`, spread over the file. Files under `excluded` folders (relative to the root) are skipped.
 */
export function distinctiveSolutionLines(root: string, perFile = 3, excluded: readonly string[] = []): SolutionLine[] {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\0')
    .filter((file) => file !== '');
  const isSolution = (file: string) => file.startsWith('solutions/');
  const elsewhere = new Set<string>();
  for (const file of tracked.filter((candidate) => !isSolution(candidate)))
    for (const line of textLines(root, file)) elsewhere.add(line.trim());
  const found: SolutionLine[] = [];
  for (const file of tracked.filter(isSolution)) {
    if (excluded.some((folder) => file.startsWith(folder.split(path.sep).join('/') + '/'))) continue;
    const candidates = [...new Set(contentLines(root, file).map((line) => line.trim()))].filter(
      (line) => line.length >= MINIMUM_LENGTH && !elsewhere.has(line),
    );
    for (const index of spread(candidates.length, perFile)) found.push({ file, line: candidates[index]! });
  }
  return found;
}

/** The lines a file contributes: a patch's preamble and added lines (without the `+`), any other file's lines. */
function contentLines(root: string, file: string): string[] {
  const lines = textLines(root, file);
  if (!file.endsWith('.patch')) return lines;
  const { preamble, diff } = splitPatch(lines.join('\n'));
  const added = diff
    .split('\n')
    .filter((line) => line.startsWith('+') && !line.startsWith('+++'))
    .map((line) => line.slice(1));
  return [...preamble.split('\n'), ...added];
}

function textLines(root: string, file: string): string[] {
  const bytes = readFileSync(path.join(root, file));
  if (bytes.includes(0)) return [];
  return bytes.toString('utf8').split('\n');
}

/** `count` indices spread evenly over `0 .. length - 1` (all of them when there are fewer). */
function spread(length: number, count: number): number[] {
  if (length <= count) return Array.from({ length }, (_, index) => index);
  return Array.from({ length: count }, (_, index) => Math.floor(((index + 0.5) * length) / count));
}
