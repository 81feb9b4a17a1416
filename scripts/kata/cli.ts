/**
 * The kata command's verbs: parse the arguments, resolve the exercise, do the work, print the result.
 *
 * ```text
 * npm run kata                       status: progress per exercise, measured by running the tests
 * npm run kata -- status --cached    the progress remembered from the last run
 * npm run kata -- watch [exercise]   rerun an exercise's tests on every save
 * npm run kata -- hint <exercise>    the next hint
 * npm run kata -- diff <exercise>    your file beside the reference solution (a spoiler: asks first)
 * npm run kata -- reset <exercise>   put the stub back (your file is saved under .kata/saved/)
 * npm run kata -- carry <exercise>   start from your own previous file: merge it into this exercise's stub
 * npm run kata -- replay <exercise> --seed N
 * npm run kata -- bug [exercise]     a "find the bug" kata: a known mistake to find and fix (--reveal: the answer)
 * npm run kata -- report             a progress summary to hand to an instructor
 * npm run kata -- new 05/06 membership   a new exercise, laid out by the convention (for authors)
 * npm run kata -- maelstrom <exercise> [--solution]   an executable for Maelstrom's `maelstrom test --bin`
 * npm run kata -- cluster <exercise> --nodes 3        real node processes behind a router, checked
 * ```
 *
 * @module
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allExercises, loadCourse, type Course, type CourseExercise } from './course.ts';
import { diffAgainstSolution } from './diff.ts';
import { headCommit } from './git.ts';
import { describeHintOutcome, describeSeenHints, hintsSeen, readHints, revealNextHint } from './hints.ts';
import { KNOWN_VERBS, usage, verbHelp } from './help.ts';
import { resolveExercise, shortestName } from './names.ts';
import type { Exercise } from '../lib/exercises.ts';
import { readProgress, type ExerciseProgress } from './progress.ts';
import { pinRun } from './pin.ts';
import { describeOtherFailures, replay } from './replay.ts';
import { carryForward } from './carry.ts';
import { bugTotals, bugVerb, BugUsageError } from './bug-verb.ts';
import { readBugRecords, tallyBugs } from './bug.ts';
import { buildReport } from './report.ts';
import { resetExercise } from './reset.ts';
import { scaffoldExercise, ScaffoldError } from './scaffold.ts';
import { runCluster } from './cluster/cluster.ts';
import { hasMaelstromBinding, writeMaelstromExecutable } from './maelstrom.ts';
import { kataPaths } from './state.ts';
import { nextExercise, renderStatus, rerunLine, type StatusSource } from './status.ts';
import { askYesNo, indent, palette, shouldColor, type Palette } from './terminal.ts';
import { upToDateProgress } from './up-to-date.ts';
import { watchExercise } from './watch.ts';

/** Where the command runs, and what it may assume about its terminal. */
export interface CliContext {
  readonly root: string;
  readonly color: boolean;
  readonly stdinIsTTY: boolean;
}

/** A usage problem: printed with the usage text, exit code 2. */
class UsageError extends Error {}

/** An exercise name that resolves to nothing or to several: printed alone (it lists the candidates), exit code 2. */
class NameError extends Error {}

