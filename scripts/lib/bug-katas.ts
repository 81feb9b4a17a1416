/**
 * "Find the bug" katas: each known mistake, as a learner meets it. A bug kata is the exercise's learner
 * files with one mistake applied to the reference solution: the learner runs the tests, reads the
 * failure and the trace, and fixes the code without reading the patch.
 *
 * Where the katas come from:
 * - in the full repository, from `solutions/<chapter>/<exercise>/mistakes/*.patch`, applied in memory;
 * - in a learner's copy (`npm run classroom -- student-copy --with-bugs ...`), which has no `solutions/`,
 *   from `bug-katas/<chapter>/<exercise>/bug-<n>.json` files the copy was given: the mistaken files, and
 *   the patch and its text in base64, so that a glance at the file does not give the answer away.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Exercise } from './exercises.ts';
import { applyMistake } from './mistakes.ts';

/** One bug kata: the files the learner starts from, and what the mistake was (for `--reveal`). */
export interface BugKata {
  /** The known mistake's name (its patch file, without `.patch`). */
  readonly mistake: string;
  /** 1-based position among the exercise's katas: the learner sees "bug 2", never the mistake's name. */
  readonly number: number;
  /** Every learner file of the exercise, by file name: the mistaken one(s), and the others as solved. */
  readonly files: ReadonlyArray<{ readonly name: string; readonly text: string }>;
  /** What the learner got wrong (the patch's `Known mistake:` line). */
  readonly description: string | null;
  /** The phrase the failure names (the patch's `Breaks:` line). */
  readonly breaks: string | null;
  /** The patch itself, preamble and diff. */
  readonly patch: string;
}

/** Where a learner's copy keeps the katas it was given, relative to its root. */
export const BUG_BUNDLE_FOLDER = 'bug-katas';

/** The bug katas of `exercise`: from its known mistakes when `solutions/` is there, else from the copy's bundles. */
export function findBugKatas(root: string, exercise: Exercise): BugKata[] {
  if (existsSync(path.join(root, exercise.solutionDirectory))) return katasFromMistakes(root, exercise);
  return katasFromBundles(root, exercise);
}

/** How many bug katas `exercise` has, without applying any patch (for status and report). */
export function countBugKatas(root: string, exercise: Exercise): number {
  if (existsSync(path.join(root, exercise.solutionDirectory))) return exercise.mistakes.length;
  const folder = path.join(root, BUG_BUNDLE_FOLDER, exercise.id);
  return existsSync(folder) ? readdirSync(folder).filter((name) => /^bug-\d+\.json$/.test(name)).length : 0;
}

function katasFromMistakes(root: string, exercise: Exercise): BugKata[] {
  return exercise.mistakes.map((mistake, index) => {
    const changed = new Map(applyMistake(root, mistake).map((file) => [path.basename(file.file), file.text]));
    const files = exercise.learnerFiles.map((learnerFile) => {
      const name = path.basename(learnerFile);
      return {
        name,
        text: changed.get(name) ?? readFileSync(path.join(root, exercise.solutionDirectory, name), 'utf8'),
      };
    });
    return {
      mistake: mistake.name,
      number: index + 1,
      files,
      description: mistake.description,
      breaks: mistake.breaks,
      patch: readFileSync(path.join(root, mistake.file), 'utf8'),
    };
  });
}

/** A bundle file: one kata as a learner's copy stores it. */
interface BugBundle {
  readonly version: 1;
  readonly number: number;
  readonly files: BugKata['files'];
  /** base64 of `{ mistake, description, breaks, patch }` as JSON. */
  readonly answer: string;
}

/** The bundle files of an exercise's katas, for a learner's copy: path (relative to the copy's root) and text. */
export function bugBundles(katas: readonly BugKata[], exercise: Exercise): Array<{ file: string; text: string }> {
  return katas.map((kata) => {
    const answer = { mistake: kata.mistake, description: kata.description, breaks: kata.breaks, patch: kata.patch };
    const bundle: BugBundle = {
      version: 1,
      number: kata.number,
      files: kata.files,
      answer: Buffer.from(JSON.stringify(answer)).toString('base64'),
    };
    return { file: bundleFolder(exercise, kata.number), text: JSON.stringify(bundle, null, 2) + '\n' };
  });
}

function bundleFolder(exercise: Exercise, number: number): string {
  return path.join(BUG_BUNDLE_FOLDER, exercise.id, `bug-${number}.json`);
}

function katasFromBundles(root: string, exercise: Exercise): BugKata[] {
  const folder = path.join(root, BUG_BUNDLE_FOLDER, exercise.id);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /^bug-\d+\.json$/.test(name))
    .map((name) => {
      const file = path.join(folder, name);
      const bundle = JSON.parse(readFileSync(file, 'utf8')) as BugBundle;
      if (bundle.version !== 1 || !Array.isArray(bundle.files) || typeof bundle.answer !== 'string')
        throw new Error(`${path.relative(root, file)} is not a bug kata this version of the workshop can read.`);
      const answer = JSON.parse(Buffer.from(bundle.answer, 'base64').toString('utf8')) as Pick<
        BugKata,
        'mistake' | 'description' | 'breaks' | 'patch'
      >;
      return { ...answer, number: bundle.number, files: bundle.files };
    })
    .sort((a, b) => a.number - b.number);
}
