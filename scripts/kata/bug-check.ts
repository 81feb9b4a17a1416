/**
 * The mechanics of a bug kata, checked on a real exercise (verify's bug-kata section, and a test): the
 * kata's file in a folder of its own fails the exercise's tests with its mistake's `Breaks:` phrase,
 * and the same folder holding the reference solution passes them all. The learner's file is never
 * touched, and the folder is removed afterwards.
 *
 * @module
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BugKata } from '../lib/bug-katas.ts';
import { BUG_FOLDER } from '../lib/bug-redirect.ts';
import { solutionFileOf, type Exercise } from '../lib/exercises.ts';
import { pointImports, runKata } from './bug.ts';

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
  // A folder of its own beside the learner's katas, so that theirs are never touched.
  const folder = path.join(BUG_FOLDER, exercise.id, folderName);
  const learnerNames = exercise.learnerFiles.map((file) => path.basename(file));
  const before = exercise.learnerFiles.map((file) => readFileSync(path.join(root, file), 'utf8'));
  const fill = (text: (name: string) => string) => {
    mkdirSync(path.join(root, folder), { recursive: true });
    for (const name of learnerNames)
      writeFileSync(path.join(root, folder, name), pointImports(text(name), exercise.directory, folder, learnerNames));
  };
  const label = `${exercise.id} bug ${kata.number} (${kata.mistake})`;
  try {
    fill((name) => kata.files.find((file) => file.name === name)?.text ?? '');
    const red = await runKata(root, exercise, folder);
    const messages = red.tests.filter((test) => test.status === 'failed').flatMap((test) => test.failureMessages);
    const phrase = (kata.breaks ?? '').toLowerCase();
    const named = phrase !== '' && messages.some((message) => message.toLowerCase().includes(phrase));
    const checks: KataCheck[] = [
      {
        name: `${label} starts red, naming "${kata.breaks}"`,
        ok: red.brokenFiles.length === 0 && named,
        detail:
          red.brokenFiles.length > 0
            ? `the tests did not load: ${red.brokenFiles[0]!.message.split('\n').slice(0, 5).join('\n')}`
            : `${messages.length} failure(s), none naming "${kata.breaks}"`,
      },
    ];
    fill((name) => readFileSync(path.join(root, solutionFileOf(exercise, name)), 'utf8'));
    const green = await runKata(root, exercise, folder);
    const failing = green.tests.filter((test) => test.status !== 'passed' && test.status !== 'skipped');
    checks.push({
      name: `${label} turns green with the reference solution in its folder`,
      ok: green.tests.length > 0 && failing.length === 0 && green.brokenFiles.length === 0,
      detail: `${failing.length} test(s) still fail: ${failing
        .slice(0, 3)
        .map((test) => test.name)
        .join('; ')}${green.brokenFiles.length > 0 ? `; did not load: ${green.brokenFiles[0]!.message}` : ''}`,
    });
    const after = exercise.learnerFiles.map((file) => readFileSync(path.join(root, file), 'utf8'));
    checks.push({ name: `${label} leaves the learner's file alone`, ok: after.join('\0') === before.join('\0') });
    return checks;
  } finally {
    rmSync(path.join(root, folder), { recursive: true, force: true });
  }
}
