/**
 * The `kata bug` verb: start a "find the bug" kata, check the learner's fix, or reveal the mistake
 * (`bug.ts` does the work; this file talks to the learner).
 *
 * ```text
 * npm run kata -- bug [exercise]            start the next kata of the exercise, or check the one in progress
 * npm run kata -- bug [exercise] --reveal   what the mistake was: its text and its patch (a spoiler before solving)
 * ```
 *
 * @module
 */
import path from 'node:path';
import { countBugKatas, findBugKatas, type BugKata } from '../lib/bug-katas.ts';
import type { Exercise } from '../lib/exercises.ts';
import type { runVitest } from '../lib/vitest-run.ts';
import { allExercises, type Course, type CourseExercise } from './course.ts';
import {
  kataFolder,
  kataInProgress,
  kataReplay,
  nextKata,
  readBugRecords,
  rememberBug,
  runKata,
  writeKataFiles,
  type BugRecord,
} from './bug.ts';
import { shortestName } from './names.ts';
import { exerciseState, readProgress } from './progress.ts';
import { readFailureReport } from './replay.ts';
import { askYesNo, indent, type Palette } from './terminal.ts';

/** What the verb needs from the command line and the terminal. */
export interface BugVerbInput {
  readonly root: string;
  readonly course: Course;
  /** The exercise named, or `undefined` for the one in progress (or the first done with a kata left). */
  readonly entry: CourseExercise | undefined;
  readonly reveal: boolean;
  readonly yes: boolean;
  readonly testName: string | undefined;
  readonly stdinIsTTY: boolean;
  readonly colors: Palette;
  /** When to say things happened (ISO 8601); a parameter so tests can fix it. */
  readonly now: () => string;
  /** How tests run (default: vitest in a child process); tests of this verb pass a stand-in. */
  readonly runTests?: typeof runVitest;
}

/** A problem the learner can fix by naming things differently: printed alone, exit code 2. */
export class BugUsageError extends Error {}

/** Runs `kata bug`; resolves with the exit code. */
export async function bugVerb(input: BugVerbInput): Promise<number> {
  const entry = input.entry ?? defaultEntry(input);
  const exercises = allExercises(input.course).map((candidate) => candidate.exercise);
  const name = shortestName(entry.exercise, exercises);
  const katas = findBugKatas(input.root, entry.exercise);
  if (katas.length === 0) {
    throw new BugUsageError(
      `${entry.title} has no bug katas in this copy of the workshop. They are made from the known mistakes, ` +
        'which live beside the reference solutions; ask your instructor for the exercises that have them.',
    );
  }
  const records = readBugRecords(input.root);
  if (input.reveal) return reveal(input, entry, name, katas, records);
  const current = kataInProgress(records, entry.exercise.id);
  if (current !== undefined) return check(input, entry, name, katas, current);
  const kata = nextKata(katas, records, entry.exercise.id);
  if (kata === undefined) {
    console.log(
      input.colors.green(`You found every bug of ${entry.title}: ${katas.length} of ${katas.length}. Well hunted.`),
    );
    return 0;
  }
  if (!(await spoilerAccepted(input, entry))) return 1;
  const { folder } = writeKataFiles(input.root, entry.exercise, kata);
  const record: BugRecord = {
    exercise: entry.exercise.id,
    mistake: kata.mistake,
    number: kata.number,
    startedAt: input.now(),
    solvedAt: null,
    revealedAt: null,
  };
  rememberBug(input.root, record);
  console.log(input.colors.bold(`Bug kata ${kata.number} of ${katas.length} for ${entry.title}: find the bug.`));
  console.log(
    `\n${folder}${path.sep}${kata.files.map((file) => file.name).join(', ')} is a solution of ${entry.title} with ` +
      'one plausible mistake in it, the kind a careful programmer makes. Running its tests …',
  );
  return check(input, entry, name, katas, record);
}

/**
 * The exercise of the kata in progress, or else the first done exercise with a kata left to start. For
 * `--reveal`, the exercise of the kata last started or solved.
 */
