/**
 * The class board's data, as the page receives it: built in Node (`board-model.ts`), embedded as JSON,
 * drawn by `board-page/main.ts`. Types and constants only, without DOM or Node types, so both sides
 * import them.
 *
 * @module
 */
import type { ChartSpec } from '../../harness/charts/spec.ts';

/** Where a learner is in one exercise. `unknown`: the report has the exercise but it was never measured. */
export type CellStatus = 'done' | 'started' | 'not-started' | 'unknown';

/** The colours of the statuses, on the charts and in the table. */
export const STATUS_COLORS: Readonly<Record<CellStatus, string>> = {
  done: '#009e73',
  started: '#e69f00',
  'not-started': '#9aa5b1',
  unknown: '#d9dee3',
};

/** The statuses in words, as the board says them. */
export const STATUS_WORDS: Readonly<Record<CellStatus, string>> = {
  done: 'done',
  started: 'in progress',
  'not-started': 'not started',
  unknown: 'not measured',
};

/** One learner in one exercise, from their report; `null` on the board when the report lacks the exercise. */
export interface BoardCell {
  readonly status: CellStatus;
  readonly testsPassed: number | null;
  readonly testsTotal: number | null;
  /** `false` when the learner's file does not load (a syntax error, say). */
  readonly testsLoad: boolean | null;
  readonly hintsSeen: number;
  readonly hintsTotal: number | null;
  readonly bugKatasStarted: number;
  readonly bugKatasSolved: number;
  readonly bugKatasTotal: number;
  readonly firstFailingTest: string | null;
}

/** One exercise, as a column of the board. */
export interface BoardExercise {
  readonly id: string;
  /** The short label, e.g. `1.3`. */
  readonly label: string;
  /** The full title, e.g. `1.3 Reliable delivery`. */
  readonly title: string;
}

/** One learner, as a row of the board. */
export interface BoardLearner {
  readonly name: string;
  /** The report file the row comes from, as given on the command line. */
  readonly file: string;
  readonly generatedAt: string;
  /** One per {@link BoardData.exercises}, in the same order. */
  readonly cells: ReadonlyArray<BoardCell | null>;
  readonly done: number;
  readonly hintsSeen: number;
  readonly bugKatasSolved: number;
  readonly bugKatasStarted: number;
}

/** An exercise where learners are stuck: many in progress, and the test that stops most of them. */
export interface StuckExercise {
  readonly exercise: BoardExercise;
  /** The learners in progress on it, by name. */
  readonly learners: readonly string[];
  /** The most common first failing test among them, and how many of them it stops; `null` when none is known. */
  readonly commonFailure: { readonly test: string; readonly learners: number } | null;
  /** How many of them reported a first failing test at all. */
  readonly failuresKnown: number;
}

/** A report file the board could not use, and why. */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

/** Several reports of one learner: the one used and the ones left out. */
export interface DuplicateLearner {
  readonly learner: string;
  readonly used: string;
  readonly ignored: readonly string[];
  /** The sentence the page and the command print. */
  readonly text: string;
}

/** Everything the page shows. */
export interface BoardData {
  readonly exercises: readonly BoardExercise[];
  readonly learners: readonly BoardLearner[];
  readonly stuck: readonly StuckExercise[];
  readonly skipped: readonly SkippedFile[];
  readonly duplicates: readonly DuplicateLearner[];
  /** The oldest and newest report used (ISO 8601), or `null` without reports. */
  readonly reportTimes: { readonly oldest: string; readonly newest: string } | null;
  readonly charts: readonly ChartSpec[];
}
