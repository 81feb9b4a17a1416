/**
 * `npm run mistake -- <command>`: write and edit known mistakes, which are stored as patches against
 * their exercise's reference solution (see `scripts/lib/mistakes.ts`). `npm run alternative -- <command>`
 * does the same for alternative solutions (`scripts/lib/alternatives.ts`): second correct designs, whose
 * `test` passes only when every test of the exercise passes.
 *
 * ```text
 * npm run mistake -- list [exercise]          every mistake, with what it breaks
 * npm run mistake -- edit <exercise> <name>   write the mistake out as full files, beside the solution
 * npm run mistake -- save <exercise> <name>   turn the edited files back into the patch (and remove them)
 * npm run mistake -- edit <exercise> | --all  write out every mistake of the exercise (or the course)
 * npm run mistake -- save <exercise> | --all  save every one of them that is written out
 * npm run mistake -- new <exercise> <name>    start a new mistake from a copy of the solution
 * npm run mistake -- test <exercise> <name>   run the exercise's tests against the mistake: they must fail, a
 *                                             failure naming its Breaks phrase (as verify judges it)
 * npm run mistake -- report [exercise[:name]...] [--out <file>] [--all-seeds]
 *                                             how robustly the tests catch each mistake (markdown table)
 * ```
 *
 * `report` runs every mistake (of the exercise, or of the course) in one vitest process, as verify does,
 * with sweeps counting every failing seed (`KATA_SWEEP_TALLY`), and flags each mistake that no scripted
 * test catches and no sweep catches on a quarter of its seeds (`scripts/lib/mistake-report.ts`). A sweep
 * stops counting once a quarter of its seeds failed (the verdict is then known), unless `--all-seeds`
 * asks for exact fractions. It exits with 1 when it flags a mistake. The whole course takes several minutes; it is not part of verify.
 *
 * `edit` writes `solutions/<chapter>/<exercise>/<file>.<name>.mistake.ts` next to the solution, so its
 * imports resolve and the editor typechecks it; git ignores these files. `<exercise>` is any name `kata`
 * accepts (`05/03`, `persistence`); a patch path works in place of both arguments.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findExercises, repositoryRoot, solutionFileOf, type Exercise } from './lib/exercises.ts';
import { ALTERNATIVES_FOLDER, isAlternativeFile, readAlternative } from './lib/alternatives.ts';
import { applyMistake, readMistake, writeMistakePatch, type Mistake } from './lib/mistakes.ts';
import {
  formatReport,
  isFlagged,
  mistakeCount,
  judgeOutcome,
  ROBUST_SWEEP_FRACTION,
  type MistakeRow,
} from './lib/mistake-report.ts';
import { firstLines, judgeMistake } from './lib/mistake-judge.ts';
import { REPLAY_CHECK_VARIABLE } from './lib/mistake-runner.ts';
import { tallyMistakes } from './lib/mistake-tally.ts';
import { splitPatch } from './lib/patches.ts';
import { MISTAKE_VARIABLE } from './lib/solution-redirect.ts';
import { runVitest } from './lib/vitest-run.ts';
import { resolveExercise } from './kata/names.ts';

const USAGE = `Usage: npm run mistake -- <list|edit|save|new|test|report> <exercise> <name>
  list [exercise]          every known mistake, with the property it breaks
  edit <exercise> <name>   write the mistake out as full files beside the solution, to edit
  save <exercise> <name>   turn the edited files back into the patch, and remove them
  edit|save <exercise>     every mistake of the exercise (--all: of the course), to change a solution and
                           its mistakes alike: edit them all, change every copy, save them all
  new <exercise> <name>    start a new mistake: a copy of the solution to edit, then save
  test <exercise> <name>   run the exercise's tests against the mistake: a failure must name its Breaks phrase
  report [exercise[:name]...] [--out <file>] [--all-seeds]
                           how robustly the tests catch each mistake: a markdown table (slow)
<exercise> is any name kata accepts (05/03, persistence); a .patch path may stand for both.`;

const PREAMBLE_TEMPLATE = `Known mistake: what the learner got wrong, and why it looked right (a sentence or two).

Breaks: "a phrase the failing test's message contains"`;

const ALTERNATIVE_USAGE = `Usage: npm run alternative -- <list|edit|save|new|test> <exercise> <name>
  list [exercise]          every alternative solution, with the choices it makes
  new <exercise> <name>    start a new alternative: a copy of the solution to edit, then save
  edit <exercise> <name>   write the alternative out as full files beside the solution, to edit
  save <exercise> <name>   turn the edited files back into the patch, and remove them
  edit|save <exercise>     every alternative of the exercise (--all: of the course)
  test <exercise> <name>   run the exercise's tests against the alternative: every one must pass
<exercise> is any name kata accepts (05/03, persistence); a .patch path may stand for both.`;

const ALTERNATIVE_TEMPLATE = `Alternative: the design, in a learner's words (a sentence or two).

Choices: what it does differently from the reference that the spec allows; one choice; another`;

/**
 * What the command works on: known mistakes (`npm run mistake`) or alternative solutions (`npm run
 * alternative`, which passes `--alternatives` first). Both are patches against the solution, edited alike.
 */
