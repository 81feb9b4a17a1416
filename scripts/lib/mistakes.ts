/**
 * Known mistakes, stored as patches against their exercise's reference solution.
 *
 * A mistake is `solutions/<chapter>/<exercise>/mistakes/<name>.patch`: a unified diff whose paths are
 * relative to the solution's folder (`--- a/raft.ts`, `+++ b/raft.ts`), after a preamble that says what
 * the learner got wrong and which property the failure must name:
 *
 * ```text
 * Known mistake: the leader counts its own vote twice, so two servers of five look like a majority.
 *
 * Breaks: "two leaders in term"
 *
 * --- a/raft.ts
 * +++ b/raft.ts
 * @@ -120,7 +120,7 @@
 * ...
 * ```
 *
 * The patch is applied in memory (the `diff` package), so a fix to the solution reaches every mistake at
 * once, and a fix that changes lines a mistake touches makes that patch fail to apply, loudly, naming
 * the mistake and the hunk.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import { describeFailingHunk, splitPatch, unifiedDiff } from './patches.ts';

/** A known mistake: a plausible wrong version of an exercise's reference solution. */
export interface Mistake extends PatchedSolution {
  /** The patch file, relative to the repository root. */
  readonly file: string;
  readonly name: string;
  /** The solution folder the patch applies in, relative to the repository root. */
  readonly solutionDirectory: string;
  /** The phrase a failing test's message must contain (its `Breaks:` line), or `null` if missing. */
  readonly breaks: string | null;
  /** What the learner got wrong (its `Known mistake:` line), or `null` if missing. */
  readonly description: string | null;
}

/**
 * A patch against an exercise's reference solution: a known mistake, or an alternative solution
 * (`./alternatives.ts`). Both are applied the same way.
 */
export interface PatchedSolution {
  /** The patch file, relative to the repository root. */
  readonly file: string;
  /** The solution folder the patch applies in, relative to the repository root. */
  readonly solutionDirectory: string;
}

/** One solution file as a mistake changes it. */
export interface MistakeFile {
  /** The solution file the patch changes, relative to the repository root. */
  readonly file: string;
  /** The file's text with the mistake applied. */
  readonly text: string;
}

/** A patch that no longer applies to its solution: the solution changed under it. */
export class MistakeDoesNotApply extends Error {
  constructor(mistake: PatchedSolution, detail: string) {
    super(
      `The patch ${mistake.file} no longer applies to its solution: ${detail}\n` +
        `Write it out with \`npm run mistake -- edit ${mistake.file}\`, bring the mistake back by hand, ` +
        `then \`npm run mistake -- save ${mistake.file}\`.`,
    );
    this.name = 'MistakeDoesNotApply';
  }
}

const PATCH_SUFFIX = '.patch';

/** The known mistakes of one exercise, by name. */
export function findMistakes(root: string, solutionDirectory: string): Mistake[] {
  const folder = path.join(root, solutionDirectory, 'mistakes');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith(PATCH_SUFFIX))
    .sort()
    .map((file) => readMistake(root, path.join(solutionDirectory, 'mistakes', file)));
}

/** Reads one mistake's preamble. `file` is relative to `root`. */
export function readMistake(root: string, file: string): Mistake {
  const preamble = splitPatch(readFileSync(path.join(root, file), 'utf8')).preamble;
  return {
    file,
    name: path.basename(file, PATCH_SUFFIX),
    solutionDirectory: path.dirname(path.dirname(file)),
    breaks: preambleField(preamble, 'Breaks:')?.replace(/^["“]|["”]$/g, '') ?? null,
    description: preambleField(preamble, 'Known mistake:'),
  };
}

/**
 * The solution files with the mistake applied. Throws {@link MistakeDoesNotApply} naming the first hunk
 * that does not fit.
 */
export function applyMistake(root: string, mistake: PatchedSolution): MistakeFile[] {
  const patches = parsePatch(splitPatch(readFileSync(path.join(root, mistake.file), 'utf8')).diff);
  if (patches.length === 0 || patches.every((patch) => patch.hunks.length === 0)) {
    throw new MistakeDoesNotApply(mistake, 'the patch changes nothing.');
  }
  return patches.map((patch) => {
    const file = path.join(mistake.solutionDirectory, stripPrefix(patch.oldFileName ?? ''));
    const absolute = path.join(root, file);
    if (!existsSync(absolute)) throw new MistakeDoesNotApply(mistake, `it changes ${file}, which does not exist.`);
    const source = readFileSync(absolute, 'utf8');
    const text = applyPatch(source, patch);
    if (text === false)
      throw new MistakeDoesNotApply(mistake, `in ${file}, ${describeFailingHunk(source, patch, 'the solution')}`);
    return { file, text };
  });
}

/**
 * The patch text for a mistake: `preamble`, a blank line, then the unified diff from each solution file
 * to its mistaken version. `files` maps a path relative to the solution folder to its two versions.
 */
export function writeMistakePatch(
  preamble: string,
  files: ReadonlyArray<{ readonly name: string; readonly solution: string; readonly mistaken: string }>,
): string {
  const diffs = files
    .filter((file) => file.solution !== file.mistaken)
    .map((file) => unifiedDiff(file.name, file.solution, file.mistaken));
  return `${preamble.trim()}\n\n${diffs.join('')}`;
}

/** A field of a patch's preamble: its first line and the lines that continue it, up to a blank line or the next field. */
export function preambleField(preamble: string, label: string): string | null {
  const lines = preamble.split('\n').map((line) => line.trim());
  const start = lines.findIndex((line) => line.startsWith(label));
  if (start === -1) return null;
  const parts = [lines[start]!.slice(label.length).trim()];
  for (
    let index = start + 1;
    index < lines.length && lines[index] !== '' && !/^[A-Z][a-z ]+:/.test(lines[index]!);
    index++
  ) {
    parts.push(lines[index]!);
  }
  return parts.join(' ').trim() || null;
}

function stripPrefix(name: string): string {
  return name.replace(/^[ab]\//, '').replace(/\t.*$/, '');
}