/** Runs the command; resolves with the process's exit code. */
export async function runKata(argv: readonly string[], context: CliContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        cached: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        seed: { type: 'string' },
        property: { type: 'string' },
        test: { type: 'string', short: 't' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        again: { type: 'boolean' },
        trace: { type: 'boolean' },
        replay: { type: 'string' },
        solution: { type: 'boolean' },
        reveal: { type: 'boolean' },
        nodes: { type: 'string' },
        'time-limit-ms': { type: 'string' },
      },
    });
  } catch (error) {
    return usageProblem(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [verb = 'status', ...rest] = positionals;
  if (verb === 'help' || values.help === true) return help(verb === 'help' ? rest[0] : positionals[0]);
  const colors = palette(context.color);
  try {
    const course = loadCourse(context.root);
    switch (verb) {
      case 'status':
        return await status(context, course, values.cached === true);
      case 'watch':
        return await watch(context, course, rest[0]);
      case 'hint':
        return hint(context, course, currentOr(context, course, rest[0], 'hint'), values.again === true);
      case 'diff':
        return await diff(context, requireExercise(course, rest[0], 'diff'), values.yes === true, colors);
      case 'reset':
        return reset(context, requireExercise(course, rest[0], 'reset'), colors);
      case 'carry':
        return carry(context, course, requireExercise(course, rest[0], 'carry'), colors);
      case 'replay':
        return await replayVerb(context, course, requireExercise(course, rest[0], 'replay'), values, colors);
      case 'pin':
        return pin(context, course, requireExercise(course, rest[0], 'pin'), values, colors);
      case 'bug':
        return await bugVerb({
          root: context.root,
          course,
          entry: rest[0] === undefined ? undefined : requireExercise(course, rest[0], 'bug'),
          reveal: values.reveal === true,
          yes: values.yes === true,
          testName: values.test,
          stdinIsTTY: context.stdinIsTTY,
          colors,
          now: () => new Date().toISOString(),
        });
      case 'report':
        return await report(context, course, values.cached === true, values.name ?? null);
      case 'new':
        return scaffold(context, rest);
      case 'cluster':
        return await cluster(context, course, requireExercise(course, rest[0], 'cluster'), values);
      case 'maelstrom':
        return await maelstrom(
          context,
          course,
          requireExercise(course, rest[0], 'maelstrom'),
          values.solution === true,
        );
      default:
        return usageProblem(`Unknown verb "${verb}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) return usageProblem(error.message);
    if (error instanceof ScaffoldError) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof BugUsageError) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof NameError) {
      console.error(`${error.message}\n(npm run kata -- --help lists the verbs.)`);
      return 2;
    }
    console.error(colors.red(error instanceof Error ? error.message : String(error)));
    return 1;
  }
}

function usageProblem(message: string): number {
  console.error(`${message}\n\n${usage()}`);
  return 2;
}

/** `kata help [verb]` and `--help`: the overview, or one verb's help. */
function help(verb: string | undefined): number {
  if (verb === undefined || verb === 'help') {
    console.log(usage());
    return 0;
  }
  const text = verbHelp(verb);
  if (text === null) return usageProblem(`Unknown verb "${verb}". The verbs are: ${KNOWN_VERBS.join(', ')}.`);
  console.log(text);
  return 0;
}

/**
 * The exercise named by `query`, or the current one when no name is given: the first exercise, in
 * course order, whose tests do not all pass by the remembered progress (the one `watch` picks).
 */
function currentOr(context: CliContext, course: Course, query: string | undefined, verb: string): CourseExercise {
  if (query !== undefined) return requireExercise(course, query, verb);
  const entry = nextExercise(course, readProgress(context.root)) ?? allExercises(course)[0];
  if (entry === undefined) throw new UsageError('There are no exercises yet.');
  return entry;
}

function requireExercise(course: Course, query: string | undefined, verb: string): CourseExercise {
  const entries = allExercises(course);
  if (query === undefined) {
    const example =
      entries[0] === undefined
        ? 'echo'
        : shortestName(
            entries[0].exercise,
            entries.map((entry) => entry.exercise),
          );
    throw new UsageError(`\`kata ${verb}\` needs an exercise, e.g. npm run kata -- ${verb} ${example}`);
  }
  const resolved = resolveExercise(
    query,
    entries.map((entry) => entry.exercise),
  );
  if (!resolved.ok) throw new NameError(resolved.message);
  return entries.find((entry) => entry.exercise.id === resolved.exercise.id)!;
}

/**
 * The progress to show: remembered as it is (`--cached`), or brought up to date by running the tests of
 * the exercises whose files changed since their last run (none, when nothing changed).
 */
async function measuredOrCached(
  context: CliContext,
  course: Course,
  cached: boolean,
): Promise<{ progress: Readonly<Record<string, ExerciseProgress>>; source: StatusSource }> {
  if (cached) return { progress: readProgress(context.root), source: { kind: 'cached' } };
  const exercises = allExercises(course).map((entry) => entry.exercise);
  const announce = (stale: readonly Exercise[]) => console.error(palette(context.color).dim(rerunLine(course, stale)));
  const upToDate = await upToDateProgress(context.root, exercises, announce);
  return {
    progress: upToDate.progress,
    source: {
      kind: 'measured',
      durationMs: upToDate.durationMs,
      rerun: upToDate.rerun.length,
      reused: upToDate.reused,
    },
  };
}

async function status(context: CliContext, course: Course, cached: boolean): Promise<number> {
  const { progress, source } = await measuredOrCached(context, course, cached);
  console.log(renderStatus({ course, progress, source, color: context.color, bugs: bugTallies(context.root, course) }));
  return 0;
}

async function watch(context: CliContext, course: Course, query: string | undefined): Promise<number> {
  const entry = currentOr(context, course, query, 'watch');
  await watchExercise({ root: context.root, course, entry, color: context.color });
  return 0;
}

function hint(context: CliContext, course: Course, entry: CourseExercise, again: boolean): number {
  const exercises = allExercises(course).map((candidate) => candidate.exercise);
  const next = `\`npm run kata -- hint ${shortestName(entry.exercise, exercises)}\``;
  const hintsFile = path.join(entry.exercise.directory, 'HINTS.md');
  if (again) {
    console.log(describeSeenHints(context.root, entry.exercise, entry.title, hintsFile, next));
    return 0;
  }
  const outcome = revealNextHint(context.root, entry.exercise);
  console.log(describeHintOutcome(outcome, entry.title, hintsFile, next));
  return 0;
}

async function diff(context: CliContext, entry: CourseExercise, yes: boolean, colors: Palette): Promise<number> {
  if (!yes) {
    if (!context.stdinIsTTY) {
      console.error(
        `\`kata diff\` shows the reference solution of ${entry.title}: a spoiler, so it asks first, and there is no ` +
          'terminal to ask on. Add --yes to show it anyway.',
      );
      return 1;
    }
    const confirmed = await askYesNo(`This shows the reference solution of ${entry.title}: a spoiler. Show it?`);
    if (!confirmed) {
      console.log('Not shown.');
      return 0;
    }
  }
  for (const result of diffAgainstSolution(context.root, entry.exercise, context.color)) {
    console.log(
      colors.bold(
        `How the reference solution ${result.solutionFile} differs from your ${result.learnerFile} ` +
          `(lines marked − are yours, + the solution's):`,
      ),
    );
    console.log(result.diff === '' ? colors.green('They are identical.') : result.diff);
  }
  return 0;
}

function scaffold(context: CliContext, args: readonly string[]): number {
  const [position, name] = args;
  if (position === undefined || name === undefined)
    throw new UsageError('`kata new` needs a position and a name, e.g. npm run kata -- new 05/06 membership');
  const written = scaffoldExercise(context.root, position, name);
  for (const file of written) console.log(`wrote ${file}`);
  console.log(
    `\nNext: fill in the README and the tests, write the solution, then add two known mistakes ` +
      `(npm run mistake -- new ${position} <name>), list the exercise in its chapter's README, and run npm run verify.`,
  );
  return 0;
}

/** The largest seed a simulation takes: seeds are 32-bit unsigned integers. */
const MAX_SEED = 0xffff_ffff;

/** A `--seed` value: a whole number from 0 to {@link MAX_SEED}, as failure reports print them. */
function seedOf(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > MAX_SEED) {
    throw new UsageError(
      `--seed takes a whole number from 0 to ${MAX_SEED}, as a failure report prints it (seed 1234); got "${text}".`,
    );
  }
  return Number(text);
}

function wholeNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number; got "${text}".`);
  return Number(text);
}

async function cluster(
  context: CliContext,
  course: Course,
  entry: CourseExercise,
  values: { solution?: boolean; nodes?: string; 'time-limit-ms'?: string; seed?: string },
): Promise<number> {
  requireBinding(context, course, entry);
  const nodes = wholeNumber('--nodes', values.nodes, 3);
  if (nodes < 1 || nodes > 9) throw new UsageError(`--nodes takes 1 to 9; got ${nodes}.`);
  const timeLimitMs = wholeNumber('--time-limit-ms', values['time-limit-ms'], 5_000);
  const seed = values.seed === undefined ? undefined : seedOf(values.seed);
  console.error(palette(context.color).dim(`Starting ${nodes} node processes and the router …`));
  const result = await runCluster(context.root, entry.exercise, {
    nodes,
    solution: values.solution === true,
    timeLimitMs,
    seed,
  });
  console.log(result.summary);
  return result.passed ? 0 : 1;
}

function requireBinding(context: CliContext, course: Course, entry: CourseExercise): void {
  if (hasMaelstromBinding(context.root, entry.exercise)) return;
  const exercises = allExercises(course).map((candidate) => candidate.exercise);
  const bound = exercises
    .filter((exercise) => hasMaelstromBinding(context.root, exercise))
    .map((exercise) => shortestName(exercise, exercises));
  throw new UsageError(
    `${entry.title} has no maelstrom.ts, so it cannot run as real processes. These can: ${bound.join(', ')}.`,
  );
}

async function maelstrom(
  context: CliContext,
  course: Course,
  entry: CourseExercise,
  solution: boolean,
): Promise<number> {
  if (!hasMaelstromBinding(context.root, entry.exercise)) {
    const exercises = allExercises(course).map((candidate) => candidate.exercise);
    const bound = exercises
      .filter((exercise) => hasMaelstromBinding(context.root, exercise))
      .map((exercise) => shortestName(exercise, exercises));
    throw new UsageError(
      `${entry.title} has no maelstrom.ts, so it cannot run under Maelstrom. These can: ${bound.join(', ')}.`,
    );
  }
  const written = await writeMaelstromExecutable(context.root, entry.exercise, { solution });
  console.log(`Wrote ${written.executable}`);
  console.log(
    `  runs ${path.relative(context.root, written.nodeFile)} as a Maelstrom node (workload ${written.binding.workload})`,
  );
  console.log(`  storage in ${written.storageDirectory} (delete it to start afresh)`);
  console.log(`\nWith Maelstrom installed (https://github.com/jepsen-io/maelstrom), run:\n  ${written.command}`);
  return 0;
}

function reset(context: CliContext, entry: CourseExercise, colors: Palette): number {
  for (const result of resetExercise(context.root, entry.exercise)) {
    const from = `commit ${result.stub.commit.slice(0, 7)}${result.stub.reason === 'newest-stub' ? '' : ' (the first commit that has it)'}`;
    if (result.unchanged) {
      console.log(`${result.file} already is the stub from ${from}: nothing to reset.`);
      continue;
    }
    if (result.savedTo !== null) console.log(`Saved your ${result.file} to ${colors.bold(result.savedTo)}`);
    if (result.wasMissing) console.log(`${result.file} was missing (deleted or renamed?): nothing to save.`);
    console.log(colors.green(`Restored the stub of ${result.file} from ${from}.`));
  }
  return 0;
}

function carry(context: CliContext, course: Course, entry: CourseExercise, colors: Palette): number {
  const exercises = allExercises(course).map((candidate) => candidate.exercise);
  const name = shortestName(entry.exercise, exercises);
  let conflicted = 0;
  for (const result of carryForward(context.root, entry.exercise, exercises)) {
    if (result.savedTo !== null) console.log(`Saved your ${result.file} to ${colors.bold(result.savedTo)}`);
    if (result.todosInPrevious > 0) {
      console.log(
        colors.yellow(
          `Note: your ${result.from} still calls todo( ${result.todosInPrevious} time(s); those parts come along unfinished.`,
        ),
      );
    }
    if (result.conflicts === 0) {
      console.log(
        colors.green(
          `Carried your ${result.from} into ${result.file}: your code, plus what ${entry.title} adds. No conflicts.`,
        ),
      );
      continue;
    }
    conflicted++;
    console.log(
      colors.red(
        `Carried your ${result.from} into ${result.file} with ${result.conflicts} conflict(s): places where you and the stub changed the same lines.`,
      ),
    );
    console.log(
      indent(
        [
          `Each is marked in ${result.file}:`,
          `  <<<<<<< ${result.labels[0]}  (your lines)`,
          `  ||||||| ${result.labels[1]}  (the lines you both started from)`,
          '  =======',
          `  >>>>>>> ${result.labels[2]}  (the stub's lines)`,
          "Keep what you want from each side (usually your code, with the stub's new todo(...)s and 👉 notes), and delete",
          'the marker lines. The file does not compile until every marker is gone.',
          result.savedTo === null ? '' : `Your previous ${result.file} is at ${result.savedTo}.`,
          `To start from the plain stub instead: npm run kata -- reset ${name}`,
        ]
          .filter((line) => line !== '')
          .join('\n'),
        2,
      ),
    );
  }
  return conflicted === 0 ? 0 : 1;
}

async function replayVerb(
  context: CliContext,
  course: Course,
  entry: CourseExercise,
  values: { seed?: string | undefined; property?: string | undefined; test?: string | undefined; trace?: boolean },
  colors: Palette,
): Promise<number> {
  const name = shortestName(
    entry.exercise,
    allExercises(course).map((candidate) => candidate.exercise),
  );
  if ((values.seed === undefined) === (values.property === undefined)) {
    throw new UsageError(
      '`kata replay` needs either --seed N (from a failure report) or --property <seed:path> (from KATA_REPLAY=...).',
    );
  }
  const target = values.seed !== undefined ? { seed: seedOf(values.seed) } : { property: values.property! };
  const label = 'seed' in target ? `KATA_SEED=${target.seed}` : `KATA_REPLAY=${target.property}`;
  console.error(colors.dim(`Running the tests of ${entry.exercise.directory} with ${label} …`));
  const outcome = await replay(context.root, entry.exercise, target, values.test, values.trace === true);
  for (const broken of outcome.broken)
    console.log(colors.red(`${broken.file} did not load: ${broken.message.split('\n')[0]}`));
  if (outcome.matching.length === 0) {
    console.log(
      `${colors.green(`No test failed with ${label}`)} (${outcome.passed} passed).` +
        (values.trace === true
          ? ''
          : ' Traces are written only for failing runs; add --trace to write them for passing runs too.'),
    );
  }
  for (const passing of outcome.passingTraces) {
    console.log(`\n${colors.green('✓')} ${passing.file} > ${passing.test}  ${colors.dim(`(seed ${passing.seed})`)}`);
    console.log(`  trace    ${colors.bold(passing.trace)}`);
    console.log(`  viewer   ${colors.bold(passing.viewer)}  (open it in a browser)`);
  }
  if (values.trace === true && outcome.passingTraces.length === 0 && outcome.passed > 0)
    console.log(colors.dim(`\nNo passing test ran a simulation with ${label}, so there is no passing trace to show.`));
  for (const run of outcome.matching) {
    console.log(`\n${colors.red('✗')} ${run.test.file} > ${run.test.name}`);
    console.log(indent(run.what, 2));
    if (run.replay !== null) console.log(`  replay   ${run.replay}`);
    console.log(
      `  trace    ${run.trace === null ? colors.dim('(none: this failure did not come from a simulation)') : colors.bold(run.trace)}`,
    );
    if (run.viewer !== null) console.log(`  viewer   ${colors.bold(run.viewer)}  (open it in a browser)`);
  }
  if (outcome.others.length > 0) console.log(`\n${describeOtherFailures(outcome.others, name, colors)}`);
  return outcome.matching.length === 0 && outcome.broken.length === 0 ? 0 : 1;
}

function pin(
  context: CliContext,
  course: Course,
  entry: CourseExercise,
  values: { seed?: string | undefined; replay?: string | undefined },
  colors: Palette,
): number {
  if ((values.seed === undefined) === (values.replay === undefined))
    throw new UsageError(
      '`kata pin` needs either --seed N (from a failure report) or --replay <seed:path> (from KATA_REPLAY=...).',
    );
  if (values.seed !== undefined) seedOf(values.seed);
  if (values.replay !== undefined && !/^-?\d+:[\d:]*$/.test(values.replay))
    throw new UsageError(`--replay takes a seed and a path, like 1234:5:0:2; got "${values.replay}".`);
  const target = values.seed !== undefined ? { seed: seedOf(values.seed) } : { property: values.replay! };
  const name = shortestName(
    entry.exercise,
    allExercises(course).map((candidate) => candidate.exercise),
  );
  const command = `npm run kata -- pin ${name} ${'seed' in target ? `--seed ${target.seed}` : `--replay ${target.property}`}`;
  const file = pinRun(context.root, entry.exercise, target, {
    command,
    pinnedAt: new Date().toISOString(),
    commit: headCommit(context.root),
  });
  console.log(colors.green(`Pinned: ${file}`));
  console.log(
    `It reruns the tests of ${entry.title} with ${'seed' in target ? `seed ${target.seed}` : `KATA_REPLAY=${target.property}`} ` +
      `on every \`npm test\` and \`kata watch\`. Delete the file to stop.`,
  );
  return 0;
}

async function report(context: CliContext, course: Course, cached: boolean, learner: string | null): Promise<number> {
  const { progress, source } = await measuredOrCached(context, course, cached);
  const hintsTotal = Object.fromEntries(
    allExercises(course).map(({ exercise }) => [exercise.id, readHints(context.root, exercise)?.length ?? null]),
  );
  const { markdown, json } = buildReport({
    course,
    progress,
    hintsSeen: hintsSeen(context.root),
    hintsTotal,
    bugs: bugTallies(context.root, course),
    meta: {
      generatedAt: new Date().toISOString(),
      commit: headCommit(context.root),
      measured: source.kind === 'measured',
      learner,
    },
  });
  const paths = kataPaths(context.root);
  mkdirSync(paths.folder, { recursive: true });
  writeFileSync(paths.reportMarkdown, markdown);
  writeFileSync(paths.reportJson, JSON.stringify(json, null, 2) + '\n');
  console.log(markdown);
  console.log(
    `Written to ${path.relative(context.root, paths.reportMarkdown)} and ${path.relative(context.root, paths.reportJson)}.`,
  );
  return 0;
}

/** The bug katas per exercise: how many each has, and how many the learner started and solved. */
function bugTallies(root: string, course: Course) {
  const exercises = allExercises(course).map((entry) => entry.exercise);
  return tallyBugs(readBugRecords(root), bugTotals(root, exercises));
}

/** The context of a real run: the repository root, colours on a TTY without NO_COLOR. */
export function processContext(root: string): CliContext {
  return { root, color: shouldColor(process.stdout), stdinIsTTY: process.stdin.isTTY === true };
}
