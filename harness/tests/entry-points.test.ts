/**
 * The harness's entry points load what they promise and no more: a learner's node (which imports
 * `harness/index.ts`) never loads fast-check or vitest; vitest is imported only under `harness/testing`
 * and fast-check only under `harness/faults`; `harness/index.ts` stays small.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const recorder = path.join('harness', 'tests', 'fixtures', 'load-recorder.mjs');

/** Every public entry point of the harness, as listed in package.json's `imports`, plus the viewer. */
const ENTRY_POINTS = [
  ...Object.values(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).imports as Record<string, string>),
  './harness/viewer/index.ts',
].map((entry) => path.normalize(entry));

/** The packages (by name) a fresh Node process loads when it imports `entry`, found with a module hook. */
async function packagesLoadedBy(entry: string): Promise<string[]> {
  const script = `await import(${JSON.stringify(`./${entry}`)}); console.log(JSON.stringify(await globalThis.loadedModules()));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--import', `./${recorder}`, '--input-type=module', '-e', script],
    { cwd: root },
  );
  const urls = JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
  const names = urls.map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]).filter((name) => name !== undefined);
  return [...new Set(names)].sort();
}

/** The static import graph reachable from the entry points: each harness file and what it imports. */
function importGraph(): Map<string, { readonly files: string[]; readonly packages: string[] }> {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  const pending = ENTRY_POINTS.map((entry) => path.join(root, entry));
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const node = { files: [] as string[], packages: [] as string[] };
    graph.set(file, node);
    // preProcessFile sees static imports, re-exports, type-only imports and dynamic import() calls.
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (specifier.startsWith('node:')) continue;
      const resolved = ts.resolveModuleName(specifier, file, config.options, ts.sys).resolvedModule;
      if (resolved === undefined || resolved.isExternalLibraryImport === true || resolved.resolvedFileName.includes('/node_modules/')) {
        node.packages.push(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
      } else {
        node.files.push(resolved.resolvedFileName);
        pending.push(resolved.resolvedFileName);
      }
    }
  }
  return graph;
}

describe('what each entry point loads', () => {
  test('importing harness/index.ts (a learner node) loads neither fast-check nor vitest', async () => {
    const packages = await packagesLoadedBy('harness/index.ts');
    expect(packages.filter((name) => /^(fast-check|vitest|@vitest\/|@fast-check\/)/.test(name)), `harness/index.ts loaded ${packages.join(', ')}`).toEqual([]);
  }, 20_000);

  test('importing harness/testing does not load vitest: it is imported when a test asks for its name', async () => {
    const packages = await packagesLoadedBy('harness/testing/index.ts');
    expect(packages.filter((name) => /^(vitest|@vitest\/)/.test(name)), `harness/testing loaded ${packages.join(', ')}`).toEqual([]);
  }, 20_000);

  test('in the code the entry points reach, vitest is imported only under harness/testing and fast-check only under harness/faults', () => {
    const misplaced: string[] = [];
    for (const [file, { packages }] of importGraph()) {
      const relative = path.relative(root, file);
      for (const name of packages) {
        if (/^(vitest|@vitest\/)/.test(name) && !relative.startsWith(`harness${path.sep}testing${path.sep}`)) misplaced.push(`${relative} imports ${name}`);
        if (/^(fast-check|@fast-check\/)/.test(name) && !relative.startsWith(`harness${path.sep}faults${path.sep}`)) misplaced.push(`${relative} imports ${name}`);
      }
    }
    expect(misplaced).toEqual([]);
  });

  test('harness/index.ts exports at most 30 names', () => {
    const file = path.join(root, 'harness', 'index.ts');
    const program = ts.createProgram([file], {
      noEmit: true,
      types: [],
      allowImportingTsExtensions: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2023,
    });
    const checker = program.getTypeChecker();
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!).map((symbol) => symbol.name);
    expect(exports.length, `harness/index.ts exports ${exports.length} names: ${exports.join(', ')}`).toBeLessThanOrEqual(30);
  });
});
