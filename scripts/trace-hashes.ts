/**
 * `npm run trace-hashes -- --check | --write`: a refactor's proof that behaviour did not change.
 *
 * Runs every exercise test against the reference solutions, collects the trace hash of every simulation
 * (one line per test and seed), and compares it with `solutions/trace-hashes.jsonl` (`--check`) or
 * replaces that file (`--write`). A change that is meant to keep behaviour (moving code, renaming,
 * splitting a module) must leave every hash as it was; a change that is meant to alter behaviour (a new
 * test, a new fault) writes the file anew in the same commit.
 *
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryRoot } from './lib/exercises.ts';
import { runVitest } from './lib/vitest-run.ts';

const RECORD = path.join(repositoryRoot, 'solutions', 'trace-hashes.jsonl');

interface HashLine {
  readonly file: string;
  readonly test: string;
  readonly seed: number;
  readonly hash: string;
}

/** The lines of a hash log, sorted, one JSON object each, so that two logs compare line by line. */
function normalise(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as HashLine)
    .map(({ file, test, seed, hash }) => JSON.stringify({ file, test, seed, hash }))
    .sort();
}

async function collect(): Promise<string[]> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-hashes-'));
  const log = path.join(folder, 'hashes.jsonl');
  try {
    const run = await runVitest(repositoryRoot, ['--project', 'solutions'], { KATA_HASH_LOG: log });
    const failed = run.tests.filter((test) => test.status === 'failed');
    if (failed.length > 0 || run.brokenFiles.length > 0) {
      throw new Error(
        `The solutions do not pass (${failed.length} failed test(s)), so their hashes say nothing. Fix them first.`,
      );
    }
    return normalise(existsSync(log) ? readFileSync(log, 'utf8') : '');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function compare(recorded: readonly string[], now: readonly string[]): string[] {
  const key = (line: string) => {
    const { file, test, seed } = JSON.parse(line) as HashLine;
    return `${file} > ${test} (seed ${seed})`;
  };
  const before = new Set(recorded);
  const after = new Set(now);
  const changed = new Set(
    [...recorded.filter((line) => !after.has(line)), ...now.filter((line) => !before.has(line))].map(key),
  );
  return [...changed].sort();
}

const mode = process.argv[2];
if (mode !== '--check' && mode !== '--write') {
  console.error('Usage: npm run trace-hashes -- --check | --write');
  process.exit(2);
}
const now = await collect();
if (mode === '--write') {
  writeFileSync(RECORD, `${now.join('\n')}\n`);
  console.log(`wrote ${path.relative(repositoryRoot, RECORD)}: ${now.length} simulations`);
} else {
  const recorded = existsSync(RECORD) ? normalise(readFileSync(RECORD, 'utf8')) : [];
  const changed = compare(recorded, now);
  console.log(`${now.length} simulations now, ${recorded.length} recorded in ${path.relative(repositoryRoot, RECORD)}`);
  for (const line of changed.slice(0, 40)) console.log(`  changed: ${line}`);
  if (changed.length > 40) console.log(`  ... and ${changed.length - 40} more`);
  console.log(
    changed.length === 0 ? 'every trace hash is as recorded' : `${changed.length} simulation(s) differ from the record`,
  );
  process.exitCode = changed.length === 0 ? 0 : 1;
}
