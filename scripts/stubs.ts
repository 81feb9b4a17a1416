/**
 * `npm run stubs -- <--check|--write|--save [exercise]>`: the stubs that build on the previous exercise's
 * solution (see `scripts/lib/stubs.ts`).
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
import { checkStub, findStubSources, generateStub, writeStubPatch, type StubSource } from './lib/stubs.ts';
import { resolveExercise } from './kata/names.ts';

const USAGE = `Usage: npm run stubs -- <--check | --write | --save [exercise]>
  --check            each generated stub equals what its stub.patch makes of the previous solution
  --write            regenerate each generated stub from the previous solution and its stub.patch
  --save [exercise]  after editing a stub by hand: store it as its stub.patch (all, or one exercise)`;

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { check: { type: 'boolean' }, write: { type: 'boolean' }, save: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const modes = [values.check, values.write, values.save].filter((flag) => flag === true).length;
  if (values.help === true || modes !== 1) {
    console.log(USAGE);
    return values.help === true ? 0 : 2;
  }
  const exercises = findExercises();
  let sources = findStubSources(exercises);
  if (positionals[0] !== undefined) {
    const resolved = resolveExercise(positionals[0], exercises);
    if (!resolved.ok) {
      console.error(resolved.message);
      return 2;
    }
    sources = sources.filter((source) => source.exercise.id === resolved.exercise.id);
    if (sources.length === 0) {
      console.error(`${resolved.exercise.id}'s stub does not build on another exercise (its exercise.json has no "stub.from").`);
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
    console.log(problem === null ? `✓ ${source.stub}` : `✗ ${problem}`);
  }
  console.log(`${sources.length - failed} of ${sources.length} generated stubs are up to date.`);
  return failed === 0 ? 0 : 1;
}

function write(sources: readonly StubSource[]): number {
  for (const source of sources) {
    const generated = generateStub(repositoryRoot, source);
    const file = path.join(repositoryRoot, source.stub);
    const unchanged = readFileSync(file, 'utf8') === generated;
    if (!unchanged) writeFileSync(file, generated);
    console.log(`${unchanged ? 'up to date' : 'wrote     '} ${source.stub}`);
  }
  return 0;
}

function save(sources: readonly StubSource[]): number {
  for (const source of sources) {
    const base = readFileSync(path.join(repositoryRoot, source.base), 'utf8');
    const stub = readFileSync(path.join(repositoryRoot, source.stub), 'utf8');
    writeFileSync(path.join(repositoryRoot, source.patch), writeStubPatch(source, base, stub));
    // The patch must give back exactly the stub, or the stub is not what learners will get.
    if (generateStub(repositoryRoot, source) !== stub) throw new Error(`${source.patch} does not reproduce ${source.stub}.`);
    console.log(`saved ${source.patch} (${source.base} → ${source.stub})`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
