/**
 * `npm run kata -- maelstrom <exercise> [--solution]`: an executable that runs the exercise's node as a
 * Maelstrom process, for `maelstrom test --bin <executable>`.
 *
 * @module
 */

import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MaelstromBinding } from '#harness/maelstrom';
import type { Exercise } from '../lib/exercises.ts';
import { kataPaths } from './state.ts';

/** The file in an exercise's folder that says how it runs under Maelstrom. */
export const BINDING_FILE = 'maelstrom.ts';

/** What {@link writeMaelstromExecutable} wrote. */
export interface MaelstromExecutable {
  /** The executable's absolute path. */
  readonly executable: string;
  /** Where its nodes keep their storage files; delete it to start afresh. */
  readonly storageDirectory: string;
  /** The node file it runs. */
  readonly nodeFile: string;
  readonly binding: MaelstromBinding;
  /** The `maelstrom test` command to try. */
  readonly command: string;
}

/** Whether `exercise` declares a Maelstrom binding. */
export function hasMaelstromBinding(root: string, exercise: Exercise): boolean {
  return existsSync(path.join(root, exercise.directory, BINDING_FILE));
}

/** Reads an exercise's binding (its `maelstrom.ts`). */
export async function readBinding(root: string, exercise: Exercise): Promise<MaelstromBinding> {
  const file = path.join(root, exercise.directory, BINDING_FILE);
  const { maelstrom } = (await import(pathToFileURL(file).href)) as { maelstrom?: MaelstromBinding };
  if (maelstrom === undefined) throw new Error(`${file} does not export \`maelstrom\``);
  return maelstrom;
}

/** Quotes a path for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Writes `.kata/maelstrom/<exercise>[-solution]`, a shell script that starts Node on
 * `harness/maelstrom/main.ts` with the exercise's binding and node file (the learner's, or the
 * reference solution's with `solution`), and storage under `.kata/maelstrom/<name>-storage/` (`folder`
 * puts both elsewhere).
 * Extra arguments (e.g. `--seed 42`) are passed on.
 */
export async function writeMaelstromExecutable(
  root: string,
  exercise: Exercise,
  {
    solution,
    folder = path.join(kataPaths(root).folder, 'maelstrom'),
  }: { readonly solution: boolean; readonly folder?: string },
): Promise<MaelstromExecutable> {
  const binding = await readBinding(root, exercise);
  const nodeFile = path.resolve(root, solution ? exercise.solutionDirectory : exercise.directory, binding.file);
  if (!existsSync(nodeFile)) throw new Error(`${nodeFile} does not exist`);
  const name = `${path.basename(exercise.directory)}${solution ? '-solution' : ''}`;
  const executable = path.resolve(folder, name);
  const storageDirectory = path.resolve(folder, `${name}-storage`);
  mkdirSync(folder, { recursive: true });
  const script = [
    '#!/bin/sh',
    `# Runs ${exercise.id} (${solution ? 'the reference solution' : 'your node'}) as a Maelstrom node.`,
    `# Written by npm run kata -- maelstrom; storage in ${storageDirectory}.`,
    `cd ${shellQuote(path.resolve(root))} || exit 1`,
    // A solution imports the exercise's given code by its path in the exercise's folder: a hook resolves it.
    `exec ${shellQuote(process.execPath)} --import tsx${solution ? ' --import ./scripts/kata/solution-imports.mjs' : ''} harness/maelstrom/main.ts \\`,
    `  --binding ${shellQuote(path.resolve(root, exercise.directory, BINDING_FILE))} \\`,
    `  --node ${shellQuote(nodeFile)} \\`,
    `  --storage-dir ${shellQuote(storageDirectory)} "$@"`,
    '',
  ].join('\n');
  writeFileSync(executable, script);
  chmodSync(executable, 0o755);
  const command = `maelstrom test -w ${binding.workload} --bin ${executable} ${binding.testOptions}`;
  return { executable, storageDirectory, nodeFile, binding, command };
}
