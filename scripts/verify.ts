/**
 * `npm run verify`: the repository's own check, run by CI after `npm ci`.
 *
 * 1. structure: every exercise has its spec, hints, one stub, tests, a solution, notes, known mistakes and
 *    at least one alternative solution;
 *    a stub that builds on the previous exercise is what its stub.patch generates from that solution
 *    (and, for such an exercise, its solution what its solution.patch generates from the stub)
 * 2. typecheck: the whole repository under strict TypeScript
 * 2b. code style: ESLint, Prettier and knip (unused files, exports and dependencies) find nothing
 * 3. harness: the harness's own tests (`harness/`, and the scripts' tests under `scripts/`)
 * 3b. trace viewer: the viewer's page, opened in headless Chromium, draws, explains and escapes a real trace
 * 3c. docs: the TypeDoc site builds with warnings treated as errors
 * 4. solutions: every exercise test passes against its reference solution
 * 5. stubs: every exercise test FAILS against its untouched stub (a test that passes on a stub asserts nothing)
 * 6. mistakes: every known mistake (a patch against its solution) applies, and fails its exercise's tests with a
 *    message naming the broken property, and none with vitest's bare equality text (`expected false to be
 *    true`)
 * 6a. alternatives: every alternative solution (a second correct design, a patch against its solution) applies,
 *    and every test of its exercise passes against it, so a test that over-specifies cannot land; the
 *    mistakes and the alternatives run in one vitest process, in a child process of verify's own
 * 6b. mutation: `npm run mutation` on the smallest exercise completes and its tests kill >= 90% of the
 *    mutants not marked equivalent (so the Stryker set-up cannot rot; the other exercises are measured by hand)
 * 7. determinism: every simulation of the solutions gives the same trace hash a second time; the second
 *    run is section 8's (another process, another checkout, the solutions as the learner's files), or,
 *    when the working tree differs from the commit that section clones, a rerun of the solutions
 * 8. solution branch: `npm run solution-branch` in a temporary clone gives a branch where `npm test` is green
 * 9. student copy: `npm run classroom -- student-copy` writes a learner's copy (node_modules linked from
 *    here) where `npm test -- exercises/01` fails on the stubs, `npm run kata` shows the progress table, a
 *    script that needs the solutions refuses, and no line only the solutions have is in any file or commit
 * 10. bug katas: every known mistake is a bug kata (section 6 checks each fails with its Breaks phrase, and
 *    section 4 that the reverse patch, the solution, passes); here the kata's own mechanics, on the first
 *    kata of each chapter: in its folder under .kata/bugs/ it starts red naming its Breaks phrase, the
 *    reference solution in that folder turns it green, and the learner's file is not touched (every
 *    chapter's kata in the same two vitest runs, one red and one green)
 *
 * The sections run side by side, as many at a time as the machine has cores (`--jobs <n>`), the
 * longest first; each prints its block, with how long it took, when it ends. `--only <section>,...` runs
 * some of them (names: `--help`), with the sections they need. The time of a section is a figure for
 * the reader, never a limit.
 *
 * The last line is `N passed, N failed`; the exit code is 0 only when nothing failed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os, { availableParallelism } from 'node:os';
import { parseArgs, stripVTControlCharacters } from 'node:util';
import path from 'node:path';
import {
  findExercises,
  repositoryRoot,
  solutionFileOf,
  type Alternative,
  type Exercise,
  type Mistake,
} from './lib/exercises.ts';
import { applyMistake } from './lib/mistakes.ts';
import { firstLines, judgeMistake } from './lib/mistake-judge.ts';
import { REPLAY_CHECK_VARIABLE, runMistakes } from './lib/mistake-runner.ts';
import { checkStub, findGeneratedFiles, SOLUTION_PATCH_FILE, STUB_PATCH_FILE } from './lib/stubs.ts';
import { runVitest, spawnAndCollect, type VitestRun } from './lib/vitest-run.ts';
import { checkStudentCopy } from './classroom/verify-copy.ts';
import { checkKatasMechanics, type KataCheck } from './kata/bug-check.ts';
import { findBugKatas, type BugKata } from './lib/bug-katas.ts';
import type { MutationSummary } from './mutation/report.ts';

interface Check {
  readonly section: string;
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

const checks: Check[] = [];

/**
 * What one section has printed so far. Sections run side by side, so each keeps its lines and prints
 * them in one block when it ends: the blocks come out in the order the sections end.
 */
interface SectionOutput {
  readonly startedMs: number;
  readonly lines: string[];
}

const outputs = new Map<string, SectionOutput>();

