/**
 * Progress: how many of each exercise's tests pass. Measured by running the `exercises` test project,
 * and remembered in `.kata/progress.json` with the time of the measurement and the hash of the files
 * the result depends on (see `inputs.ts`), so an exercise whose files are unchanged need not run again.
 *
 * @module
 */
import path from 'node:path';
import type { Exercise } from '../lib/exercises.ts';
import { runVitest, type TestResult, type VitestRun } from '../lib/vitest-run.ts';
import { inputHashes } from './inputs.ts';
import { kataPaths, readJson, writeJson } from './state.ts';

/** One exercise's measured progress. */
export interface ExerciseProgress {
  readonly passed: number;
  readonly failed: number;
  /** `passed + failed` (skipped tests do not count). */
  readonly total: number;
  /** Why the tests could not run at all (a syntax error in the learner's file, say), or absent. */
  readonly broken?: string;
  /**
   * The first failing test, as `<test file> > <test name>` with the file relative to the exercise's
   * folder; absent when none failed (and in older files).
   */
  readonly firstFailingTest?: string;
  /** When it was measured, as an ISO 8601 string. */
  readonly measuredAt: string;
  /** The hash of the files the result depends on, when it was measured; absent in older files. */
  readonly inputs?: string;
}

/** The contents of `.kata/progress.json`. */
export interface ProgressFile {
  readonly version: 1;
  /** By exercise id, e.g. `01-message-passing/01-echo`. */
  readonly exercises: Readonly<Record<string, ExerciseProgress>>;
}

/** What one measurement found, beyond the counts: the first failing test of each exercise. */
export interface Measurement {
  readonly progress: Readonly<Record<string, ExerciseProgress>>;
  readonly firstFailure: Readonly<Record<string, TestResult>>;
  readonly durationMs: number;
}

/** Where an exercise's state is: done (every test passes), started, not started, or not measured. */
export type ExerciseState = 'done' | 'started' | 'not-started' | 'unknown';

/** The state an exercise's progress puts it in. A file whose tests do not load has been edited: started. */
export function exerciseState(progress: ExerciseProgress | undefined): ExerciseState {
  if (progress === undefined) return 'unknown';
  if (progress.broken !== undefined) return 'started';
  if (progress.total > 0 && progress.passed === progress.total) return 'done';
  return progress.passed > 0 ? 'started' : 'not-started';
}

/** Splits one vitest run into per-exercise progress. Exercises the run did not cover are left out. */
export function summariseRun(run: VitestRun, exercises: readonly Exercise[], measuredAt: string): Measurement {
  const progress: Record<string, ExerciseProgress> = {};
  const firstFailure: Record<string, TestResult> = {};
  for (const exercise of exercises) {
    const inside = (file: string) =>
      file.startsWith(exercise.directory + path.sep) || file.startsWith(exercise.directory + '/');
    const tests = run.tests.filter((test) => inside(test.file) && test.status !== 'skipped');
    const broken = run.brokenFiles.filter((file) => inside(file.file));
    if (tests.length === 0 && broken.length === 0) continue;
    const passed = tests.filter((test) => test.status === 'passed').length;
    const failed = tests.length - passed;
    const failure = tests.find((test) => test.status === 'failed');
    progress[exercise.id] = {
      passed,
      failed,
      total: tests.length,
      ...(broken.length === 0 ? {} : { broken: `${broken[0]!.file}: ${broken[0]!.message}` }),
      ...(failure === undefined
        ? {}
        : { firstFailingTest: `${failure.file.slice(exercise.directory.length + 1)} > ${failure.name}` }),
      measuredAt,
    };
    if (failure !== undefined) firstFailure[exercise.id] = failure;
  }
  return { progress, firstFailure, durationMs: 0 };
}

/**
 * Runs the tests of `exercises` (all of them when `only` is not given) against the learner's files and
 * remembers the result. `KATA_SEED` and `KATA_SEEDS` are cleared: progress is always the standard run.
 */
export async function measureProgress(
  root: string,
  exercises: readonly Exercise[],
  only?: readonly Exercise[],
  runTests: typeof runVitest = runVitest,
): Promise<Measurement> {
  const startedMs = performance.now();
  // Hashed before the run: a file saved while the tests run makes the result stale, never falsely fresh.
  const inputs = inputHashes(root, only ?? exercises);
  const filters = only === undefined ? [] : only.map((exercise) => exercise.directory);
  const run = await runTests(root, ['--project', 'exercises', ...filters], {
    KATA_SEED: '',
    KATA_SEEDS: '',
    KATA_REPLAY: '',
  });
  const measurement = summariseRun(run, only ?? exercises, new Date().toISOString());
  if (Object.keys(measurement.progress).length === 0 && run.brokenFiles.length > 0) {
    throw new Error(
      `The tests did not run:\n${run.brokenFiles.map((file) => `${file.file}: ${file.message}`).join('\n')}`,
    );
  }
  const progress = Object.fromEntries(
    Object.entries(measurement.progress).map(([id, figures]) => [id, { ...figures, inputs: inputs[id] }]),
  );
  rememberProgress(root, progress);
  return { ...measurement, progress, durationMs: performance.now() - startedMs };
}

/**
 * The progress remembered in `.kata/progress.json` (empty when there is none). The file is a cache:
 * when it is unreadable, or an entry is not what this code writes, that part is ignored (and measured
 * again), never trusted.
 */
export function readProgress(root: string): Readonly<Record<string, ExerciseProgress>> {
  const file = readJson<unknown>(kataPaths(root).progress, {});
  if (typeof file !== 'object' || file === null) return {};
  const { version, exercises } = file as Partial<Record<keyof ProgressFile, unknown>>;
  if (version !== 1 || typeof exercises !== 'object' || exercises === null) return {};
  return Object.fromEntries(Object.entries(exercises).filter(([, entry]) => isProgress(entry)));
}

function isProgress(entry: unknown): entry is ExerciseProgress {
  if (typeof entry !== 'object' || entry === null) return false;
  const { passed, failed, total, broken, firstFailingTest, measuredAt, inputs } = entry as Record<string, unknown>;
  const count = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
  return (
    count(passed) &&
    count(failed) &&
    count(total) &&
    typeof measuredAt === 'string' &&
    (broken === undefined || typeof broken === 'string') &&
    (firstFailingTest === undefined || typeof firstFailingTest === 'string') &&
    (inputs === undefined || typeof inputs === 'string')
  );
}

/** Merges `progress` into `.kata/progress.json`; exercises not in it keep their older figures. */
export function rememberProgress(root: string, progress: Readonly<Record<string, ExerciseProgress>>): void {
  const file: ProgressFile = { version: 1, exercises: { ...readProgress(root), ...progress } };
  writeJson(kataPaths(root).progress, file);
}
