/**
 * Progress that is up to date without running every test: each exercise's remembered result is kept
 * while the files it depends on are unchanged (same input hash), and only the others are run again.
 * Status and report answer in a moment when nothing changed.
 *
 * @module
 */
import type { Exercise } from '../lib/exercises.ts';
import { inputHashes } from './inputs.ts';
import { runVitest } from '../lib/vitest-run.ts';
import { measureProgress, readProgress, type ExerciseProgress } from './progress.ts';

/** What {@link upToDateProgress} found. */
export interface UpToDate {
  readonly progress: Readonly<Record<string, ExerciseProgress>>;
  /** The exercises whose tests ran this time, in course order. */
  readonly rerun: readonly Exercise[];
  /** How many exercises kept their remembered result. */
  readonly reused: number;
  /** How long the whole check took, hashing included. */
  readonly durationMs: number;
}

/**
 * The progress of every exercise with tests. Those whose inputs changed since their result was
 * measured (or that were never measured) run again; `announce` is told which before they do.
 * `runTests` runs vitest; tests substitute it.
 */
export async function upToDateProgress(
  root: string,
  exercises: readonly Exercise[],
  announce: (stale: readonly Exercise[]) => void,
  runTests: typeof runVitest = runVitest,
): Promise<UpToDate> {
  const startedMs = performance.now();
  const withTests = exercises.filter((exercise) => exercise.testFiles.length > 0);
  const remembered = readProgress(root);
  const hashes = inputHashes(root, withTests);
  const stale = withTests.filter((exercise) => remembered[exercise.id]?.inputs !== hashes[exercise.id]);
  let progress = remembered;
  if (stale.length > 0) {
    announce(stale);
    const measurement = await measureProgress(root, exercises, stale, runTests);
    progress = { ...remembered, ...measurement.progress };
  }
  return {
    progress,
    rerun: stale,
    reused: withTests.length - stale.length,
    durationMs: performance.now() - startedMs,
  };
}
