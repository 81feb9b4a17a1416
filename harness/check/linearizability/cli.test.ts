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
    expect(result.err).toContain('line 2, column 1: malformed EDN: a map needs an even number of forms');
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

describe('check-history on Knossos histories and conversions', () => {
  const knossos = (name: string): string => fixture(`knossos/${name}`);

  it.each([
    ['cas-register-good.edn', 'cas-register', EXIT.ok],
    ['cas-register-bad.edn', 'cas-register', EXIT.illegal],
    ['mutex-bad.edn', 'mutex', EXIT.illegal],
    ['multi-register-good.edn', 'multi-register', EXIT.ok],
  ])('detects the format and model of %s (%s) and exits %i', async (name, model, exitCode) => {
    const result = await run(knossos(name));
    expect(result.exitCode).toBe(exitCode);
    expect(result.out).toContain(`edn, model ${model} (detected)`);
  });

  it('--format still forces the format', async () => {
    const result = await run(knossos('register-good.edn'), '--format', 'json');
    expect(result.exitCode).toBe(EXIT.dataError);
    expect(result.err).toContain('not valid JSON');
  });

  it('converts a JSON history to EDN and back, keeping the verdict', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'check-history-'));
    const jsonPath = join(directory, 'stale.json');
    writeFileSync(jsonPath, readFileSync(fixture('register-stale-read.json'), 'utf8').replace('null', '"x"'));
    const ednPath = join(directory, 'stale.edn');
    const converted = await run(jsonPath, '--convert', 'edn', '--out', ednPath);
    expect(converted.exitCode).toBe(EXIT.ok);
    expect(converted.err).toBe('');
    expect(readFileSync(ednPath, 'utf8')).toMatch(/^\{:index 0, :time \d+, :type :invoke, :process 0, :f :write/);
    const checked = await run(ednPath);
    expect(checked.exitCode).toBe(EXIT.illegal);
    expect(checked.out).toContain('edn, model register (detected)');
  });

  it('says what Knossos will read differently', async () => {
    const converted = await run(fixture('register-stale-read.json'), '--convert', 'edn');
    expect(converted.exitCode).toBe(EXIT.ok);
    expect(converted.err).toContain('1 read(s) of a register never written are written as nil');
  });

  it('converts to Porcupine JSON and to an EDN vector on standard output', async () => {
    const porcupine = await run(fixture('register-ok.json'), '--convert', 'porcupine');
    expect(porcupine.exitCode).toBe(EXIT.ok);
    expect(JSON.parse(porcupine.out)[0]).toHaveProperty('ClientId', 0);
    const vector = await run(fixture('cas-register-ok.jepsen-log'), '--convert', 'edn-vector');
    expect(vector.out.startsWith('[{:index 0,')).toBe(true);
  });

  it.each([
    [['file', '--convert', 'xml'], '--convert must be one of edn, edn-vector, porcupine'],
    [['file', '--out', 'x.edn'], '--out goes with --convert'],
    [['file', '--format', 'edn', '--model', 'counter'], 'the edn format holds register, cas-register'],
  ])('usage error %j', async (argv, message) => {
    const result = await run(...argv);
    expect(result.exitCode).toBe(EXIT.usage);
    expect(result.err).toContain(message);
  });

  it('says when it cannot tell the format or the model', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'check-history-'));
    const unknownFormat = join(directory, 'history.txt');
    writeFileSync(unknownFormat, 'hello\n');
    expect((await run(unknownFormat)).err).toContain('cannot tell the format');
    const unknownModel = join(directory, 'history.edn');
    writeFileSync(unknownModel, '{:process 0, :type :invoke, :f :enqueue, :value 1}\n');
    const result = await run(unknownModel);
    expect(result.exitCode).toBe(EXIT.usage);
    expect(result.err).toContain('cannot tell which model');
  });

  it('a malformed vector exits 65 with the line and column', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'check-history-')), 'broken.edn');
    writeFileSync(path, '[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0 :type}]\n');
    const result = await run(path, '--model', 'register');
    expect(result.exitCode).toBe(EXIT.dataError);
    expect(result.err).toContain('line 2, column 2: malformed EDN: a map needs an even number of forms');
  });
});

describe('check-history refuses input it did not understand', () => {
  /** Writes `content` to a fresh file and returns its path. */
  function fileWith(name: string, content: string | Buffer): string {
    const path = join(mkdtempSync(join(tmpdir(), 'check-history-')), name);
    writeFileSync(path, content);
    return path;
  }

  // Bytes from a fixed seed, so the test reads the same "random" file every run.
  const noise = Buffer.from(Array.from({ length: 300 }, (_, index) => (index * 131 + 17) % 256));

  it.each([
    ['an empty file', () => fileWith('empty.txt', ''), []],
    ['an empty file read as EDN', () => fileWith('empty.edn', ''), ['--format', 'edn']],
    ['an EDN file of comments only', () => fileWith('comments.edn', '; nothing here\n'), ['--format', 'edn']],
    ['an empty EDN vector', () => fileWith('empty.edn', '[]\n'), ['--format', 'edn', '--model', 'register']],
    ['an empty JSON array', () => fileWith('empty.json', '[]\n'), []],
    ['bytes read as a Jepsen log', () => fileWith('noise.bin', noise), ['--format', 'jepsen-log']],
    ['other text read as a Jepsen log', () => fileWith('notes.txt', 'hello\nworld\n'), ['--format', 'jepsen-log']],
  ])('%s exits 65: no operations found', async (_label, make, flags) => {
    const result = await run(make(), ...flags);
    expect(result.err).toContain('no operations found');
    expect(result.exitCode).toBe(EXIT.dataError);
    expect(result.out).not.toContain('linearizable');
  });

  it('an EDN map with a collection as a key is malformed input (65), not a crash', async () => {
    const result = await run(fileWith('map-key.edn', '{[1 2] 3}\n'));
    expect(result.exitCode).toBe(EXIT.dataError);
    expect(result.err).toContain('line 1, column 1: malformed EDN: a map key here is a collection');
  });

  it('--html into a missing folder says so (73) before checking', async () => {
    const htmlPath = join(tmpdir(), 'check-history-no-such-folder', 'deeper', 'evidence.html');
    const result = await run(fixture('register-ok.json'), '--html', htmlPath);
    expect(result.exitCode).toBe(EXIT.cannotWrite);
    expect(result.err).toContain(
      `the folder ${join(tmpdir(), 'check-history-no-such-folder', 'deeper')} does not exist`,
    );
  });

  it('an unexpected error is an internal error (70), never 1, which means "not linearizable"', async () => {
    let err = '';
    const exitCode = await main([fixture('register-ok.json')], {
      out: () => {
        throw new RangeError('a broken pipe, say');
      },
      err: (text) => (err += text),
    });
    expect(exitCode).toBe(EXIT.internal);
    expect(err).toContain('internal error');
    expect(err).toContain('RangeError: a broken pipe, say');
  });
});
