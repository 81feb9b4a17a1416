/**
 * `kata bug`: "find the bug" katas. One known mistake of an exercise (its reference solution with one
 * plausible error, `scripts/lib/bug-katas.ts`) is written under the learner's file name into
 * `.kata/bugs/<chapter>/<exercise>/bug-<n>/`, and the exercise's own tests run against it: the
 * `bug-kata` vitest config redirects the tests' import of the learner file to the kata's file
 * (`scripts/lib/bug-redirect.ts`), so neither the tests nor the learner's own file are copied or touched.
 * The learner reads the failure and the trace, fixes the kata's file, and runs `kata bug` again: when
 * every test passes, the kata is solved. `--reveal` shows the patch afterwards.
 *
 * Which katas were started, solved and revealed is kept in `.kata/bugs.json`.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BugKata } from '../lib/bug-katas.ts';
import { BUG_FOLDER, BUG_VARIABLE } from '../lib/bug-redirect.ts';
import type { Exercise } from '../lib/exercises.ts';
import { runVitest, type VitestRun } from '../lib/vitest-run.ts';
import { kataPaths, readJson, writeJson } from './state.ts';

/** The vitest config a kata's tests run with, relative to the root. */
export const BUG_KATA_CONFIG = path.join('scripts', 'kata', 'bug-kata.vitest.config.ts');

/** One kata the learner started, as `.kata/bugs.json` remembers it. */
export interface BugRecord {
  /** The exercise id, e.g. `01-message-passing/03-reliable-delivery`. */
  readonly exercise: string;
  /** The known mistake's name (never shown before `--reveal`). */
  readonly mistake: string;
  readonly number: number;
  /** ISO 8601 times. */
  readonly startedAt: string;
  readonly solvedAt: string | null;
  readonly revealedAt: string | null;
}

interface BugStateFile {
  readonly version: 1;
  readonly katas: readonly BugRecord[];
}

/** Where `.kata/bugs.json` is. */
function stateFile(root: string): string {
  return path.join(kataPaths(root).folder, 'bugs.json');
}

/** Every kata the learner started; empty when there is no state (or it is not what this code writes). */
export function readBugRecords(root: string): BugRecord[] {
  const file = readJson<Partial<BugStateFile> | null>(stateFile(root), null);
  if (file?.version !== 1 || !Array.isArray(file.katas)) return [];
  return file.katas.filter(
    (entry) =>
      typeof entry?.exercise === 'string' && typeof entry.mistake === 'string' && typeof entry.number === 'number',
  );
}

/** Stores `record`, replacing the one of the same exercise and mistake. */
export function rememberBug(root: string, record: BugRecord): void {
  const others = readBugRecords(root).filter(
    (entry) => !(entry.exercise === record.exercise && entry.mistake === record.mistake),
  );
  const file: BugStateFile = { version: 1, katas: [...others, record] };
  writeJson(stateFile(root), file);
}

/** The kata of `exercise` in progress (started, not solved), if any. */
export function kataInProgress(records: readonly BugRecord[], exercise: string): BugRecord | undefined {
  return records.find((entry) => entry.exercise === exercise && entry.solvedAt === null);
}

/** The next kata to start: the first, by number, the learner has not started. */
export function nextKata(
  katas: readonly BugKata[],
  records: readonly BugRecord[],
  exercise: string,
): BugKata | undefined {
  return katas.find((kata) => !records.some((entry) => entry.exercise === exercise && entry.mistake === kata.mistake));
}

/** The kata's folder, relative to the root. */
export function kataFolder(exercise: Exercise, number: number): string {
  return path.join(BUG_FOLDER, exercise.id, `bug-${number}`);
}

/**
 * Writes the kata's files into its folder, their relative imports pointed at the exercise's folder (so
 * they resolve in the editor as in the tests). A folder that already has files is left alone: it may
 * hold the learner's work. Returns the folder and whether it was written.
 */
