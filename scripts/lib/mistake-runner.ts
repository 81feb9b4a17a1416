/**
 * Runs the exercise tests against known mistakes inside ONE vitest process, instead of one process (and
 * one vitest start-up) per mistake.
 *
 * Mistakes are judged in rounds. A round takes at most one mistake from each exercise, names them all in
 * `KATA_MISTAKE` (the solution redirect reads it at every load), invalidates the solution files they
 * patch, and runs those exercises' test files together. An exercise's tests import only its own source
 * file, so the mistakes of one round cannot see each other.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { createVitest, type TestModule, type Vitest } from 'vitest/node';
import type { Exercise } from './exercises.ts';
import { JUDGE_EARLY_VARIABLE } from './judge-early.ts';
import type { PatchedSolution } from './mistakes.ts';
import { MISTAKE_VARIABLE } from './solution-redirect.ts';
import type { VitestRun, TestResult } from './vitest-run.ts';

/** Turns off the check that a sweep's failing seed fails alone too (see `harness/testing/environment.ts`). */
export const REPLAY_CHECK_VARIABLE = 'KATA_REPLAY_CHECK';

/** One patch to judge (a known mistake, or an alternative solution), with its exercise. */
export interface MistakeJob {
  readonly exercise: Exercise;
  readonly mistake: PatchedSolution;
}

/** How {@link runMistakes} runs. */
export interface MistakeRunOptions {
  /**
   * Skip a mistake's remaining tests once one fails naming its `Breaks:` phrase
   * (`./judge-early-setup.ts`): the verdict is then known. Off, every test runs (to count sweeps).
   */
  readonly stopWhenCaught?: boolean;
}

/**
 * Runs every job's exercise tests against its mistake and calls `onResult` with each outcome, in the
 * form `runVitest` returns for a single run. `root` is the repository (its `vitest.config.ts` is used).
 */
export async function runMistakes<Job extends MistakeJob>(
  root: string,
  jobs: readonly Job[],
  onResult: (job: Job, run: VitestRun) => void,
  options: MistakeRunOptions = {},
): Promise<void> {
  const previous = process.env[MISTAKE_VARIABLE];
  const previousReplayCheck = process.env[REPLAY_CHECK_VARIABLE];
  const previousJudgeEarly = process.env[JUDGE_EARLY_VARIABLE];
  const markers = options.stopWhenCaught === true ? mkdtempSync(path.join(tmpdir(), 'kata-judged-')) : undefined;
  if (markers === undefined) delete process.env[JUDGE_EARLY_VARIABLE];
  else process.env[JUDGE_EARLY_VARIABLE] = markers;
  // A mistake's failing seed is not module-level state: checking that it fails alone in a fresh process
  // (harness/testing/replay-check.ts) would start a vitest per failing sweep, for nothing.
  process.env[REPLAY_CHECK_VARIABLE] = '0';
  // Every core: this process only waits while the workers run (vitest's default keeps one core back).
  const maxWorkers = availableParallelism();
  const vitest = await createVitest('test', {
    root,
    watch: false,
    project: ['solutions'],
    reporters: [{}],
    maxWorkers,
  });
  try {
    for (const round of rounds(jobs)) {
      process.env[MISTAKE_VARIABLE] = round.map((job) => job.mistake.file).join(path.delimiter);
      for (const job of jobs) invalidateSolution(vitest, root, job.exercise);
      const specifications = [];
      for (const job of round)
        specifications.push(...(await vitest.getRelevantTestSpecifications([job.exercise.directory + path.sep])));
      const result = await vitest.runTestSpecifications(specifications);
      for (const job of round) onResult(job, collect(root, job.exercise, result.testModules));
    }
  } finally {
    if (previous === undefined) delete process.env[MISTAKE_VARIABLE];
    else process.env[MISTAKE_VARIABLE] = previous;
    if (previousReplayCheck === undefined) delete process.env[REPLAY_CHECK_VARIABLE];
    else process.env[REPLAY_CHECK_VARIABLE] = previousReplayCheck;
    if (previousJudgeEarly === undefined) delete process.env[JUDGE_EARLY_VARIABLE];
    else process.env[JUDGE_EARLY_VARIABLE] = previousJudgeEarly;
    await vitest.close();
    if (markers !== undefined) rmSync(markers, { recursive: true, force: true });
  }
}

/** Round k holds the k-th mistake of every exercise that has one. */
function rounds<Job extends MistakeJob>(jobs: readonly Job[]): Job[][] {
  const byExercise = new Map<string, Job[]>();
  for (const job of jobs) byExercise.set(job.exercise.id, [...(byExercise.get(job.exercise.id) ?? []), job]);
  const longest = Math.max(0, ...[...byExercise.values()].map((list) => list.length));
  return Array.from({ length: longest }, (_, index) =>
    [...byExercise.values()].flatMap((list) => list.slice(index, index + 1)),
  );
}

/** Drops the cached transform of every solution file of the exercise, so the next load applies the new mistake. */
function invalidateSolution(vitest: Vitest, root: string, exercise: Exercise): void {
  for (const source of exercise.learnerFiles)
    vitest.invalidateFile(path.join(root, exercise.solutionDirectory, path.basename(source)));
}

function collect(root: string, exercise: Exercise, modules: readonly TestModule[]): VitestRun {
  const tests: TestResult[] = [];
  const brokenFiles: Array<{ file: string; message: string }> = [];
  for (const module of modules) {
    const file = path.relative(root, module.moduleId);
    if (!file.startsWith(exercise.directory + path.sep)) continue;
    const moduleErrors = module.errors();
    if (moduleErrors.length > 0)
      brokenFiles.push({ file, message: moduleErrors.map((error) => error.message).join('\n') });
    for (const test of module.children.allTests()) {
      const result = test.result();
      tests.push({
        file,
        name: test.fullName,
        status: result.state === 'passed' ? 'passed' : result.state === 'failed' ? 'failed' : 'skipped',
        failureMessages: result.state === 'failed' ? result.errors.map((error) => error.stack ?? error.message) : [],
      });
    }
  }
  const failed = tests.some((test) => test.status === 'failed') || brokenFiles.length > 0;
  return { tests, exitCode: failed ? 1 : 0, output: '', brokenFiles };
}
