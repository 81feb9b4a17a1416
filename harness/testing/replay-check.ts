/**
 * Replays that tell the truth: before a failing sweep prints `KATA_SEED=<seed>` as the way to replay
 * its failure, it checks, in a fresh test process, that the seed fails when it runs alone. A seed that
 * passes alone failed because of something left over from the runs before it in the same process:
 * module-level state, which a printed replay would never show.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { replayCheckWanted, testTimeoutMs, vitestConfigFile } from './environment.ts';
import { replayCommand, type TestIdentity } from './failure-report.ts';

/** What running one seed alone showed: it fails too, it passes, or the check could not tell. */
export type AloneVerdict = 'fails' | 'passes' | 'unknown';

/**
 * Runs `test` alone in a fresh vitest process with `KATA_SEED=<seed>` (no hash log, no trace log, its
 * traces in a folder of its own, so that it leaves nothing behind), and says how it went.
 */
export function runSeedAlone(test: TestIdentity, seed: number): Promise<AloneVerdict> {
  const folder = mkdtempSync(path.join(tmpdir(), 'kata-alone-'));
  const report = path.join(folder, 'report.json');
  const config = vitestConfigFile();
  const project = process.env['KATA_PROJECT'];
  const where =
    config !== undefined ? ['--config', config] : project === undefined || project === '' ? [] : ['--project', project];
  const args = [
    path.join('node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...where,
    test.file,
    '-t',
    escapeRegExp(test.name),
    '--reporter=json',
    `--outputFile=${report}`,
  ];
  const env = {
    ...process.env,
    KATA_SEED: String(seed),
    KATA_REPLAY_CHECK: '0',
    KATA_TRACE_DIR: path.join(folder, 'traces'),
    KATA_HASH_LOG: '',
    KATA_TRACE_LOG: '',
    KATA_SWEEP_TALLY: '',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, timeout: testTimeoutMs() / 2 }, () => {
      resolve(readVerdict(report));
      rmSync(folder, { recursive: true, force: true });
    });
  });
}

function readVerdict(report: string): AloneVerdict {
  try {
    const counts = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests?: number; numFailedTests?: number };
    if ((counts.numFailedTests ?? 0) > 0) return 'fails';
    return (counts.numPassedTests ?? 0) > 0 ? 'passes' : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Whether the failure of `seed`, the `index`-th seed of its sweep (0 for the first), should be checked
 * alone: only when seeds before it passed in this process (a first seed that fails ran after nothing of
 * its sweep), the error is not a stub's `todo()`, and `KATA_REPLAY_CHECK=0` does not turn the check off.
 */
export function worthCheckingAlone(index: number, error: unknown): boolean {
  if (index === 0 || !replayCheckWanted()) return false;
  const cause = error instanceof Error ? error.cause : undefined;
  return !(cause instanceof Error && cause.name === 'NotImplementedError');
}

/**
 * The paragraph a failure report gains when its seed passed alone: the failure depends on earlier
 * runs, and how to see it again and find the state that carried over.
 */
export function dependsOnEarlierRuns(test: TestIdentity, seed: number, seedsUpTo: number): string {
  return [
    '',
    `  Seed ${seed} passes when it runs alone: the replay command above does not reproduce this failure`,
    '  (checked in a fresh test process). The failure depends on the runs before it in the same process:',
    "  state kept at module level (a variable outside the node's factory, such as a counter, a map or a",
    '  cache) carried over from one run to the next, and a fresh process starts without it.',
    `  To see it fail again, run the sweep up to this seed:  ${replayCommand(test, `KATA_SEEDS=${seedsUpTo}`)}`,
    '  To find the state: look at the top level of your file for variables the node changes, and move',
    '  them into the factory, so that each node of each run starts with its own.',
  ].join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