function defaultEntry(input: BugVerbInput): CourseExercise {
  const entries = allExercises(input.course);
  const records = readBugRecords(input.root);
  if (input.reveal) {
    const latest = [...records].sort((a, b) => (b.solvedAt ?? b.startedAt).localeCompare(a.solvedAt ?? a.startedAt))[0];
    const entry = entries.find((candidate) => candidate.exercise.id === latest?.exercise);
    if (entry !== undefined) return entry;
  }
  const started = [...records]
    .filter((entry) => entry.solvedAt === null)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  const inProgress = entries.find((entry) => entry.exercise.id === started?.exercise);
  if (inProgress !== undefined) return inProgress;
  const progress = readProgress(input.root);
  const done = entries.find(
    (entry) =>
      exerciseState(progress[entry.exercise.id]) === 'done' &&
      nextKata(findBugKatas(input.root, entry.exercise), records, entry.exercise.id) !== undefined,
  );
  if (done !== undefined) return done;
  throw new BugUsageError(
    '`kata bug` needs an exercise, e.g. npm run kata -- bug 01/03. No exercise you finished has a bug kata left ' +
      "(a bug kata shows the exercise's solution with one mistake in it, so it is best after the exercise).",
  );
}

/** A kata shows the exercise's solution, nearly: before the exercise is done, ask first. */
async function spoilerAccepted(input: BugVerbInput, entry: CourseExercise): Promise<boolean> {
  if (input.yes || exerciseState(readProgress(input.root)[entry.exercise.id]) === 'done') return true;
  const question =
    `You have not finished ${entry.title} yet (by \`npm run kata\`). A bug kata is its solution with one ` +
    'mistake in it: a spoiler.';
  if (!input.stdinIsTTY) {
    console.error(`${question} There is no terminal to ask on; add --yes to start it anyway.`);
    return false;
  }
  const confirmed = await askYesNo(`${question} Start it anyway?`);
  if (!confirmed) console.log('Not started.');
  return confirmed;
}

/** Runs the kata's tests: red shows the failure and asks for the fix; green (on a full run) solves it. */
async function check(
  input: BugVerbInput,
  entry: CourseExercise,
  name: string,
  katas: readonly BugKata[],
  record: BugRecord,
): Promise<number> {
  const { colors } = input;
  const folder = kataFolder(entry.exercise, record.number);
  const run = await runKata(input.root, entry.exercise, folder, input.testName, input.runTests);
  for (const broken of run.brokenFiles)
    console.log(colors.red(`${broken.file} did not load: ${broken.message.split('\n')[0]}`));
  const failed = run.tests.filter((test) => test.status === 'failed');
  const passed = run.tests.filter((test) => test.status === 'passed').length;
  if (failed.length === 0 && run.brokenFiles.length === 0 && passed > 0)
    return green(input, entry, name, katas, record, passed);
  const shown = failed.map(readFailureReport);
  const first = shown.find((reported) => reported.trace !== null) ?? shown[0];
  console.log(`\n${colors.red(`${failed.length} of ${run.tests.length} tests fail`)} on bug ${record.number}.`);
  if (first !== undefined) {
    console.log(`\n${colors.red('✗')} ${first.test.file} > ${first.test.name}`);
    console.log(indent(first.what, 2));
    if (first.seed !== null) console.log(`  seed     ${first.seed}`);
    if (first.replay !== null) console.log(`  replay   ${kataReplay(first.replay, name)}`);
    if (first.trace !== null) console.log(`  trace    ${colors.bold(first.trace)}`);
    if (first.viewer !== null) console.log(`  viewer   ${colors.bold(first.viewer)}  (open it in a browser)`);
  }
  const others = shown.filter((reported) => reported !== first);
  for (const other of others.slice(0, 5)) console.log(`  ${colors.red('✗')} ${other.test.file} > ${other.test.name}`);
  if (others.length > 5) console.log(colors.dim(`  … and ${others.length - 5} more`));
  const files = entry.exercise.learnerFiles.map((file) => path.join(folder, path.basename(file))).join(', ');
  console.log(
    [
      '',
      `Find the mistake from the failure and the trace, without reading the patch, and fix it in ${colors.bold(files)}.`,
      `  check your fix    ${colors.cyan(`npm run kata -- bug ${name}`)}`,
      `  give up, see it   ${colors.cyan(`npm run kata -- bug ${name} --reveal`)}`,
    ].join('\n'),
  );
  return 1;
}

