/**
 * The student copy, checked end to end (a section of `npm run verify`; it takes a minute or two, so it
 * is not a test of the `harness` project): a copy in a temporary folder, its packages linked from this
 * repository's `node_modules` (as verify's solution-branch section does; `npm ci` would take minutes),
 * then what a learner runs first.
 *
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnAndCollect } from '../lib/vitest-run.ts';
import { writeStudentCopy } from './student-copy.ts';

/** One check's outcome, as verify records it. */
export interface CopyCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** The test counts of a vitest JSON report; zero when it is missing or unreadable. */
function readCounts(file: string): { total: number; passed: number } {
  if (!existsSync(file)) return { total: 0, passed: 0 };
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as { numTotalTests?: number; numPassedTests?: number };
    return { total: report.numTotalTests ?? 0, passed: report.numPassedTests ?? 0 };
  } catch {
    return { total: 0, passed: 0 };
  }
}

/** Writes a student copy of `root` into a temporary folder and checks it; removes it afterwards. */
export async function checkStudentCopy(root: string): Promise<CopyCheck[]> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'kata-verify-copy-'));
  const checks: CopyCheck[] = [];
  const check = (name: string, ok: boolean, detail?: string) =>
    checks.push({ name, ok, ...(ok || detail === undefined ? {} : { detail }) });
  try {
    const directory = path.join(parent, 'copy');
    let copy;
    try {
      copy = writeStudentCopy(root, directory);
      check(
        `the copy is written, and none of ${copy.linesChecked} solution-only lines is in its files or history`,
        true,
      );
    } catch (error) {
      check('the copy is written and leaks no solution', false, error instanceof Error ? error.message : String(error));
      return checks;
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(directory, 'node_modules'), 'dir');
    const npm = (...args: string[]) => spawnAndCollect('npm', args, directory);
    // vitest's JSON report gives the counts, whatever the words of the learner's summary.
    const reportFile = path.join(parent, 'exercises-01.json');
    const test = await npm('test', '--', 'exercises/01', '--reporter=json', `--outputFile=${reportFile}`);
    const counts = readCounts(reportFile);
    check(
      `npm test -- exercises/01 exits red: ${counts.total} tests, none passing on the stubs`,
      test.exitCode === 1 && counts.total > 0 && counts.passed === 0,
      `exit code ${test.exitCode}, ${counts.passed} of ${counts.total} passed:\n${test.output.slice(-2_000)}`,
    );
    const status = await npm('run', 'kata');
    check(
      'npm run kata prints the progress table with nothing done',
      status.exitCode === 0 && /\b0 of \d+ exercises done\b/.test(status.output),
      status.output.slice(-2_000),
    );
    const refused = await npm('run', 'test:solutions');
    check(
      'npm run test:solutions refuses and says why',
      refused.exitCode !== 0 && refused.output.includes('no reference solutions'),
      refused.output.slice(-2_000),
    );
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
  return checks;
}
