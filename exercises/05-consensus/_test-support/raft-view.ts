/**
 * Test support for chapter 5 (not a learner file): how the tests read a Raft node.
 *
 * Every exercise of the chapter has its own `raft.ts`, so the tests read nodes through this structural
 * view: the Figure 2 state as public fields, plus `role`, `leaderId` and the entries applied so far.
 *
 * 💡 Why this file lives here: the `solutions` test project redirects only the learner files that an
 * exercise's `exercise.json` lists, so this file runs as it is in both projects. It never imports an
 * exercise's `raft.ts`: helpers that need a node take its factory as a parameter (`scripted-runs.ts`).
 *
 * @module
 */
import type { Message, NodeContext, NodeFactory, NodeId } from '#harness';
import type { Simulation } from '#harness/testing';

/** One log entry as the tests see it. */
export interface EntryView {
  readonly index: number;
  readonly term: number;
  readonly command: unknown;
}

/** The last snapshot a node holds (exercise 5). */
export interface SnapshotView {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
}

/** A Raft node, as the tests read it through `sim.nodeInstance(id)`. */
export interface RaftView {
  readonly role: 'follower' | 'candidate' | 'leader';
  readonly currentTerm: number;
  readonly votedFor: NodeId | null;
  /** Entries after the snapshot (all of them before exercise 5). */
  readonly log: readonly EntryView[];
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly leaderId?: NodeId | null;
  /** Entries this instance of the node applied to its state machine, in order (exercise 2 on). */
  readonly applied?: readonly EntryView[];
  /** Exercise 5. */
  readonly snapshot?: SnapshotView | null;
}

/** The node's view, or `undefined` while it is down (or when it is not a Raft node, e.g. a puppet). */
export function viewOf(sim: Simulation, node: NodeId): RaftView | undefined {
  const instance = sim.nodeInstance(node) as unknown as RaftView | undefined;
  return instance !== undefined && typeof instance.currentTerm === 'number' && Array.isArray(instance.log)
    ? instance
    : undefined;
}

/** Index of the last entry in a node's log (counting the snapshot). */
export function lastLogIndex(view: RaftView): number {
  const last = view.log[view.log.length - 1];
  return last === undefined ? snapshotIndex(view) : last.index;
}

/** Term of the last entry in a node's log (counting the snapshot). */
export function lastLogTerm(view: RaftView): number {
  const last = view.log[view.log.length - 1];
  return last === undefined ? (view.snapshot?.lastIncludedTerm ?? 0) : last.term;
}

/** The index covered by the node's snapshot (0 without one). */
export function snapshotIndex(view: RaftView): number {
  return view.snapshot?.lastIncludedIndex ?? 0;
}

/** The entry at `index` in a node's log, or `undefined` (absent, or folded into the snapshot). */
export function entryAt(view: RaftView, index: number): EntryView | undefined {
  return view.log[index - snapshotIndex(view) - 1];
}

/** The term of the entry at `index`, counting the snapshot's last entry; `undefined` if unknown. */
export function termAt(view: RaftView, index: number): number | undefined {
  if (index === 0) return 0;
  if (view.snapshot !== undefined && view.snapshot !== null && index === view.snapshot.lastIncludedIndex)
    return view.snapshot.lastIncludedTerm;
  return entryAt(view, index)?.term;
}

/** The up nodes that believe they lead, with their terms. */
export function leaders(sim: Simulation): Array<{ node: NodeId; term: number }> {
  const found: Array<{ node: NodeId; term: number }> = [];
  for (const node of sim.nodeIds) {
    const view = viewOf(sim, node);
    if (view?.role === 'leader') found.push({ node, term: view.currentTerm });
  }
  return found;
}

/**
 * The leader that a majority of the cluster follows: an up node in role `leader` whose term a majority
 * of all nodes (itself included) have as their currentTerm, without another leader in a higher term.
 * `undefined` while there is none.
 */
