import { copyFileSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, test } from 'vitest';
import { findExercises, repositoryRoot } from '../lib/exercises.ts';
import { runVitest } from '../lib/vitest-run.ts';
import { exerciseNames, scaffoldExercise, ScaffoldError } from './scaffold.ts';
import { temporaryWorkshop } from './test-fixtures.ts';

const EXERCISE = path.join('exercises', '05-consensus', '06-membership');
const SOLUTION = path.join('solutions', '05-consensus', '06-membership');

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A temporary workshop with chapter 05 (a README, no exercises) and this repository's harness and packages. */
function workshop(): string {
  const root = temporaryWorkshop({ 'exercises/05-consensus/README.md': '# Chapter 05: consensus\n' });
  roots.push(root);
  symlinkSync(path.join(repositoryRoot, 'harness'), path.join(root, 'harness'), 'dir');
  symlinkSync(path.join(repositoryRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  // The generated files import the harness as #harness, through package.json's imports map.
  copyFileSync(path.join(repositoryRoot, 'package.json'), path.join(root, 'package.json'));
  return root;
}

describe('kata new', () => {
  test('writes the exercise the authoring guide describes, and its manifest names the learner file', () => {
    const root = workshop();
    const written = scaffoldExercise(root, '05/06', 'membership');
    expect(written.sort(), 'the files of a new exercise').toEqual(
      [
        `${EXERCISE}/exercise.json`,
        `${EXERCISE}/README.md`,
        `${EXERCISE}/HINTS.md`,
        `${EXERCISE}/protocol.ts`,
        `${EXERCISE}/membership.ts`,
        `${EXERCISE}/membership.test.ts`,
        `${SOLUTION}/membership.ts`,
        `${SOLUTION}/NOTES.md`,
        `${SOLUTION}/mistakes/README.md`,
        `${SOLUTION}/alternatives/README.md`,
      ].sort(),
    );
    const [exercise] = findExercises(root);
    expect(
      {
        learner: exercise?.learnerFiles,
        given: exercise?.givenFiles,
        tests: exercise?.testFiles,
        mistakes: exercise?.mistakes.length,
      },
      'the workshop reads it as an exercise: membership.ts is the learner file, protocol.ts is given, no mistakes yet',
    ).toEqual({
      learner: [`${EXERCISE}/membership.ts`],
      given: [`${EXERCISE}/protocol.ts`],
      tests: [`${EXERCISE}/membership.test.ts`],
      mistakes: 0,
    });
    const readme = readFileSync(path.join(root, EXERCISE, 'README.md'), 'utf8');
    for (const section of [
      '## Background',
      '## The API',
      '## What the tests check',
      '## Running the tests',
      '## How to read a failure',
    ]) {
      expect(readme.includes(`\n${section}\n`), `the README has the section "${section}"`).toBe(true);
    }
    expect(readFileSync(path.join(root, EXERCISE, 'HINTS.md'), 'utf8'), 'the hints start at "## Hint 1"').toMatch(
      /^## Hint 1$/m,
    );
    expect(
      readFileSync(path.join(root, EXERCISE, 'membership.ts'), 'utf8'),
      'the stub names what to write and where the spec is',
    ).toContain(
      `todo("answer a 'membership' request with a 'membership_ok' reply", 'exercises/05-consensus/06-membership/README.md')`,
    );
  });

  test('refuses to overwrite an exercise, or to take the number of another', () => {
    const root = workshop();
    scaffoldExercise(root, '05/06', 'membership');
    const readme = path.join(root, EXERCISE, 'README.md');
    expect(() => scaffoldExercise(root, '05/06', 'membership'), 'the same exercise again').toThrow(
      /06-membership exists already: nothing was written/,
    );
    expect(() => scaffoldExercise(root, '5.6', 'reconfiguration'), 'another name with the same number').toThrow(
      /06-membership exists already/,
    );
    expect(
      existsSync(path.join(root, 'exercises', '05-consensus', '06-reconfiguration')),
      'nothing of the second one was written',
    ).toBe(false);
    expect(readFileSync(readme, 'utf8'), 'the first one is untouched').toMatch(/^# 5\.6 Membership\n/);
  });

  test('a missing chapter, a malformed position or name: an error that says what to do', () => {
    const root = workshop();
    expect(() => scaffoldExercise(root, '07/01', 'gossip'), 'no chapter 07').toThrow(
      /There is no chapter 07: create exercises\/07-<topic>\//,
    );
    expect(() => exerciseNames(root, '05', 'gossip'), 'no exercise number').toThrow(ScaffoldError);
    expect(() => exerciseNames(root, '05/06', 'Gossip.ts'), 'not kebab-case').toThrow(/kebab-case/);
    expect(exerciseNames(root, '5/6', 'log-compaction'), 'the names a file needs').toMatchObject({
      chapter: '05-consensus',
      folder: '06-log-compaction',
      number: '5.6',
      title: 'Log compaction',
      factory: 'createLogCompactionNode',
      messageType: 'log_compaction',
    });
  });

  test("the generated files typecheck with the repository's compiler settings", () => {
    const root = workshop();
    const files = scaffoldExercise(root, '05/06', 'membership')
      .filter((file) => file.endsWith('.ts'))
      .map((file) => path.join(root, file));
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(repositoryRoot, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    )!;
    // As in the repository, a solution's `./protocol.ts` is found in the exercise's folder (rootDirs).
    const options = { ...config.options, rootDirs: [path.join(root, 'exercises'), path.join(root, 'solutions')] };
    const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram(files, options));
    const shown = diagnostics.map((diagnostic) =>
      ts.formatDiagnostic(diagnostic, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => root,
        getNewLine: () => '\n',
      }),
    );
    expect(shown, 'tsc finds no problem in the generated stub, protocol, tests and solution').toEqual([]);
  }, 60_000);

  test('the generated tests fail on the generated stub and pass on the generated solution', async () => {
    const onStub = workshop();
    scaffoldExercise(onStub, '05/06', 'membership');
    const onSolution = workshop();
    scaffoldExercise(onSolution, '05/06', 'membership');
    copyFileSync(path.join(onSolution, SOLUTION, 'membership.ts'), path.join(onSolution, EXERCISE, 'membership.ts'));
    const [stubRun, solutionRun] = await Promise.all([
      runVitest(onStub, ['exercises']),
      runVitest(onSolution, ['exercises']),
    ]);
    const summary = (run: typeof stubRun) => ({
      broken: run.brokenFiles,
      statuses: [...new Set(run.tests.map((t) => t.status))],
      count: run.tests.length,
    });
    expect(summary(stubRun), 'on the stub, all three layers run and every test fails').toEqual({
      broken: [],
      statuses: ['failed'],
      count: 3,
    });
    expect(summary(solutionRun), 'on the solution, every test passes').toEqual({
      broken: [],
      statuses: ['passed'],
      count: 3,
    });
    expect(stubRun.tests[0]!.failureMessages.join('\n'), "the stub's failure names the todo").toContain(
      'Not implemented yet',
    );
  }, 120_000);
});
