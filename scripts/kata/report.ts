/**
 * `kata report`: a short progress summary, in markdown for people and JSON for tools, that a learner
 * can hand to an instructor. Pure: {@link buildReport} renders what it is given.
 *
 * @module
 */
import { allExercises, type Course } from './course.ts';
import { exerciseState, type ExerciseProgress, type ExerciseState } from './progress.ts';
import { formatTime, hasTests, nextExercise } from './status.ts';
import type { BugTally } from './bug.ts';

/** Facts about the report itself. */
export interface ReportMeta {
  /** ISO 8601. */
  readonly generatedAt: string;
  /** The short hash of HEAD, or `null`. */
  readonly commit: string | null;
  /** Whether the figures were measured for this report or remembered from earlier runs. */
  readonly measured: boolean;
  /** The learner's name, when given with `--name`. */
  readonly learner: string | null;
}

/** One exercise in the JSON report. */
export interface ReportExercise {
  readonly id: string;
  readonly chapter: string;
  readonly title: string;
  readonly status: ExerciseState;
  readonly testsPassed: number | null;
  readonly testsTotal: number | null;
  readonly testsLoad: boolean | null;
  readonly hintsSeen: number;
  readonly hintsTotal: number | null;
  /** "Find the bug" katas (`kata bug`): how many the exercise has, the learner started, and solved. */
  readonly bugKatasTotal: number;
  readonly bugKatasStarted: number;
  readonly bugKatasSolved: number;
  /** The first failing test (`<test file> > <test name>`), or `null` when none fails or it is not known. */
  readonly firstFailingTest: string | null;
  readonly measuredAt: string | null;
}

/** The JSON report (`.kata/report.json`). */
export interface ReportJson {
  readonly version: 1;
  readonly generatedAt: string;
  readonly commit: string | null;
  readonly learner: string | null;
  readonly measured: boolean;
  readonly totals: {
    readonly exercises: number;
    readonly done: number;
    readonly started: number;
    readonly testsPassed: number;
    readonly testsTotal: number;
    readonly hintsSeen: number;
    readonly bugKatasStarted: number;
    readonly bugKatasSolved: number;
  };
  /** The id of the first exercise not done, or `null` when all are. */
  readonly next: string | null;
  readonly exercises: readonly ReportExercise[];
}

/** What {@link buildReport} needs. */
export interface ReportInput {
  readonly course: Course;
  readonly progress: Readonly<Record<string, ExerciseProgress>>;
  readonly hintsSeen: Readonly<Record<string, number>>;
  /** How many hints each exercise has, by id (`null` when it has no HINTS.md). */
  readonly hintsTotal: Readonly<Record<string, number | null>>;
  /** The bug katas per exercise id; an exercise without an entry has none. */
  readonly bugs?: Readonly<Record<string, BugTally>>;
  readonly meta: ReportMeta;
}

const STATUS_WORDS: Record<ExerciseState, string> = {
  done: '✓ done',
  started: '◐ started',
  'not-started': '○ not started',
  unknown: '? not measured',
};

/** Builds the report in both forms. Exercises that have no tests yet (still being written) are left out. */
export function buildReport(input: ReportInput): { markdown: string; json: ReportJson } {
  const exercises: ReportExercise[] = input.course.chapters.flatMap((chapter) =>
    chapter.exercises.filter(hasTests).map(({ exercise, title }) => {
      const progress = input.progress[exercise.id];
      const bugs = input.bugs?.[exercise.id];
      return {
        id: exercise.id,
        chapter: chapter.title,
        title,
        status: exerciseState(progress),
        testsPassed: progress?.passed ?? null,
        testsTotal: progress?.total ?? null,
        testsLoad: progress === undefined ? null : progress.broken === undefined,
        hintsSeen: input.hintsSeen[exercise.id] ?? 0,
        hintsTotal: input.hintsTotal[exercise.id] ?? null,
        bugKatasTotal: bugs?.total ?? 0,
        bugKatasStarted: bugs?.started ?? 0,
        bugKatasSolved: bugs?.solved ?? 0,
        firstFailingTest: progress?.firstFailingTest ?? null,
        measuredAt: progress?.measuredAt ?? null,
      };
    }),
  );
  const next = nextExercise(input.course, input.progress);
  const json: ReportJson = {
    version: 1,
    generatedAt: input.meta.generatedAt,
    commit: input.meta.commit,
    learner: input.meta.learner,
    measured: input.meta.measured,
    totals: {
      exercises: exercises.length,
      done: exercises.filter((entry) => entry.status === 'done').length,
      started: exercises.filter((entry) => entry.status === 'started').length,
      testsPassed: exercises.reduce((sum, entry) => sum + (entry.testsPassed ?? 0), 0),
      testsTotal: exercises.reduce((sum, entry) => sum + (entry.testsTotal ?? 0), 0),
      hintsSeen: exercises.reduce((sum, entry) => sum + entry.hintsSeen, 0),
      bugKatasStarted: exercises.reduce((sum, entry) => sum + entry.bugKatasStarted, 0),
      bugKatasSolved: exercises.reduce((sum, entry) => sum + entry.bugKatasSolved, 0),
    },
    next: next?.exercise.id ?? null,
    exercises,
  };
  return { markdown: renderMarkdown(json, input.course), json };
}

function renderMarkdown(report: ReportJson, course: Course): string {
  const who = report.learner === null ? '' : ` for ${report.learner}`;
  const from = report.commit === null ? '' : ` at commit \`${report.commit}\``;
  const how = report.measured
    ? 'Figures up to date: each exercise measured by running its tests since its files last changed.'
    : 'Figures remembered from earlier test runs (`--cached`).';
  const { totals } = report;
  const lines = [
    `# Workshop progress${who}`,
    '',
    `Generated ${formatTime(report.generatedAt)}${from}. ${how}`,
    '',
    `**${totals.done} of ${totals.exercises} exercises done** (${totals.started} started), ` +
      `${totals.testsPassed} of ${totals.testsTotal} tests passing, ${totals.hintsSeen} ${totals.hintsSeen === 1 ? 'hint' : 'hints'} read.`,
    '',
    ...(totals.bugKatasStarted === 0
      ? []
      : [`Bug katas: ${totals.bugKatasSolved} found of ${totals.bugKatasStarted} started.`, '']),
    '| exercise | status | tests passing | hints read | bugs found |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const chapter of course.chapters) {
    lines.push(`| **${escapeCell(chapter.title)}** | | | | |`);
    for (const { exercise } of chapter.exercises) {
      const entry = report.exercises.find((candidate) => candidate.id === exercise.id);
      if (entry === undefined) continue;
      const tests =
        entry.testsTotal === null
          ? '–'
          : `${entry.testsPassed}/${entry.testsTotal}${entry.testsLoad === false ? ' (tests do not load)' : ''}`;
      const hints = entry.hintsTotal === null ? `${entry.hintsSeen}` : `${entry.hintsSeen} of ${entry.hintsTotal}`;
      const bugs = entry.bugKatasStarted === 0 ? '–' : `${entry.bugKatasSolved} of ${entry.bugKatasTotal}`;
      lines.push(`| ${escapeCell(entry.title)} | ${STATUS_WORDS[entry.status]} | ${tests} | ${hints} | ${bugs} |`);
    }
  }
  lines.push('');
  const next = allExercises(course).find((entry) => entry.exercise.id === report.next);
  lines.push(
    next === undefined ? 'Every exercise is done.' : `Next: ${next.title} (\`${next.exercise.directory}\`).`,
    '',
  );
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
