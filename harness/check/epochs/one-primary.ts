/**
 * One primary per epoch: in each epoch (a term, a view, a ballot: a number that names one reign), at
 * most one node may act as the primary, that is, commit and answer clients as the one in charge.
 *
 * Split brain is two nodes doing so at once. With epochs, the rule becomes checkable from outside:
 * every answer a primary gives names the epoch it served in, and two nodes that answer as primary of
 * the same epoch are a split brain, whatever their clocks said. (Two primaries in *different* epochs
 * may overlap in time: an old one that has not heard of the new epoch yet. Whether it could still
 * commit is for a linearizability checker to judge.)
 *
 * @module
 */
import { at, joinNames, plural } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/** One act only a primary may do (commit an operation, answer a client) by `node`, as primary of `epoch`. */
export interface PrimaryAct {
  readonly node: string;
  /** The epoch the node says it acted in. */
  readonly epoch: number;
  /** When, ms of virtual time. */
  readonly atMs: number;
  /** What it did, for the sentence, e.g. `answered c1's append("k", "x")`. */
  readonly what?: string | undefined;
}

/** Input to {@link checkOnePrimaryPerEpoch}. */
export interface OnePrimaryInput {
  /** Every act of a primary, in any order. */
  readonly acts: readonly PrimaryAct[];
}

/** One epoch's primaries, in the order they first acted. */
export interface EpochPrimaries {
  readonly epoch: number;
  /** Each node that acted as primary of this epoch: how often, first and last time. */
  readonly primaries: readonly {
    readonly node: string;
    readonly acts: number;
    readonly firstMs: number;
    readonly lastMs: number;
  }[];
}

/** An epoch in which two or more nodes acted as primary. Evidence: the first act of each. */
export interface TwoPrimariesInOneEpoch extends Violation<'one-primary-per-epoch', PrimaryAct> {
  readonly epoch: number;
  readonly nodes: readonly string[];
}

/** What {@link checkOnePrimaryPerEpoch} counted, reported whether or not it passed. */
export interface OnePrimarySummary {
  /** Every epoch in which some node acted as primary, in increasing order. */
  readonly epochs: readonly EpochPrimaries[];
  /** E.g. `epoch 1: n1 (12 acts); epoch 2: n2 (30 acts)`. */
  readonly sentence: string;
}

/** The answer of {@link checkOnePrimaryPerEpoch}. */
export type OnePrimaryVerdict = Verdict<TwoPrimariesInOneEpoch, OnePrimarySummary>;

/**
 * Groups the acts by epoch and reports each epoch in which more than one node acted as primary.
 *
 * Cost: O(acts · log acts).
 *
 * @throws RangeError when an act's epoch is not a whole number: the input comes from a test, and
 *   an answer without an epoch cannot be judged.
 */
export function checkOnePrimaryPerEpoch(input: OnePrimaryInput): OnePrimaryVerdict {
  const byEpoch = new Map<number, Map<string, PrimaryAct[]>>();
  for (const act of [...input.acts].sort((a, b) => a.atMs - b.atMs)) {
    if (!Number.isInteger(act.epoch)) {
      throw new RangeError(
        `${act.node} acted as primary at ${at(act.atMs)} in epoch ${String(act.epoch)}: an epoch is a whole number.`,
      );
    }
    const nodes = byEpoch.get(act.epoch) ?? new Map<string, PrimaryAct[]>();
    byEpoch.set(act.epoch, nodes);
    nodes.set(act.node, [...(nodes.get(act.node) ?? []), act]);
  }
  const epochs: EpochPrimaries[] = [];
  const violations: TwoPrimariesInOneEpoch[] = [];
  for (const epoch of [...byEpoch.keys()].sort((a, b) => a - b)) {
    const nodes = byEpoch.get(epoch)!;
    const primaries = [...nodes].map(([node, acts]) => ({
      node,
      acts: acts.length,
      firstMs: acts[0]!.atMs,
      lastMs: acts[acts.length - 1]!.atMs,
    }));
    epochs.push({ epoch, primaries });
    if (primaries.length < 2) continue;
    const firsts = [...nodes.values()].map((acts) => acts[0]!);
    const each = firsts.map((act) => `${act.node} ${act.what ?? 'acted'} at ${at(act.atMs)}`);
    violations.push({
      property: 'one-primary-per-epoch',
      message: `${primaries.length} nodes acted as primary in epoch ${epoch}: ${joinNames(each)}`,
      evidence: firsts,
      focus: { nodes: primaries.map((primary) => primary.node), atMs: firsts[1]!.atMs },
      epoch,
      nodes: primaries.map((primary) => primary.node),
    });
  }
  const summary: OnePrimarySummary = { epochs, sentence: describeEpochs(epochs) };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/** {@link checkOnePrimaryPerEpoch}, throwing a `PropertyViolated` ("one-primary-per-epoch: …") on a split brain. */
export function assertOnePrimaryPerEpoch(input: OnePrimaryInput): OnePrimarySummary & { readonly ok: true } {
  return throwOnViolations(checkOnePrimaryPerEpoch(input));
}

function describeEpochs(epochs: readonly EpochPrimaries[]): string {
  if (epochs.length === 0) return 'no node acted as primary';
  return epochs
    .map(
      ({ epoch, primaries }) =>
        `epoch ${epoch}: ${joinNames(primaries.map((primary) => `${primary.node} (${plural(primary.acts, 'act')})`))}`,
    )
    .join('; ');
}
