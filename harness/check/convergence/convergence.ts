/**
 * Eventual convergence: once faults heal and messages stop, every replica ends in the same state.
 *
 * Eventually consistent systems (gossip, anti-entropy, CRDTs) let replicas disagree for a while; what
 * they promise is that the disagreement ends. Give the checker the replicas' final states, taken after
 * the harness healed every fault and let the system run quietly, and it tells you whether they agree,
 * and if not, who holds what.
 *
 * @module
 */
// The verdict shape and wording helpers are shared with the delivery checkers. They would sit better in
// a common `harness/check/` module; they live in `delivery/` because that folder is where they started.
import { joinNames } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';
import { canonicalKey, describeDifference, render } from './_internals/canonical.ts';

/** Final replica states by node id: a plain object or a `Map`. */
export type ReplicaStates<State> = Readonly<Record<string, State>> | ReadonlyMap<string, State>;

/** Input to {@link checkConvergence}. */
export interface ConvergenceInput<State> {
  /** Each replica's state at the end of the run, after healing, by node id. */
  readonly replicas: ReplicaStates<State>;
  /**
   * When two states count as the same. Must be an equivalence (reflexive, symmetric, transitive).
   * Default: equal as data, i.e. the same canonical JSON: object keys in any order, `Set`s and `Map`s
   * in any insertion order. Supply one when your state holds bookkeeping that may legitimately differ,
   * such as version vectors or timestamps next to the value.
   */
  readonly equal?: ((a: State, b: State) => boolean) | undefined;
  /**
   * How to print a state in messages. Default: a short rendering such as `{a,b}` for a set or
   * `{x:1}` for an object, cut after about 60 characters.
   */
  readonly describe?: ((state: State) => string) | undefined;
}

/** Replicas that hold the same state. */
export interface ReplicaGroup<State> {
  /** The nodes holding this state, in input order. */
  readonly nodes: readonly string[];
  /** The state they hold (the first node's copy). */
  readonly state: State;
}

/** The replicas ended in different states. Evidence: the groups, largest first. */
export interface ConvergenceViolation<State> extends Violation<'convergence', ReplicaGroup<State>> {
  readonly groups: readonly ReplicaGroup<State>[];
}

/** What {@link checkConvergence} saw, reported whether or not it passed. */
export interface ConvergenceSummary<State> {
  /** Number of replicas compared. */
  readonly replicas: number;
  /** Replicas grouped by state, largest group first (ties: first appearance). One group when converged. */
  readonly groups: readonly ReplicaGroup<State>[];
}

/** The answer of {@link checkConvergence}. */
export type ConvergenceVerdict<State> = Verdict<ConvergenceViolation<State>, ConvergenceSummary<State>>;

/** How many groups a message describes before "and N more states". */
const DESCRIBED_GROUPS = 5;

/**
 * Checks that every replica holds the same final state.
 *
 * When they do not, the single `convergence` violation groups the replicas by state, largest group
 * first, and describes each minority group against the largest one, e.g.
 * `3 replicas hold 2 different states: n1 and n2 hold {a,b}; n3 holds {a} (lacks b)`. The "(lacks b)"
 * part is computed for sets, arrays, maps and plain objects under the default equality only.
 *
 * No replicas, or one, trivially converge.
 *
 * Cost: with the default equality, O(total size of the states) to compute canonical keys (plus sorting
 * inside sets and maps). With a custom `equal`, O(R·G) calls for R replicas in G groups.
 *
 * @throws Error (default equality only) if a state contains a cycle, a function or a symbol.
 *
 * @example
 * ```ts
 * checkConvergence({ replicas: { n1: new Set(['a', 'b']), n2: new Set(['b', 'a']), n3: new Set(['a']) } });
 * // ok: false — "3 replicas hold 2 different states: n1 and n2 hold {a,b}; n3 holds {a} (lacks b)"
 * ```
 */
export function checkConvergence<State>(input: ConvergenceInput<State>): ConvergenceVerdict<State> {
  const entries: ReadonlyArray<readonly [string, State]> =
    input.replicas instanceof Map
      ? [...(input.replicas as ReadonlyMap<string, State>)]
      : Object.entries(input.replicas as Readonly<Record<string, State>>);
  const groups = input.equal === undefined ? groupByKey(entries) : groupByEqual(entries, input.equal);
  groups.sort((a, b) => b.nodes.length - a.nodes.length); // stable: ties keep first appearance
  const summary: ConvergenceSummary<State> = { replicas: entries.length, groups };
  if (groups.length <= 1) return { ok: true, ...summary };
  const violation: ConvergenceViolation<State> = {
    property: 'convergence',
    message: describeGroups(entries.length, groups, input.describe ?? render, input.equal === undefined),
    groups,
    evidence: groups,
  };
  return { ok: false, violations: [violation], ...summary };
}

/**
 * Like {@link checkConvergence}, but throws when the replicas disagree.
 *
 * @returns the passing verdict.
 * @throws Error whose message starts with `convergence` and says who holds what.
 */
export function assertConvergence<State>(
  input: ConvergenceInput<State>,
): Extract<ConvergenceVerdict<State>, { ok: true }> {
  return throwOnViolations(checkConvergence(input));
}

interface MutableGroup<State> {
  readonly nodes: string[];
  readonly state: State;
}

function groupByKey<State>(entries: ReadonlyArray<readonly [string, State]>): MutableGroup<State>[] {
  const byKey = new Map<string, MutableGroup<State>>();
  for (const [node, state] of entries) {
    const key = canonicalKey(state);
    const group = byKey.get(key);
    if (group === undefined) byKey.set(key, { nodes: [node], state });
    else group.nodes.push(node);
  }
  return [...byKey.values()];
}

function groupByEqual<State>(
  entries: ReadonlyArray<readonly [string, State]>,
  equal: (a: State, b: State) => boolean,
): MutableGroup<State>[] {
  const groups: MutableGroup<State>[] = [];
  for (const [node, state] of entries) {
    const group = groups.find((candidate) => equal(candidate.state, state));
    if (group === undefined) groups.push({ nodes: [node], state });
    else group.nodes.push(node);
  }
  return groups;
}

function describeGroups<State>(
  replicas: number,
  groups: readonly ReplicaGroup<State>[],
  describe: (state: State) => string,
  structural: boolean,
): string {
  const largest = groups[0]!;
  const parts = groups.slice(0, DESCRIBED_GROUPS).map((group, index) => {
    const verb = group.nodes.length === 1 ? 'holds' : 'hold';
    const difference = index > 0 && structural ? describeDifference(largest.state, group.state) : undefined;
    return `${joinNames(group.nodes)} ${verb} ${describe(group.state)}${difference === undefined ? '' : ` (${difference})`}`;
  });
  const rest = groups.length - DESCRIBED_GROUPS;
  const more = rest > 0 ? `; and ${rest} more ${rest === 1 ? 'state' : 'states'}` : '';
  return `${replicas} replicas hold ${groups.length} different states: ${parts.join('; ')}${more}`;
}