export function stableLeader(sim: Simulation, among: readonly NodeId[] = sim.nodeIds): NodeId | undefined {
  const majority = Math.floor(sim.nodeIds.length / 2) + 1;
  let best: { node: NodeId; term: number } | undefined;
  for (const candidate of leaders(sim)) {
    if (!among.includes(candidate.node)) continue;
    if (best === undefined || candidate.term > best.term) best = candidate;
  }
  if (best === undefined) return undefined;
  let sameTerm = 0;
  for (const node of sim.nodeIds) if (viewOf(sim, node)?.currentTerm === best.term) sameTerm++;
  return sameTerm >= majority ? best.node : undefined;
}

/** A short description of a command for messages: `"x7"`, `{"f":"put"}`. */
export function showCommand(command: unknown): string {
  const text = JSON.stringify(command) ?? String(command);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** `[1:t1 "a", 2:t1 "b"]` for failure messages (the last few entries of long logs). */
export function describeLog(view: RaftView, last = 6): string {
  const shown = view.log.slice(-last).map((entry) => `${entry.index}:t${entry.term} ${showCommand(entry.command)}`);
  const skipped = view.log.length - shown.length;
  const prefix = snapshotIndex(view) > 0 ? `snapshot ≤${snapshotIndex(view)}, ` : '';
  return `[${prefix}${skipped > 0 ? `… ${skipped} more, ` : ''}${shown.join(', ')}]`;
}

// ───────────────────────────── puppets: scripted peers for spec tests ─────────────────────────────

/** A message a puppet received. */
export interface PuppetDelivery {
  readonly t: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: Message & Record<string, unknown>;
}

/** A scripted reaction of a puppet to a message it receives. */
export type PuppetReaction = (
  puppet: NodeId,
  from: NodeId,
  message: Message & Record<string, unknown>,
  puppets: Puppets,
) => void;

/**
 * Scripted peers, as in etcd's raft tests: the node under test is real, the other servers of the cluster
 * are puppets that record what they receive and send exactly what the test tells them. So a test can
 * say "n2 asks n1 for its vote in term 2, then n3 does" without depending on timers.
 *
 * ```ts
 * const puppets = new Puppets();
 * const nodes = { n1: createRaftNode, n2: puppets.factory, n3: puppets.factory };
 * ...
 * puppets.send('n2', 'n1', { type: 'RequestVote', term: 2, candidateId: 'n2', lastLogIndex: 0, lastLogTerm: 0 });
 * ```
 */
export class Puppets {
  /** Everything the puppets received, in order. */
  readonly received: PuppetDelivery[] = [];
  readonly #contexts = new Map<NodeId, NodeContext>();
  readonly #reactions = new Map<string, PuppetReaction>();

  /** The factory to give each puppet node in `nodes`. */
  readonly factory: NodeFactory = (ctx) => {
    this.#contexts.set(ctx.id, ctx);
    return {
      onMessage: (context, from, message) => {
        const delivery = {
          t: context.now(),
          from,
          to: context.id,
          message: message as Message & Record<string, unknown>,
        };
        this.received.push(delivery);
        this.#reactions.get(message.type)?.(context.id, from, delivery.message, this);
      },
    };
  };

  /** Makes every puppet react to messages of `type` (replacing an earlier reaction). */
  on(type: string, reaction: PuppetReaction | null): this {
    if (reaction === null) this.#reactions.delete(type);
    else this.#reactions.set(type, reaction);
    return this;
  }

  /** Puppet `from` sends `message` to `to` now. */
  send<M extends Message>(from: NodeId, to: NodeId, message: M): void {
    const ctx = this.#contexts.get(from);
    if (ctx === undefined) throw new Error(`${from} is not a puppet that has started (puppets start at t=0).`);
    ctx.send(to, message);
  }

  /** What the puppets received of `type` (and from `from`, if given). */
  messages<M extends Message>(
    type: M['type'],
    from?: NodeId,
  ): Array<PuppetDelivery & { message: M & Record<string, unknown> }> {
    return this.received.filter((d) => d.message.type === type && (from === undefined || d.from === from)) as Array<
      PuppetDelivery & { message: M & Record<string, unknown> }
    >;
  }
}
