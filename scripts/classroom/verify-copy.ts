/**
 * The student copy, checked end to end (a section of `npm run verify`; it takes a minute or two, so it
 * is not a test of the `harness` project): a copy in a temporary folder, its packages linked from this
 * repository's `node_modules` (as verify's solution-branch section does; `npm ci` would take minutes),
 * then what a learner runs first.
 *
 * @module
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
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
    const test = await npm('test', '--', 'exercises/01');
    const summary = test.output.split('\n').filter((line) => /\d+\/\d+ tests pass/.test(line));
    check(
      `npm test -- exercises/01 exits red, no test passing on the stubs (${summary.length} exercises)`,
      test.exitCode === 1 && summary.length > 0 && summary.every((line) => /\b0\/\d+ tests pass/.test(line)),
      test.output.slice(-2_000),
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