interface Kind {
  readonly folder: string;
  readonly noun: string;
  readonly template: string;
  readonly usage: string;
  readonly of: (exercise: Exercise) => readonly Mistake[];
}

const MISTAKES: Kind = {
  folder: 'mistakes',
  noun: 'mistake',
  template: PREAMBLE_TEMPLATE,
  usage: USAGE,
  of: (exercise) => exercise.mistakes,
};

/** Alternatives seen through the mistake commands' eyes: the `Alternative:` line is the description. */
const ALTERNATIVES: Kind = {
  folder: ALTERNATIVES_FOLDER,
  noun: 'alternative',
  template: ALTERNATIVE_TEMPLATE,
  usage: ALTERNATIVE_USAGE,
  of: (exercise) => exercise.alternatives.map(asMistake),
};

function asMistake(alternative: { readonly file: string }): Mistake {
  const read = readAlternative(repositoryRoot, alternative.file);
  return { ...read, breaks: read.choices, description: read.description };
}

let kind: Kind = MISTAKES;

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === '--alternatives') kind = ALTERNATIVES;
  const [command, ...rest] = kind === ALTERNATIVES ? argv.slice(1) : argv;
  const exercises = findExercises();
  switch (command) {
    case 'list':
      return list(rest[0] === undefined ? exercises : [exerciseNamed(rest[0], exercises)]);
    case 'edit':
      return mistakesNamed(rest, exercises).reduce((code, target) => Math.max(code, edit(target)), 0);
    case 'save':
      return mistakesNamed(rest, exercises)
        .filter((target) => rest.length > 1 || isOpen(target))
        .reduce((code, target) => Math.max(code, save(target)), 0);
    case 'new':
      return create(rest, exercises);
    case 'test':
      return test(mistakeNamed(rest, exercises));
    case 'report':
      if (kind === ALTERNATIVES) throw new UsageError('report is for known mistakes; verify runs every alternative.');
      return report(rest, exercises);
    default:
      throw new UsageError(command === undefined ? 'Name a command.' : `Unknown command "${command}".`);
  }
}

function list(exercises: readonly Exercise[]): number {
  for (const exercise of exercises) {
    console.log(`${exercise.id} (${kind.of(exercise).length})`);
    for (const mistake of kind.of(exercise)) {
      if (kind === ALTERNATIVES)
        console.log(`  ${mistake.name.padEnd(34)} ${mistake.breaks ?? '(no "Choices:" line)'}`);
      else console.log(`  ${mistake.name.padEnd(34)} breaks "${mistake.breaks ?? '?'}"`);
    }
  }
  return 0;
}

function edit(target: Target): number {
  const files = applyMistake(repositoryRoot, target.mistake);
  for (const file of files) {
    const working = workingCopy(file.file, target.mistake.name);
    writeFileSync(path.join(repositoryRoot, working), file.text);
    console.log(`wrote ${working}`);
  }
  console.log(`Edit, then: npm run ${kind.noun} -- save ${target.exercise.id} ${target.mistake.name}`);
  return 0;
}

function save(target: Target): number {
  const { mistake, exercise } = target;
  const solutionFiles = exercise.learnerFiles.map((source) => solutionFileOf(exercise, source));
  const edited = solutionFiles.filter((file) => existsSync(path.join(repositoryRoot, workingCopy(file, mistake.name))));
  if (edited.length === 0) {
    throw new UsageError(
      `Nothing to save: no ${workingCopy(solutionFiles[0] ?? 'file.ts', mistake.name)}. Run edit (or new) first.`,
    );
  }
  const patchFile = path.join(repositoryRoot, mistake.file);
  const template = isAlternativeFile(target.mistake.file) ? ALTERNATIVE_TEMPLATE : PREAMBLE_TEMPLATE;
  const preamble = existsSync(patchFile) ? splitPatch(readFileSync(patchFile, 'utf8')).preamble : template;
  const patch = writeMistakePatch(
    preamble,
    edited.map((file) => ({
      name: path.basename(file),
      solution: readFileSync(path.join(repositoryRoot, file), 'utf8'),
      mistaken: readFileSync(path.join(repositoryRoot, workingCopy(file, mistake.name)), 'utf8'),
    })),
  );
  if (!/^(---|\+\+\+) /m.test(patch))
    throw new UsageError(`The edited files are the same as the solution: a ${kind.noun} must change something.`);
  writeFileSync(patchFile, patch);
  // The patch must give back exactly what was edited, or the edit is not what will be tested.
  const applied = applyMistake(repositoryRoot, readMistake(repositoryRoot, mistake.file));
  for (const file of applied) {
    if (file.text !== readFileSync(path.join(repositoryRoot, workingCopy(file.file, mistake.name)), 'utf8')) {
      throw new Error(
        `The patch written to ${mistake.file} does not reproduce ${workingCopy(file.file, mistake.name)}; it is kept for you to compare.`,
      );
    }
  }
  for (const file of edited) rmSync(path.join(repositoryRoot, workingCopy(file, mistake.name)));
  console.log(
    `saved ${mistake.file}${
      /TODO|what the learner got wrong/.test(patch)
        ? ' (fill in its "Known mistake:" and "Breaks:" lines)'
        : /the design, in a learner's words/.test(patch)
          ? ' (fill in its "Alternative:" and "Choices:" lines)'
          : ''
    }`,
  );
  return 0;
}

