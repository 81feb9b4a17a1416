import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One test's result from a vitest run. */
export interface TestResult {
  /** The test file, relative to the directory vitest ran in. */
  readonly file: string;
  /** Describe blocks and the test's name, joined with ' > '. */
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** The failure messages (empty when it passed). */
  readonly failureMessages: readonly string[];
}

/** The outcome of one vitest run. */
export interface VitestRun {
  readonly tests: readonly TestResult[];
  /** The process's exit code. */
  readonly exitCode: number;
  /** What vitest printed, for when something went wrong outside the tests (a file that failed to load). */
  readonly output: string;
  /** Test files that failed to load or run at all, with the reason. */
  readonly brokenFiles: ReadonlyArray<{ readonly file: string; readonly message: string }>;
}

interface JsonReport {
  testResults?: Array<{
    name: string;
    status?: string;
    message?: string;
    assertionResults?: Array<{
      ancestorTitles?: string[];
      title: string;
      fullName?: string;
      status: string;
      failureMessages?: string[];
    }>;
  }>;
}

/** Runs vitest with the JSON reporter and returns every test's result. */
export async function runVitest(
  cwd: string,
  args: readonly string[],
  environment: Readonly<Record<string, string>> = {},
): Promise<VitestRun> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-vitest-'));
  const outputFile = path.join(folder, 'report.json');
  try {
    const vitest = path.join(cwd, 'node_modules', 'vitest', 'vitest.mjs');
    const { exitCode, output } = await spawnAndCollect(
      process.execPath,
      [vitest, 'run', ...args, '--reporter=json', `--outputFile=${outputFile}`],
      cwd,
      environment,
    );
    let report: JsonReport = {};
    try {
      report = JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport;
    } catch {
      return {
        tests: [],
        exitCode,
        output,
        brokenFiles: [
          { file: '(vitest)', message: `vitest wrote no report (exit ${exitCode}):\n${output.slice(-4_000)}` },
        ],
      };
    }
    const tests: TestResult[] = [];
    const brokenFiles: Array<{ file: string; message: string }> = [];
    for (const file of report.testResults ?? []) {
      const relativeFile = path.relative(cwd, file.name);
      const assertions = file.assertionResults ?? [];
      if (assertions.length === 0 && file.status === 'failed')
        brokenFiles.push({ file: relativeFile, message: file.message ?? 'failed to run' });
      for (const assertion of assertions) {
        tests.push({
          file: relativeFile,
          name: [...(assertion.ancestorTitles ?? []), assertion.title].join(' > '),
          status: assertion.status === 'passed' ? 'passed' : assertion.status === 'failed' ? 'failed' : 'skipped',
          failureMessages: assertion.failureMessages ?? [],
        });
      }
    }
    return { tests, exitCode, output, brokenFiles };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Runs a command, collecting its output; resolves with the exit code. */
export function spawnAndCollect(
  command: string,
  args: readonly string[],
  cwd: string,
  environment: Readonly<Record<string, string>> = {},
): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}
