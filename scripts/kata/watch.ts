/**
 * `kata watch`: reruns one exercise's tests on every save and shows the first failing test with its
 * explanation. On a TTY, `h` shows the next hint, `r` runs again, `q` quits; without a TTY it just
 * watches until interrupted.
 *
 * @module
 */
import path from 'node:path';
import readline from 'node:readline';
import type { TestResult } from '../lib/vitest-run.ts';
import { allExercises, type Course, type CourseExercise } from './course.ts';
import { describeHintOutcome, revealNextHint } from './hints.ts';
import { shortestName } from './names.ts';
import { exerciseState, measureProgress, type ExerciseProgress } from './progress.ts';
import { watchForSaves } from './save-watcher.ts';
import { indent, palette, progressBar, type Palette } from './terminal.ts';

/** A failure message longer than this many lines is cut, with a pointer to the full output. */
const MAX_MESSAGE_LINES = 80;

/** What {@link watchExercise} needs. */
export interface WatchOptions {
  readonly root: string;
  readonly course: Course;
  readonly entry: CourseExercise;
  readonly color: boolean;
}

/** Renders one run's outcome for the watch screen. Pure. */
export function renderWatchResult(
  course: Course,
  entry: CourseExercise,
  progress: ExerciseProgress | undefined,
  firstFailure: TestResult | undefined,
  colors: Palette,
): string {
  const { exercise } = entry;
  const lines = [`${colors.bold(entry.title)}  ${colors.dim(exercise.learnerFiles.join(', '))}`];
  if (progress === undefined) {
    lines.push('', colors.red(`No test of ${exercise.directory} ran. Is there a *.test.ts file in it?`));
    return lines.join('\n');
  }
  lines.push(`${progressBar(progress.passed, progress.total)} ${progress.passed}/${progress.total} tests pass`, '');
  if (progress.broken !== undefined) {
    lines.push(colors.red('The tests could not load:'), '', cut(progress.broken, exercise.directory));
    return lines.join('\n');
  }
  if (exerciseState(progress) === 'done') {
    lines.push(colors.green(`✓ Every test passes. ${entry.title} is done.`));
    const exercises = allExercises(course);
    const next = exercises[exercises.indexOf(entry) + 1];
    if (next !== undefined) {
      const short = shortestName(
        next.exercise,
        exercises.map((candidate) => candidate.exercise),
      );
      lines.push(
        `Next: ${next.title}: read ${path.join(next.exercise.directory, 'README.md')}, then ${colors.cyan(`npm run kata -- watch ${short}`)}`,
      );
    }
    return lines.join('\n');
  }
  if (firstFailure !== undefined) {
    lines.push(`${colors.red('✗ First failing test:')} ${firstFailure.file} > ${firstFailure.name}`, '');
    lines.push(indent(cut(firstFailure.failureMessages.join('\n'), exercise.directory), 2));
  }
  return lines.join('\n');
}

function cut(message: string, directory: string): string {
  const lines = message.split('\n');
  if (lines.length <= MAX_MESSAGE_LINES) return message;
  return [
    ...lines.slice(0, MAX_MESSAGE_LINES),
    `… ${lines.length - MAX_MESSAGE_LINES} more lines: run npm test -- ${directory}`,
  ].join('\n');
}

/** Watches the exercise's folder and reruns its tests on every change, until `q` (or Ctrl-C). */
export async function watchExercise(options: WatchOptions): Promise<void> {
  const { root, course, entry } = options;
  const colors = palette(options.color);
  const interactive = process.stdin.isTTY === true;
  const exercises = allExercises(course).map((candidate) => candidate.exercise);
  const short = shortestName(entry.exercise, exercises);
  let running = false;
  let again = false;

  const keysLine = interactive
    ? colors.dim('Watching for changes.  h: next hint   r: run again   q: quit')
    : colors.dim('Watching for changes (no terminal for keys: Ctrl-C to stop).');

  const runTests = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        if (interactive) process.stdout.write('\x1b[2J\x1b[H');
        console.log(colors.dim(`Running the tests of ${entry.exercise.directory} …`));
        try {
          const measurement = await measureProgress(root, exercises, [entry.exercise]);
          const id = entry.exercise.id;
          console.log(
            `\n${renderWatchResult(course, entry, measurement.progress[id], measurement.firstFailure[id], colors)}\n`,
          );
        } catch (error) {
          console.log(colors.red(error instanceof Error ? error.message : String(error)));
        }
        console.log(keysLine);
      } while (again);
    } finally {
      running = false;
    }
  };

  // Every save of a .ts file in the exercise's folder reruns its tests, however the editor saves.
  const watcher = watchForSaves(path.join(root, entry.exercise.directory), () => void runTests());
  await watcher.ready;

  await runTests();
  if (!interactive) return new Promise<void>(() => {});

  return new Promise<void>((resolve) => {
    readline.emitKeypressEvents(process.stdin);
    process.stdin.setRawMode(true);
    process.stdin.resume();
    const quit = () => {
      void watcher.close();
      process.stdin.setRawMode(false);
      process.stdin.off('keypress', onKey);
      process.stdin.pause();
      resolve();
    };
    const onKey = (text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => {
      const name = key?.name ?? text;
      if (name === 'q' || (key?.ctrl === true && name === 'c')) return quit();
      if (name === 'r') return void runTests();
      if (name === 'h') {
        const hintsFile = path.join(entry.exercise.directory, 'HINTS.md');
        const outcome = revealNextHint(root, entry.exercise);
        console.log(
          `\n${describeHintOutcome(outcome, entry.title, hintsFile, `press h (or run \`npm run kata -- hint ${short}\`)`)}\n`,
        );
        console.log(keysLine);
      }
    };
    process.stdin.on('keypress', onKey);
  });
}
