/**
 * `npm run classroom -- student-copy <dir>`: a learner's copy of the workshop, as a fresh git repository
 * whose one commit starts at the stubs.
 *
 * The copy is the committed tree (`git archive HEAD`) without the reference material: no `solutions/`
 * (solutions, notes, known mistakes, alternatives, chapter 5's patches, trace hashes), no CI script (it
 * runs `verify`), no instructor's or authors' guide. The npm scripts that need the solutions refuse and
 * say why (`copy-scripts.ts`), the markdown loses its links to what was left out, and the README says
 * what the copy is. Chapter 5's stubs keep the previous exercise's solution: that is how the chapter is
 * built, and each exercise's own solution is never in a stub.
 *
 * Before it returns, the copy is searched (every file and the whole history) for a line only the
 * solutions have ({@link distinctiveSolutionLines}); a hit is an error, and the copy is not handed out.
 *
 * `withBugs` names exercises whose bug katas the copy carries (`bug-katas/`, see `scripts/lib/bug-katas.ts`).
 * A bug kata is the exercise's reference solution with one small mistake, so this gives those
 * exercises' solutions away nearly whole: name only exercises the class has finished.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bugBundles, findBugKatas } from '../lib/bug-katas.ts';
import type { Exercise } from '../lib/exercises.ts';
import { studentScripts } from './copy-scripts.ts';
import { studentReadme, unlinkLeftOut } from './copy-markdown.ts';
import { distinctiveSolutionLines, type SolutionLine } from './solution-lines.ts';

/** What the copy leaves out, relative to the root: the reference material, and what only serves it. */
export const LEFT_OUT = [
  'solutions',
  '.ci',
  path.join('docs', 'instructor-guide.md'),
  path.join('docs', 'authoring-exercises.md'),
];

/** The message of the copy's one commit. */
export const COPY_COMMIT_MESSAGE = 'Distributed systems workshop: the exercises, at their stubs';

/** What {@link writeStudentCopy} made. */
export interface StudentCopy {
  readonly directory: string;
  /** The commit of the copy's one commit. */
  readonly commit: string;
  /** The exercises whose bug katas the copy carries, and how many katas in all. */
  readonly bugExercises: readonly string[];
  readonly bugKatas: number;
  /** How many solution lines the leak check looked for. */
  readonly linesChecked: number;
}

/** Options of {@link writeStudentCopy}. */
export interface StudentCopyOptions {
  /** Exercises whose bug katas go into the copy (their solutions then go with them). */
  readonly withBugs?: readonly Exercise[];
}

/**
 * Writes a learner's copy of the repository at `root` into `target` (which must not exist, or be an empty
 * folder). Throws when `target` is not empty, or when the copy turns out to contain a solution's line.
 */
export function writeStudentCopy(root: string, target: string, options: StudentCopyOptions = {}): StudentCopy {
  const directory = path.resolve(target);
  if (existsSync(directory) && readdirSync(directory).length > 0)
    throw new Error(`${target} is not empty: a student copy goes into a new (or empty) folder.`);
  if (!existsSync(path.join(root, 'solutions')))
    throw new Error(`${root} has no solutions/ folder: it already is a learner's copy.`);
  mkdirSync(directory, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', 'HEAD'], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', directory], { input: archive });
  const bugs = options.withBugs ?? [];
  const bundles = bugs.flatMap((exercise) => bugBundles(findBugKatas(root, exercise), exercise));
  for (const entry of LEFT_OUT) rmSync(path.join(directory, entry), { recursive: true, force: true });
  rewritePackageScripts(directory);
  rewriteMarkdown(directory);
  for (const bundle of bundles) {
    mkdirSync(path.dirname(path.join(directory, bundle.file)), { recursive: true });
    writeFileSync(path.join(directory, bundle.file), bundle.text);
  }
  const commit = commitEverything(directory);
  const lines = distinctiveSolutionLines(
    root,
    3,
    bugs.map((exercise) => exercise.solutionDirectory),
  );
  const leaks = findLeaks(directory, lines);
  if (leaks.length > 0) {
    const shown = leaks.slice(0, 5).map((leak) => `  ${leak.file}: ${leak.line}`);
    throw new Error(
      `The copy in ${target} contains ${leaks.length} line(s) that only the solutions have; do not hand it out:\n${shown.join('\n')}`,
    );
  }
  return {
    directory,
    commit,
    bugExercises: bugs.map((exercise) => exercise.id),
    bugKatas: bundles.length,
    linesChecked: lines.length,
  };
}

function rewritePackageScripts(directory: string): void {
  const file = path.join(directory, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { scripts?: Record<string, string> };
  manifest.scripts = studentScripts(manifest.scripts ?? {});
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
}

/** Every markdown file of the copy loses its links to what was left out; the README gets its note. */
function rewriteMarkdown(directory: string): void {
  const leftOut = LEFT_OUT.map((entry) => path.join(directory, entry));
  const isLeftOut = (file: string) => leftOut.some((entry) => file === entry || file.startsWith(entry + path.sep));
  for (const file of markdownFiles(directory)) {
    const text = readFileSync(file, 'utf8');
    let next = unlinkLeftOut(text, path.dirname(file), isLeftOut);
    if (file === path.join(directory, 'README.md')) next = studentReadme(next);
    if (next !== text) writeFileSync(file, next);
  }
}

function markdownFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    if (name === 'node_modules' || name === '.git') return [];
    const file = path.join(folder, name);
    if (statSync(file).isDirectory()) return markdownFiles(file);
    return name.endsWith('.md') ? [file] : [];
  });
}

function commitEverything(directory: string): string {
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      [
        '-c',
        'user.name=Workshop',
        '-c',
        'user.email=workshop@localhost',
        '-c',
        'commit.gpgsign=false',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ],
      { cwd: directory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim();
  git('init', '--quiet');
  git('add', '--all');
  git('commit', '--quiet', '--no-verify', '-m', COPY_COMMIT_MESSAGE);
  return git('rev-parse', 'HEAD');
}

/**
 * The solution lines found in the copy: in a file of its working tree, or anywhere in its history
 * (`git log -p --all`, which covers every commit of every branch).
 */
export function findLeaks(directory: string, lines: readonly SolutionLine[]): SolutionLine[] {
  const history = execFileSync('git', ['log', '-p', '--all', '--format=%H %s'], {
    cwd: directory,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const tree = execFileSync('git', ['grep', '--no-index', '--exclude-standard', '-I', '-h', '-e', '', '--', '.'], {
    cwd: directory,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  // Whole lines, trimmed; a line of `git log -p` also counts without its diff marker (+, - or space).
  const seen = new Set<string>();
  for (const line of `${history}\n${tree}`.split('\n')) {
    seen.add(line.trim());
    seen.add(line.slice(1).trim());
  }
  return lines.filter((entry) => seen.has(entry.line));
}
