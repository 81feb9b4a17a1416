/**
 * Stubs that build on the previous exercise: exercise k's stub is exercise k-1's reference solution plus
 * what exercise k adds (its `todo(...)`s). Only the addition is stored, as
 * `solutions/<chapter>/<exercise>/stub.patch`: a unified diff from the previous solution's file to this
 * exercise's stub, after a short preamble. The stub itself stays committed under `exercises/` (it is the
 * learner's starting point); `npm run stubs -- --write` regenerates it, and `npm run verify` checks that
 * every committed stub is what its patch generates. A fix to the previous solution then reaches the stub
 * with one `--write`.
 *
 * The exercise's manifest names the exercise it builds on: `"stub": { "from": "05-consensus/01-leader-election" }`.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, FILE_HEADERS_ONLY, formatPatch, parsePatch, structuredPatch } from 'diff';
import { solutionFileOf, type Exercise } from './exercises.ts';
import { splitPatch } from './mistakes.ts';

/** The file name of the patch that turns the previous exercise's solution into an exercise's stub. */
export const STUB_PATCH_FILE = 'stub.patch';

/** One generated stub: a learner file of an exercise whose stub builds on an earlier exercise's solution. */
export interface StubSource {
  readonly exercise: Exercise;
  /** The exercise the stub builds on (the manifest's `stub.from`). */
  readonly from: Exercise;
  /** The stub, relative to the repository root: the learner's file, e.g. `exercises/05-consensus/02-log-replication/raft.ts`. */
  readonly stub: string;
  /** The solution it builds on, relative to the root, e.g. `solutions/05-consensus/01-leader-election/raft.ts`. */
  readonly base: string;
  /** The stored addition, relative to the root, e.g. `solutions/05-consensus/02-log-replication/stub.patch`. */
  readonly patch: string;
}

/** A stub patch that no longer applies to the solution it builds on. */
export class StubPatchDoesNotApply extends Error {
  constructor(source: StubSource, detail: string) {
    super(
      `${source.patch} no longer applies to ${source.base}: ${detail}\n` +
        `Bring ${source.stub} up to date by hand (it is the previous solution plus this exercise's todo(...)s), ` +
        `then \`npm run stubs -- --save ${source.exercise.id}\`.`,
    );
    this.name = 'StubPatchDoesNotApply';
  }
}

/**
 * Every generated stub among `exercises`. Throws naming the manifest when `stub.from` names an exercise
 * that does not exist or has no learner file of the same name.
 */
export function findStubSources(exercises: readonly Exercise[]): StubSource[] {
  return exercises.flatMap((exercise) => {
    if (exercise.stubFrom === null) return [];
    const from = exercises.find((candidate) => candidate.id === exercise.stubFrom);
    if (from === undefined) throw new Error(`${exercise.directory}/exercise.json: "stub.from" names ${exercise.stubFrom}, which is not an exercise.`);
    return exercise.learnerFiles.map((stub) => {
      const previous = from.learnerFiles.find((file) => path.basename(file) === path.basename(stub));
      if (previous === undefined) {
        throw new Error(`${exercise.directory}/exercise.json: the stub ${stub} builds on ${from.id}, which has no learner file ${path.basename(stub)}.`);
      }
      return { exercise, from, stub, base: solutionFileOf(from, previous), patch: path.join(exercise.solutionDirectory, STUB_PATCH_FILE) };
    });
  });
}

/** The stub as its patch generates it from the previous solution. Throws {@link StubPatchDoesNotApply}. */
export function generateStub(root: string, source: StubSource): string {
  const patchFile = path.join(root, source.patch);
  if (!existsSync(patchFile)) throw new StubPatchDoesNotApply(source, `there is no ${source.patch}.`);
  const patches = parsePatch(splitPatch(readFileSync(patchFile, 'utf8')).diff);
  if (patches.length !== 1) throw new StubPatchDoesNotApply(source, `it must hold exactly one file's diff; it holds ${patches.length}.`);
  const base = readFileSync(path.join(root, source.base), 'utf8');
  const text = applyPatch(base, patches[0]!);
  if (text === false) {
    const hunk = firstFailingHunk(base, patches[0]!);
    throw new StubPatchDoesNotApply(source, `hunk ${hunk.number} (@@ -${hunk.oldStart} @@) expects lines the solution no longer has near line ${hunk.oldStart}.`);
  }
  return text;
}

/**
 * The patch text that turns `base` (the previous solution) into `stub`: a preamble that says what the
 * file is, then one unified diff.
 */
export function writeStubPatch(source: Pick<StubSource, 'exercise' | 'from' | 'stub'>, base: string, stub: string): string {
  const name = path.basename(source.stub);
  const preamble =
    `Stub of ${source.exercise.id}: the reference solution of ${source.from.id} plus what this exercise adds.\n` +
    `Generated into ${source.stub} by \`npm run stubs -- --write\`; after editing that stub, \`npm run stubs -- --save ${source.exercise.id}\`.`;
  const diff = formatPatch(structuredPatch(`a/${name}`, `b/${name}`, base, stub, undefined, undefined, { context: 3 }), FILE_HEADERS_ONLY);
  return `${preamble}\n\n${diff}`;
}

/** Where a committed stub first differs from what its patch generates, or `null` when they are equal. */
export function firstDifference(committed: string, generated: string): { readonly line: number; readonly committed: string; readonly generated: string } | null {
  if (committed === generated) return null;
  const a = committed.split('\n');
  const b = generated.split('\n');
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  return { line: index + 1, committed: a[index] ?? '(end of file)', generated: b[index] ?? '(end of file)' };
}

/** Checks one committed stub against its patch: `null` when it is what the patch generates, else a sentence. */
export function checkStub(root: string, source: StubSource): string | null {
  let generated: string;
  try {
    generated = generateStub(root, source);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const stubFile = path.join(root, source.stub);
  const committed = existsSync(stubFile) ? readFileSync(stubFile, 'utf8') : '';
  const difference = firstDifference(committed, generated);
  if (difference === null) return null;
  return (
    `${source.stub} is not what ${source.patch} generates from ${source.base}: first difference at line ${difference.line}:\n` +
    `  stub:      ${difference.committed}\n  generated: ${difference.generated}\n` +
    `\`npm run stubs -- --write\` regenerates the stub; after editing the stub on purpose, \`npm run stubs -- --save ${source.exercise.id}\`.`
  );
}

function firstFailingHunk(base: string, patch: ReturnType<typeof parsePatch>[number]): { number: number; oldStart: number } {
  for (let count = 1; count <= patch.hunks.length; count++) {
    if (applyPatch(base, { ...patch, hunks: patch.hunks.slice(0, count) }) === false) return { number: count, oldStart: patch.hunks[count - 1]!.oldStart };
  }
  return { number: patch.hunks.length, oldStart: patch.hunks[patch.hunks.length - 1]?.oldStart ?? 0 };
}
