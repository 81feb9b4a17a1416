/**
 * `npm run mutation -- <exercise>`: how much of an exercise's reference solution its tests check.
 *
 * StrykerJS mutates the exercise's solution files (the learner's files' solutions only: not given code,
 * not tests) and runs the exercise's tests in the `solutions` project against each mutant. A mutant the
 * tests do not kill is a lesson the course does not check yet, unless it cannot change behaviour at
 * all: those are listed, with the reason, in `solutions/<chapter>/<exercise>/equivalent-mutants.json`
 * and left out of the score.
 *
 * ```text
 * npm run mutation -- <exercise> [--concurrency N] [--out DIR] [--lines 100-130,214 | --all-lines]
 * ```
 *
 * `--lines` mutates only those lines of the solution's files: a quick check, while writing a test, that it
 * kills the survivors of a full run. Its score covers those lines only, and equivalent entries of other
 * lines are not reported as stale.
 *
 * An exercise whose stub builds on the previous one's solution (chapter 05) is scored on its own lines:
 * those of its solution that differ from the previous solution. The inherited lines are scored by the
 * exercise that introduced them, against the tests written for them. `--all-lines` mutates every line.
 *
 * `<exercise>` is any name `kata` accepts (`01/01`, `echo`, `05/03`). Stryker works in a sandbox, a copy
 * of the repository under `.kata/mutation/.stryker-tmp/`: the redirect plugin resolves paths from its
 * own file, so in the copy it redirects to the copy's solutions, and the working tree is never mutated,
 * even when a run is interrupted. The report (`mutation.json`, `index.html`, `summary.json`) goes to
 * `.kata/mutation/<exercise>/` unless `--out` names another folder.
 *
 * Exit code: 0 when the run completed (whatever the score), 1 when it could not run, 2 on a usage error.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { findExercises, repositoryRoot, solutionFileOf, type Exercise } from './lib/exercises.ts';
import { findStubSources } from './lib/stubs.ts';
import { resolveExercise } from './kata/names.ts';
import { REPLAY_CHECK_VARIABLE } from './lib/mistake-runner.ts';
import { MUTATION_TESTS_VARIABLE } from './mutation/vitest.config.ts';
import { lineCount, linesAddedSince, type LineRange } from './mutation/own-lines.ts';
import {
  describeMutant,
  mutantsOf,
  parseEquivalents,
  summarise,
  type EquivalentMutant,
  type MutationSummary,
  type StrykerReport,
} from './mutation/report.ts';

/** Stryker's options, named through the class so that only `@stryker-mutator/core` is imported. */
type StrykerOptions = ConstructorParameters<typeof Stryker>[0];

const USAGE = `Usage: npm run mutation -- <exercise> [--concurrency N] [--out DIR] [--lines RANGES | --all-lines]
  <exercise>        any name kata accepts: 01/01, echo, 05/03
  --concurrency N   test runner processes (default 2)
  --out DIR         where the report goes (default .kata/mutation/<exercise>/)
  --lines RANGES    mutate only these lines of the solution's files, e.g. 100-130,214 (a quick check)
  --all-lines       an exercise that builds on the previous one: mutate its inherited lines too
                    (by default only the lines it adds to the previous solution are mutated)`;

/** The file, in an exercise's solution folder, that lists its equivalent mutants. */
const EQUIVALENTS_FILE = 'equivalent-mutants.json';

/** The file, in the report folder, that holds the run's {@link MutationSummary} (verify reads it). */
const SUMMARY_FILE = 'summary.json';

class UsageError extends Error {}

interface Arguments {
  readonly exercise: Exercise;
  readonly concurrency: number;
  readonly outDirectory: string;
  /** Only these lines are mutated; `undefined`: every line. */
  readonly lines: readonly LineRange[] | undefined;
  /** Mutate an exercise's inherited lines too (`--all-lines`). */
  readonly allLines: boolean;
}

/** What a run mutates: per solution file (relative to the root), the lines, or `undefined` for all. */
interface Scope {
  readonly files: ReadonlyMap<string, readonly LineRange[] | undefined>;
  /** A sentence for the summary; `null` when every line of every file is mutated. */
  readonly description: string | null;
}

/** Reads `100-130,214` as line ranges. */
function parseLines(text: string | undefined): LineRange[] {
  const ranges = (text ?? '').split(',').map((part) => {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    const first = Number(match?.[1]);
    const last = Number(match?.[2] ?? match?.[1]);
    if (match === null || first < 1 || last < first)
      throw new UsageError(`--lines takes ranges of lines such as 100-130,214; got "${part}".`);
    return { first, last };
  });
  return ranges;
}