export function writeKataFiles(root: string, exercise: Exercise, kata: BugKata): { folder: string; written: boolean } {
  const folder = kataFolder(exercise, kata.number);
  const absolute = path.join(root, folder);
  if (existsSync(absolute) && readdirSync(absolute).some((name) => name.endsWith('.ts')))
    return { folder, written: false };
  mkdirSync(absolute, { recursive: true });
  const learnerNames = exercise.learnerFiles.map((file) => path.basename(file));
  for (const file of kata.files)
    writeFileSync(path.join(absolute, file.name), pointImports(file.text, exercise.directory, folder, learnerNames));
  return { folder, written: true };
}

/** A relative import or re-export: `from './x.ts'`, `import('../y.ts')`, `import './z.ts'`. */
const RELATIVE_IMPORT = /(\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;

/**
 * `text`, a file that belongs in `exerciseDirectory`, with its relative imports rewritten for a file in
 * `folder`: an import of another learner file stays (the kata folder has it), any other points at its
 * target beside the exercise.
 */
export function pointImports(
  text: string,
  exerciseDirectory: string,
  folder: string,
  learnerNames: readonly string[],
): string {
  return text.replace(RELATIVE_IMPORT, (match, keyword: string, quote: string, specifier: string) => {
    const target = path.normalize(path.join(exerciseDirectory, specifier));
    if (path.dirname(target) === path.normalize(exerciseDirectory) && learnerNames.includes(path.basename(target)))
      return match;
    const relative = path.relative(folder, target).split(path.sep).join('/');
    return `${keyword}${quote}${relative.startsWith('.') ? relative : `./${relative}`}${quote}`;
  });
}

/**
 * Runs the exercise's tests against the kata in `folder`. Its traces go into the kata's folder, so the
 * learner's own traces of the same tests stay. `testName` keeps only matching tests (vitest's `-t`).
 */
export async function runKata(
  root: string,
  exercise: Exercise,
  folder: string,
  testName?: string,
  runTests: typeof runVitest | undefined = runVitest,
): Promise<VitestRun> {
  return runKatas(root, [{ exercise, folder }], testName, runTests);
}

/**
 * Runs the tests of several katas, each of another exercise, in one vitest run: each exercise's tests
 * load its kata's files. The traces go into the first kata's folder.
 */
export async function runKatas(
  root: string,
  katas: ReadonlyArray<{ readonly exercise: Exercise; readonly folder: string }>,
  testName?: string,
  runTests: typeof runVitest | undefined = runVitest,
): Promise<VitestRun> {
  const filter = testName === undefined ? [] : ['-t', testName];
  const directories = katas.map((kata) => kata.exercise.directory);
  return runTests(root, ['--config', BUG_KATA_CONFIG, ...directories, ...filter], {
    [BUG_VARIABLE]: katas.map((kata) => kata.folder).join(path.delimiter),
    KATA_TRACE_DIR: path.join(katas[0]?.folder ?? BUG_FOLDER, 'traces'),
  });
}

/**
 * A replay command of a kata's failure report: the report says `npm test -- <file>` (it does not know
 * about the kata), which would run the learner's own file; the kata reruns with `kata bug`.
 */
export function kataReplay(replay: string, exerciseName: string): string {
  return replay.replace(/npm test -- \S+/, `npm run kata -- bug ${exerciseName}`);
}

/** Bug katas per exercise, for status and report: how many the exercise has, started and solved. */
export interface BugTally {
  readonly total: number;
  readonly started: number;
  readonly solved: number;
}

/** The tally of every exercise by id, from the records and the number of katas each exercise has. */
export function tallyBugs(
  records: readonly BugRecord[],
  totals: Readonly<Record<string, number>>,
): Record<string, BugTally> {
  return Object.fromEntries(
    Object.entries(totals).map(([id, total]) => {
      const mine = records.filter((entry) => entry.exercise === id);
      return [id, { total, started: mine.length, solved: mine.filter((entry) => entry.solvedAt !== null).length }];
    }),
  );
}
