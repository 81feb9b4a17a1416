/**
 * Reading learners' `kata report` JSON files for the class board: each file is checked against the
 * format `kata report` writes (version 1, with the bug-kata counts), and a file that is unreadable, not
 * JSON, or of another format is set aside with a reason, never trusted and never fatal.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReportExercise, ReportJson } from '../kata/report.ts';
import type { DuplicateLearner, SkippedFile } from './board-data.ts';

/** A report that passed the checks, with the learner's name and the file it came from. */
export interface LearnerReport {
  readonly learner: string;
  readonly file: string;
  readonly report: ReportJson;
}

/** What {@link readReports} found. */
export interface ReadReports {
  /** One per learner, the newest of their reports. */
  readonly reports: readonly LearnerReport[];
  readonly skipped: readonly SkippedFile[];
  readonly duplicates: readonly DuplicateLearner[];
}

const STATUSES = new Set(['done', 'started', 'not-started', 'unknown']);
const BUG_FIELDS = ['bugKatasTotal', 'bugKatasStarted', 'bugKatasSolved'] as const;

/** A report file's problem, in a sentence for the instructor. */
class ReportProblem extends Error {}

/**
 * Reads every file of `files` (paths as given on the command line, resolved against `cwd`). Several
 * reports of one learner (the same `--name`, or the same file name when none was given): the newest by
 * `generatedAt` is used (on a tie, the one named last).
 */
export function readReports(files: readonly string[], cwd: string): ReadReports {
  const read: LearnerReport[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    try {
      const absolute = path.resolve(cwd, file);
      const report = parseReport(readText(absolute), file);
      read.push({ learner: learnerName(report, absolute), file, report });
    } catch (error) {
      if (!(error instanceof ReportProblem)) throw error;
      skipped.push({ file, reason: error.message });
    }
  }
  return { ...newestPerLearner(read), skipped };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(error);
    throw new ReportProblem(`cannot be read: ${why}`);
  }
}

/** The learner's `--name`, or else the file's name (`ada.json` → ada; `ada/report.json` → ada). */
function learnerName(report: ReportJson, absolute: string): string {
  if (typeof report.learner === 'string' && report.learner.trim() !== '') return report.learner.trim();
  const base = path.basename(absolute).replace(/\.json$/i, '');
  return base === 'report' ? path.basename(path.dirname(absolute)) : base;
}

/** Checks `text` against the report format; throws a {@link ReportProblem} naming the first thing wrong. */
export function parseReport(text: string, file: string): ReportJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (/\.md$/i.test(file) || text.startsWith('# Workshop progress'))
      throw new ReportProblem('a markdown report: the board reads the .kata/report.json file written beside it');
    throw new ReportProblem(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ReportProblem('not a kata report: the file holds no JSON object');
  const report = value as Record<string, unknown>;
  if (!('version' in report) || !('exercises' in report))
    throw new ReportProblem('not a kata report: it has no "version" or no "exercises"');
  if (report['version'] !== 1)
    throw new ReportProblem(
      `a report of format version ${JSON.stringify(report['version'])}: this board reads version 1 (npm run kata -- report)`,
    );
  if (typeof report['generatedAt'] !== 'string' || Number.isNaN(Date.parse(report['generatedAt'])))
    throw new ReportProblem('a broken report: "generatedAt" is not a date');
  if (report['learner'] !== null && typeof report['learner'] !== 'string')
    throw new ReportProblem('a broken report: "learner" is neither a name nor null');
  const exercises = report['exercises'];
  if (!Array.isArray(exercises)) throw new ReportProblem('a broken report: "exercises" is not a list');
  exercises.forEach((entry: unknown, index) => checkExercise(entry, index));
  return value as ReportJson;
}

function checkExercise(entry: unknown, index: number): asserts entry is ReportExercise {
  const where = `exercise #${index + 1}`;
  if (typeof entry !== 'object' || entry === null)
    throw new ReportProblem(`a broken report: ${where} is not an object`);
  const exercise = entry as Record<string, unknown>;
  const named = typeof exercise['id'] === 'string' ? `${where} (${exercise['id']})` : where;
  if (typeof exercise['id'] !== 'string' || typeof exercise['title'] !== 'string')
    throw new ReportProblem(`a broken report: ${where} has no "id" or "title"`);
  if (typeof exercise['status'] !== 'string' || !STATUSES.has(exercise['status']))
    throw new ReportProblem(`a broken report: ${named} has no valid "status"`);
  if (BUG_FIELDS.some((field) => !(field in exercise)))
    throw new ReportProblem(
      'an old report, made before bug katas were counted: ask the learner to update their copy and run npm run kata -- report again',
    );
  for (const field of ['hintsSeen', ...BUG_FIELDS])
    if (!isCount(exercise[field])) throw new ReportProblem(`a broken report: ${named} has no valid "${field}"`);
  for (const field of ['testsPassed', 'testsTotal', 'hintsTotal'])
    if (exercise[field] !== null && !isCount(exercise[field]))
      throw new ReportProblem(`a broken report: ${named} has no valid "${field}"`);
  const failing = exercise['firstFailingTest'];
  if (failing !== undefined && failing !== null && typeof failing !== 'string')
    throw new ReportProblem(`a broken report: ${named} has no valid "firstFailingTest"`);
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function newestPerLearner(read: readonly LearnerReport[]): Omit<ReadReports, 'skipped'> {
  const byLearner = new Map<string, LearnerReport[]>();
  for (const entry of read) {
    const key = entry.learner.toLowerCase();
    byLearner.set(key, [...(byLearner.get(key) ?? []), entry]);
  }
  const reports: LearnerReport[] = [];
  const duplicates: DuplicateLearner[] = [];
  for (const entries of byLearner.values()) {
    // Stable sort: on equal times the one named last on the command line ends up last, and wins.
    const ordered = [...entries].sort((a, b) => Date.parse(a.report.generatedAt) - Date.parse(b.report.generatedAt));
    const used = ordered[ordered.length - 1]!;
    reports.push(used);
    if (ordered.length === 1) continue;
    const ignored = ordered.slice(0, -1).reverse();
    duplicates.push({
      learner: used.learner,
      used: used.file,
      ignored: ignored.map((entry) => entry.file),
      text: duplicateText(used, ignored),
    });
  }
  return { reports, duplicates };
}

function duplicateText(used: LearnerReport, ignored: readonly LearnerReport[]): string {
  const made = (entry: LearnerReport) => `${entry.file} (made ${shortTime(entry.report.generatedAt)})`;
  const tie = ignored.some((entry) => entry.report.generatedAt === used.report.generatedAt);
  const which = tie ? 'the one named last of the newest' : 'the newest';
  return `${used.learner}: ${ignored.length + 1} reports; the board uses ${which}, ${made(used)}, not ${ignored.map(made).join(', ')}`;
}

/** `2026-12-02 10:00 UTC`. */
export function shortTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
