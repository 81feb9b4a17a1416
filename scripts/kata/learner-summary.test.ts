import { describe, expect, test } from 'vitest';
import config from '../../vitest.config.ts';
import { LearnerSummaryReporter, renderLearnerSummary, type SummaryTest } from './learner-summary.ts';
import { fakeCourse, fakeExercise } from './test-fixtures.ts';

const echo = fakeExercise('01-message-passing', '01-echo');
const ids = fakeExercise('01-message-passing', '02-unique-ids');
const lamport = fakeExercise('02-time-and-clocks', '01-lamport');
const result = (exercise: typeof echo, name: string, state: SummaryTest['state'], headline?: string): SummaryTest => ({
  file: exercise.testFiles[0]!,
  name,
  state,
  ...(headline === undefined ? {} : { headline }),
});

describe("the learner's summary after npm test", () => {
  // In the order vitest finished them: lamport first, echo last.
  const tests = [
    result(lamport, 'orders events', 'failed', 'lamport: n2 stamped 3 before 2'),
    result(ids, 'ids are unique', 'passed'),
    result(ids, 'ids survive a crash', 'failed', 'unique-ids: n1 handed out id 7 twice'),
    result(echo, 'echoes', 'passed'),
    result(echo, 'ignores other types', 'passed'),
    result(echo, 'a skipped one', 'skipped'),
  ];
  const text = renderLearnerSummary(fakeCourse(), tests);
  const lines = text.trimEnd().split('\n');

  test('lists each exercise that ran in course order with passed/total', () => {
    const rows = lines.filter((line) => /tests pass/.test(line));
    expect(
      rows.map((row) => row.trim().replace(/\s+/g, ' ')),
      'course order, skipped tests not counted',
    ).toEqual(['✓ 1.1 Echo 2/2 tests pass', '◐ 1.2 Unique IDs 1/2 tests pass', '○ 2.1 Lamport clocks 0/1 tests pass']);
  });

  test('ends with the first unfinished exercise and its first failing test', () => {
    expect(lines.slice(-4), 'the last lines').toEqual([
      'Next: 1.2 Unique IDs (exercises/01-message-passing/02-unique-ids)',
      `  first failing test: ${ids.testFiles[0]} > ids survive a crash`,
      '    unique-ids: n1 handed out id 7 twice',
      '  its tests alone, on every save: npm run kata -- watch unique-ids',
    ]);
  });

  test('names a test file that does not load, and says nothing when no exercise ran', () => {
    const broken = renderLearnerSummary(
      fakeCourse(),
      [],
      [{ file: echo.testFiles[0]!, headline: "SyntaxError: Unexpected token '}'" }],
    );
    expect(broken, 'the file and why').toContain(
      `${echo.testFiles[0]} does not load: SyntaxError: Unexpected token '}'`,
    );
    expect(renderLearnerSummary(fakeCourse(), []), 'nothing ran').toBe('');
  });

  test('is one of the configured reporters, after vitest’s own', () => {
    const reporters = (config as { test?: { reporters?: unknown[] } }).test?.reporters ?? [];
    expect(reporters[0], 'vitest’s summary first').toBe('default');
    expect(reporters.at(-1), 'the learner’s summary last').toBeInstanceOf(LearnerSummaryReporter);
  });
});
