/**
 * The learner's file, typechecked as part of the exercise's run: vitest strips types without checking
 * them, so without this a type error (a misspelt field, a timer payload of the wrong shape) would never
 * show up as a failing check. The exercises project's setup (`typecheck-setup.ts`) adds a failing test,
 * naming file and line, only when the learner's files have type errors: a stub that compiles adds no
 * test at all.
 *
 * Only the learner's files are checked (their imports are read for their types, not reported), with
 * the repository's compiler options, and the answer is cached under `.kata/typecheck/` by the text of
 * the exercise's own files and of the node API, so an unchanged file costs a hash.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One type error in a learner's file. */
export interface TypeProblem {
  /** The file, relative to the working directory. */
  readonly file: string;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
  /** The compiler's message, e.g. `Property 'idd' does not exist on type 'RetransmitTimer'.` */
  readonly message: string;
  /** The compiler's code, e.g. 2339. */
  readonly code: number;
}

/** The files that, changed, can change the verdict beyond the exercise's own: the node API. */
const API_FILES = ['harness/node.ts', 'harness/index.ts', 'harness/exercise.ts', 'harness/sim/clients.ts'];

/**
 * The type errors in the learner's files of the exercise in `exerciseDirectory` (the files its
 * `exercise.json` lists as `learnerFiles`), or none when it has no `exercise.json`.
 *
 * Cost: a hash of the exercise's files when cached; else one compilation of the learner's files and
 * what they import (a second or two).
 */
export function learnerTypeErrors(exerciseDirectory: string, root = process.cwd()): TypeProblem[] {
  const manifest = path.join(exerciseDirectory, 'exercise.json');
  if (!existsSync(manifest)) return [];
  const { learnerFiles = [] } = JSON.parse(readFileSync(manifest, 'utf8')) as { learnerFiles?: string[] };
  const files = learnerFiles.map((file) => path.join(exerciseDirectory, file)).filter((file) => existsSync(file));
  if (files.length === 0) return [];
  const cacheFile = path.join(root, '.kata', 'typecheck', `${cacheKey(exerciseDirectory, root)}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as TypeProblem[];
  const problems = compile(files, root);
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(problems));
  return problems;
}

/** `file:line:column error TS<code>: message`, one line per problem. */
export function describeTypeProblems(problems: readonly TypeProblem[]): string {
  return problems
    .map((problem) => `${problem.file}:${problem.line}:${problem.column} error TS${problem.code}: ${problem.message}`)
    .join('\n');
}

function compile(files: readonly string[], root: string): TypeProblem[] {
  const host: ts.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} };
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, host);
  // Node's own types are left out: a learner's node uses none, and reading them doubles the time.
  const options: ts.CompilerOptions = { ...(config?.options ?? { strict: true }), noEmit: true, types: [] };
  const program = ts.createProgram(files, options);
  return files.flatMap((file) => {
    const source = program.getSourceFile(file);
    if (source === undefined) return [];
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((diagnostic) => {
      const { line, character } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      return {
        file: path.relative(root, file),
        line: line + 1,
        column: character + 1,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
        code: diagnostic.code,
      };
    });
  });
}

/** A hash of every non-test TypeScript file of the exercise, its folder's shared code, and the node API. */
function cacheKey(exerciseDirectory: string, root: string): string {
  const hash = createHash('sha256').update(ts.version);
  const own = readdirSync(exerciseDirectory)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join(exerciseDirectory, name));
  for (const file of [...own, ...API_FILES.map((file) => path.join(root, file))]) {
    hash.update(file).update('\0');
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 24);
}
