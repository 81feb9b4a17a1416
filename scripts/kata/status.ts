/**
 * The status table: every chapter and exercise with a progress bar, the next exercise to do, and the
 * command that runs it. Pure: it renders the progress it is given.
 *
 * @module
 */
import path from 'node:path';
import { allExercises, type Course, type CourseExercise } from './course.ts';
import { shortestName } from './names.ts';
import { exerciseState, type ExerciseProgress, type ExerciseState } from './progress.ts';
import { palette, progressBar, type Palette } from './terminal.ts';
import type { BugTally } from './bug.ts';

/** What {@link renderStatus} shows. */
export interface StatusInput {
  readonly course: Course;
  readonly progress: Readonly<Record<string, ExerciseProgress>>;
  /**
   * Where the figures come from: brought up to date by this command (`rerun` exercises ran their tests,
   * `reused` kept a result whose files had not changed), or remembered as they are (`--cached`).
   */
  readonly source: StatusSource;
  readonly color: boolean;
  /** The "find the bug" katas per exercise id (`kata bug`); exercises without an entry show none. */
  readonly bugs?: Readonly<Record<string, BugTally>>;
}

/** Where the figures of a status or report come from. */
export type StatusSource =
  | { readonly kind: 'measured'; readonly durationMs: number; readonly rerun: number; readonly reused: number }
  | { readonly kind: 'cached' };

const MARKS: Record<ExerciseState, string> = { done: '✓', started: '◐', 'not-started': '○', unknown: '?' };

/** The first exercise, in course order, that is not done; `undefined` when every one is. */
export function nextExercise(
  course: Course,
  progress: Readonly<Record<string, ExerciseProgress>>,
): CourseExercise | undefined {
  return allExercises(course).find((entry) => hasTests(entry) && exerciseState(progress[entry.exercise.id]) !== 'done');
}

/** Does the exercise have tests yet? A folder being written may not. */
export function hasTests(entry: CourseExercise): boolean {
  return entry.exercise.testFiles.length > 0;
}

/** Renders the status table as lines of text. */
export function renderStatus(input: StatusInput): string {
  const colors = palette(input.color);
  const entries = allExercises(input.course);
  if (entries.length === 0) return 'There are no exercises under exercises/ yet.';
  const nameWidth = Math.max(...entries.map((entry) => path.basename(entry.exercise.directory).length));
  const lines: string[] = [colors.bold('Workshop progress'), sourceLine(input, colors), ''];
  for (const chapter of input.course.chapters) {
    lines.push(colors.bold(chapter.title));
    for (const entry of chapter.exercises)
      lines.push(
        exerciseLine(entry, input.progress[entry.exercise.id], nameWidth, colors) +
          bugSuffix(input.bugs?.[entry.exercise.id], colors),
      );
    lines.push('');
  }
  lines.push(...summaryLines(input, colors));
  return lines.join('\n');
}

function sourceLine(input: StatusInput, colors: Palette): string {
  if (input.source.kind === 'measured') return colors.dim(measuredLine(input.source));
  const times = Object.values(input.progress)
    .map((progress) => progress.measuredAt)
    .sort();
  const when =
    times.length === 0
      ? 'never measured'
      : `remembered from ${formatTime(times[0]!)}${times.length > 1 && times.at(-1) !== times[0] ? ` to ${formatTime(times.at(-1)!)}` : ''}`;
  return colors.dim(`Figures ${when} (--cached). Run \`npm run kata\` to measure again.`);
}

function measuredLine(source: Extract<StatusSource, { kind: 'measured' }>): string {
  const seconds = `${(source.durationMs / 1000).toFixed(1)} s`;
  if (source.rerun === 0)
    return `Up to date (${seconds}): no exercise's files changed since its tests last ran, so nothing ran again.`;
  if (source.reused === 0) return `Measured just now by running the tests (${seconds}).`;
  return (
    `Measured just now (${seconds}): the tests of ${plural(source.rerun, 'exercise')} ran again; ` +
    `${plural(source.reused, 'other')} had no file changed since their tests last ran.`
  );
}

