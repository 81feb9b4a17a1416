import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Repository root: this file lives in `scripts/lib/`. */
export const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');

/** One exercise, as found on disk. Paths are relative to the repository root. */
export interface Exercise {
  /** e.g. `01-message-passing/03-reliable-delivery` */
  readonly id: string;
  readonly chapter: string;
  readonly directory: string;
  readonly solutionDirectory: string;
  /** The learner's source files (not tests). */
  readonly sourceFiles: readonly string[];
  readonly testFiles: readonly string[];
  readonly mistakes: readonly Mistake[];
}

/** A known mistake: a plausible wrong version of an exercise's source file. */
export interface Mistake {
  readonly file: string;
  readonly name: string;
  /** The phrase a failing test's message must contain (its `Breaks:` line), or `null` if missing. */
  readonly breaks: string | null;
  /** What the learner got wrong (its `Known mistake:` line), or `null` if missing. */
  readonly description: string | null;
}

const numbered = /^\d\d-/;

/** Every exercise under `exercises/`, in chapter and exercise order. */
export function findExercises(root = repositoryRoot): Exercise[] {
  const exercisesRoot = path.join(root, 'exercises');
  if (!existsSync(exercisesRoot)) return [];
  const exercises: Exercise[] = [];
  for (const chapter of listDirectories(exercisesRoot).filter((name) => numbered.test(name))) {
    for (const exercise of listDirectories(path.join(exercisesRoot, chapter)).filter((name) => numbered.test(name))) {
      const directory = path.join('exercises', chapter, exercise);
      const solutionDirectory = path.join('solutions', chapter, exercise);
      const files = readdirSync(path.join(root, directory));
      const mistakesDirectory = path.join(root, solutionDirectory, 'mistakes');
      exercises.push({
        id: `${chapter}/${exercise}`,
        chapter,
        directory,
        solutionDirectory,
        sourceFiles: files.filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')).map((file) => path.join(directory, file)),
        testFiles: files.filter((file) => file.endsWith('.test.ts')).map((file) => path.join(directory, file)),
        mistakes: existsSync(mistakesDirectory)
          ? readdirSync(mistakesDirectory)
              .filter((file) => file.endsWith('.ts'))
              .sort()
              .map((file) => readMistake(root, path.join(solutionDirectory, 'mistakes', file)))
          : [],
      });
    }
  }
  return exercises;
}

function readMistake(root: string, file: string): Mistake {
  const text = readFileSync(path.join(root, file), 'utf8');
  const header = /^\s*\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '';
  const lines = header.split('\n').map((line) => line.replace(/^\s*\*\s?/, '').trim());
  const field = (label: string) => {
    const start = lines.findIndex((line) => line.startsWith(label));
    if (start === -1) return null;
    const parts = [lines[start]!.slice(label.length).trim()];
    for (let index = start + 1; index < lines.length && lines[index] !== '' && !/^[A-Z][a-z ]+:/.test(lines[index]!); index++) {
      parts.push(lines[index]!);
    }
    return parts.join(' ').trim() || null;
  };
  return {
    file,
    name: path.basename(file, '.ts'),
    breaks: field('Breaks:')?.replace(/^["“]|["”]$/g, '') ?? null,
    description: field('Known mistake:'),
  };
}

function listDirectories(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
