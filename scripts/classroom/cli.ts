/**
 * `npm run classroom -- <command>`: the instructor's tools.
 *
 * ```text
 * npm run classroom -- student-copy <dir> [--with-bugs <exercise,...>]   a learner's copy, without the solutions
 * npm run classroom -- demo <mistake> [--seed N]                         one known mistake, shown to the room
 * npm run classroom -- board <report.json...> [--out FILE]               the class's progress as one offline page
 * ```
 *
 * @module
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findExercises, type Exercise, type Mistake } from '../lib/exercises.ts';
import { resolveExercise } from '../kata/names.ts';
import { DEFAULT_BOARD_FILE, describeBoard, writeBoard } from './board.ts';
import { describeDemo, runDemo } from './demo.ts';
import { writeStudentCopy } from './student-copy.ts';

/** The usage text. */
export const USAGE = `Usage: npm run classroom -- <command>
  student-copy <dir> [--with-bugs <exercise,...>]
                     write a learner's copy of the workshop into <dir>: a new git repository whose one
                     commit starts at the stubs, with no solutions, known mistakes, alternatives or notes.
                     --with-bugs adds the "find the bug" katas of those exercises (npm run kata -- bug);
                     a bug kata is the solution with one mistake, so name only exercises the class has done
  demo <mistake> [--seed N]
                     run one known mistake's tests, write its trace and viewer page, and print the events
                     to walk the room through. <mistake> is 01/03:no-dedup, "01/03 no-dedup", no-dedup
                     when the name is unique, or the patch's path (npm run mistake -- list names them all)
  board <report.json...> [--out FILE]
                     read the learners' kata report files (.kata/report.json, from npm run kata -- report
                     --name "<learner>") and write one offline page (default ${DEFAULT_BOARD_FILE}): per learner
                     and exercise done, in progress or not started, hints read, bug katas solved; where the
                     class is stuck; charts. Files that cannot be read are listed and left out`;

/** A problem with the command line: printed with the usage, exit code 2. */
class UsageError extends Error {}

/** Runs the command in the repository at `root`; resolves with the exit code. */
export async function runClassroom(argv: readonly string[], root: string): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'with-bugs': { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help === true || command === 'help') {
      console.log(USAGE);
      return 0;
    }
    switch (command) {
      case 'student-copy':
        return studentCopy(root, findExercises(root), rest, values['with-bugs']);
      case 'demo':
        return await demo(root, findExercises(root), rest, values.seed);
      case 'board':
        return board(rest, values.out);
      default:
        throw new UsageError(command === undefined ? 'Name a command.' : `Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

function studentCopy(root: string, exercises: readonly Exercise[], rest: readonly string[], withBugs?: string): number {
  const [target] = rest;
  if (target === undefined || rest.length > 1)
    throw new UsageError('student-copy takes one folder, e.g. npm run classroom -- student-copy ../workshop-class');
  const bugs = (withBugs ?? '')
    .split(',')
    .filter((name) => name.trim() !== '')
    .map((name) => exerciseNamed(name.trim(), exercises));
  const copy = writeStudentCopy(root, target, { withBugs: bugs });
  console.log(`Wrote a learner's copy of the workshop to ${copy.directory}`);
  console.log(`  one commit, ${copy.commit.slice(0, 12)}: the exercises at their stubs, no solutions/`);
  console.log(`  checked: none of ${copy.linesChecked} lines found only in solutions/ is in its files or history`);
  if (copy.bugKatas > 0)
    console.log(
      `  with ${copy.bugKatas} bug kata(s) of ${copy.bugExercises.join(', ')} in bug-katas/ ` +
        "(they hold those exercises' solutions, each with one mistake)",
    );
  console.log(
    `\nNext: cd ${target} && npm install && npm run kata   (then publish the repository or zip it, .git included)`,
  );
  return 0;
}

/**
 * Paths on the command line are the instructor's: relative to the folder they ran `npm run` in
 * (`INIT_CWD`), not to the repository's root where npm runs the script.
 */
function board(files: readonly string[], out: string | undefined): number {
  if (files.length === 0)
    throw new UsageError('board takes the report files, e.g. npm run classroom -- board reports/*.json');
  const cwd = process.env['INIT_CWD'] || process.cwd();
  const written = writeBoard(files, { cwd, out: out ?? DEFAULT_BOARD_FILE });
  console.log(describeBoard(written, cwd));
  return written.data.learners.length > 0 ? 0 : 1;
}

async function demo(
  root: string,
  exercises: readonly Exercise[],
  rest: readonly string[],
  seedText: string | undefined,
): Promise<number> {
  if (seedText !== undefined && !/^\d+$/.test(seedText))
    throw new UsageError(`--seed takes a whole number; got "${seedText}".`);
  const { exercise, mistake } = mistakeNamed(rest, exercises);
  console.error(`Running the tests of ${exercise.id} against the known mistake ${mistake.name} …`);
  const shown = await runDemo(root, exercise, mistake, seedText === undefined ? undefined : Number(seedText));
  console.log(describeDemo(shown));
  return 0;
}

function exerciseNamed(query: string, exercises: readonly Exercise[]): Exercise {
  const resolved = resolveExercise(query, exercises);
  if (!resolved.ok) throw new UsageError(resolved.message);
  return resolved.exercise;
}

/** The mistake named by the command line: `<exercise>:<name>`, `<exercise> <name>`, a unique name, or a patch path. */
export function mistakeNamed(
  args: readonly string[],
  exercises: readonly Exercise[],
): { exercise: Exercise; mistake: Mistake } {
  const all = exercises.flatMap((exercise) => exercise.mistakes.map((mistake) => ({ exercise, mistake })));
  if (args.length === 0 || args.length > 2) throw new UsageError('demo names one known mistake, e.g. 01/03:no-dedup');
  const [first, second] = args as [string, string | undefined];
  if (second === undefined && first.endsWith('.patch')) {
    const file = path.normalize(first);
    const found = all.find((entry) => entry.mistake.file === file);
    if (found === undefined) throw new UsageError(`${first} is not a known mistake (npm run mistake -- list).`);
    return found;
  }
  const split = second !== undefined ? [first, second] : first.includes(':') ? first.split(':', 2) : [null, first];
  const [exerciseQuery, name] = split as [string | null, string];
  const inExercise = exerciseQuery === null ? all : exercisesMistakes(exerciseNamed(exerciseQuery, exercises));
  const matches = inExercise.filter((entry) => entry.mistake.name === name);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new UsageError(
      `Several exercises have a mistake called ${name}: ${matches.map((entry) => `${entry.exercise.id}:${name}`).join(', ')}.`,
    );
  const names = inExercise.map((entry) => entry.mistake.name);
  throw new UsageError(
    `No known mistake called ${name}${exerciseQuery === null ? '' : ` in ${exerciseQuery}`}.` +
      (exerciseQuery === null ? ' (npm run mistake -- list names them all.)' : ` Its mistakes: ${names.join(', ')}.`),
  );
}

function exercisesMistakes(exercise: Exercise): Array<{ exercise: Exercise; mistake: Mistake }> {
  return exercise.mistakes.map((mistake) => ({ exercise, mistake }));
}