function parseArguments(argv: readonly string[]): Arguments {
  let query: string | undefined;
  let concurrency = 2;
  let out: string | undefined;
  let lines: LineRange[] | undefined;
  let allLines = false;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--concurrency') {
      concurrency = Number(argv[++index]);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new UsageError('--concurrency takes a whole number of 1 or more.');
    } else if (argument === '--out') {
      out = argv[++index];
      if (out === undefined) throw new UsageError('--out takes a folder.');
    } else if (argument === '--lines') {
      lines = parseLines(argv[++index]);
    } else if (argument === '--all-lines') {
      allLines = true;
    } else if (argument.startsWith('-')) throw new UsageError(`Unknown option ${argument}.`);
    else if (query === undefined) query = argument;
    else throw new UsageError(`One exercise at a time: got "${query}" and "${argument}".`);
  }
  if (query === undefined) throw new UsageError('Name an exercise.');
  if (allLines && lines !== undefined) throw new UsageError('--lines and --all-lines do not go together.');
  const resolution = resolveExercise(query, findExercises());
  if (!resolution.ok) throw new UsageError(resolution.message);
  const outDirectory = path.resolve(out ?? path.join(repositoryRoot, '.kata', 'mutation', resolution.exercise.id));
  return { exercise: resolution.exercise, concurrency, outDirectory, lines, allLines };
}

/**
 * The files and lines to mutate: `--lines` if given; else, for an exercise whose stub builds on the
 * previous solution (and without `--all-lines`), the lines its solution adds to that one; else all.
 */
function scopeOf({ exercise, lines, allLines }: Arguments): Scope {
  const solutionFiles = exercise.learnerFiles.map((file) => solutionFileOf(exercise, file));
  if (lines !== undefined) {
    const ranges = lines.map(({ first, last }) => (first === last ? `${first}` : `${first}-${last}`)).join(',');
    return { files: new Map(solutionFiles.map((file) => [file, lines])), description: `lines ${ranges} only` };
  }
  const previous =
    exercise.stubFrom === null || allLines
      ? undefined
      : findStubSources(findExercises()).filter((source) => source.exercise.id === exercise.id);
  if (previous === undefined || previous.length === 0) {
    return { files: new Map(solutionFiles.map((file) => [file, undefined])), description: null };
  }
  const read = (name: string) => readFileSync(path.join(repositoryRoot, name), 'utf8');
  const files = new Map<string, readonly LineRange[]>();
  for (const source of previous) {
    const file = solutionFileOf(exercise, source.target);
    files.set(file, linesAddedSince(read(source.base), read(file)));
  }
  const counted = [...files.values()].reduce((sum, ranges) => sum + lineCount(ranges), 0);
  return {
    files,
    description:
      `the ${counted} lines this exercise adds to ${exercise.stubFrom} (the inherited ones are scored by the ` +
      'exercises that introduced them; --all-lines mutates every line)',
  };
}

function strykerOptions(scope: Scope, concurrency: number, outDirectory: string): StrykerOptions {
  return {
    testRunner: 'vitest',
    vitest: { configFile: 'scripts/mutation/vitest.config.ts', related: false },
    mutate: [...scope.files].flatMap(([file, lines]) =>
      lines === undefined ? [file] : lines.map(({ first, last }) => `${file}:${first}-${last}`),
    ),
    coverageAnalysis: 'perTest',
    concurrency,
    // A mutant that loops forever hits this; a slow but finite one should not, even on a loaded machine.
    timeoutMS: 15_000,
    timeoutFactor: 2,
    dryRunTimeoutMinutes: 10,
    // The sandbox lives where git already ignores it, and is removed even after a failed run. One
    // folder per process: Stryker deletes its whole temp folder, so two runs must not share one.
    tempDirName: `.kata/mutation/.stryker-tmp/${process.pid}`,
    cleanTempDir: 'always',
    ignorePatterns: ['/.kata', '/coverage', '/docs-site', '*.log'],
    reporters: process.stdout.isTTY ? ['json', 'html', 'progress'] : ['json', 'html'],
    jsonReporter: { fileName: path.join(outDirectory, 'mutation.json') },
    htmlReporter: { fileName: path.join(outDirectory, 'index.html') },
    logLevel: 'warn' as StrykerOptions['logLevel'],
    fileLogLevel: 'off' as StrykerOptions['fileLogLevel'],
  };
}

