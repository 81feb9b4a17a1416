/**
 * Acknowledged writes to a register that a concurrent write wiped out: what last-writer-wins costs.
 *
 * A register keeps one value, so every write but the last is overwritten. That alone loses nothing: a
 * write that began after `w` was acknowledged replaces `w` in any correct register, one copy or many.
 * What an available (AP) register adds is the other kind: during a partition both sides accept writes,
 * and after the heal last-writer-wins keeps one side's and drops the other's, although no client on
 * the winning side ever saw them.
 *
 * Measured from the outside, against the final value: the write `f` that the final value comes from
 * did not follow an acknowledged write `w` in real time when `f` began before `w` was acknowledged.
 * Then nothing a client did replaced `w`: it was lost to a concurrent writer (or, with a skewed clock,
 * to an earlier one). Each such `w` is counted. A final value that no write wrote loses every
 * acknowledged write.
 *
 * @module
 */
import { at, listSome, plural } from '../_internals/format.ts';
import { type Verdict, type Violation } from '../verdict.ts';
import type { Write, WrittenElement } from './lost-writes.ts';

/** Input to {@link checkConcurrentOverwrites}. */
export interface ConcurrentOverwritesInput {
  /** Every write attempt, each with a value of its own. */
  readonly writes: readonly Write[];
  /** The register's final value, read after the faults healed and the replicas converged (`null`: never written). */
  readonly final: WrittenElement | null;
}

/** An acknowledged write that a write not after it replaced. Evidence: the write. */
export interface ConcurrentOverwrite extends Violation<'concurrent-overwrite', Write> {
  readonly write: Write;
}

/** What {@link checkConcurrentOverwrites} counted. */
export interface ConcurrentOverwritesSummary {
  /** Acknowledged writes. */
  readonly acknowledged: number;
  /** The write the final value comes from, if any. */
  readonly finalWrite: Write | undefined;
  /** How many acknowledged writes were lost to a concurrent writer. */
  readonly lost: number;
  /** The count in a sentence, e.g. `2 of 31 acknowledged writes were lost to a concurrent writer: 10007 and 30012 (...)`. */
  readonly sentence: string;
}

/**
 * The answer of {@link checkConcurrentOverwrites}: `ok` when no acknowledged write was lost. For a
 * last-writer-wins register under partitions, losses are expected: print the sentence.
 */
export type ConcurrentOverwritesVerdict = Verdict<ConcurrentOverwrite, ConcurrentOverwritesSummary>;

/**
 * Counts the acknowledged writes that the final value replaced without following them in real time.
 *
 * Cost: O(writes).
 *
 * @throws Error when two writes share a value: the count needs every value written once.
 */
export function checkConcurrentOverwrites(input: ConcurrentOverwritesInput): ConcurrentOverwritesVerdict {
  const seen = new Set<WrittenElement>();
  for (const write of input.writes) {
    if (seen.has(write.element)) {
      throw new Error(
        `Value ${JSON.stringify(write.element)} is written twice: give every write its own value, or overwrites cannot be told apart.`,
      );
    }
    seen.add(write.element);
  }
  const finalWrite = input.writes.find((write) => write.element === input.final);
  const acknowledged = input.writes.filter((write) => write.status === 'ok');
  const violations: ConcurrentOverwrite[] = acknowledged
    .filter((write) => write !== finalWrite && !followedBy(write, finalWrite))
    .map((write) => ({
      property: 'concurrent-overwrite',
      message: describeOverwrite(write, finalWrite),
      evidence: [write],
      focus: { ids: [String(write.element)], atMs: write.returnMs! },
      write,
    }));
  const summary: ConcurrentOverwritesSummary = {
    acknowledged: acknowledged.length,
    finalWrite,
    lost: violations.length,
    sentence: describeCount(acknowledged.length, violations, finalWrite, input.final),
  };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/** Whether `later` began after `write` was acknowledged, so that any register would replace `write` by it. */
function followedBy(write: Write, later: Write | undefined): boolean {
  return later !== undefined && write.returnMs !== null && later.callMs > write.returnMs;
}

function describeOverwrite(write: Write, finalWrite: Write | undefined): string {
  const who = write.client === undefined ? '' : ` by ${write.client}`;
  const head = `the write of ${JSON.stringify(write.element)}${who} was acknowledged at ${at(write.returnMs!)}`;
  if (finalWrite === undefined) return `${head}, and the final value is none that was written`;
  const by = finalWrite.client === undefined ? '' : ` by ${finalWrite.client}`;
  return `${head}, yet the final value is ${JSON.stringify(finalWrite.element)}, written${by} from ${at(finalWrite.callMs)}: not after it`;
}

function describeCount(
  acknowledged: number,
  lost: readonly ConcurrentOverwrite[],
  finalWrite: Write | undefined,
  final: WrittenElement | null,
): string {
  const winner =
    finalWrite === undefined
      ? `the final value ${JSON.stringify(final)} was never written`
      : `the final value ${JSON.stringify(final)} was written from ${at(finalWrite.callMs)}`;
  if (lost.length === 0) {
    return `none of ${plural(acknowledged, 'acknowledged write')} was lost to a concurrent writer (${winner})`;
  }
  const values = listSome(lost.map((overwrite) => JSON.stringify(overwrite.write.element)));
  return `${lost.length} of ${plural(acknowledged, 'acknowledged write')} were lost to a concurrent writer (${winner}, before they were acknowledged): ${values}`;
}
