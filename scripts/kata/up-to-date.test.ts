import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { Exercise } from '../lib/exercises.ts';
import type { VitestRun } from '../lib/vitest-run.ts';
import { kataPaths } from './state.ts';
import { fakeExercise, temporaryWorkshop } from './test-fixtures.ts';
import { upToDateProgress } from './up-to-date.ts';

const echo = fakeExercise('01-message-passing', '01-echo');
const ids = fakeExercise('01-message-passing', '02-unique-ids');
const lamport = fakeExercise('02-time-and-clocks', '01-lamport');
const vector = fakeExercise('02-time-and-clocks', '02-vector-clocks');
const exercises = [echo, ids, lamport, vector];

/** A workshop on disk with the four exercises, chapter 02's test support, a harness, and lamport importing vector's protocol. */
function workshop(): string {
  const files: Record<string, string> = {
    'harness/index.ts': 'export const harness = 1;\n',
    'package.json': '{}\n',
    'exercises/02-time-and-clocks/_test-support/clocks.ts': 'export const support = 1;\n',
    'exercises/02-time-and-clocks/02-vector-clocks/protocol.ts': 'export type Stamp = number[];\n',
  };
  for (const exercise of exercises) {
    files[exercise.learnerFiles[0]!] = 'export const answer = 0;\n';
    files[exercise.testFiles[0]!] = "import { answer } from './x.ts';\n";
  }
  files[lamport.testFiles[0]!] = "import type { Stamp } from '../02-vector-clocks/protocol.ts';\n";
  return temporaryWorkshop(files);
}

/** Stands in for vitest: every exercise folder in the arguments has one passing test. Records which ran. */
function fakeVitest(ran: string[][]) {
  return async (_root: string, args: readonly string[]): Promise<VitestRun> => {
    const folders = args.filter((arg) => arg.startsWith('exercises'));
    ran.push(folders);
    const tests = exercises
      .filter((exercise) => folders.includes(exercise.directory))
      .map((exercise) => ({
        file: exercise.testFiles[0]!,
        name: 'works',
        status: 'passed' as const,
        failureMessages: [],
      }));
    return { tests, exitCode: 0, output: '', brokenFiles: [] };
  };
}

const names = (list: readonly Exercise[]) => list.map((exercise) => path.basename(exercise.directory));

describe('progress from remembered results', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('runs every exercise once, then only those whose inputs changed', async () => {
    root = workshop();
    const ran: string[][] = [];
    const announced: string[][] = [];
    const check = () => upToDateProgress(root, exercises, (stale) => announced.push(names(stale)), fakeVitest(ran));

    const cold = await check();
    expect(names(cold.rerun), 'the first run measures every exercise').toEqual(names(exercises));
    expect(cold.progress[echo.id]?.passed, 'and remembers its figures').toBe(1);

    const warm = await check();
    expect(warm.rerun, 'nothing changed: nothing runs').toEqual([]);
    expect(warm.reused, 'every result is reused').toBe(4);
    expect(ran.length, 'vitest was started once in all').toBe(1);
    expect(warm.progress[vector.id]?.passed, 'the figures are still there').toBe(1);

    const save = (file: string, content: string) => {
      writeFileSync(`${path.join(root, file)}.tmp`, content);
      renameSync(`${path.join(root, file)}.tmp`, path.join(root, file));
    };
    save(echo.learnerFiles[0]!, 'export const answer = 42;\n');
    expect(names((await check()).rerun), "the learner's file changed").toEqual(['01-echo']);
    save('exercises/02-time-and-clocks/_test-support/clocks.ts', 'export const support = 2;\n');
    expect(names((await check()).rerun), "the chapter's test support changed").toEqual([
      '01-lamport',
      '02-vector-clocks',
    ]);
    save('exercises/02-time-and-clocks/02-vector-clocks/protocol.ts', 'export type Stamp = readonly number[];\n');
    expect(names((await check()).rerun), 'given code imported from another exercise changed').toEqual([
      '01-lamport',
      '02-vector-clocks',
    ]);
    save(ids.testFiles[0]!, "import { answer } from './y.ts';\n");
    expect(names((await check()).rerun), 'a test changed').toEqual(['02-unique-ids']);
    save('harness/index.ts', 'export const harness = 2;\n');
    expect(names((await check()).rerun), 'the harness changed: everything').toEqual(names(exercises));
    expect(announced.at(-1), 'the rerun is announced with the exercises it covers').toEqual(names(exercises));
  });

  test('a corrupt cache is ignored and rebuilt, and never touches the learner files', async () => {
    root = workshop();
    const ran: string[][] = [];
    await upToDateProgress(root, exercises, () => {}, fakeVitest(ran));
    const progressFile = kataPaths(root).progress;
    writeFileSync(progressFile, '{ "version": 1, "exercises": { "01-message-passing/01-echo": { "passed": "many" ');
    const rebuilt = await upToDateProgress(root, exercises, () => {}, fakeVitest(ran));
    expect(names(rebuilt.rerun), 'a file that does not parse counts as no cache').toEqual(names(exercises));
    expect(JSON.parse(readFileSync(progressFile, 'utf8')).exercises[echo.id].passed, 'rewritten whole').toBe(1);

    const parsed = JSON.parse(readFileSync(progressFile, 'utf8'));
    parsed.exercises[ids.id] = { passed: -3, total: 'x' };
    writeFileSync(progressFile, JSON.stringify(parsed));
    expect(names((await upToDateProgress(root, exercises, () => {}, fakeVitest(ran))).rerun), 'a bad entry').toEqual([
      '02-unique-ids',
    ]);
    expect(readFileSync(path.join(root, echo.learnerFiles[0]!), 'utf8'), 'learner file intact').toBe(
      'export const answer = 0;\n',
    );
  });
});
