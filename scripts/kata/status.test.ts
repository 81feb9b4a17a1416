import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { VitestRun } from '../lib/vitest-run.ts';
import { allExercises } from './course.ts';
import { exerciseState, summariseRun, type ExerciseProgress } from './progress.ts';
import { nextExercise, renderStatus } from './status.ts';
import { progressBar } from './terminal.ts';
import { fakeCourse, fakeExercise } from './test-fixtures.ts';

const at = '2025-03-04T05:06:07.000Z';
const progress = (passed: number, total: number, extra: Partial<ExerciseProgress> = {}): ExerciseProgress => ({
  passed,
  failed: total - passed,
  total,
  measuredAt: at,
  ...extra,
});

describe('the status table', () => {
  const course = fakeCourse();
  const figures = {
    '01-message-passing/01-echo': progress(6, 6),
    '01-message-passing/02-unique-ids': progress(3, 7),
    '01-message-passing/03-reliable-delivery': progress(0, 12),
  };
  const text = renderStatus({
    course,
    progress: figures,
    source: { kind: 'measured', durationMs: 2_100, rerun: 5, reused: 0 },
    color: false,
  });
  const lineOf = (name: string) => text.split('\n').find((line) => line.includes(name)) ?? `(no line for ${name})`;

  test('shows each exercise with its mark, bar and counts', () => {
    expect(lineOf('01-echo'), 'echo is done').toMatch(/✓ {2}01-echo\s+██████████ +6\/6 +1\.1 Echo/);
    expect(lineOf('02-unique-ids'), 'unique-ids is started').toMatch(/◐ {2}02-unique-ids\s+████░░░░░░ +3\/7/);
    expect(lineOf('03-reliable-delivery'), 'reliable delivery is not started').toMatch(
      /○ {2}03-reliable-delivery\s+░{10} +0\/12/,
    );
    expect(lineOf('01-lamport'), 'an exercise never measured says so').toMatch(
      /\? {2}01-lamport\s+░{10} +not measured/,
    );
  });

  test('groups exercises under their chapter titles, in order', () => {
    expect(text.indexOf('Chapter 01: message passing'), 'chapter 01 comes first').toBeLessThan(
      text.indexOf('Chapter 02: time and clocks'),
    );
    expect(text.indexOf('Chapter 02: time and clocks'), 'lamport is under chapter 02').toBeLessThan(
      text.indexOf('01-lamport'),
    );
  });

  test('names the next exercise and the commands to run it', () => {
    expect(text, 'the next exercise is the first one not done').toContain(
      'Next: 1.2 Unique IDs (01-message-passing/02-unique-ids)',
    );
    expect(text, 'the spec to read').toContain(
      `read the spec   ${path.join('exercises', '01-message-passing', '02-unique-ids', 'README.md')}`,
    );
    expect(text, 'the watch command with the shortest name').toContain('npm run kata -- watch unique-ids');
    expect(text, 'the hint command').toContain('npm run kata -- hint unique-ids');
  });

  test('sums up, and says where the figures come from', () => {
    expect(text, 'totals').toContain('1 of 5 exercises done, 9 of 25 tests passing.');
    expect(text, 'measured now').toContain('Measured just now by running the tests (2.1 s).');
    const partly = renderStatus({
      course,
      progress: figures,
      source: { kind: 'measured', durationMs: 900, rerun: 1, reused: 4 },
      color: false,
    });
    expect(partly, 'some exercises ran again').toContain(
      'Measured just now (0.9 s): the tests of 1 exercise ran again; 4 others had no file changed since their tests last ran.',
    );
    const unchanged = renderStatus({
      course,
      progress: figures,
      source: { kind: 'measured', durationMs: 300, rerun: 0, reused: 5 },
      color: false,
    });
    expect(unchanged, 'nothing ran').toContain("Up to date (0.3 s): no exercise's files changed");
    const cached = renderStatus({ course, progress: figures, source: { kind: 'cached' }, color: false });
    expect(cached, 'cached figures say when they were measured').toContain(
      'remembered from 2025-03-04 05:06 UTC (--cached)',
    );
  });

  test('has no escape codes without colour, and has them with colour', () => {
    expect(text, 'no ANSI escapes').not.toContain('\x1b[');
    expect(
      renderStatus({ course, progress: figures, source: { kind: 'cached' }, color: true }),
      'ANSI escapes',
    ).toContain('\x1b[32m');
  });

  test('congratulates when every exercise is done', () => {
    const allDone = Object.fromEntries(allExercises(course).map((entry) => [entry.exercise.id, progress(4, 4)]));
    const done = renderStatus({ course, progress: allDone, source: { kind: 'cached' }, color: false });
    expect(done, 'no next exercise').not.toContain('Next:');
    expect(done, 'points to the report').toContain('npm run kata -- report');
    expect(nextExercise(course, allDone), 'nothing next').toBeUndefined();
  });

  test('an exercise without tests yet is shown, but never next', () => {
    const course = {
      chapters: [
        {
          id: '05-consensus',
          title: '05-consensus',
          exercises: [
            {
              exercise: fakeExercise('05-consensus', '01-leader-election', 'election.ts', false),
              title: '01-leader-election',
            },
            { exercise: fakeExercise('05-consensus', '02-log-replication'), title: '5.2 Log replication' },
          ],
        },
      ],
    };
    const shown = renderStatus({ course, progress: {}, source: { kind: 'cached' }, color: false });
    expect(shown, 'marked as having no tests').toContain('01-leader-election  (no tests yet)');
    expect(nextExercise(course, {})?.exercise.id, 'the next one has tests').toBe('05-consensus/02-log-replication');
  });
});

