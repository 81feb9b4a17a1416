import { configDefaults, defineConfig } from 'vitest/config';
import { testTimeoutMs } from './harness/testing/environment.ts';
import { LearnerSummaryReporter } from './scripts/kata/learner-summary.ts';
import { solutionRedirect } from './scripts/lib/solution-redirect.ts';

/**
 * Four projects; `exercises` and `solutions` share one set of exercise tests:
 * - `harness`: the harness's own tests.
 * - `exercises`: the exercise tests against the learner's files (red on the untouched stubs).
 * - `solutions`: the same test files, with imports of an exercise's source redirected to its mirror
 *   under `solutions/` (or, with `KATA_MISTAKE` set, to one known mistake).
 * - `browser`: the trace viewer in headless Chromium (`scripts/browser-tests/`), kept out of `harness`
 *   because it needs a browser on the machine.
 *
 * `npm test` ends with the learner's summary (per exercise in course order, then the first unfinished
 * exercise and its first failing test) after vitest's own. It speaks only for the `exercises` project;
 * scripts that pass `--reporter=json` (kata, verify) replace these reporters, so their output is unchanged.
 *
 * Timeouts guard against a hang and never measure speed (`npm run bench` does): one minute a test, more
 * in a soak (`KATA_SEEDS`), so a loaded machine cannot turn a correct run red.
 */
const timeouts = { testTimeout: testTimeoutMs(), hookTimeout: testTimeoutMs() };

export default defineConfig({
  test: {
    reporters: ['default', new LearnerSummaryReporter('exercises')],
    projects: [
      {
        test: {
          name: 'harness',
          ...timeouts,
          env: { KATA_PROJECT: 'harness' },
          include: ['harness/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'scripts/browser-tests/**'],
        },
      },
      {
        test: {
          name: 'exercises',
          ...timeouts,
          env: { KATA_PROJECT: 'exercises' },
          include: ['exercises/**/*.test.ts'],
          // The learner's file is typechecked too: a type error is a failing test naming file and line.
          setupFiles: ['harness/testing/typecheck-setup.ts'],
        },
      },
      {
        plugins: [solutionRedirect()],
        test: {
          name: 'solutions',
          ...timeouts,
          env: { KATA_PROJECT: 'solutions' },
          include: ['exercises/**/*.test.ts'],
          // With KATA_JUDGE_EARLY set (verify's known mistakes), a mistake's tests stop once one catches it.
          setupFiles: ['scripts/lib/judge-early-setup.ts'],
        },
      },
      {
        test: {
          name: 'browser',
          ...timeouts,
          env: { KATA_PROJECT: 'browser' },
          include: ['scripts/browser-tests/**/*.test.ts'],
        },
      },
    ],
  },
});
