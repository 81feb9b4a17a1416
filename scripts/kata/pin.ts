/**
 * `kata pin`: keeps one run of an exercise's tests as a test of its own, in the learner's exercise
 * folder, so a failure found once (by a sweep, by an instructor collecting student bugs) is replayed by
 * every later `npm test` and `kata watch`.
 *
 * How the pinned test replays exactly that run: it sets `KATA_SEED` (or `KATA_REPLAY`) and then imports
 * the exercise's own test files. Their tests register inside the pinned file and run there with the
 * variable set, so every sweep runs only the pinned seed, which also draws the same fault schedule and
 * swarm settings (they come from the seed). The assertions are the exercise's tests themselves, not a
 * copy that could drift from them. The variable is set before the import (a static import would run
 * first) and put back after the file's tests, so no other test file sees it.
 *
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Exercise } from '../lib/exercises.ts';

/** Which run to pin. */
export type PinTarget = { readonly seed: number } | { readonly property: string };

/** Facts for the pinned file's comment: where the run came from. */
export interface PinOrigin {
  /** The command that wrote the file, e.g. `npm run kata -- pin echo --seed 7`. */
  readonly command: string;
  /** ISO 8601. */
  readonly pinnedAt: string;
  /** The short hash of HEAD, or `null`. */
  readonly commit: string | null;
}

/** The pinned test's file name, e.g. `pinned-seed-7.test.ts` or `pinned-replay-42-1-0.test.ts`. */
export function pinnedFileName(target: PinTarget): string {
  return 'seed' in target
    ? `pinned-seed-${target.seed}.test.ts`
    : `pinned-replay-${target.property.replace(/[^\d]+/g, '-')}.test.ts`;
}

/** The source of the pinned test for `exercise`. Pure. */
export function pinnedTestSource(exercise: Exercise, target: PinTarget, origin: PinOrigin): string {
  const [name, value] = 'seed' in target ? ['KATA_SEED', String(target.seed)] : ['KATA_REPLAY', target.property];
  const imports = exercise.testFiles
    .filter((file) => !path.basename(file).startsWith('pinned-'))
    .map((file) => `await import('./${path.basename(file)}');`);
  const run = 'seed' in target ? `seed ${target.seed}` : `the fast-check case ${target.property}`;
  return `/**
 * A pinned run: the tests of ${exercise.id} with ${run}, kept as a test.
 *
 * Pinned by \`${origin.command}\` on ${origin.pinnedAt}${origin.commit === null ? '' : ` at commit ${origin.commit}`}.
 * It sets ${name}=${value} and then imports the exercise's own test files, so their tests run here,
 * with the same checks, and every sweep runs only this ${'seed' in target ? 'seed\n * (the fault schedule and settings of the run are drawn from the seed, so they are pinned too)' : 'case'}.
 * The variable is set before the imports (a static import would run first) and put back afterwards.
 * Delete this file when you no longer want the run kept.
 */
import { afterAll } from 'vitest';

const before = process.env['${name}'];
process.env['${name}'] = '${value}';
afterAll(() => {
  if (before === undefined) delete process.env['${name}'];
  else process.env['${name}'] = before;
});

${imports.join('\n')}
`;
}

/**
 * Writes the pinned test into the exercise's folder and returns its path (relative to `root`).
 *
 * @throws Error when the file exists already: a pinned test may have been edited, and is never overwritten.
 */
export function pinRun(root: string, exercise: Exercise, target: PinTarget, origin: PinOrigin): string {
  const file = path.join(exercise.directory, pinnedFileName(target));
  if (existsSync(path.join(root, file)))
    throw new Error(`${file} exists already: that run is pinned. Delete the file to pin it again.`);
  writeFileSync(path.join(root, file), pinnedTestSource(exercise, target, origin));
  return file;
}
