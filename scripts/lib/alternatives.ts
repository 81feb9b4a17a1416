/**
 * Alternative solutions: second correct implementations of an exercise, the dual of known mistakes.
 *
 * A reference solution makes choices its spec leaves open (one timer per deadline or a ticking timer,
 * dense or sparse vectors, how many entries a message carries). A test that quietly relies on one of
 * those choices rejects a learner who chose differently, and the learner chases a bug that is not there.
 * An alternative makes other choices the spec allows, and `npm run verify` requires every test of its
 * exercise to pass against it, so such a test cannot land.
 *
 * An alternative is stored as a known mistake is (see `./mistakes.ts`), in a folder of its own:
 * `solutions/<chapter>/<exercise>/alternatives/<name>.patch`, a preamble and then a unified diff against
 * the reference solution. Where the design differs throughout, the diff replaces most of the file.
 *
 * ```text
 * Alternative: one timer that ticks every 10 ms and counts down the election timeout, as etcd's raft does.
 *
 * Choices: a ticked election timer instead of one timer per deadline; the leader steps down when it has
 * not heard from a majority for an election timeout (CheckQuorum).
 *
 * --- a/raft.ts
 * +++ b/raft.ts
 * ...
 * ```
 *
 * `KATA_MISTAKE` (or `KATA_ALTERNATIVE`) naming the patch serves the alternative in place of the
 * solution, so the same runner judges mistakes (every run must fail) and alternatives (every test must
 * pass).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { preambleField, type PatchedSolution } from './mistakes.ts';
import { splitPatch } from './patches.ts';

/** An alternative solution: a correct implementation that makes other choices the spec allows. */
export interface Alternative extends PatchedSolution {
  /** The patch file, relative to the repository root. */
  readonly file: string;
  readonly name: string;
  /** The solution folder the patch applies in, relative to the repository root. */
  readonly solutionDirectory: string;
  /** What the design is (its `Alternative:` line), or `null` if missing. */
  readonly description: string | null;
  /** The choices it makes differently from the reference (its `Choices:` line), or `null` if missing. */
  readonly choices: string | null;
}

/** The folder of an exercise's solution that holds its alternatives. */
export const ALTERNATIVES_FOLDER = 'alternatives';

const PATCH_SUFFIX = '.patch';

/** The alternative solutions of one exercise, by name. */
export function findAlternatives(root: string, solutionDirectory: string): Alternative[] {
  const folder = path.join(root, solutionDirectory, ALTERNATIVES_FOLDER);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith(PATCH_SUFFIX))
    .sort()
    .map((file) => readAlternative(root, path.join(solutionDirectory, ALTERNATIVES_FOLDER, file)));
}

/** Reads one alternative's preamble. `file` is relative to `root`. */
export function readAlternative(root: string, file: string): Alternative {
  const preamble = splitPatch(readFileSync(path.join(root, file), 'utf8')).preamble;
  return {
    file,
    name: path.basename(file, PATCH_SUFFIX),
    solutionDirectory: path.dirname(path.dirname(file)),
    description: preambleField(preamble, 'Alternative:'),
    choices: preambleField(preamble, 'Choices:'),
  };
}

/** Whether a patch file (relative to the repository root) is an alternative rather than a known mistake. */
export function isAlternativeFile(file: string): boolean {
  return path.basename(path.dirname(file)) === ALTERNATIVES_FOLDER;
}