function readEquivalents(exercise: Exercise): EquivalentMutant[] {
  const file = path.join(exercise.solutionDirectory, EQUIVALENTS_FILE);
  if (!existsSync(path.join(repositoryRoot, file))) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.join(repositoryRoot, file), 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)}).`, {
      cause: error,
    });
  }
  return parseEquivalents(parsed, file);
}

function printSummary(
  exercise: Exercise,
  scope: Scope,
  summary: MutationSummary,
  outDirectory: string,
  seconds: number,
): void {
  const score = summary.scorePercent === null ? 'n/a (no mutants to judge)' : `${summary.scorePercent.toFixed(1)}%`;
  const equivalentCount = summary.equivalent.reduce((sum, match) => sum + match.mutants.length, 0);
  console.log(`\nMutation testing of ${exercise.id} (${seconds.toFixed(0)} s)`);
  if (scope.description !== null) console.log(`  mutated: ${scope.description}`);
  console.log(`  score over non-equivalent mutants: ${score}`);
  console.log(
    `  ${summary.total} mutants: ${summary.killed} killed, ${summary.survived} survived, ${summary.noCoverage} no coverage, ` +
      `${summary.timeout} timeout, ${summary.errors} errors; ${equivalentCount} marked equivalent`,
  );
  if (summary.survivors.length > 0) {
    console.log(`\n  Survivors (${summary.survivors.length}): behaviour the tests do not check`);
    for (const mutant of summary.survivors)
      console.log(`    ${describeMutant(mutant)}${mutant.status === 'NoCoverage' ? '  (no test runs it)' : ''}`);
  }
  if (summary.unmeasured.length > 0) {
    console.log(
      `\n  Unmeasured (${summary.unmeasured.length}, not scored): reported as survived, but no test completed against them`,
    );
    for (const mutant of summary.unmeasured) console.log(`    ${describeMutant(mutant)}`);
  }
  if (summary.equivalent.length > 0) {
    console.log(`\n  Equivalent (${equivalentCount}, not scored):`);
    for (const { entry, mutants } of summary.equivalent) {
      for (const mutant of mutants) console.log(`    ${describeMutant(mutant)}\n      ${entry.reason}`);
    }
  }
  const problems = [
    ...summary.stale.map(
      (entry) =>
        `stale: ${entry.file}:${entry.line} ${entry.mutator} → ${entry.replacement} matches no mutant; update or remove it`,
    ),
    ...summary.detectedEquivalents.map(
      ({ entry }) =>
        `not equivalent: ${entry.file}:${entry.line} ${entry.mutator} → ${entry.replacement} is killed by the tests; remove it`,
    ),
  ];
  if (problems.length > 0) {
    console.log(`\n  ${path.join(exercise.solutionDirectory, EQUIVALENTS_FILE)} needs attention:`);
    for (const problem of problems) console.log(`    ${problem}`);
  }
  console.log(`\n  Report: ${path.relative(repositoryRoot, path.join(outDirectory, 'index.html')) || outDirectory}`);
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: Arguments;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const { exercise, concurrency, outDirectory } = parsed;
  const scope = scopeOf(parsed);
  const inRange = (entry: EquivalentMutant) => {
    const lines = scope.files.get(path.join(exercise.solutionDirectory, entry.file));
    return lines === undefined || lines.some(({ first, last }) => entry.line >= first && entry.line <= last);
  };
  // A broken list fails before the long run, not after.
  const equivalents = readEquivalents(exercise).filter(inRange);
  mkdirSync(outDirectory, { recursive: true });
  const startedMs = performance.now();
  // Stryker resolves its sandbox, the config and the files to mutate from the working directory.
  process.chdir(repositoryRoot);
  // The test runners are child processes: they inherit this, and the mutation config reads it.
  process.env[MUTATION_TESTS_VARIABLE] = exercise.testFiles.join(path.delimiter);
  // A mutant's failing seed is not module-level state: no fresh process to check that it fails alone.
  process.env[REPLAY_CHECK_VARIABLE] = '0';
  await new Stryker(strykerOptions(scope, concurrency, outDirectory)).runMutationTest();
  const seconds = (performance.now() - startedMs) / 1000;
  const report = JSON.parse(readFileSync(path.join(outDirectory, 'mutation.json'), 'utf8')) as StrykerReport;
  const summary = summarise(mutantsOf(report, repositoryRoot), equivalents, exercise.solutionDirectory);
  writeFileSync(
    path.join(outDirectory, SUMMARY_FILE),
    JSON.stringify({ exercise: exercise.id, seconds, scope: scope.description ?? 'every line', ...summary }, null, 2) +
      '\n',
  );
  printSummary(exercise, scope, summary, outDirectory, seconds);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
