/**
 * The class board's model: the learners' reports turned into rows, columns, the list of exercises
 * where the class is stuck, and the charts. Pure: the same reports give the same data.
 *
 * @module
 */
import type { ChartSpec } from '#harness/charts';
import type { ReportExercise } from '../kata/report.ts';
import {
  STATUS_COLORS,
  STATUS_WORDS,
  type BoardCell,
  type BoardData,
  type BoardExercise,
  type BoardLearner,
  type CellStatus,
  type StuckExercise,
} from './board-data.ts';
import type { ReadReports } from './board-reports.ts';

/** How many exercises the "stuck" list names at most. */
export const STUCK_LIMIT = 5;

/** Builds the board's data from what {@link readReports} found. */
export function buildBoard(read: ReadReports): BoardData {
  const exercises = boardExercises(read);
  const learners = read.reports
    .map(({ learner, file, report }): BoardLearner => {
      const byId = new Map(report.exercises.map((entry) => [entry.id, entry]));
      const cells = exercises.map((exercise) => {
        const entry = byId.get(exercise.id);
        return entry === undefined ? null : cellOf(entry);
      });
      const present = cells.filter((cell): cell is BoardCell => cell !== null);
      return {
        name: learner,
        file,
        generatedAt: report.generatedAt,
        cells,
        done: present.filter((cell) => cell.status === 'done').length,
        hintsSeen: sum(present.map((cell) => cell.hintsSeen)),
        bugKatasSolved: sum(present.map((cell) => cell.bugKatasSolved)),
        bugKatasStarted: sum(present.map((cell) => cell.bugKatasStarted)),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  const times = learners.map((learner) => learner.generatedAt).sort();
  return {
    exercises,
    learners,
    stuck: stuckExercises(exercises, learners),
    skipped: read.skipped,
    duplicates: read.duplicates,
    reportTimes: times.length === 0 ? null : { oldest: times[0]!, newest: times[times.length - 1]! },
    charts: charts(exercises, learners),
  };
}

/** Every exercise any report names, in course order (ids sort that way: `01-…/03-…`). */
function boardExercises(read: ReadReports): BoardExercise[] {
  const titles = new Map<string, string>();
  // The newest report's title wins, in case a title changed between versions of the course.
  const oldestFirst = [...read.reports].sort((a, b) => a.report.generatedAt.localeCompare(b.report.generatedAt));
  for (const { report } of oldestFirst) for (const entry of report.exercises) titles.set(entry.id, entry.title);
  return [...titles.keys()].sort().map((id) => {
    const title = titles.get(id)!;
    return { id, title, label: /^\d+\.\d+\b/.exec(title)?.[0] ?? id.split('/').pop()! };
  });
}

function cellOf(entry: ReportExercise): BoardCell {
  return {
    status: entry.status,
    testsPassed: entry.testsPassed,
    testsTotal: entry.testsTotal,
    testsLoad: entry.testsLoad ?? null,
    hintsSeen: entry.hintsSeen,
    hintsTotal: entry.hintsTotal,
    bugKatasStarted: entry.bugKatasStarted,
    bugKatasSolved: entry.bugKatasSolved,
    bugKatasTotal: entry.bugKatasTotal,
    firstFailingTest: entry.firstFailingTest ?? null,
  };
}

/**
 * The exercises with the most learners in progress (at least one), most first, then in course order;
 * for each, the first failing test most of those learners report (ties: the first in alphabetical order).
 */
function stuckExercises(exercises: readonly BoardExercise[], learners: readonly BoardLearner[]): StuckExercise[] {
  return exercises
    .map((exercise, column): StuckExercise => {
      const stuck = learners.filter((learner) => learner.cells[column]?.status === 'started');
      const tally = new Map<string, number>();
      for (const learner of stuck) {
        const test = learner.cells[column]?.firstFailingTest;
        if (test !== undefined && test !== null) tally.set(test, (tally.get(test) ?? 0) + 1);
      }
      const [common] = [...tally].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b, 'en'));
      return {
        exercise,
        learners: stuck.map((learner) => learner.name),
        commonFailure: common === undefined ? null : { test: common[0], learners: common[1] },
        failuresKnown: sum([...tally.values()]),
      };
    })
    .map((entry, column) => ({ entry, column }))
    .filter(({ entry }) => entry.learners.length > 0)
    .sort((a, b) => b.entry.learners.length - a.entry.learners.length || a.column - b.column)
    .slice(0, STUCK_LIMIT)
    .map(({ entry }) => entry);
}

function charts(exercises: readonly BoardExercise[], learners: readonly BoardLearner[]): ChartSpec[] {
  const categories = exercises.map((exercise) => exercise.label);
  const count = (status: CellStatus) =>
    exercises.map((_, column) => learners.filter((learner) => learner.cells[column]?.status === status).length);
  const statuses: CellStatus[] = ['done', 'started', 'not-started', 'unknown'];
  const mostDone = Math.max(0, ...learners.map((learner) => learner.done));
  const doneCounts = Array.from({ length: mostDone + 1 }, (_, done) => done);
  return [
    {
      kind: 'bars',
      title: 'Learners per exercise, by status',
      xLabel: 'exercise',
      yLabel: 'learners',
      categories,
      series: statuses
        .map((status) => ({ label: STATUS_WORDS[status], values: count(status), color: STATUS_COLORS[status] }))
        .filter((series, index) => index < 3 || series.values.some((value) => value > 0)),
    },
    {
      kind: 'bars',
      title: 'Hints read per exercise, all learners together',
      xLabel: 'exercise',
      yLabel: 'hints read',
      categories,
      series: [
        {
          label: 'hints read',
          values: exercises.map((_, column) => sum(learners.map((learner) => learner.cells[column]?.hintsSeen ?? 0))),
          color: '#0072b2',
        },
      ],
    },
    {
      kind: 'bars',
      title: 'Learners by number of exercises done',
      xLabel: 'exercises done',
      yLabel: 'learners',
      categories: doneCounts.map(String),
      series: [
        {
          label: 'learners',
          values: doneCounts.map((done) => learners.filter((learner) => learner.done === done).length),
          color: '#56b4e9',
        },
      ],
    },
  ];
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
