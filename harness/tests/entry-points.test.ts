/**
 * The harness's entry points load what they promise and no more: a learner's node (which imports
 * `harness/index.ts`) never loads fast-check or vitest; `harness/maelstrom` (real time and I/O) is
 * imported by no other harness code and by no node; vitest is imported only under `harness/testing`
 * (and then lazily) and fast-check only under `harness/faults`; `harness/index.ts` stays small.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const recorder = path.join('harness', 'tests', 'fixtures', 'load-recorder.mjs');

/** The packages (by name) a fresh Node process loads when it imports `entry`, found with a module hook. */
async function packagesLoadedBy(entry: string): Promise<string[]> {
  const script = `await import(${JSON.stringify(`./${entry}`)}); console.log(JSON.stringify(await globalThis.loadedModules()));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--import', `./${recorder}`, '--input-type=module', '-e', script],
    { cwd: root },
  );
  const urls = JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
  const names = urls
    .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
    .filter((name) => name !== undefined);
  return [...new Set(names)].sort();
}

/**
 * The harness's own code: every file under harness/ except tests and test support (`*.test.ts`,
 * `harness/tests/`, `_test-support/` folders), with the packages each one imports.
 */
function harnessCodeImports(): Array<{
  readonly file: string;
  readonly packages: string[];
  readonly files: string[];
  readonly specifiers: string[];
}> {
  const files = readdirSync(path.join(root, 'harness'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .filter((file) => !file.startsWith(`tests${path.sep}`) && !file.split(path.sep).includes('_test-support'));
  return files.map((file) => {
    // preProcessFile sees static imports, re-exports, type-only imports and dynamic import() calls.
    const specifiers = ts
      .preProcessFile(readFileSync(path.join(root, 'harness', file), 'utf8'), true, true)
      .importedFiles.map((imported) => imported.fileName);
    const packages = specifiers.filter(
      (specifier) => !specifier.startsWith('.') && !specifier.startsWith('#') && !specifier.startsWith('node:'),
    );
    const files = specifiers
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => path.relative(root, path.resolve(root, 'harness', path.dirname(file), specifier)));
    return { file: path.join('harness', file), packages, files, specifiers };
  });
}

describe('what each entry point loads', () => {
  test('importing harness/index.ts (a learner node) loads neither fast-check nor vitest', async () => {
    const packages = await packagesLoadedBy('harness/index.ts');
    expect(
      packages.filter((name) => /^(fast-check|vitest|@vitest\/|@fast-check\/)/.test(name)),
      `harness/index.ts loaded ${packages.join(', ')}`,
    ).toEqual([]);
  }, 20_000);

  test('importing harness/testing does not load vitest: it is imported when a test asks for its name', async () => {
    const packages = await packagesLoadedBy('harness/testing/index.ts');
    expect(
      packages.filter((name) => /^(vitest|@vitest\/)/.test(name)),
      `harness/testing loaded ${packages.join(', ')}`,
    ).toEqual([]);
  }, 20_000);

  test('vitest is imported only under harness/testing, and fast-check only under harness/faults (tests aside)', () => {
    const misplaced: string[] = [];
    for (const { file, packages } of harnessCodeImports()) {
      for (const name of packages) {
        if (/^(vitest|@vitest\/)/.test(name) && !file.startsWith(path.join('harness', 'testing', '')))
          misplaced.push(`${file} imports ${name}`);
        if (/^(fast-check|@fast-check\/)/.test(name) && !file.startsWith(path.join('harness', 'faults', '')))
          misplaced.push(`${file} imports ${name}`);
      }
    }
    expect(misplaced).toEqual([]);
  });

  test('from outside harness/sim, harness/faults and harness/testing, only their index.ts is imported', () => {
    const folders = ['sim', 'faults', 'testing'].map((folder) => path.join('harness', folder, ''));
    // The one exception: the scenario builder without the random schedules, which load fast-check.
    const allowed = new Set([
      `${path.join('harness', 'index.ts')} -> ${path.join('harness', 'faults', 'scenario.ts')}`,
    ]);
    const reaching: string[] = [];
    for (const { file, files } of harnessCodeImports()) {
      for (const target of files) {
        const folder = folders.find((prefix) => target.startsWith(prefix));
        if (folder === undefined || file.startsWith(folder) || target === path.join(folder, 'index.ts')) continue;
        if (!allowed.has(`${file} -> ${target}`)) reaching.push(`${file} -> ${target}`);
      }
    }
    expect(reaching).toEqual([]);
  });

  test('harness/maelstrom, where real time and I/O are allowed, is imported by no other harness code and no node', () => {
    const maelstrom = path.join('harness', 'maelstrom', '');
    const reaching: string[] = [];
    for (const { file, files, specifiers } of harnessCodeImports()) {
      if (file.startsWith(maelstrom)) continue;
      for (const target of files) if (target.startsWith(maelstrom)) reaching.push(`${file} -> ${target}`);
      if (specifiers.includes('#harness/maelstrom')) reaching.push(`${file} -> #harness/maelstrom`);
    }
    // Nodes: every exercise and solution file but tests and the exercises' Maelstrom bindings.
    for (const folder of ['exercises', 'solutions']) {
      const files = readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' }).filter(
        (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && path.basename(file) !== 'maelstrom.ts',
      );
      for (const file of files) {
        const source = readFileSync(path.join(root, folder, file), 'utf8');
        const imported = ts.preProcessFile(source, true, true).importedFiles.map((entry) => entry.fileName);
        if (imported.some((name) => name === '#harness/maelstrom' || name.includes('harness/maelstrom/')))
          reaching.push(`${path.join(folder, file)} -> harness/maelstrom`);
      }
    }
    expect(reaching).toEqual([]);
  });

  test('real time is read only by harness/maelstrom, the watchdog thread, the viewer page and the checker budget', () => {
    // The simulator's determinism rests on this: a clock read anywhere else could change a run.
    const allowed = [
      path.join('harness', 'maelstrom', ''),
      path.join('harness', 'sim', 'watchdog-worker.mjs'),
      // The page measures how long it takes to draw, in the browser; it never runs a simulation.
      path.join('harness', 'viewer', 'page', ''),
      // The linearizability checker's optional timeoutMs: it runs on a finished history, after the run.
      path.join('harness', 'check', 'linearizability', 'check.ts'),
      path.join('harness', 'check', 'linearizability', '_internals', 'search.ts'),
    ];
    const clockCalls = new Set([
      'Date.now',
      'performance.now',
      'process.hrtime',
      'process.hrtime.bigint',
      'process.uptime',
    ]);
    const timers = new Set(['setTimeout', 'setInterval']);
    const readers: string[] = [];
    const files = readdirSync(path.join(root, 'harness'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(ts|mjs)$/.test(file) && !file.endsWith('.test.ts'))
      .filter((file) => !file.startsWith(`tests${path.sep}`) && !file.split(path.sep).includes('_test-support'))
      .map((file) => path.join('harness', file))
      .filter((file) => !allowed.some((place) => file.startsWith(place)));
    for (const file of files) {
      const source = ts.createSourceFile(
        file,
        readFileSync(path.join(root, file), 'utf8'),
        ts.ScriptTarget.Latest,
        true,
      );
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const callee = node.expression.getText(source);
          if (clockCalls.has(callee) || timers.has(callee)) readers.push(`${file}: ${callee}()`);
        }
        if (
          ts.isNewExpression(node) &&
          node.expression.getText(source) === 'Date' &&
          (node.arguments?.length ?? 0) === 0
        )
          readers.push(`${file}: new Date()`);
        if (ts.isPropertyAccessExpression(node) && node.getText(source) === 'performance.timeOrigin')
          readers.push(`${file}: performance.timeOrigin`);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(readers).toEqual([]);
    expect(files.length, 'the scan found the harness code').toBeGreaterThan(50);
  });

  test('harness/index.ts exports at most 30 names', () => {
    // Counted from the export lists themselves; an `export *` would hide how many names it adds.
    const source = ts.createSourceFile(
      'index.ts',
      readFileSync(path.join(root, 'harness', 'index.ts'), 'utf8'),
      ts.ScriptTarget.Latest,
    );
    const names: string[] = [];
    for (const statement of source.statements) {
      if (!ts.isExportDeclaration(statement)) continue;
      const clause = statement.exportClause;
      if (clause === undefined || !ts.isNamedExports(clause))
        throw new Error('harness/index.ts must list its exports by name, without export *');
      names.push(...clause.elements.map((element) => element.name.text));
    }
    expect(names.length, `harness/index.ts exports ${names.length} names: ${names.join(', ')}`).toBeLessThanOrEqual(30);
  });
});
