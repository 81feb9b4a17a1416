import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Message, Node, NodeContext, NodeFactory } from '../node.ts';

/** A node that answers `echo` requests and records everything else it receives. */
export function echoNode(): NodeFactory {
  return () => ({
    onMessage(ctx: NodeContext, from: string, message: Message) {
      if (message.type === 'echo')
        ctx.reply(from, message, { type: 'echo_ok', text: (message as { text?: string }).text });
    },
  });
}

/** A node built from handlers given inline, for small harness tests. */
export function nodeOf(handlers: Partial<Node>): NodeFactory {
  return () => ({ onMessage() {}, ...handlers });
}

/** A node that gossips a counter to every other node every 10 ms: a busy, random-ish workload. */
export function chattyNode(): NodeFactory {
  return (ctx) => {
    let received = 0;
    return {
      onStart(c) {
        c.setTimer({ min: 5, max: 15 }, { type: 'tick' });
      },
      onTimer(c) {
        for (const peer of c.nodeIds)
          if (peer !== c.id) c.send(peer, { type: 'gossip', count: received, r: c.randomInt(0, 9) });
        c.setTimer({ min: 5, max: 15 }, { type: 'tick' });
      },
      onMessage(c, from) {
        received++;
        if (received % 7 === 0) c.log(`heard ${received} messages, last from ${from} at local ${c.now()}`);
        void ctx;
      },
    };
  };
}

/**
 * Runs the tests matching `name` of the vitest config `config` (relative to the repository) in a child
 * process, with its traces in a folder of its own, and resolves with its output whatever the outcome.
 * For fixtures that hang or fail on purpose: should the child not end in `timeoutMs`, it is killed and
 * the output says so, so the test fails instead of hanging. `extraArgs` go to vitest after the filter.
 */
export function runChildVitest(
  config: string,
  name: string,
  timeoutMs: number,
  extraArgs: readonly string[] = [],
): Promise<string> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const env = {
    ...process.env,
    KATA_TRACE_DIR: mkdtempSync(path.join(tmpdir(), 'kata-child-')),
    KATA_HASH_LOG: '',
    KATA_TRACE_LOG: '',
    KATA_SEED: '',
    KATA_SEEDS: '',
    NO_COLOR: '1',
  };
  const args = [path.join('node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', config, '-t', name, ...extraArgs];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, timeout: timeoutMs, env }, (error, stdout, stderr) => {
      const killed = error?.killed === true ? `\n(the child vitest was killed: it did not end in ${timeoutMs} ms)` : '';
      resolve(`${stdout}\n${stderr}${killed}`);
    });
  });
}

/** One test of a child vitest run: how it ended, and its failure messages. */
export interface ChildTest {
  readonly status: string;
  readonly failure: string;
}

/**
 * Like {@link runChildVitest}, but for several fixtures in one child process (one vitest start-up for
 * all): resolves with each test's outcome by its name, read from vitest's JSON report, so that each
 * case is judged on its own failure only. `output` is what the child printed, for a test's message when
 * a fixture is missing.
 */
export async function runChildVitestTests(
  config: string,
  name: string,
  timeoutMs: number,
): Promise<{ readonly tests: ReadonlyMap<string, ChildTest>; readonly output: string }> {
  const report = path.join(mkdtempSync(path.join(tmpdir(), 'kata-child-report-')), 'report.json');
  const output = await runChildVitest(config, name, timeoutMs, ['--reporter=json', `--outputFile=${report}`]);
  const tests = new Map<string, ChildTest>();
  try {
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults?: Array<{ assertionResults?: Array<{ title: string; status: string; failureMessages?: string[] }> }>;
    };
    for (const file of parsed.testResults ?? [])
      for (const test of file.assertionResults ?? [])
        tests.set(test.title, { status: test.status, failure: (test.failureMessages ?? []).join('\n') });
  } catch {
    // No report: every lookup misses, and the test says so with the output.
  }
  return { tests, output };
}