describe('exercise states', () => {
  test('done, started, not started, not measured; tests that do not load count as started', () => {
    expect(exerciseState(progress(5, 5)), '5/5').toBe('done');
    expect(exerciseState(progress(1, 5)), '1/5').toBe('started');
    expect(exerciseState(progress(0, 5)), '0/5').toBe('not-started');
    expect(exerciseState(undefined), 'no figures').toBe('unknown');
    expect(exerciseState(progress(0, 0, { broken: 'SyntaxError' })), 'broken file').toBe('started');
  });

  test('progress bars never look empty once started, nor full before the end', () => {
    expect(progressBar(1, 100), '1 of 100').toBe('█░░░░░░░░░');
    expect(progressBar(99, 100), '99 of 100').toBe('█████████░');
    expect(progressBar(0, 0), 'no tests').toBe('░░░░░░░░░░');
  });
});

describe('splitting a test run into exercises', () => {
  test('counts passed and failed tests per exercise folder, keeps the first failure, and notes files that did not load', () => {
    const echo = fakeExercise('01-message-passing', '01-echo');
    const ids = fakeExercise('01-message-passing', '02-unique-ids');
    const other = fakeExercise('01-message-passing', '03-reliable-delivery');
    const file = (exercise: typeof echo) => exercise.testFiles[0]!;
    const run: VitestRun = {
      exitCode: 1,
      output: '',
      tests: [
        { file: file(echo), name: 'a', status: 'passed', failureMessages: [] },
        { file: file(echo), name: 'b', status: 'failed', failureMessages: ['b broke'] },
        { file: file(echo), name: 'c', status: 'failed', failureMessages: ['c broke'] },
        { file: file(echo), name: 'd', status: 'skipped', failureMessages: [] },
      ],
      brokenFiles: [{ file: file(ids), message: 'SyntaxError: Unexpected token' }],
    };
    const measured = summariseRun(run, [echo, ids, other], at);
    expect(measured.progress[echo.id], 'echo: 1 of 3 (skipped tests do not count)').toEqual({
      passed: 1,
      failed: 2,
      total: 3,
      firstFailingTest: `${path.basename(file(echo))} > b`,
      measuredAt: at,
    });
    expect(measured.firstFailure[echo.id]?.name, 'the first failure').toBe('b');
    expect(measured.progress[ids.id]?.broken, 'unique-ids did not load').toContain('SyntaxError');
    expect(measured.progress[other.id], 'an exercise the run did not cover is left out').toBeUndefined();
  });
});

test('the status shows the bug katas started, per exercise and in all', () => {
  const text = renderStatus({
    course: fakeCourse(),
    progress: { '01-message-passing/01-echo': progress(6, 6) },
    source: { kind: 'cached' },
    color: false,
    bugs: {
      '01-message-passing/01-echo': { total: 3, started: 2, solved: 1 },
      '01-message-passing/02-unique-ids': { total: 4, started: 0, solved: 0 },
    },
  });
  const lineOf = (name: string) => text.split('\n').find((line) => line.includes(name)) ?? '';
  expect(lineOf('01-echo'), 'echo: one of its three bugs found').toMatch(/1\.1 Echo {2}bugs found 1\/3$/);
  expect(lineOf('02-unique-ids'), 'no kata started: nothing shown').not.toContain('bugs');
  expect(text, 'the summary').toContain('Bug katas: 1 found of 2 started (7 in the course); 1 in progress');
});
