/**
 * The few git calls the kata command makes. Each runs in the given root and never changes the index or
 * the working tree.
 *
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** Runs git in `root` and returns its stdout, or throws an Error carrying git's stderr. */
export function git(root: string, args: readonly string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

/** Is `root` inside a git work tree (and is git installed)? */
export function isGitRepository(root: string): boolean {
  const result = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return result.status === 0 && result.stdout.trim() === 'true';
}

/** The commits that touched `file`, newest first (full hashes; empty when git never saw the file). */
export function commitsTouching(root: string, file: string): string[] {
  return git(root, ['log', '--format=%H', '--', file])
    .split('\n')
    .filter((line) => line !== '');
}

/** `file` as it was in `commit`, or `null` when it did not exist there. */
export function fileAt(root: string, commit: string, file: string): string | null {
  const result = spawnSync('git', ['show', `${commit}:${file.split('\\').join('/')}`], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return result.status === 0 ? result.stdout : null;
}

/** The short hash of HEAD, or `null` outside a repository or before the first commit. */
export function headCommit(root: string): string | null {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return result.status === 0 ? result.stdout.trim() : null;
}
