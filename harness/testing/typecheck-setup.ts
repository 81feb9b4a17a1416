/**
 * vitest setup for the exercises project: before each exercise's test file, typecheck the learner's
 * files (see `typecheck.ts`), and when they have type errors add one failing test that lists them,
 * with a stack frame at the first one so vitest shows that line. A file without type errors adds no
 * test, so an untouched stub still fails only its real tests.
 *
 * @module
 */
import path from 'node:path';
import { expect, test } from 'vitest';
import { describeTypeProblems, learnerTypeErrors } from './typecheck.ts';

/** The learner's files do not typecheck. */
class LearnerTypeErrors extends Error {
  /** Lists `problems` (at least one), with a stack frame at the first. */
  constructor(problems: ReturnType<typeof learnerTypeErrors>) {
    const count = problems.length === 1 ? 'a type error' : `${problems.length} type errors`;
    const message =
      `Your code has ${count}: TypeScript would reject it, even where the tests pass.\n` +
      `${describeTypeProblems(problems)}\n` +
      'Your editor shows the same errors, and `npm run typecheck` checks the whole course.';
    super(message);
    this.name = 'LearnerTypeErrors';
    const first = problems[0]!;
    this.stack = `${this.name}: ${message}\n    at ${path.resolve(first.file)}:${first.line}:${first.column}`;
  }
}

const testPath = expect.getState().testPath;
if (testPath !== undefined) {
  const problems = learnerTypeErrors(path.dirname(testPath));
  if (problems.length > 0) {
    const names = [...new Set(problems.map((problem) => path.basename(problem.file)))].join(', ');
    test(`${names} typechecks`, () => {
      throw new LearnerTypeErrors(problems);
    });
  }
}
