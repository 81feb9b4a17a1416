/**
 * `npm run stubs -- <--check|--write|--save [exercise]>`: the stubs that build on the previous exercise's
 * solution, and the solutions that build on those stubs (see `scripts/lib/stubs.ts`). `--write` goes
 * exercise by exercise, so a change to the first solution reaches the last one.
 *
 * ```text
 * npm run stubs -- --check            every generated stub equals what its stub.patch makes of the previous solution
 * npm run stubs -- --write            regenerate every such stub (after a change to a solution)
 * npm run stubs -- --save [exercise]  after editing a stub by hand: store it as its stub.patch again
 * ```
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findExercises, repositoryRoot } from './lib/exercises.ts';
import { checkStub, findGeneratedFiles, generateStub, writeStubPatch, type StubSource } from './lib/stubs.ts';
import { resolveExercise } from './kata/names.ts';

const USAGE = `Usage: npm run stubs -- <--check | --write | --save [exercise]>
  --check            each generated stub equals what its stub.patch makes of the previous solution, and
                     each such exercise's solution what its solution.patch makes of the stub
  --write            regenerate them, in order (after a change to a solution)
  --save [exercise]  after editing a stub or solution by hand: store it as its patch (all, or one exercise)`;

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      check: { type: 'boolean' },
      write: { type: 'boolean' },
      save: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const modes = [values.check, values.write, values.save].filter((flag) => flag === true).length;
  if (values.help === true || modes !== 1) {
    console.log(USAGE);
    return values.help === true ? 0 : 2;
  }
  const exercises = findExercises();
  let sources = findGeneratedFiles(exercises);
  if (positionals[0] !== undefined) {
    const resolved = resolveExercise(positionals[0], exercises);
    if (!resolved.ok) {
      console.error(resolved.message);
      return 2;
    }
    sources = sources.filter((source) => source.exercise.id === resolved.exercise.id);
    if (sources.length === 0) {
      console.error(
        `${resolved.exercise.id}'s stub does not build on another exercise (its exercise.json has no "stub.from").`,
      );
      return 2;
    }
  }
  if (values.check === true) return check(sources);
  if (values.write === true) return write(sources);
  return save(sources);
}

function check(sources: readonly StubSource[]): number {
  let failed = 0;
  for (const source of sources) {
    const problem = checkStub(repositoryRoot, source);
    if (problem !== null) failed++;
    console.log(problem === null ? `✓ ${source.target}` : `✗ ${problem}`);
  }
  console.log(`${sources.length - failed} of ${sources.length} generated stubs and solutions are up to date.`);
  return failed === 0 ? 0 : 1;
}

function write(sources: readonly StubSource[]): number {
  for (const source of sources) {
    const generated = generateStub(repositoryRoot, source);
    const file = path.join(repositoryRoot, source.target);
    const unchanged = readFileSync(file, 'utf8') === generated;
    if (!unchanged) writeFileSync(file, generated);
    console.log(`${unchanged ? 'up to date' : 'wrote     '} ${source.target}`);
  }
  return 0;
}

function save(sources: readonly StubSource[]): number {
  for (const source of sources) {
    const base = readFileSync(path.join(repositoryRoot, source.base), 'utf8');
    const target = readFileSync(path.join(repositoryRoot, source.target), 'utf8');
    writeFileSync(path.join(repositoryRoot, source.patch), writeStubPatch(source, base, target));
    // The patch must give back exactly the file, or the file is not what learners (or the tests) will get.
    if (generateStub(repositoryRoot, source) !== target)
      throw new Error(`${source.patch} does not reproduce ${source.target}.`);
    console.log(`saved ${source.patch} (${source.base} → ${source.target})`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