/** The line printed before tests run again: how many exercises, and which. */
export function rerunLine(course: Course, stale: readonly { readonly id: string }[]): string {
  const entries = allExercises(course).filter(hasTests);
  if (stale.length === entries.length)
    return `Running the tests of all ${plural(entries.length, 'exercise')} to measure your progress (later runs rerun only what changed) …`;
  const titles = entries.filter((entry) => stale.some((exercise) => exercise.id === entry.exercise.id));
  const names = titles.map((entry) => entry.title);
  const shown = names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return `Running the tests of ${plural(stale.length, 'exercise')} whose files changed: ${shown} …`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function exerciseLine(
  entry: CourseExercise,
  progress: ExerciseProgress | undefined,
  nameWidth: number,
  colors: Palette,
): string {
  const state = exerciseState(progress);
  const paint = state === 'done' ? colors.green : state === 'started' ? colors.yellow : colors.dim;
  const name = path.basename(entry.exercise.directory).padEnd(nameWidth);
  const title = entry.title === path.basename(entry.exercise.directory) ? '' : `  ${colors.dim(entry.title)}`;
  if (!hasTests(entry)) return `  ${colors.dim('·')}  ${name}  ${colors.dim('(no tests yet)')}${title}`;
  if (progress === undefined)
    return `  ${paint(MARKS[state])}  ${name}  ${colors.dim('░'.repeat(10))}  ${colors.dim('not measured')}${title}`;
  const counts = `${progress.passed}/${progress.total}`.padStart(7);
  const broken = progress.broken === undefined ? '' : colors.red('  tests do not load: see `npm run kata -- watch`');
  return `  ${paint(MARKS[state])}  ${name}  ${paint(progressBar(progress.passed, progress.total))} ${counts}${title}${broken}`;
}

/** `  bugs 1/9` after an exercise whose bug katas the learner started; nothing otherwise. */
function bugSuffix(tally: BugTally | undefined, colors: Palette): string {
  if (tally === undefined || tally.started === 0) return '';
  const text = `  bugs found ${tally.solved}/${tally.total}`;
  return tally.solved === tally.total ? colors.green(text) : colors.yellow(text);
}

/** The bug katas' line of the summary, when the learner started any. */
function bugLines(input: StatusInput, colors: Palette): string[] {
  const tallies = Object.values(input.bugs ?? {});
  const started = tallies.reduce((sum, tally) => sum + tally.started, 0);
  if (started === 0) return [];
  const solved = tallies.reduce((sum, tally) => sum + tally.solved, 0);
  const total = tallies.reduce((sum, tally) => sum + tally.total, 0);
  const open = started - solved;
  return [
    `Bug katas: ${solved} found of ${started} started (${total} in the course)` +
      (open === 0 ? '.' : `; ${open} in progress: ${colors.cyan('npm run kata -- bug')} checks your fix.`),
    '',
  ];
}

function summaryLines(input: StatusInput, colors: Palette): string[] {
  const entries = allExercises(input.course).filter(hasTests);
  const measured = entries
    .map((entry) => input.progress[entry.exercise.id])
    .filter((progress) => progress !== undefined);
  const passed = measured.reduce((sum, progress) => sum + progress.passed, 0);
  const total = measured.reduce((sum, progress) => sum + progress.total, 0);
  const done = entries.filter((entry) => exerciseState(input.progress[entry.exercise.id]) === 'done').length;
  const lines = [
    `${done} of ${entries.length} exercises done, ${passed} of ${total} tests passing.   ${colors.dim('✓ done  ◐ started  ○ not started')}`,
    '',
    ...bugLines(input, colors),
  ];
  const next = nextExercise(input.course, input.progress);
  if (next === undefined) {
    lines.push(
      colors.green('Every exercise is done. Well played.'),
      `Hand in a summary with ${colors.cyan('npm run kata -- report')}.`,
    );
    return lines;
  }
  const exercises = entries.map((entry) => entry.exercise);
  const short = shortestName(next.exercise, exercises);
  lines.push(
    `Next: ${colors.bold(next.title)} ${colors.dim(`(${next.exercise.id})`)}`,
    `  read the spec   ${path.join(next.exercise.directory, 'README.md')}`,
    `  edit            ${next.exercise.learnerFiles.join(', ')}`,
    `  run the tests   ${colors.cyan(`npm run kata -- watch ${short}`)}   ${colors.dim(`(or: npm test -- ${next.exercise.directory})`)}`,
    `  stuck?          ${colors.cyan(`npm run kata -- hint ${short}`)}`,
  );
  return lines;
}

/** `2025-11-22T02:13:05.123Z` → `2025-11-22 02:13 UTC`. */
export function formatTime(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return match === null ? iso : `${match[1]} ${match[2]} UTC`;
}
