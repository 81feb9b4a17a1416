import { describe, expect, test } from 'vitest';
import type { ExerciseProgress } from './progress.ts';
import { buildReport } from './report.ts';
import { fakeCourse, fakeExercise } from './test-fixtures.ts';

const at = '2025-03-04T05:06:07.000Z';
const progress = (passed: number, total: number, extra: Partial<ExerciseProgress> = {}): ExerciseProgress => ({
  passed,
  failed: total - passed,
  total,
  measuredAt: at,
  ...extra,
});

describe('the progress report', () => {
  const { markdown, json } = buildReport({
    course: fakeCourse(),
    progress: {
      '01-message-passing/01-echo': progress(6, 6),
      '01-message-passing/02-unique-ids': progress(3, 7, {
        firstFailingTest: 'unique-ids.test.ts > ids survive a crash',
      }),
      '01-message-passing/03-reliable-delivery': progress(0, 0, { broken: 'SyntaxError' }),
    },
    hintsSeen: { '01-message-passing/01-echo': 2 },
    hintsTotal: { '01-message-passing/01-echo': 4, '01-message-passing/02-unique-ids': 3 },
    bugs: {
      '01-message-passing/01-echo': { total: 3, started: 2, solved: 1 },
      '01-message-passing/02-unique-ids': { total: 4, started: 0, solved: 0 },
    },
    meta: { generatedAt: '2025-03-05T10:00:00.000Z', commit: 'abc1234', measured: true, learner: 'Ada' },
  });

  test('the JSON has the totals, the next exercise and one entry per exercise', () => {
    expect(json.totals, 'totals').toEqual({
      exercises: 5,
      done: 1,
      started: 2,
      testsPassed: 9,
      testsTotal: 13,
      hintsSeen: 2,
      bugKatasStarted: 2,
      bugKatasSolved: 1,
    });
    expect(json.next, 'the first exercise not done').toBe('01-message-passing/02-unique-ids');
    expect(
      json.exercises.map((entry) => entry.status),
      'statuses in course order',
    ).toEqual(['done', 'started', 'started', 'unknown', 'unknown']);
    expect(json.exercises[0], 'echo in full').toEqual({
      id: '01-message-passing/01-echo',
      chapter: 'Chapter 01: message passing',
      title: '1.1 Echo',
      status: 'done',
      testsPassed: 6,
      testsTotal: 6,
      testsLoad: true,
      hintsSeen: 2,
      hintsTotal: 4,
      bugKatasTotal: 3,
      bugKatasStarted: 2,
      bugKatasSolved: 1,
      firstFailingTest: null,
      measuredAt: at,
    });
    expect(json.exercises[1]?.firstFailingTest, "unique-ids' first failing test").toBe(
      'unique-ids.test.ts > ids survive a crash',
    );
    expect(json.exercises[2]?.testsLoad, 'reliable delivery did not load').toBe(false);
    expect({ learner: json.learner, commit: json.commit, measured: json.measured }, 'who, where and how').toEqual({
      learner: 'Ada',
      commit: 'abc1234',
      measured: true,
    });
  });

  test('the markdown says who, when, how much, and has a row per exercise', () => {
    expect(markdown, 'title with the name').toContain('# Workshop progress for Ada');
    expect(markdown, 'time and commit').toContain('Generated 2025-03-05 10:00 UTC at commit `abc1234`.');
    expect(markdown, 'the summary line').toContain(
      '**1 of 5 exercises done** (2 started), 9 of 13 tests passing, 2 hints read.',
    );
    expect(markdown, 'echo row').toContain('| 1.1 Echo | ✓ done | 6/6 | 2 of 4 | 1 of 3 |');
    expect(markdown, 'unique-ids row: no bug kata started').toContain(
      '| 1.2 Unique IDs | ◐ started | 3/7 | 0 of 3 | – |',
    );
    expect(markdown, 'the bug katas in all').toContain('Bug katas: 1 found of 2 started.');
    expect(markdown, 'a file that does not load').toContain('0/0 (tests do not load)');
    expect(markdown, 'never measured').toContain('| 2.1 Lamport clocks | ? not measured | – | 0 | – |');
    expect(markdown, 'chapter rows').toContain('| **Chapter 02: time and clocks** | | | | |');
    expect(markdown, 'the next exercise').toContain('Next: 1.2 Unique IDs');
  });
});

test('an exercise without tests yet is left out of the report', () => {
  const course = {
    chapters: [
      {
        id: '05-consensus',
        title: 'Chapter 05',
        exercises: [
          { exercise: fakeExercise('05-consensus', '01-leader-election'), title: '5.1 Leader election' },
          {
            exercise: fakeExercise('05-consensus', '02-log-replication', 'log.ts', false),
            title: '02-log-replication',
          },
        ],
      },
    ],
  };
  const { markdown, json } = buildReport({
    course,
    progress: {},
    hintsSeen: {},
    hintsTotal: {},
    meta: { generatedAt: '2025-03-05T10:00:00.000Z', commit: null, measured: false, learner: null },
  });
  expect(
    json.exercises.map((entry) => entry.id),
    'only the exercise with tests',
  ).toEqual(['05-consensus/01-leader-election']);
  expect(markdown, 'no row for the exercise being written').not.toContain('02-log-replication');
});
