/**
 * The learner's summary at the end of `npm test`: each exercise that ran, in course order, with how
 * many of its tests pass; then the first unfinished exercise and its first failing test, so the last
 * lines on the screen say where to look. vitest's own summary lists files in the order they finished.
 *
 * {@link LearnerSummaryReporter} is a vitest reporter (see `vitest.config.ts`). It speaks only for the
 * `exercises` project and prints nothing for the others. Scripts that run vitest with `--reporter=json`
 * (`kata`, `npm run verify`) replace the configured reporters, so their output is unchanged.
 *
 * @module
 */
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { repositoryRoot } from '../lib/exercises.ts';
import { allExercises, loadCourse, type Course } from './course.ts';
import { shortestName } from './names.ts';

/** One test's outcome, as the summary needs it. */
export interface SummaryTest {
  /** The test file, relative to the repository root. */
  readonly file: string;
  readonly name: string;
  readonly state: 'passed' | 'failed' | 'skipped';
  /** The first line of the failure, when it failed. */
  readonly headline?: string;
}

/** A test file that did not load, with the first line of why. */
export interface BrokenFile {
  readonly file: string;
  readonly headline: string;
}

const inside = (directory: string, file: string) =>
  file.startsWith(directory + path.sep) || file.startsWith(directory + '/');

/** The summary's text, or `''` when no exercise's tests ran. Pure. */
export function renderLearnerSummary(
  course: Course,
  tests: readonly SummaryTest[],
  broken: readonly BrokenFile[] = [],
): string {
  const lines: string[] = [];
  let first: { title: string; directory: string; name: string; test?: SummaryTest; broken?: BrokenFile } | null = null;
  const exercises = allExercises(course).map((entry) => entry.exercise);
  for (const { exercise, title } of allExercises(course)) {
    const own = tests.filter((test) => test.state !== 'skipped' && inside(exercise.directory, test.file));
    const notLoaded = broken.find((file) => inside(exercise.directory, file.file));
    if (own.length === 0 && notLoaded === undefined) continue;
    const passed = own.filter((test) => test.state === 'passed').length;
    const done = notLoaded === undefined && passed === own.length;
    const mark = done ? '✓' : passed > 0 || notLoaded !== undefined ? '◐' : '○';
    const note = notLoaded === undefined ? '' : '  (a test file does not load)';
    lines.push(`  ${mark} ${title.padEnd(44)} ${`${passed}/${own.length}`.padStart(7)} tests pass${note}`);
    if (!done && first === null) {
      const failing = own.find((test) => test.state === 'failed');
      first = {
        title,
        directory: exercise.directory,
        name: shortestName(exercise, exercises),
        ...(notLoaded === undefined ? {} : { broken: notLoaded }),
        ...(failing === undefined ? {} : { test: failing }),
      };
    }
  }
  if (lines.length === 0) return '';
  const ending =
    first === null
      ? ['Every exercise that ran is done.']
      : [
          `Next: ${first.title} (${first.directory})`,
          ...(first.broken !== undefined
            ? [`  ${first.broken.file} does not load: ${first.broken.headline}`]
            : first.test !== undefined
              ? [`  first failing test: ${first.test.file} > ${first.test.name}`, `    ${first.test.headline ?? ''}`]
              : []),
          `  its tests alone, on every save: npm run kata -- watch ${first.name}`,
        ];
  return ['', 'Your progress, in course order:', ...lines, '', ...ending, ''].join('\n');
}

/** The vitest reporter that prints {@link renderLearnerSummary} after vitest's own summary. */
export class LearnerSummaryReporter implements Reporter {
  /** The project whose tests are the learner's. */
  private readonly project: string;

  constructor(project = 'exercises') {
    this.project = project;
  }

  /** Prints the summary once every test has run. */
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const own = testModules.filter((module) => module.project.name === this.project);
    if (own.length === 0) return;
    const tests: SummaryTest[] = [];
    const broken: BrokenFile[] = [];
    for (const module of own) {
      const file = path.relative(repositoryRoot, module.moduleId);
      const cases = [...module.children.allTests()];
      const loadError = module.errors()[0];
      if (cases.length === 0 && loadError !== undefined) broken.push({ file, headline: firstLine(loadError.message) });
      for (const testCase of cases) {
        const result = testCase.result();
        const state = result.state === 'passed' ? 'passed' : result.state === 'failed' ? 'failed' : 'skipped';
        const error = result.state === 'failed' ? result.errors?.[0] : undefined;
        tests.push({
          file,
          name: testCase.fullName,
          state,
          ...(error === undefined ? {} : { headline: firstLine(error.message) }),
        });
      }
    }
    const text = renderLearnerSummary(loadCourse(repositoryRoot), tests, broken);
    if (text !== '') process.stdout.write(text + '\n');
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? text;
}
