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
 * Such an exercise's reference solution is derived too: its stub plus `solution.patch`, the diff from
 * the stub to the solution, which is exactly what a learner writes in this exercise. So the whole chain
 * comes from the first exercise's solution and the patches: a fix to the election code in 5.1's solution
 * is one edit, and `--write` carries it through every later stub and solution (a patch whose lines the fix
 * touched stops applying and says so).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import { solutionFileOf, type Exercise } from './exercises.ts';
import { describeFailingHunk, splitPatch, unifiedDiff } from './patches.ts';

/** The file name of the patch that turns the previous exercise's solution into an exercise's stub. */
export const STUB_PATCH_FILE = 'stub.patch';

/** The file name of the patch that turns an exercise's generated stub into its reference solution. */
export const SOLUTION_PATCH_FILE = 'solution.patch';

/**
 * One generated file of a chain of exercises: a stub (the previous solution plus a `stub.patch`) or a
 * reference solution (its stub plus a `solution.patch`).
 */
export interface StubSource {
  readonly kind: 'stub' | 'solution';
  readonly exercise: Exercise;
  /** The exercise whose file this one is made from: the manifest's `stub.from` for a stub, the exercise itself for a solution. */
  readonly from: Exercise;
  /** The generated file, relative to the root: the stub `exercises/…/raft.ts`, or the solution `solutions/…/raft.ts`. */
  readonly target: string;
  /** The file it is made from, relative to the root: the previous solution for a stub, the stub for a solution. */
  readonly base: string;
  /** The stored addition, relative to the root, e.g. `solutions/05-consensus/02-log-replication/stub.patch`. */
  readonly patch: string;
}

/** A stub patch that no longer applies to the solution it builds on. */
export class StubPatchDoesNotApply extends Error {
  constructor(source: StubSource, detail: string) {
    super(
      `${source.patch} no longer applies to ${source.base}: ${detail}\n` +
        `Bring ${source.target} up to date by hand (${source.kind === 'stub' ? "it is the previous solution plus this exercise's todo(...)s" : 'it is the stub with the answer written in'}), ` +
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
    if (from === undefined)
      throw new Error(
        `${exercise.directory}/exercise.json: "stub.from" names ${exercise.stubFrom}, which is not an exercise.`,
      );
    return exercise.learnerFiles.map((stub) => {
      const previous = from.learnerFiles.find((file) => path.basename(file) === path.basename(stub));
      if (previous === undefined) {
        throw new Error(
          `${exercise.directory}/exercise.json: the stub ${stub} builds on ${from.id}, which has no learner file ${path.basename(stub)}.`,
        );
      }
      const patch = path.join(exercise.solutionDirectory, STUB_PATCH_FILE);
      return { kind: 'stub' as const, exercise, from, target: stub, base: solutionFileOf(from, previous), patch };
    });
  });
}

/** The reference solutions derived from their generated stubs: one for each stub {@link findStubSources} finds. */
export function findSolutionSources(exercises: readonly Exercise[]): StubSource[] {
  return findStubSources(exercises).map((stub) => ({
    kind: 'solution' as const,
    exercise: stub.exercise,
    from: stub.exercise,
    target: solutionFileOf(stub.exercise, stub.target),
    base: stub.target,
    patch: path.join(stub.exercise.solutionDirectory, SOLUTION_PATCH_FILE),
  }));
}

/**
 * Every generated file, in the order they must be made: exercise by exercise, the stub (from the
 * previous solution) and then the solution (from that stub).
 */
export function findGeneratedFiles(exercises: readonly Exercise[]): StubSource[] {
  const solutions = findSolutionSources(exercises);
  return findStubSources(exercises).flatMap((stub, index) => [stub, solutions[index]!]);
}

/** The stub as its patch generates it from the previous solution. Throws {@link StubPatchDoesNotApply}. */
export function generateStub(root: string, source: StubSource): string {
  const patchFile = path.join(root, source.patch);
  if (!existsSync(patchFile)) throw new StubPatchDoesNotApply(source, `there is no ${source.patch}.`);
  const patches = parsePatch(splitPatch(readFileSync(patchFile, 'utf8')).diff);
  if (patches.length !== 1)
    throw new StubPatchDoesNotApply(source, `it must hold exactly one file's diff; it holds ${patches.length}.`);
  const base = readFileSync(path.join(root, source.base), 'utf8');
  const text = applyPatch(base, patches[0]!);
  if (text === false) throw new StubPatchDoesNotApply(source, describeFailingHunk(base, patches[0]!, source.base));
  return text;
}

/**
 * The patch text that turns `base` (the previous solution) into `stub`: a preamble that says what the
 * file is, then one unified diff.
 */
export function writeStubPatch(
  source: Pick<StubSource, 'kind' | 'exercise' | 'from' | 'target'>,
  base: string,
  stub: string,
): string {
  const name = path.basename(source.target);
  const what =
    source.kind === 'stub'
      ? `Stub of ${source.exercise.id}: the reference solution of ${source.from.id} plus what this exercise adds.`
      : `Reference solution of ${source.exercise.id}: its stub plus what a learner writes in this exercise.`;
  const preamble =
    `${what}\n` +
    `Generated into ${source.target} by \`npm run stubs -- --write\`; after editing that file, \`npm run stubs -- --save ${source.exercise.id}\`.`;
  const diff = unifiedDiff(name, base, stub);
  return `${preamble}\n\n${diff}`;
}

/** Where a committed stub first differs from what its patch generates, or `null` when they are equal. */
export function firstDifference(
  committed: string,
  generated: string,
): { readonly line: number; readonly committed: string; readonly generated: string } | null {
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
  const stubFile = path.join(root, source.target);
  const committed = existsSync(stubFile) ? readFileSync(stubFile, 'utf8') : '';
  const difference = firstDifference(committed, generated);
  if (difference === null) return null;
  return (
    `${source.target} is not what ${source.patch} generates from ${source.base}: first difference at line ${difference.line}:\n` +
    `  ${source.kind === 'stub' ? 'stub:     ' : 'solution: '} ${difference.committed}\n  generated: ${difference.generated}\n` +
    `\`npm run stubs -- --write\` regenerates it; after editing it on purpose, \`npm run stubs -- --save ${source.exercise.id}\`.`
  );
}