function create(args: readonly string[], exercises: readonly Exercise[]): number {
  const [query, name] = args;
  if (query === undefined || name === undefined || !/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new UsageError('new takes an exercise and a name in kebab-case, e.g. new 05/03 vote-not-persisted.');
  }
  const exercise = exerciseNamed(query, exercises);
  const file = path.join(exercise.solutionDirectory, kind.folder, `${name}.patch`);
  if (existsSync(path.join(repositoryRoot, file))) throw new UsageError(`${file} exists already: use edit.`);
  mkdirSync(path.dirname(path.join(repositoryRoot, file)), { recursive: true });
  writeFileSync(path.join(repositoryRoot, file), `${kind.template}\n`);
  for (const source of exercise.learnerFiles) {
    const solution = solutionFileOf(exercise, source);
    writeFileSync(
      path.join(repositoryRoot, workingCopy(solution, name)),
      readFileSync(path.join(repositoryRoot, solution), 'utf8'),
    );
    console.log(`wrote ${workingCopy(solution, name)} (a copy of the solution: put the ${kind.noun} in it)`);
  }
  console.log(`Then: npm run ${kind.noun} -- save ${exercise.id} ${name}, and fill in the preamble of ${file}`);
  return 0;
}

async function test(target: Target): Promise<number> {
  const environment = { [MISTAKE_VARIABLE]: target.mistake.file, [REPLAY_CHECK_VARIABLE]: '0' };
  if (kind === ALTERNATIVES) {
    const vitest = path.join(repositoryRoot, 'node_modules', 'vitest', 'vitest.mjs');
    const run = spawnSync(process.execPath, [vitest, 'run', '--project', 'solutions', target.exercise.directory], {
      cwd: repositoryRoot,
      stdio: 'inherit',
      env: { ...process.env, ...environment },
    });
    // Every test must accept a correct design: a failure is a test that over-specifies, or a wrong design.
    console.log(
      run.status === 0
        ? `\nEvery test accepts ${target.mistake.name}.`
        : `\nA test rejects ${target.mistake.name}: either the alternative is wrong, or the test relies on a ` +
            `choice the README leaves open (fix the test, or state the constraint in the README).`,
    );
    return run.status === 0 ? 0 : 1;
  }
  // The tests are meant to fail, naming the property the mistake breaks: judged as verify judges it.
  const run = await runVitest(repositoryRoot, ['--project', 'solutions', target.exercise.directory], environment);
  for (const failed of run.tests.filter((result) => result.status === 'failed')) {
    console.log(`✗ ${failed.name}\n    ${firstLines(failed.failureMessages[0] ?? '', 3).replace(/\n/g, '\n    ')}`);
  }
  const [caught, why] = judgeMistake(target.mistake, run);
  console.log(
    caught
      ? `\nThe tests catch ${target.mistake.name}, and a failure names what it breaks: "${target.mistake.breaks}".`
      : `\nNot caught as it must be: ${target.mistake.name}: ${why}`,
  );
  return caught ? 0 : 1;
}