function outputOf(section: string): SectionOutput {
  let output = outputs.get(section);
  if (output === undefined) {
    output = { startedMs: performance.now(), lines: [] };
    outputs.set(section, output);
  }
  return output;
}

function record(section: string, name: string, ok: boolean, detail?: string): void {
  checks.push({ section, name, ok, ...(detail === undefined ? {} : { detail }) });
  if (!ok) outputOf(section).lines.push(`  ✗ ${name}${detail === undefined ? '' : `\n${indent(detail, 6)}`}`);
}

/** Starts `section`: verify reports how long each section took (a figure, never a limit). */
function heading(section: string, text: string): void {
  outputs.set(section, { startedMs: performance.now(), lines: [`\n▶ ${text}`] });
}

/** A line of `section`'s output that is not a check. */
function note(section: string, text: string): void {
  outputOf(section).lines.push(text);
}

/** Ends `section`: prints its block, ending with its count and how long it took. */
function summarise(section: string): void {
  const output = outputOf(section);
  const mine = checks.filter((check) => check.section === section);
  const failed = mine.filter((check) => !check.ok).length;
  const seconds = ((performance.now() - output.startedMs) / 1000).toFixed(1);
  output.lines.push(`  ${failed === 0 ? '✓' : '✗'} ${mine.length - failed} passed, ${failed} failed (${seconds} s)`);
  console.log(output.lines.join('\n'));
  outputs.delete(section);
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

// ─────────────────────────────── 1. structure ───────────────────────────────

function checkStructure(exercises: readonly Exercise[]): void {
  heading('structure', `structure of ${exercises.length} exercise(s)`);
  for (const exercise of exercises) {
    const problems: string[] = [];
    for (const file of ['README.md', 'HINTS.md']) {
      if (!existsSync(path.join(repositoryRoot, exercise.directory, file)))
        problems.push(`no ${exercise.directory}/${file}`);
    }
    const hints = path.join(repositoryRoot, exercise.directory, 'HINTS.md');
    if (existsSync(hints) && !/^## Hint 1\b/m.test(readFileSync(hints, 'utf8')))
      problems.push('HINTS.md has no "## Hint 1" section');
    for (const given of exercise.givenFiles) {
      const copy = path.join(exercise.solutionDirectory, path.basename(given));
      if (existsSync(path.join(repositoryRoot, copy)))
        problems.push(`${copy} copies given code: the solution imports ${given} instead`);
    }
    if (exercise.testFiles.length === 0) problems.push('no *.test.ts file');
    for (const source of exercise.learnerFiles) {
      const solution = solutionFileOf(exercise, source);
      if (!existsSync(path.join(repositoryRoot, solution))) problems.push(`no reference solution ${solution}`);
    }
    if (!existsSync(path.join(repositoryRoot, exercise.solutionDirectory, 'NOTES.md')))
      problems.push(`no ${exercise.solutionDirectory}/NOTES.md`);
    if (exercise.mistakes.length < 3)
      problems.push(`${exercise.mistakes.length} known mistake(s); at least 3 are needed`);
    for (const mistake of exercise.mistakes) {
      if (mistake.breaks === null || mistake.description === null)
        problems.push(`${mistake.file} lacks a "Known mistake:" or "Breaks:" line in its preamble`);
    }
    if (exercise.alternatives.length === 0)
      problems.push(
        `no alternative solution in ${exercise.solutionDirectory}/alternatives/: at least one second correct ` +
          'design is needed, so that the tests are seen to accept the choices the spec leaves open ' +
          '(npm run alternative -- new <exercise> <name>)',
      );
    for (const alternative of exercise.alternatives) {
      if (alternative.description === null || alternative.choices === null)
        problems.push(`${alternative.file} lacks an "Alternative:" or "Choices:" line in its preamble`);
    }
    problems.push(...generatedStubProblems(exercises, exercise));
    record('structure', exercise.id, problems.length === 0, problems.length === 0 ? undefined : problems.join('\n'));
  }
  summarise('structure');
}

/**
 * A stub built from the previous solution must be exactly what its stub.patch generates, and its
 * solution exactly what the stub and its solution.patch generate (`npm run stubs`).
 */
function generatedStubProblems(exercises: readonly Exercise[], exercise: Exercise): string[] {
  if (exercise.stubFrom === null) {
    return [STUB_PATCH_FILE, SOLUTION_PATCH_FILE]
      .map((name) => path.join(exercise.solutionDirectory, name))
      .filter((patch) => existsSync(path.join(repositoryRoot, patch)))
      .map((patch) => `${patch} exists, but exercise.json has no "stub.from" naming the exercise it builds on`);
  }
  try {
    const sources = findGeneratedFiles(exercises).filter((source) => source.exercise.id === exercise.id);
    return sources.map((source) => checkStub(repositoryRoot, source)).filter((problem) => problem !== null);
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

// ─────────────────────────────── 2. typecheck ───────────────────────────────

async function checkTypes(): Promise<void> {
  heading('typecheck', 'typecheck (tsc --noEmit, strict)');
  const tsc = path.join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const { exitCode, output } = await spawnAndCollect(
    process.execPath,
    [tsc, '--noEmit', '-p', 'tsconfig.json'],
    repositoryRoot,
  );
  record('typecheck', 'the repository typechecks', exitCode === 0, exitCode === 0 ? undefined : firstLines(output, 40));
  summarise('typecheck');
}

// ─────────────────────────────── 2b. code style ───────────────────────────────

/** Lint, format and unused code: each tool must find nothing (zero warnings too). */
async function checkCodeStyle(): Promise<void> {
  heading('style', 'lint (ESLint), format (Prettier) and unused code (knip)');
  const bin = (pkg: string, file: string) => path.join(repositoryRoot, 'node_modules', pkg, file);
  const tools: ReadonlyArray<readonly [string, string, readonly string[], string]> = [
    ['ESLint finds no problem', bin('eslint', 'bin/eslint.js'), ['.', '--max-warnings', '0'], 'npm run lint'],
    ['every file is formatted', bin('prettier', 'bin/prettier.cjs'), ['--check', '.'], 'npm run format'],
    ['no unused file, export or dependency', bin('knip', 'bin/knip.js'), ['--no-progress'], 'npm run unused'],
  ];
  for (const [name, script, args, fix] of tools) {
    const { exitCode, output } = await spawnAndCollect(process.execPath, [script, ...args], repositoryRoot);
    record(
      'style',
      name,
      exitCode === 0,
      exitCode === 0 ? undefined : `${firstLines(stripVTControlCharacters(output), 30)}\n(${fix} shows them)`,
    );
  }
  summarise('style');
}

// ─────────────────────────────── 3–5. test projects ───────────────────────────────

function recordBrokenFiles(section: string, run: VitestRun): void {
  for (const broken of run.brokenFiles) record(section, `${broken.file} runs`, false, firstLines(broken.message, 30));
}

async function checkHarness(): Promise<void> {
  heading('harness', "the harness's own tests");
  const run = await runVitest(repositoryRoot, ['--project', 'harness']);
  recordBrokenFiles('harness', run);
  for (const test of run.tests) {
    if (test.status === 'skipped') continue;
    record(
      'harness',
      `${test.file} > ${test.name}`,
      test.status === 'passed',
      firstLines(test.failureMessages.join('\n'), 30),
    );
  }
  if (run.tests.length === 0) record('harness', 'the harness has tests', false, run.output.slice(-2_000));
  summarise('harness');
}

async function checkSolutions(hashLog: string): Promise<void> {
  heading('solutions', 'every exercise test passes against its reference solution');
  const run = await runVitest(repositoryRoot, ['--project', 'solutions'], { KATA_HASH_LOG: hashLog });
  recordBrokenFiles('solutions', run);
  for (const test of run.tests) {
    if (test.status === 'skipped') continue;
    record(
      'solutions',
      `${test.file} > ${test.name}`,
      test.status === 'passed',
      firstLines(test.failureMessages.join('\n'), 40),
    );
  }
  summarise('solutions');
}

async function checkStubs(exercises: readonly Exercise[]): Promise<void> {
  heading('stubs', 'every exercise test fails against its untouched stub');
  const changed = gitOutput(['status', '--porcelain', '--', 'exercises']);
  if (changed !== '')
    note(
      'stubs',
      `  note: exercises/ has local changes; the stubs are checked as they are on disk:\n${indent(changed, 4)}`,
    );
  // Only whether each test fails counts here: a sweep's check that its failing seed fails alone too (a
  // fresh vitest each) would change the wording of a failure, never the verdict.
  const run = await runVitest(repositoryRoot, ['--project', 'exercises'], { [REPLAY_CHECK_VARIABLE]: '0' });
  recordBrokenFiles('stubs', run);
  for (const exercise of exercises) {
    const tests = run.tests.filter((test) => test.file.startsWith(exercise.directory + path.sep));
    if (tests.length === 0) record('stubs', `${exercise.id} has tests that run`, false);
    for (const test of tests) {
      record(
        'stubs',
        `${test.file} > ${test.name} fails on the stub`,
        test.status === 'failed',
        test.status === 'passed'
          ? 'This test passes on the untouched stub, so it asserts nothing the learner has to build.'
          : undefined,
      );
    }
  }
  summarise('stubs');
}

// ─────────────────────────────── the trace viewer, in a browser ───────────────────────────────

/** The page scripts that run in a browser, each checked against the DOM by its own tsconfig.json. */
const PAGE_SCRIPTS: ReadonlyArray<readonly [string, string]> = [
  ["the viewer's page script", 'harness/viewer/page/tsconfig.json'],
  ["the chart pages' browser code", 'harness/charts/browser/tsconfig.json'],
  ["the class board's page script", 'scripts/classroom/board-page/tsconfig.json'],
];

/**
 * The trace viewer and the chart pages: their page scripts typechecked against the DOM (`PAGE_SCRIPTS`),
 * and their tests in headless Chromium (`scripts/browser-tests/`, the vitest project `browser`).
 */
async function checkBrowser(): Promise<void> {
  heading('browser', 'the trace viewer and the chart pages in headless Chromium');
  const tsc = path.join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [what, tsconfig] of PAGE_SCRIPTS) {
    const typecheck = await spawnAndCollect(process.execPath, [tsc, '--noEmit', '-p', tsconfig], repositoryRoot);
    record(
      'browser',
      `${what} typechecks against the DOM`,
      typecheck.exitCode === 0,
      typecheck.exitCode === 0 ? undefined : firstLines(typecheck.output, 40),
    );
  }
  const run = await runVitest(repositoryRoot, ['--project', 'browser']);
  recordBrokenFiles('browser', run);
  for (const test of run.tests) {
    if (test.status === 'skipped') continue;
    record(
      'browser',
      `${test.file} > ${test.name}`,
      test.status === 'passed',
      firstLines(test.failureMessages.join('\n'), 30),
    );
  }
  if (run.tests.length === 0 && run.brokenFiles.length === 0)
    record('browser', 'the viewer has browser tests', false, run.output.slice(-2_000));
  summarise('browser');
}

/**
 * The documentation site (`npm run docs`, built into a temporary folder): TypeDoc with warnings as
 * errors, so a broken {@link}, a referenced but unexported type or a broken relative link fails.
 */
async function checkDocs(): Promise<void> {
  heading('docs', 'the documentation site builds without a TypeDoc warning');
  const tsx = path.join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const { exitCode, output } = await spawnAndCollect(
    process.execPath,
    [tsx, 'scripts/docs.ts', '--check'],
    repositoryRoot,
  );
  const problems = stripVTControlCharacters(output)
    .split('\n')
    .filter((line) => /\[(warning|error)\]/.test(line));
  record(
    'docs',
    'npm run docs builds with warnings treated as errors',
    exitCode === 0,
    exitCode === 0 ? undefined : firstLines(problems.length > 0 ? problems.join('\n') : output, 40),
  );
  summarise('docs');
}

// ─────────────────────────────── 6. known mistakes ───────────────────────────────

/**
 * Sections 6 and 6a in one vitest process: the known mistakes and the alternative solutions are judged
 * in the same rounds (one patch per exercise at a time), so they share one vitest start-up and the
 * rounds keep both cores busy. Each kind is reported in a section of its own.
 */
async function checkPatches(
  exercises: readonly Exercise[],
  kinds: { readonly mistakes: boolean; readonly alternatives: boolean },
): Promise<void> {
  type Job =
    | { readonly exercise: Exercise; readonly mistake: Mistake; readonly correct: false }
    | { readonly exercise: Exercise; readonly mistake: Alternative; readonly correct: true };
  const mistakes: Job[] = kinds.mistakes
    ? exercises.flatMap((exercise) =>
        exercise.mistakes.map((mistake) => ({ exercise, mistake, correct: false as const })),
      )
    : [];
  const alternatives: Job[] = kinds.alternatives
    ? exercises.flatMap((exercise) =>
        exercise.alternatives.map((alternative) => ({ exercise, mistake: alternative, correct: true as const })),
      )
    : [];
  const shared = kinds.mistakes && kinds.alternatives ? ', in the same vitest process' : '';
  if (kinds.mistakes)
    heading('mistakes', `every known mistake fails its tests (${mistakes.length} mistakes, one vitest process)`);
  if (kinds.alternatives)
    heading(
      'alternatives',
      `every alternative solution passes every test (${alternatives.length} alternatives${shared})`,
    );
  const applicable = [...applicableJobs('mistakes', mistakes), ...applicableJobs('alternatives', alternatives)];
  await runMistakes(
    repositoryRoot,
    applicable,
    (job, run) => {
      const name = `${job.exercise.id}: ${job.mistake.name}`;
      if (job.correct) record('alternatives', name, ...judgeAlternative(job.mistake, run));
      else record('mistakes', name, ...judgeMistake(job.mistake, run));
    },
    { stopWhenCaught: true },
  );
  if (kinds.mistakes) summarise('mistakes');
  if (kinds.alternatives) summarise('alternatives');
}

/** The jobs whose patch applies to its solution; each that does not is recorded as failed in `section`. */
function applicableJobs<Job extends { readonly exercise: Exercise; readonly mistake: Mistake | Alternative }>(
  section: string,
  jobs: readonly Job[],
): Job[] {
  return jobs.filter(({ exercise, mistake }) => {
    try {
      applyMistake(repositoryRoot, mistake);
      return true;
    } catch (error) {
      record(section, `${exercise.id}: ${mistake.name}`, false, error instanceof Error ? error.message : String(error));
      return false;
    }
  });
}

// ─────────────────────────────── 6a. alternative solutions ───────────────────────────────

/** An alternative is a correct design: every test must run and pass; a failure is a test that over-specifies. */
function judgeAlternative(alternative: Alternative, run: VitestRun): [boolean, string | undefined] {
  if (run.brokenFiles.length > 0)
    return [false, `the tests did not run: ${firstLines(run.brokenFiles[0]!.message, 10)}`];
  const passed = run.tests.filter((test) => test.status === 'passed');
  const failed = run.tests.filter((test) => test.status === 'failed');
  if (passed.length === 0) return [false, 'no test ran against this alternative'];
  if (failed.length === 0) return [true, undefined];
  const sample = failed
    .slice(0, 3)
    .map((test) => `${test.name}: ${firstLines(test.failureMessages[0] ?? '', 4)}`)
    .join('\n');
  return [
    false,
    `${failed.length} test(s) reject this correct design (${alternative.choices ?? 'no "Choices:" line'}). ` +
      `Either a test relies on a choice the README leaves open (fix the test, or state the constraint in the ` +
      `README), or the alternative is wrong. They say:\n${sample}`,
  ];
}

// ─────────────────────────────── 6b. mutation testing ───────────────────────────────

/** The exercise verify mutates: the smallest, so the check takes seconds. */
const MUTATION_EXERCISE = '01/01';
const MUTATION_MINIMUM_PERCENT = 90;

async function checkMutation(): Promise<void> {
  heading(
    'mutation',
    `npm run mutation -- ${MUTATION_EXERCISE}: the tests kill >= ${MUTATION_MINIMUM_PERCENT}% of the non-equivalent mutants`,
  );
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-verify-mutation-'));
  try {
    const tsx = path.join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const { exitCode, output } = await spawnAndCollect(
      process.execPath,
      [tsx, 'scripts/mutation.ts', MUTATION_EXERCISE, '--concurrency', '2', '--out', folder],
      repositoryRoot,
    );
    const summaryFile = path.join(folder, 'summary.json');
    const completed = exitCode === 0 && existsSync(summaryFile);
    record(
      'mutation',
      'the mutation run completes',
      completed,
      completed ? undefined : firstLines(stripVTControlCharacters(output).slice(-4_000), 40),
    );
    if (!completed) {
      summarise('mutation');
      return;
    }
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as MutationSummary;
    const score = summary.scorePercent;
    const strong = score !== null && score >= MUTATION_MINIMUM_PERCENT;
    record(
      'mutation',
      `score over non-equivalent mutants >= ${MUTATION_MINIMUM_PERCENT}% (${score === null ? 'no mutants' : `${score.toFixed(1)}%`} of ${summary.total})`,
      strong,
      strong ? undefined : firstLines(stripVTControlCharacters(output), 40),
    );
    const listed = summary.stale.length + summary.detectedEquivalents.length === 0;
    record(
      'mutation',
      'every equivalent-mutant entry matches a surviving mutant',
      listed,
      listed ? undefined : firstLines(stripVTControlCharacters(output), 40),
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  summarise('mutation');
}

// ─────────────────────────────── 7. determinism ───────────────────────────────

/** What the simulations of the exercise tests run: when none of it differs from the last commit, the solution branch holds it too. */
const SIMULATED_CODE = ['harness', 'exercises', 'solutions', 'vitest.config.ts', 'package.json', 'package-lock.json'];

/**
 * Every simulation the solutions ran gives the same trace hash a second time. The second run is the
 * solution branch's (section 8): another process, another checkout, the solutions in the learner's
 * place instead of behind the redirect, so one run proves both. When it cannot stand in (the working tree
 * differs from the commit that clone holds, or the branch's tests did not run), the solutions run again
 * here instead.
 */
async function checkDeterminism(firstLog: string, branchLog: string | null, secondLog: string): Promise<void> {
  const dirty = gitOutput(['status', '--porcelain', '--', ...SIMULATED_CODE]) !== '';
  const rerun = branchLog === null || dirty;
  heading(
    'determinism',
    rerun
      ? 'the same seed gives the same trace: solutions rerun, hashes compared'
      : "the same seed gives the same trace: the solutions' hashes and the solution branch's compared",
  );
  if (rerun) {
    note(
      'determinism',
      `  note: ${dirty ? 'the code the simulations run differs from the last commit, which the solution branch holds' : "the solution branch's tests did not run"}; the solutions run again`,
    );
    await runVitest(repositoryRoot, ['--project', 'solutions'], {
      KATA_HASH_LOG: secondLog,
      [REPLAY_CHECK_VARIABLE]: '0',
    });
  }
  const second = readHashes(rerun ? secondLog : branchLog);
  const secondName = rerun ? 'second run' : 'solution branch';
  const first = readHashes(firstLog);
  if (first.size === 0) record('determinism', 'simulations were recorded', false, 'no simulation logged a trace hash');
  for (const [key, hashes] of first) {
    const again = second.get(key);
    const same = again !== undefined && again.join() === hashes.join();
    record(
      'determinism',
      key,
      same,
      same ? undefined : `solutions: ${hashes.join(', ')}\n${secondName}: ${again?.join(', ') ?? '(not run)'}`,
    );
  }
  summarise('determinism');
}

function readHashes(file: string): Map<string, string[]> {
  const hashes = new Map<string, string[]>();
  if (!existsSync(file)) return hashes;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const entry = JSON.parse(line) as { file: string; test: string; seed: number; hash: string };
    const key = `${entry.file} > ${entry.test} (seed ${entry.seed})`;
    hashes.set(key, [...(hashes.get(key) ?? []), entry.hash]);
  }
  for (const list of hashes.values()) list.sort();
  return hashes;
}

// ─────────────────────────────── 8. solution branch ───────────────────────────────

/**
 * Section 8. Its tests log their trace hashes into `hashLog`; returns whether they ran, so that the
 * determinism check can compare them with the solutions' run.
 */
async function checkSolutionBranch(hashLog: string): Promise<boolean> {
  heading('solution-branch', 'npm run solution-branch, in a temporary clone: npm test is green there');
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-verify-clone-'));
  let ran: boolean;
  try {
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repositoryRoot, folder], { stdio: 'ignore' });
    symlinkSync(path.join(repositoryRoot, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
    const script = path.join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const created = await spawnAndCollect(process.execPath, [script, 'scripts/solution-branch.ts'], folder);
    record(
      'solution-branch',
      'the solution branch is created',
      created.exitCode === 0,
      created.exitCode === 0 ? undefined : created.output,
    );
    if (created.exitCode !== 0) {
      summarise('solution-branch');
      return false;
    }
    execFileSync('git', ['checkout', '--quiet', 'solution'], { cwd: folder });
    const changed = execFileSync('git', ['diff', '--name-only', 'HEAD~1', 'HEAD'], { cwd: folder, encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
    // The clone holds what is committed, which may be less than the working tree.
    const expected = findExercises(folder)
      .flatMap((exercise) => exercise.learnerFiles)
      .sort();
    const sameFiles = changed.sort().join('\n') === expected.join('\n');
    record(
      'solution-branch',
      'it changes exactly the learner files',
      sameFiles,
      sameFiles ? undefined : `changed:\n${changed.join('\n')}\nexpected:\n${expected.join('\n')}`,
    );
    const run = await runVitest(folder, ['--project', 'exercises'], { KATA_HASH_LOG: hashLog });
    recordBrokenFiles('solution-branch', run);
    ran = run.tests.length > 0;
    const failed = run.tests.filter((test) => test.status === 'failed');
    record(
      'solution-branch',
      `npm test passes on the solution branch (${run.tests.length} tests)`,
      failed.length === 0 && run.tests.length > 0,
      failed.length === 0
        ? undefined
        : failed
            .slice(0, 5)
            .map((test) => `${test.file} > ${test.name}`)
            .join('\n'),
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  summarise('solution-branch');
  return ran;
}

// ─────────────────────────────── 9–10. classroom ───────────────────────────────

/** One verify section whose checks come from a function that returns them (`scripts/classroom/`). */
async function section(
  name: string,
  title: string,
  run: () => Promise<ReadonlyArray<{ readonly name: string; readonly ok: boolean; readonly detail?: string }>>,
): Promise<void> {
  heading(name, title);
  try {
    for (const check of await run()) record(name, check.name, check.ok, check.detail);
  } catch (error) {
    record(name, `${name} runs`, false, error instanceof Error ? error.message : String(error));
  }
  summarise(name);
}

/**
 * The first bug kata of each chapter, through its folder (`scripts/kata/bug-check.ts`): all chapters'
 * katas in one red vitest run and one green.
 */
async function checkBugKatas(exercises: readonly Exercise[]): Promise<KataCheck[]> {
  const checks: KataCheck[] = [];
  const katas: Array<{ exercise: Exercise; kata: BugKata }> = [];
  const chapters = [...new Set(exercises.map((exercise) => exercise.chapter))];
  for (const chapter of chapters) {
    const exercise = exercises.find((candidate) => candidate.chapter === chapter && candidate.mistakes.length > 0);
    const kata = exercise === undefined ? undefined : findBugKatas(repositoryRoot, exercise)[0];
    if (exercise === undefined || kata === undefined) checks.push({ name: `${chapter} has a bug kata`, ok: false });
    else katas.push({ exercise, kata });
  }
  if (katas.length > 0) checks.push(...(await checkKatasMechanics(repositoryRoot, katas, `bug-verify-${process.pid}`)));
  return checks;
}

// ─────────────────────────────── main ───────────────────────────────

function gitOutput(args: readonly string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: repositoryRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** The sections, in the order of the list at the top; `--only` takes these names. */
const SECTIONS = [
  'structure',
  'typecheck',
  'style',
  'harness',
  'browser',
  'docs',
  'solutions',
  'stubs',
  'mistakes',
  'alternatives',
  'mutation',
  'determinism',
  'solution-branch',
  'student-copy',
  'bug-katas',
] as const;

type SectionName = (typeof SECTIONS)[number];

/** Sections that need others: the determinism check compares the hashes of these two runs. */
const NEEDS: Partial<Record<SectionName, readonly SectionName[]>> = {
  determinism: ['solutions', 'solution-branch'],
};

const USAGE = `Usage: npm run verify [-- --only <section>[,<section>...]] [--jobs <n>]
  --only   run only these sections (and the sections they need): ${SECTIONS.join(', ')}
  --jobs   how many sections run side by side (default: the number of cores, ${availableParallelism()} here)`;

interface Options {
  readonly sections: ReadonlySet<SectionName>;
  readonly jobs: number;
  /** Set in the child process that runs the mistakes and alternatives: where to write its checks. */
  readonly checksTo: string | undefined;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      jobs: { type: 'string' },
      'checks-to': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const asked = (values.only ?? []).flatMap((list) => list.split(',')).filter((name) => name !== '');
  const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
  if (unknown.length > 0 || !Number.isInteger(jobs) || jobs < 1) {
    console.error(unknown.length > 0 ? `No section named ${unknown.join(', ')}.` : '--jobs takes a whole number >= 1.');
    console.error(USAGE);
    process.exit(2);
  }
  const sections = new Set<SectionName>(asked.length === 0 ? SECTIONS : (asked as SectionName[]));
  for (const name of [...sections]) for (const needed of NEEDS[name] ?? []) sections.add(needed);
  return { sections, jobs, checksTo: values['checks-to'] };
}

/** A piece of verify's work: one section or more, started once the tasks it needs have ended. */
interface Task {
  readonly name: string;
  readonly needs: readonly string[];
  readonly run: () => Promise<void>;
}

/**
 * Runs the tasks, at most `jobs` at a time, each as soon as the tasks it needs have ended, in the order
 * given (the longest first, so that the last to end is a short one). A task that throws is recorded as
 * a failed check; the others go on.
 */
async function runTasks(tasks: readonly Task[], jobs: number): Promise<void> {
  const waiting = [...tasks];
  const ended = new Set<string>();
  const running = new Map<string, Promise<void>>();
  for (;;) {
    while (running.size < jobs) {
      const index = waiting.findIndex((task) => task.needs.every((name) => ended.has(name)));
      if (index === -1) break;
      const task = waiting.splice(index, 1)[0]!;
      const done = task
        .run()
        .catch((error: unknown) =>
          record(
            task.name,
            `${task.name} runs`,
            false,
            error instanceof Error ? (error.stack ?? error.message) : String(error),
          ),
        )
        .finally(() => {
          running.delete(task.name);
          ended.add(task.name);
        });
      running.set(task.name, done);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
}

/**
 * Sections 6 and 6a in a child process of their own: their vitest runs inside the process that starts
 * it and names each round's patches in `KATA_MISTAKE` (`scripts/lib/mistake-runner.ts`), which every
 * process this one started at the same time would inherit. The child prints its sections' blocks; its
 * checks come back in a file.
 */
async function checkPatchesApart(only: readonly SectionName[]): Promise<void> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-verify-patches-'));
  const file = path.join(folder, 'checks.json');
  try {
    const tsx = path.join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const { exitCode, output } = await spawnAndCollect(
      process.execPath,
      [tsx, 'scripts/verify.ts', '--only', only.join(','), '--jobs', '1', '--checks-to', file],
      repositoryRoot,
    );
    const childChecks = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Check[]) : [];
    if (childChecks.length === 0) {
      for (const name of only) {
        heading(name, `${name} (in a process of their own)`);
        record(name, `${name} run`, false, `exit ${exitCode}:\n${output.slice(-4_000)}`);
        summarise(name);
      }
      return;
    }
    checks.push(...childChecks);
    console.log(output.trimEnd());
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const startedMs = performance.now();
  const options = readOptions();
  const wanted = (name: SectionName) => options.sections.has(name);
  const exercises = findExercises();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-verify-'));
  const firstLog = path.join(folder, 'hashes-1.jsonl');
  const branchLog = path.join(folder, 'hashes-branch.jsonl');
  const secondLog = path.join(folder, 'hashes-2.jsonl');
  let branchRan = false;
  const patchSections = (['mistakes', 'alternatives'] as const).filter(wanted);
  // The longest first; each starts as soon as a core is free.
  const tasks: Array<Task & { readonly section: SectionName | 'patches'; readonly forExercises: boolean }> = [
    { name: 'harness', section: 'harness', needs: [], forExercises: false, run: checkHarness },
    {
      name: 'patches',
      section: 'patches',
      needs: [],
      forExercises: true,
      run: () =>
        options.jobs > 1 && options.checksTo === undefined
          ? checkPatchesApart(patchSections)
          : checkPatches(exercises, { mistakes: wanted('mistakes'), alternatives: wanted('alternatives') }),
    },
    { name: 'solutions', section: 'solutions', needs: [], forExercises: true, run: () => checkSolutions(firstLog) },
    {
      name: 'solution-branch',
      section: 'solution-branch',
      needs: [],
      forExercises: true,
      run: async () => {
        branchRan = await checkSolutionBranch(branchLog);
      },
    },
    { name: 'stubs', section: 'stubs', needs: [], forExercises: true, run: () => checkStubs(exercises) },
    {
      name: 'student-copy',
      section: 'student-copy',
      needs: [],
      forExercises: true,
      run: () =>
        section('student-copy', "npm run classroom -- student-copy: a learner's copy works and leaks no solution", () =>
          checkStudentCopy(repositoryRoot),
        ),
    },
    { name: 'mutation', section: 'mutation', needs: [], forExercises: true, run: checkMutation },
    {
      name: 'bug-katas',
      section: 'bug-katas',
      needs: [],
      forExercises: true,
      run: () =>
        section('bug-katas', 'bug katas: one per chapter starts red in its folder and turns green when fixed', () =>
          checkBugKatas(exercises),
        ),
    },
    { name: 'browser', section: 'browser', needs: [], forExercises: false, run: checkBrowser },
    { name: 'docs', section: 'docs', needs: [], forExercises: false, run: checkDocs },
    { name: 'style', section: 'style', needs: [], forExercises: false, run: checkCodeStyle },
    { name: 'typecheck', section: 'typecheck', needs: [], forExercises: false, run: checkTypes },
    {
      name: 'determinism',
      section: 'determinism',
      needs: ['solutions', 'solution-branch'],
      forExercises: true,
      run: () => checkDeterminism(firstLog, branchRan ? branchLog : null, secondLog),
    },
  ];
  try {
    if (wanted('structure')) checkStructure(exercises);
    const selected = tasks.filter(
      (task) =>
        (task.forExercises ? exercises.length > 0 : true) &&
        (task.section === 'patches' ? patchSections.length > 0 : wanted(task.section)),
    );
    await runTasks(selected, options.jobs);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  if (options.checksTo !== undefined) {
    writeFileSync(options.checksTo, JSON.stringify(checks));
    return 0;
  }
  const failed = checks.filter((check) => !check.ok);
  console.log(`\nverify took ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
  if (failed.length > 0) {
    console.log(`\nFailed checks:`);
    for (const check of failed.slice(0, 50)) console.log(`  ✗ [${check.section}] ${check.name}`);
    if (failed.length > 50) console.log(`  ... and ${failed.length - 50} more`);
  }
  console.log(`\n${checks.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
