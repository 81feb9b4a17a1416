/**
 * The vitest config a mutation run uses: only the `solutions` project of `vitest.config.ts`, so a mutant
 * of a reference solution is judged by the exercise's tests exactly as `npm run test:solutions` runs them.
 * Stryker's vitest runner starts every project of the config it is given, and `exercises` would fail on
 * the stubs and `browser` needs Chromium, so the project is picked out here rather than copied.
 *
 * The tests to run are named by `KATA_MUTATION_TESTS` (paths joined with the platform's delimiter), not
 * by Stryker's `testFiles`: with `testFiles`, Stryker 9.6 activates a static mutant (one evaluated when
 * the module loads) only after the module has loaded, so every static mutant falsely survives
 * (stryker-mutator/stryker-js#6144).
 */
import path from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import repositoryConfig from '../../vitest.config.ts';

/** The environment variable that lists the test files of the exercise under mutation. */
export const MUTATION_TESTS_VARIABLE = 'KATA_MUTATION_TESTS';

export default defineConfig(() => {
  const projects = (repositoryConfig.test?.projects ?? []) as TestProjectInlineConfiguration[];
  const solutions = projects.find((project) => project.test?.name === 'solutions');
  if (solutions === undefined)
    throw new Error('vitest.config.ts has no project named "solutions"; a mutation run needs it.');
  const tests = (process.env[MUTATION_TESTS_VARIABLE] ?? '').split(path.delimiter).filter((file) => file !== '');
  if (tests.length === 0)
    throw new Error(`${MUTATION_TESTS_VARIABLE} names no test files; run this config through npm run mutation.`);
  return { plugins: solutions.plugins ?? [], test: { ...solutions.test, include: tests } };
});
