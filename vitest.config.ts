import { defineConfig } from 'vitest/config';
import { solutionRedirect } from './scripts/lib/solution-redirect.ts';

/**
 * Three projects share one set of exercise tests:
 * - `harness`: the harness's own tests.
 * - `exercises`: the exercise tests against the learner's files (red on the untouched stubs).
 * - `solutions`: the same test files, with imports of an exercise's source redirected to its mirror
 *   under `solutions/` (or, with `KATA_MISTAKE` set, to one known mistake).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'harness',
          env: { KATA_PROJECT: 'harness' },
          include: ['harness/**/*.test.ts', 'scripts/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'exercises',
          env: { KATA_PROJECT: 'exercises' },
          include: ['exercises/**/*.test.ts'],
        },
      },
      {
        plugins: [solutionRedirect()],
        test: {
          name: 'solutions',
          env: { KATA_PROJECT: 'solutions' },
          include: ['exercises/**/*.test.ts'],
        },
      },
    ],
  },
});
