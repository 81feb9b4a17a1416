/**
 * The mechanics of a bug kata, checked on a real exercise (verify's bug-kata section, and a test): the
 * kata's file in a folder of its own fails the exercise's tests with its mistake's `Breaks:` phrase,
 * and the same folder holding the reference solution passes them all. The learner's file is never
 * touched, and the folder is removed afterwards. Several katas, each of another exercise, can be checked
 * in the same two vitest runs.
 *
 * @module
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BugKata } from '../lib/bug-katas.ts';
import { BUG_FOLDER } from '../lib/bug-redirect.ts';
import { solutionFileOf, type Exercise } from '../lib/exercises.ts';
import type { VitestRun } from '../lib/vitest-run.ts';
import { pointImports, runKatas } from './bug.ts';

/** One check's outcome. */
export interface KataCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** Runs `kata` of `exercise` red, then with the reference solution green, in a folder named `folderName`. */
export async function checkKataMechanics(
  root: string,
  exercise: Exercise,
  kata: BugKata,
  folderName: string,
): Promise<KataCheck[]> {
  return checkKatasMechanics(root, [{ exercise, kata }], folderName);
}

/**
 * {@link checkKataMechanics} for several katas, each of another exercise, in two vitest runs in all (one
 * red, one green) instead of two each: each exercise's tests load only its own kata's files.
 */
export async function checkKatasMechanics(
  root: string,
  katas: ReadonlyArray<{ readonly exercise: Exercise; readonly kata: BugKata }>,
  folderName: string,
): Promise<KataCheck[]> {
  // A folder of its own beside the learner's katas, so that theirs are never touched.
  const entries = katas.map(({ exercise, kata }) => ({
    exercise,
    kata,
    folder: path.join(BUG_FOLDER, exercise.id, folderName),
    learnerNames: exercise.learnerFiles.map((file) => path.basename(file)),
    before: exercise.learnerFiles.map((file) => readFileSync(path.join(root, file), 'utf8')),
    label: `${exercise.id} bug ${kata.number} (${kata.mistake})`,
  }));
  const fill = (text: (entry: (typeof entries)[number], name: string) => string) => {
    for (const entry of entries) {
      mkdirSync(path.join(root, entry.folder), { recursive: true });
      for (const name of entry.learnerNames)
        writeFileSync(
          path.join(root, entry.folder, name),
          pointImports(text(entry, name), entry.exercise.directory, entry.folder, entry.learnerNames),
        );
    }
  };
  const ofExercise = (run: VitestRun, exercise: Exercise) => ({
    tests: run.tests.filter((test) => test.file.startsWith(exercise.directory + path.sep)),
    brokenFiles: run.brokenFiles.filter(
      (broken) => broken.file.startsWith(exercise.directory + path.sep) || !broken.file.startsWith('exercises'),
    ),
  });
  try {
    fill((entry, name) => entry.kata.files.find((file) => file.name === name)?.text ?? '');
    const redRun = await runKatas(root, entries);
    const checks: KataCheck[] = [];
    for (const entry of entries) {
      const red = ofExercise(redRun, entry.exercise);
      const messages = red.tests.filter((test) => test.status === 'failed').flatMap((test) => test.failureMessages);
      const phrase = (entry.kata.breaks ?? '').toLowerCase();
      const named = phrase !== '' && messages.some((message) => message.toLowerCase().includes(phrase));
      checks.push({
        name: `${entry.label} starts red, naming "${entry.kata.breaks}"`,
        ok: red.brokenFiles.length === 0 && named,
        detail:
          red.brokenFiles.length > 0
            ? `the tests did not load: ${red.brokenFiles[0]!.message.split('\n').slice(0, 5).join('\n')}`
            : `${messages.length} failure(s), none naming "${entry.kata.breaks}"`,
      });
    }
    fill((entry, name) => readFileSync(path.join(root, solutionFileOf(entry.exercise, name)), 'utf8'));
    const greenRun = await runKatas(root, entries);
    for (const entry of entries) {
      const green = ofExercise(greenRun, entry.exercise);
      const failing = green.tests.filter((test) => test.status !== 'passed' && test.status !== 'skipped');
      checks.push({
        name: `${entry.label} turns green with the reference solution in its folder`,
        ok: green.tests.length > 0 && failing.length === 0 && green.brokenFiles.length === 0,
        detail: `${failing.length} test(s) still fail: ${failing
          .slice(0, 3)
          .map((test) => test.name)
          .join('; ')}${green.brokenFiles.length > 0 ? `; did not load: ${green.brokenFiles[0]!.message}` : ''}`,
      });
      const after = entry.exercise.learnerFiles.map((file) => readFileSync(path.join(root, file), 'utf8'));
      checks.push({
        name: `${entry.label} leaves the learner's file alone`,
        ok: after.join('\0') === entry.before.join('\0'),
      });
    }
    return checks;
  } finally {
    for (const entry of entries) rmSync(path.join(root, entry.folder), { recursive: true, force: true });
  }
}