async function report(args: readonly string[], exercises: readonly Exercise[]): Promise<number> {
  const outIndex = args.indexOf('--out');
  const out = outIndex === -1 ? undefined : args[outIndex + 1];
  if (outIndex !== -1 && out === undefined) throw new UsageError('--out takes a file name.');
  const allSeeds = args.includes('--all-seeds');
  const names = args.filter(
    (arg, index) => arg !== '--all-seeds' && (outIndex === -1 || (index !== outIndex && index !== outIndex + 1)),
  );
  const jobs =
    names.length === 0
      ? exercises.flatMap((exercise) => exercise.mistakes.map((mistake) => ({ exercise, mistake })))
      : names.flatMap((name) => reportJobs(name, exercises));
  console.error(
    `Running ${mistakeCount(jobs.length)}; each sweep counts its failing seeds` +
      (allSeeds ? ', all of them...' : `, until ${ROBUST_SWEEP_FRACTION * 100}% of them failed...`),
  );
  const startedMs = performance.now();
  const rows: MistakeRow[] = [];
  await tallyMistakes(repositoryRoot, jobs, allSeeds ? undefined : ROBUST_SWEEP_FRACTION, (outcome) => {
    const row = judgeOutcome(outcome);
    rows.push(row);
    console.error(`  ${row.verdict.padEnd(8)} ${row.exercise} ${row.mistake}`);
  });
  const order = new Map(jobs.map((job, index) => [`${job.exercise.id} ${job.mistake.name}`, index]));
  rows.sort((a, b) => order.get(`${a.exercise} ${a.mistake}`)! - order.get(`${b.exercise} ${b.mistake}`)!);
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(0);
  const text = `${formatReport(rows)}\n(${mistakeCount(jobs.length)} in ${seconds} s)\n`;
  console.log(text);
  if (out !== undefined) {
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileSync(out, text);
    console.error(`wrote ${out}`);
  }
  return rows.some(isFlagged) ? 1 : 0;
}

/** The mistakes one argument of `report` names: `<exercise>` (all of its mistakes) or `<exercise>:<name>`. */
function reportJobs(argument: string, exercises: readonly Exercise[]): Target[] {
  const [query, name] = argument.split(':');
  if (name === undefined) return mistakesNamed([query!], exercises);
  return [mistakeNamed([query!, name], exercises)];
}

interface Target {
  readonly exercise: Exercise;
  readonly mistake: Mistake;
}

function mistakeNamed(args: readonly string[], exercises: readonly Exercise[]): Target {
  const [first, second] = args;
  if (first !== undefined && second === undefined && first.endsWith('.patch')) {
    const relative = path.relative(repositoryRoot, path.resolve(first));
    const exercise = exercises.find(
      (candidate) => candidate.solutionDirectory === path.dirname(path.dirname(relative)),
    );
    if (exercise === undefined || !existsSync(path.join(repositoryRoot, relative)))
      throw new UsageError(`${first} is not a known mistake or alternative.`);
    const mistake = isAlternativeFile(relative) ? asMistake({ file: relative }) : readMistake(repositoryRoot, relative);
    return { exercise, mistake };
  }
  if (first === undefined || second === undefined) throw new UsageError(`Name the exercise and the ${kind.noun}.`);
  const exercise = exerciseNamed(first, exercises);
  const mistake = kind.of(exercise).find((candidate) => candidate.name === second);
  if (mistake === undefined) {
    const names = kind
      .of(exercise)
      .map((candidate) => candidate.name)
      .join(', ');
    throw new UsageError(`${exercise.id} has no ${kind.noun} "${second}". It has: ${names || 'none'}.`);
  }
  return { exercise, mistake };
}

/**
 * The mistakes a command names: one (`<exercise> <name>` or a patch path), every mistake of an exercise
 * (`<exercise>` alone), or every mistake of the course (`--all`). Naming many is how a change to a
 * solution is carried into its mistakes: edit them all, change the solution and every working copy alike,
 * save them all.
 */
function mistakesNamed(args: readonly string[], exercises: readonly Exercise[]): Target[] {
  const many =
    args[0] === '--all'
      ? exercises
      : args.length === 1 && !args[0]!.endsWith('.patch')
        ? [exerciseNamed(args[0]!, exercises)]
        : null;
  if (many === null) return [mistakeNamed(args, exercises)];
  return many.flatMap((exercise) => kind.of(exercise).map((mistake) => ({ exercise, mistake })));
}

/** Whether a mistake has working copies written out by `edit` or `new`. */
function isOpen(target: Target): boolean {
  return target.exercise.learnerFiles.some((file) =>
    existsSync(path.join(repositoryRoot, workingCopy(solutionFileOf(target.exercise, file), target.mistake.name))),
  );
}

function exerciseNamed(query: string, exercises: readonly Exercise[]): Exercise {
  const resolution = resolveExercise(query, exercises);
  if (!resolution.ok) throw new UsageError(resolution.message);
  return resolution.exercise;
}

/** The full file a mistake is edited in: beside the solution file, so its relative imports resolve. */
function workingCopy(solutionFile: string, mistakeName: string): string {
  return solutionFile.replace(/\.ts$/, `.${mistakeName}.mistake.ts`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${kind.usage}`);
    process.exitCode = 2;
  } else {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
