/**
 * Report files for the class board's tests: a class of learners at different points of the course,
 * written as `kata report` writes them, plus files that the board must leave out.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ReportExercise, ReportJson } from '../kata/report.ts';

/** The exercises of the generated reports, in course order. */
export const FIXTURE_EXERCISES = [
  ['01-message-passing/01-echo', 'Chapter 01: message passing', '1.1 Echo', 'echo.test.ts > replies to an echo'],
  [
    '01-message-passing/02-unique-ids',
    'Chapter 01: message passing',
    '1.2 Unique IDs',
    'unique-ids.test.ts > ids are unique across nodes',
  ],
  [
    '01-message-passing/03-reliable-delivery',
    'Chapter 01: message passing',
    '1.3 Reliable delivery',
    'reliable-link.test.ts > the network drops every other message; n2 still gets them all',
  ],
  [
    '01-message-passing/04-rpc-retries',
    'Chapter 01: message passing',
    '1.4 RPC with timeouts and retries',
    'rpc.test.ts > a lost reply is retried',
  ],
  [
    '02-time-and-clocks/01-clock-sync',
    'Chapter 02: time and clocks',
    '2.1 Clock synchronisation',
    'clock-sync.test.ts > offsets converge',
  ],
] as const;

/** The first failing test a learner in progress reports for exercise `column`, by learner number. */
export function fixtureFailure(column: number, learner: number): string {
  const [, , , usual] = FIXTURE_EXERCISES[column]!;
  // Two learners in three fail the exercise's usual test; the others fail one of their own.
  return learner % 3 === 2 ? `other.test.ts > learner ${learner}'s own trouble` : usual;
}

/**
 * Learner `n`'s report: done up to exercise `n % 4`, in progress on the next one (tests passing
 * in part), not started after. Learners whose number is a multiple of 5 are in progress on 1.3.
 */
export function fixtureReport(n: number, name: string | null, generatedAt: string): ReportJson {
  const reached = n % 5 === 0 ? 2 : n % 4;
  const exercises: ReportExercise[] = FIXTURE_EXERCISES.map(([id, chapter, title], column) => {
    const status = column < reached ? 'done' : column === reached ? 'started' : 'not-started';
    return {
      id,
      chapter,
      title,
      status,
      testsPassed: status === 'done' ? 8 : status === 'started' ? 3 : 0,
      testsTotal: 8,
      testsLoad: true,
      hintsSeen: status === 'not-started' ? 0 : (n + column) % 3,
      hintsTotal: 4,
      bugKatasTotal: 3,
      bugKatasStarted: status === 'done' && n % 2 === 0 ? 1 : 0,
      bugKatasSolved: status === 'done' && n % 4 === 0 ? 1 : 0,
      firstFailingTest: status === 'started' ? fixtureFailure(column, n) : null,
      measuredAt: generatedAt,
    };
  });
  const count = (status: string) => exercises.filter((entry) => entry.status === status).length;
  return {
    version: 1,
    generatedAt,
    commit: 'abc1234',
    learner: name,
    measured: true,
    totals: {
      exercises: exercises.length,
      done: count('done'),
      started: count('started'),
      testsPassed: exercises.reduce((sum, entry) => sum + (entry.testsPassed ?? 0), 0),
      testsTotal: exercises.length * 8,
      hintsSeen: exercises.reduce((sum, entry) => sum + entry.hintsSeen, 0),
      bugKatasStarted: exercises.reduce((sum, entry) => sum + entry.bugKatasStarted, 0),
      bugKatasSolved: exercises.reduce((sum, entry) => sum + entry.bugKatasSolved, 0),
    },
    next: exercises.find((entry) => entry.status !== 'done')?.id ?? null,
    exercises,
  };
}

/**
 * Writes a class into `folder`: `learners` good reports (`learner-01.json`, …, the learners named
 * `Learner 01`, …; `hostile` names the first one with markup) and the files in `bad`, by file name.
 * Returns every path, good ones first.
 */
export function writeClass(
  folder: string,
  learners: number,
  bad: Readonly<Record<string, string>> = {},
  hostile?: string,
): string[] {
  const files: string[] = [];
  for (let n = 1; n <= learners; n++) {
    const file = path.join(folder, `learner-${String(n).padStart(2, '0')}.json`);
    const name = n === 1 && hostile !== undefined ? hostile : `Learner ${String(n).padStart(2, '0')}`;
    const at = new Date(Date.UTC(2026, 11, 1, 16, n)).toISOString();
    writeFileSync(file, JSON.stringify(fixtureReport(n, name, at), null, 2) + '\n');
    files.push(file);
  }
  for (const [name, text] of Object.entries(bad)) {
    const file = path.join(folder, name);
    writeFileSync(file, text);
    files.push(file);
  }
  return files;
}