function green(
  input: BugVerbInput,
  entry: CourseExercise,
  name: string,
  katas: readonly BugKata[],
  record: BugRecord,
  passed: number,
): number {
  const { colors } = input;
  if (input.testName !== undefined || judgedRunIsNarrowed()) {
    console.log(
      colors.green(`The ${passed} test(s) run pass.`) +
        ` Run \`npm run kata -- bug ${name}\` with no test name or seed to check the whole fix.`,
    );
    return 0;
  }
  rememberBug(input.root, { ...record, solvedAt: input.now() });
  const solved = readBugRecords(input.root).filter(
    (entry) => entry.exercise === record.exercise && entry.solvedAt !== null,
  ).length;
  console.log(colors.green(`\nFixed: all ${passed} tests of ${entry.title} pass on bug ${record.number}.`));
  console.log(`${solved} of ${katas.length} bug katas of ${entry.title} solved.`);
  console.log(`  what the mistake was   ${colors.cyan(`npm run kata -- bug ${name} --reveal`)}`);
  if (solved < katas.length) console.log(`  the next bug           ${colors.cyan(`npm run kata -- bug ${name}`)}`);
  return 0;
}

/** A replay (one seed, one shrunk case) runs part of the tests: it never counts as solving a kata. */
function judgedRunIsNarrowed(): boolean {
  return ['KATA_SEED', 'KATA_REPLAY'].some((variable) => (process.env[variable] ?? '') !== '');
}

async function reveal(
  input: BugVerbInput,
  entry: CourseExercise,
  name: string,
  katas: readonly BugKata[],
  records: readonly BugRecord[],
): Promise<number> {
  const mine = records
    .filter((record) => record.exercise === entry.exercise.id)
    .sort((a, b) => (b.solvedAt ?? b.startedAt).localeCompare(a.solvedAt ?? a.startedAt));
  const record = kataInProgress(mine, entry.exercise.id) ?? mine[0];
  const kata = katas.find((candidate) => candidate.mistake === record?.mistake);
  if (record === undefined || kata === undefined)
    throw new BugUsageError(`You have not started a bug kata of ${entry.title}: npm run kata -- bug ${name}`);
  if (record.solvedAt === null && !input.yes) {
    const question = `Bug ${record.number} of ${entry.title} is not solved yet. Show the mistake anyway?`;
    if (!input.stdinIsTTY) {
      console.error(`${question} There is no terminal to ask on; add --yes to show it.`);
      return 1;
    }
    if (!(await askYesNo(question))) {
      console.log('Not shown.');
      return 0;
    }
  }
  if (record.revealedAt === null) rememberBug(input.root, { ...record, revealedAt: input.now() });
  console.log(input.colors.bold(`Bug ${record.number} of ${entry.title}: the known mistake "${kata.mistake}"`));
  console.log(`\n${kata.description ?? '(no description)'}`);
  if (kata.breaks !== null) console.log(`\nIt breaks: ${kata.breaks}`);
  console.log(`\nThe patch, from the reference solution (−) to the mistake (+):\n\n${patchOnly(kata.patch)}`);
  return 0;
}

function patchOnly(patch: string): string {
  const start = /^--- /m.exec(patch);
  return start === null ? patch : patch.slice(start.index);
}

/** Bug katas an exercise has, by id: for status and report. */
export function bugTotals(root: string, exercises: readonly Exercise[]): Record<string, number> {
  return Object.fromEntries(exercises.map((exercise) => [exercise.id, countBugKatas(root, exercise)]));
}
