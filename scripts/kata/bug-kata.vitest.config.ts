/**
 * The vitest config a "find the bug" kata runs with (`npm run kata -- bug`): the `exercises` project of
 * `vitest.config.ts`, plus the redirect that serves the kata's files in place of the learner's
 * (`scripts/lib/bug-redirect.ts`, driven by `KATA_BUG`). The learner's own files and `npm test` are
 * untouched.
 */
import path from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import repositoryConfig from '../../vitest.config.ts';
import { bugRedirect } from '../lib/bug-redirect.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

export default defineConfig(() => {
  const projects = (repositoryConfig.test?.projects ?? []) as TestProjectInlineConfiguration[];
  const exercises = projects.find((project) => project.test?.name === 'exercises');
  if (exercises === undefined)
    throw new Error('vitest.config.ts has no project named "exercises"; a bug kata runs its tests.');
  return {
    root,
    plugins: [bugRedirect(root)],
    test: { ...exercises.test, name: 'bug-kata', env: { ...exercises.test?.env, KATA_PROJECT: 'bug-kata' } },
  };
});
