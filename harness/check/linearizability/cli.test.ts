/**
 * `npm run check-history` on the fixtures: verdicts, explanations and exit codes.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../../../scripts/check-history.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the CLI in-process and captures what it prints. */
async function run(...argv: string[]): Promise<{ exitCode: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const exitCode = await main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { exitCode, out, err };
}

describe('check-history on the fixtures', () => {
  it.each([
    ['cas-register-ok.jepsen-log', 'jepsen-log', 'cas-register', EXIT.ok, 'linearizable'],
    ['cas-register-failed-cas-lies.jepsen-log', 'jepsen-log', 'cas-register', EXIT.illegal, 'not linearizable'],
    ['kv-ok.edn', 'edn', 'kv', EXIT.ok, 'linearizable'],
    ['kv-lost-append.edn', 'edn', 'kv', EXIT.illegal, 'not linearizable'],
    ['register-ok.json', 'json', 'register', EXIT.ok, 'linearizable'],
    ['register-stale-read.json', 'json', 'register', EXIT.illegal, 'not linearizable'],
  ])('%s (--format %s --model %s) exits %i: %s', async (name, format, model, exitCode, verdict) => {
    const result = await run(fixture(name), '--format', format, '--model', model);
    expect(result.exitCode).toBe(exitCode);
    expect(result.out.split('\n')[0]).toBe(`${fixture(name)}: ${verdict}`);
    expect(result.out).toMatch(/\d+ operations? checked/);
    expect(result.out).toMatch(/took \d+\.\d ms/);
  });

  it('explains a violation: the key, the end of the prefix, what could not be placed', async () => {
    const { out } = await run(fixture('kv-lost-append.edn'), '--format', 'edn', '--model', 'kv');
    expect(out).toContain('In key "k" (3 operations):');
    expect(out).toContain('2. append("k", "2 ")');
    expect(out).toContain('get("k") → "1 " cannot happen when the state is "1 2 ".');
  });

  it('a spent budget exits 2 and says it is not a pass', async () => {
    const result = await run(fixture('kv-ok.edn'), '--format', 'edn', '--model', 'kv', '--max-steps', '1');
    expect(result.exitCode).toBe(EXIT.unknown);
    expect(result.out).toContain(': unknown');
    expect(result.out).toContain("the checker's budget of 1 steps ran out");
    expect(result.out).toContain('NOT a pass');
  });

  it('writes the evidence page with --html, user data escaped', async () => {
    const htmlPath = join(mkdtempSync(join(tmpdir(), 'check-history-')), 'evidence.html');
    const result = await run(
      fixture('register-stale-read.json'),
      '--format',
      'json',
      '--model',
      'register',
      '--html',
      htmlPath,
    );
    expect(result.exitCode).toBe(EXIT.illegal);
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script');
  });
});

describe('check-history errors', () => {
  it.each([
    [[], 'expected one history file, got 0'],
    [['file', '--format', 'xml', '--model', 'kv'], '--format must be one of jepsen-log, edn, json'],
    [['file', '--format', 'json', '--model', 'queue'], '--model must be one of'],
    [
      ['file', '--format', 'jepsen-log', '--model', 'kv'],
      'the jepsen-log format holds cas-register histories: use --model cas-register',
    ],
    [['file', '--format', 'json', '--model', 'kv', '--max-steps', 'lots'], '--max-steps needs a non-negative integer'],
    [['file', '--format', 'json', '--model', 'kv', '--verbose'], "Unknown option '--verbose'"],
  ])('usage error %j exits 64 with the usage', async (argv, message) => {
    const result = await run(...argv);
    expect(result.exitCode).toBe(EXIT.usage);
    expect(result.err).toContain(message);
    expect(result.err).toContain('Usage: npm run check-history');
  });

  it('an unreadable file exits 66', async () => {
    const result = await run('/nonexistent/history.json', '--format', 'json', '--model', 'register');
    expect(result.exitCode).toBe(EXIT.noInput);
  });

  it('a malformed file exits 65 and names the line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'check-history-')), 'broken.edn');
    writeFileSync(
      path,
      '{:process 0, :type :invoke, :f :get, :key "k"}\n{:process 0, :type :ok, :f :get, :key "k", :value}\n',
    );
    const result = await run(path, '--format', 'edn', '--model', 'kv');
    expect(result.exitCode).toBe(EXIT.dataError);
    expect(result.err).toContain('line 2: malformed EDN');
  });

  it('a history the model cannot read exits 65 and names the operation', async () => {
    const result = await run(fixture('register-ok.json'), '--format', 'json', '--model', 'counter');
    expect(result.exitCode).toBe(EXIT.dataError);
    expect(result.err).toMatch(/counter model threw on operation #\d+/);
  });
});

describe('check-history as a process', () => {
  it('propagates the exit code', () => {
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/check-history.ts',
        fixture('cas-register-failed-cas-lies.jepsen-log'),
        '--format',
        'jepsen-log',
        '--model',
        'cas-register',
      ],
      { cwd: repositoryRoot, encoding: 'utf8' },
    );
    expect(child.status).toBe(EXIT.illegal);
    expect(child.stdout).toContain('not linearizable');
  });
});
