/**
 * Test support for chapter 5 (not a learner file): Raft's safety properties (Figure 3 of the paper),
 * checked after EVERY event of a run with `sim.watch`.
 *
 * The first violation stops the run at the event that broke it, with a sentence that names the
 * property and the two conflicting facts ("two leaders in term 4: n1 at t=812 ms, n3 at t=830 ms").
 *
 * Each check is incremental, so watching costs little: after an event, only the nodes it concerns (the
 * receiver of a message, the owner of a timer) and the nodes whose state visibly changed are checked; a
 * log entry is checked once per node when it first appears, a commit once when commitIndex moves, a
 * message once when it is sent. The messages come from `sim.onEvent`, so the checks work with the
 * trace off too.
 *
 * @module
 */
import type { NodeId } from '#harness';
import type { Simulation, TraceEvent } from '#harness/testing';
import { entryAt, showCommand, snapshotIndex, termAt, viewOf, type EntryView, type RaftView } from './raft-view.ts';

/** The properties that can be watched. */
export type RaftProperty =
  /** At most one leader per term (§5.2). */
  | 'election-safety'
  /** A node's currentTerm never goes down, and it votes at most once per term (§5.1, §5.2). */
  | 'terms-and-votes'
  /** Two entries with the same index and term hold the same command after the same history (§5.3). */
  | 'log-matching'
  /** A committed entry is in the log of every leader of a later term, and is never changed (§5.4). */
  | 'leader-completeness'
  /** A leader advances commitIndex only onto an entry of its own term (§5.4.2, Figure 8). */
  | 'commit-rule'
  /** Each node applies entries in index order, each once; no two nodes apply different entries at one index (§5.4.3). */
  | 'state-machine-safety'
  /** What a node revealed in a message survives its crash: currentTerm, votedFor, acknowledged entries (Figure 2). */
  | 'durability';

/** Every property. */
export const ALL_PROPERTIES: readonly RaftProperty[] = [
  'election-safety',
  'terms-and-votes',
  'log-matching',
  'leader-completeness',
  'commit-rule',
  'state-machine-safety',
  'durability',
];

interface Fact {
  readonly node: NodeId;
  readonly t: number;
}

interface EntryRecord extends Fact {
  readonly commandKey: string;
  readonly command: unknown;
  /** Term of the entry just before it (undefined when unknown, e.g. right after a snapshot). */
  readonly prevTerm: number | undefined;
}

interface CommitRecord extends Fact {
  readonly term: number;
  readonly commandKey: string;
  readonly command: unknown;
  /** The currentTerm of the node that was first seen with it committed. */
  readonly inTerm: number;
}

interface Promise_ extends Fact {
  /** What the node revealed, in words (built only when a check fails). */
  readonly what: () => string;
}

/** What the observer remembers about one node. */
interface Tracked {
  instance: RaftView | undefined;
  /** Whether an instance of this node was seen before: the next new instance is a restart. */
  seenBefore: boolean;
  /** When the node was last seen going down. */
  crashedAtMs: number | null;
  term: number;
  /** The first vote this instance cast in `term`. */
  vote: { readonly term: number; readonly candidate: NodeId; readonly t: number } | null;
  /** The entry objects already checked, by position in the log, and the snapshot index they start after. */
  checkedEntries: unknown[];
  logBase: number;
  commitIndex: number;
  /** How many of `applied` were checked, and the index of the last one. */
  appliedChecked: number;
  lastAppliedIndex: number | null;
  /** While leader: its term and commitIndex when it was first seen leading. */
  leading: { readonly term: number; commitIndex: number } | null;
  /** What the checks read of the node, as last checked: when none of it changed, nothing new can be wrong. */
  seen: Fingerprint | null;
}

/** The parts of a node's state the checks read, by identity and size (see {@link fingerprintOf}). */
interface Fingerprint {
  readonly instance: RaftView | undefined;
  readonly log: readonly EntryView[] | undefined;
  readonly logLength: number;
  readonly lastEntry: EntryView | undefined;
  readonly currentTerm: number | undefined;
  readonly votedFor: NodeId | null | undefined;
  readonly role: string | undefined;
  readonly commitIndex: number | undefined;
  readonly applied: readonly EntryView[] | undefined;
  readonly appliedLength: number;
  readonly snapshot: unknown;
}

function fingerprintOf(view: RaftView | undefined): Fingerprint {
  return {
    instance: view,
    log: view?.log,
    logLength: view?.log.length ?? 0,
    lastEntry: view?.log[view.log.length - 1],
    currentTerm: view?.currentTerm,
    votedFor: view?.votedFor,
    role: view?.role,
    commitIndex: view?.commitIndex,
    applied: view?.applied,
    appliedLength: view?.applied?.length ?? 0,
    snapshot: view?.snapshot,
  };
}

function sameFingerprint(seen: Fingerprint, view: RaftView | undefined): boolean {
  return (
    seen.instance === view &&
    seen.log === view?.log &&
    seen.logLength === (view?.log.length ?? 0) &&
    seen.lastEntry === view?.log[view.log.length - 1] &&
    seen.currentTerm === view?.currentTerm &&
    seen.votedFor === view?.votedFor &&
    seen.role === view?.role &&
    seen.commitIndex === view?.commitIndex &&
    seen.applied === view?.applied &&
    seen.appliedLength === (view?.applied?.length ?? 0) &&
    seen.snapshot === view?.snapshot
  );
}

/**
 * The server whose code an event ran or that it changed: the receiver of a delivery, the owner of a
 * timer, the node that started, crashed, sent or logged. `null` for events of no one server.
 */
function nodeOfEvent(event: TraceEvent): NodeId | null {
  switch (event.kind) {
    case 'deliver':
      return event.to;
    case 'send':
      return event.from;
    case 'start':
    case 'crash':
    case 'restart':
    case 'timer-set':
    case 'timer-fire':
    case 'timer-cancel':
    case 'log':
      return event.node;
    default:
      return null;
  }
}

/** Options for {@link watchRaft}. */
export interface WatchOptions {
  /** The properties to check (default: all but durability). */
  readonly properties?: readonly RaftProperty[];
}

/** What the tests can read from a watched run afterwards. */
export interface RaftObserver {
  /** Every (term → leader) seen, with when it was first seen leading. */
  readonly leadersByTerm: ReadonlyMap<number, Fact>;
  /** The committed entries seen so far, by index. */
  readonly committed: ReadonlyMap<number, CommitRecord>;
  /** Number of committed entries (the highest committed index seen anywhere). */
  readonly highestCommitted: number;
}

const commandKeys = new WeakMap<object, string>();

function commandKeyOf(entry: EntryView): string {
  if (typeof entry === 'object' && entry !== null) {
    const cached = commandKeys.get(entry);
    if (cached !== undefined) return cached;
    const key = JSON.stringify(entry.command) ?? 'undefined';
    commandKeys.set(entry, key);
    return key;
  }
  return String(entry);
}

/**
 * Watches Raft's safety properties on every event of `sim`. Call it before running. Returns an object
 * that the test may read afterwards (leaders per term, committed entries).
 */
export function watchRaft(sim: Simulation, options: WatchOptions = {}): RaftObserver {
  const properties = new Set(options.properties ?? ALL_PROPERTIES.filter((p) => p !== 'durability'));
  const tracked = new Map<NodeId, Tracked>();
  for (const node of sim.nodeIds) {
    tracked.set(node, {
      instance: undefined,
      seenBefore: false,
      crashedAtMs: null,
      term: 0,
      vote: null,
      checkedEntries: [],
      logBase: 0,
      commitIndex: 0,
      appliedChecked: 0,
      lastAppliedIndex: null,
      leading: null,
      seen: null,
    });
  }
  const leadersByTerm = new Map<number, Fact>();
  const entries = new Map<number, Map<number, EntryRecord>>();
  const committed = new Map<number, CommitRecord>();
  const appliedAt = new Map<number, Fact & { term: number; commandKey: string; command: unknown }>();
  // Durability: what each node has revealed in messages.
  const promisedTerm = new Map<NodeId, Promise_ & { term: number }>();
  const promisedVote = new Map<NodeId, Promise_ & { term: number; candidate: NodeId }>();
  const promisedLog = new Map<NodeId, Promise_ & { term: number; terms: Array<number | undefined> }>();
  // AppendEntries sent and not yet delivered, by message id: a delivery can end a promise.
  const appendsSent = new Map<number, AppendEntriesView>();
  const promisedCommit = new Map<NodeId, Promise_ & { terms: Array<number | undefined> }>();
  // What the events since the last check concern: the servers they name, and the messages durability reads.
  const servers = new Set(sim.nodeIds);
  const touched = new Set<NodeId>();
  let eventsSinceCheck = 0;
  const messages: Array<Extract<TraceEvent, { kind: 'send' | 'deliver' }>> = [];
  const durable = properties.has('durability');
  sim.onEvent((event) => {
    eventsSinceCheck++;
    const node = nodeOfEvent(event);
    if (node !== null) touched.add(node);
    if (!durable) return;
    if (
      (event.kind === 'deliver' && event.type === 'AppendEntries') ||
      (event.kind === 'send' && servers.has(event.from))
    )
      messages.push(event);
  });
  const observer = { leadersByTerm, committed, highestCommitted: 0 };

  const check = (): string | null => {
    const now = sim.nowMs;
    if (durable) {
      const problem = readPromises();
      if (problem !== null) return problem;
    }
    // An event that names no server (a scripted action, a timer of a node that crashed since) may have
    // changed any of them: check them all.
    const checkAll = eventsSinceCheck === 0;
    eventsSinceCheck = 0;
    for (const node of sim.nodeIds) {
      const state = tracked.get(node)!;
      const view = viewOf(sim, node);
      if (!checkAll && !touched.has(node) && state.seen !== null && sameFingerprint(state.seen, view)) continue;
      const problem = checkNode(node, state, view, now);
      state.seen = problem === null ? fingerprintOf(view) : null;
      if (problem !== null) return problem;
    }
    touched.clear();
    return null;
  };

  function checkNode(node: NodeId, state: Tracked, view: RaftView | undefined, now: number): string | null {
    {
      if (view === undefined) {
        if (state.instance !== undefined) {
          state.instance = undefined;
          state.crashedAtMs = now;
        }
        return null;
      }
      if (view !== state.instance) {
        const problem =
          state.seenBefore && properties.has('durability') ? checkRestart(node, view, state.crashedAtMs ?? now) : null;
        // Entries a restarted node already holds as applied were restored from its storage: they are its
        // history, not new applications (applying after them is checked).
        const restoredApplied = view.applied ?? [];
        Object.assign(state, {
          instance: view,
          seenBefore: true,
          crashedAtMs: null,
          term: view.currentTerm,
          vote: null,
          checkedEntries: [],
          logBase: 0,
          commitIndex: view.commitIndex,
          appliedChecked: restoredApplied.length,
          lastAppliedIndex: restoredApplied[restoredApplied.length - 1]?.index ?? null,
          leading: null,
          seen: null,
        });
        if (problem !== null) return problem;
      }
      const problem =
        (properties.has('terms-and-votes') ? checkTermsAndVotes(node, view, state) : null) ??
        (properties.has('election-safety') ? checkElectionSafety(node, view) : null) ??
        (properties.has('log-matching') ? checkLog(node, view, state) : null) ??
        checkCommit(node, view, state) ??
        (properties.has('state-machine-safety') ? checkApplied(node, view, state) : null);
      if (problem !== null) return problem;
      state.term = view.currentTerm;
    }
    return null;
  }

  // ─────────── §5.1, §5.2: terms and votes ───────────

  function checkTermsAndVotes(node: NodeId, view: RaftView, state: Tracked): string | null {
    if (view.currentTerm < state.term) {
      return (
        `Terms (§5.1) broken: ${node}'s currentTerm went down from ${state.term} to ${view.currentTerm} at t=${sim.nowMs} ms. ` +
        'A server only ever increases currentTerm.'
      );
    }
    if (view.votedFor === null || view.votedFor === undefined) return null;
    const vote = state.vote;
    if (vote === null || vote.term !== view.currentTerm) {
      state.vote = { term: view.currentTerm, candidate: view.votedFor, t: sim.nowMs };
      return null;
    }
    if (vote.candidate !== view.votedFor) {
      return (
        `Votes (§5.2) broken: ${node} voted twice in term ${view.currentTerm}: for ${vote.candidate} at t=${vote.t} ms and for ` +
        `${view.votedFor} at t=${sim.nowMs} ms. A server votes for at most one candidate per term (votedFor).`
      );
    }
    return null;
  }

  // ─────────── §5.2: election safety ───────────

  function checkElectionSafety(node: NodeId, view: RaftView): string | null {
    if (view.role !== 'leader') return null;
    const first = leadersByTerm.get(view.currentTerm);
    if (first === undefined) {
      leadersByTerm.set(view.currentTerm, { node, t: sim.nowMs });
      return null;
    }
    if (first.node === node) return null;
    return (
      `Election Safety (§5.2) broken: two leaders in term ${view.currentTerm}: ${first.node} at t=${first.t} ms, ${node} at t=${sim.nowMs} ms. ` +
      'A candidate needs votes from a majority, and each server votes at most once per term.'
    );
  }

  // ─────────── §5.3: log matching ───────────

  function checkLog(node: NodeId, view: RaftView, state: Tracked): string | null {
    const log = view.log;
    const base = snapshotIndex(view);
    if (base !== state.logBase) {
      // A snapshot moved the log's start: positions shifted, so check the entries afresh.
      state.logBase = base;
      state.checkedEntries = [];
    }
    const checked = state.checkedEntries as Array<EntryView | undefined>;
    for (let position = log.length; position < checked.length; position++) {
      const problem = checkNotCommitted(node, checked[position]!, undefined);
      if (problem !== null) return problem;
    }
    if (checked.length > log.length) checked.length = log.length;
    for (let position = 0; position < log.length; position++) {
      const entry = log[position]!;
      const previous = checked[position];
      if (previous === entry) continue;
      const index = base + position + 1;
      if (entry === null || typeof entry !== 'object' || entry.index !== index || typeof entry.term !== 'number') {
        return (
          `Log layout broken: ${node}'s log holds ${JSON.stringify(entry)} at position ${position}, where the tests expect the entry ` +
          `with index ${index}: keep \`log[k].index === ${base > 0 ? 'snapshot.lastIncludedIndex + ' : ''}k + 1\` and a numeric term.`
        );
      }
      if (previous !== undefined) {
        const problem = checkNotCommitted(node, previous, entry);
        if (problem !== null) return problem;
      }
      const prevTerm = position > 0 ? log[position - 1]!.term : base > 0 ? termAt(view, base) : 0;
      if (prevTerm !== undefined && entry.term < prevTerm) {
        return (
          `Log Matching (§5.3) broken: ${node}'s log has entry ${index} in term ${entry.term} after an entry of term ${prevTerm}: ` +
          'terms in a log never go down.'
        );
      }
      const problem = recordEntry(node, entry, prevTerm);
      if (problem !== null) return problem;
      checked[position] = entry;
    }
    return null;
  }

  /** A committed entry may never leave a log (except into a snapshot) nor be replaced by another. */
  function checkNotCommitted(node: NodeId, removed: EntryView, replacement: EntryView | undefined): string | null {
    if (!properties.has('leader-completeness')) return null;
    const record = committed.get(removed.index);
    if (record === undefined || record.term !== removed.term) return null;
    if (replacement !== undefined && replacement.term === removed.term) return null;
    const how =
      replacement === undefined
        ? 'removed'
        : `replaced with ${showCommand(replacement.command)} (term ${replacement.term})`;
    return (
      `Leader Completeness (§5.4) broken: ${node} ${how} committed entry ${removed.index} ${showCommand(removed.command)} (term ${removed.term}) ` +
      `at t=${sim.nowMs} ms; ${record.node} had committed it at t=${record.t} ms. A follower deletes entries only where they conflict ` +
      "with the leader's (a stale or repeated AppendEntries must not cut the log short), and a committed entry never conflicts."
    );
  }

  function recordEntry(node: NodeId, entry: EntryView, prevTerm: number | undefined): string | null {
    let byTerm = entries.get(entry.index);
    if (byTerm === undefined) entries.set(entry.index, (byTerm = new Map()));
    const commandKey = commandKeyOf(entry);
    const first = byTerm.get(entry.term);
    if (first === undefined) {
      byTerm.set(entry.term, { node, t: sim.nowMs, commandKey, command: entry.command, prevTerm });
      return null;
    }
    if (first.commandKey !== commandKey) {
      return (
        `Log Matching (§5.3) broken: entry ${entry.index} of term ${entry.term} holds ${showCommand(first.command)} in ${first.node}'s log ` +
        `(t=${first.t} ms) but ${showCommand(entry.command)} in ${node}'s log (t=${sim.nowMs} ms). A leader creates at most one entry ` +
        'per index in its term, and followers store what it sent.'
      );
    }
    if (first.prevTerm !== undefined && prevTerm !== undefined && first.prevTerm !== prevTerm) {
      return (
        `Log Matching (§5.3) broken: entry ${entry.index} of term ${entry.term} follows an entry of term ${first.prevTerm} in ${first.node}'s ` +
        `log (t=${first.t} ms) but an entry of term ${prevTerm} in ${node}'s log (t=${sim.nowMs} ms): the logs differ before it. A follower ` +
        'stores entries only after an entry matching prevLogIndex and prevLogTerm (the consistency check).'
      );
    }
    return null;
  }

  // ─────────── §5.4: commits, leader completeness and the commit rule ───────────

  function checkCommit(node: NodeId, view: RaftView, state: Tracked): string | null {
    const isLeader = view.role === 'leader';
    if (!isLeader) state.leading = null;
    else if (state.leading === null || state.leading.term !== view.currentTerm) {
      state.leading = { term: view.currentTerm, commitIndex: view.commitIndex };
      const problem = properties.has('leader-completeness') ? checkNewLeader(node, view) : null;
      if (problem !== null) return problem;
    }
    if (view.commitIndex <= state.commitIndex) {
      state.commitIndex = view.commitIndex;
      return null;
    }
    const from = state.commitIndex;
    state.commitIndex = view.commitIndex;
    if (
      properties.has('commit-rule') &&
      isLeader &&
      state.leading !== null &&
      view.commitIndex > state.leading.commitIndex
    ) {
      const term = termAt(view, view.commitIndex);
      if (term !== undefined && term !== view.currentTerm) {
        return (
          `Commit rule (§5.4.2, Figure 8) broken: ${node}, leader of term ${view.currentTerm}, advanced commitIndex from ${from} to ` +
          `${view.commitIndex}, an entry of term ${term}, by counting replicas at t=${sim.nowMs} ms. A leader may only commit an entry of its ` +
          'own term by counting replicas; older entries are committed with it. Figure 8 shows how the other way loses a committed entry.'
        );
      }
      state.leading.commitIndex = view.commitIndex;
    }
    if (!properties.has('leader-completeness') && !properties.has('durability')) return null;
    const base = snapshotIndex(view);
    for (let index = Math.max(from + 1, base + 1); index <= view.commitIndex; index++) {
      const entry = entryAt(view, index);
      if (entry === undefined) {
        return (
          `Commit broken: ${node} set commitIndex to ${view.commitIndex} at t=${sim.nowMs} ms, but its log ends at index ` +
          `${base + view.log.length}: a node can only commit entries it has.`
        );
      }
      const known = committed.get(index);
      if (known === undefined) {
        committed.set(index, {
          node,
          t: sim.nowMs,
          term: entry.term,
          commandKey: commandKeyOf(entry),
          command: entry.command,
          inTerm: view.currentTerm,
        });
        observer.highestCommitted = Math.max(observer.highestCommitted, index);
        const problem = properties.has('leader-completeness') ? checkLeadersHave(index) : null;
        if (problem !== null) return problem;
      } else if (
        properties.has('leader-completeness') &&
        (known.term !== entry.term || known.commandKey !== commandKeyOf(entry))
      ) {
        return (
          `Leader Completeness (§5.4) broken: entry ${index} was committed as ${showCommand(known.command)} (term ${known.term}) by ` +
          `${known.node} at t=${known.t} ms, and as ${showCommand(entry.command)} (term ${entry.term}) by ${node} at t=${sim.nowMs} ms. ` +
          'A committed entry never changes.'
        );
      }
    }
    if (properties.has('durability') && isLeader) {
      // A leader counts itself among the replicas: what it committed must survive its crash.
      const term = view.currentTerm;
      promisedCommit.set(node, {
        node,
        t: sim.nowMs,
        what: () => `committed as leader of term ${term}`,
        terms: termsUpTo(view, view.commitIndex),
      });
    }
    return null;
  }

  function checkNewLeader(node: NodeId, view: RaftView): string | null {
    for (const [index, record] of committed) {
      if (record.inTerm >= view.currentTerm) continue;
      const problem = missingCommitted(node, view, index, record);
      if (problem !== null) return problem;
    }
    return null;
  }

  function checkLeadersHave(index: number): string | null {
    const record = committed.get(index)!;
    for (const node of sim.nodeIds) {
      const view = viewOf(sim, node);
      if (view === undefined || view.role !== 'leader' || view.currentTerm <= record.inTerm) continue;
      const problem = missingCommitted(node, view, index, record);
      if (problem !== null) return problem;
    }
    return null;
  }

  function missingCommitted(node: NodeId, view: RaftView, index: number, record: CommitRecord): string | null {
    if (index <= snapshotIndex(view)) return null;
    const entry = entryAt(view, index);
    if (entry !== undefined && entry.term === record.term) return null;
    const has =
      entry === undefined
        ? `its log ends at index ${snapshotIndex(view) + view.log.length}`
        : `its log holds ${showCommand(entry.command)} (term ${entry.term}) there`;
    return (
      `Leader Completeness (§5.4) broken: ${node} leads term ${view.currentTerm} (t=${sim.nowMs} ms) without entry ${index} ` +
      `${showCommand(record.command)} (term ${record.term}), which ${record.node} committed in term ${record.inTerm} at t=${record.t} ms: ${has}. ` +
      'The election restriction (§5.4.1) keeps a candidate whose log lacks a committed entry from winning.'
    );
  }

  // ─────────── §5.4.3: state machine safety ───────────

  function checkApplied(node: NodeId, view: RaftView, state: Tracked): string | null {
    const applied = view.applied;
    if (applied === undefined) return null;
    for (; state.appliedChecked < applied.length; state.appliedChecked++) {
      const entry = applied[state.appliedChecked]!;
      const previous = state.lastAppliedIndex;
      if (previous !== null && entry.index <= previous) {
        return (
          `State Machine Safety (§5.4.3) broken: ${node} applied entry ${entry.index} a second time at t=${sim.nowMs} ms, after entry ${previous}. ` +
          'Each entry is applied once, in index order (lastApplied, Figure 2); after a restart, do not apply again what the state machine already holds.'
        );
      }
      if (previous !== null && entry.index !== previous + 1 && entry.index > snapshotIndex(view) + 1) {
        return (
          `State Machine Safety (§5.4.3) broken: ${node} applied entry ${entry.index} right after entry ${previous} at t=${sim.nowMs} ms: ` +
          'entries are applied in index order, none skipped.'
        );
      }
      state.lastAppliedIndex = entry.index;
      const commandKey = commandKeyOf(entry);
      const first = appliedAt.get(entry.index);
      if (first === undefined) {
        appliedAt.set(entry.index, { node, t: sim.nowMs, term: entry.term, commandKey, command: entry.command });
      } else if (first.term !== entry.term || first.commandKey !== commandKey) {
        return (
          `State Machine Safety (§5.4.3) broken: ${first.node} applied entry ${entry.index} = ${showCommand(first.command)} (term ${first.term}) ` +
          `at t=${first.t} ms, and ${node} applied entry ${entry.index} = ${showCommand(entry.command)} (term ${entry.term}) at t=${sim.nowMs} ms.`
        );
      }
      const known = committed.get(entry.index);
      if (entry.index > view.commitIndex || (known !== undefined && known.term !== entry.term)) {
        return (
          `State Machine Safety (§5.4.3) broken: ${node} applied entry ${entry.index} (term ${entry.term}) at t=${sim.nowMs} ms, ` +
          `but its commitIndex is ${view.commitIndex}: only committed entries are applied.`
        );
      }
    }
    return null;
  }

  // ─────────── Figure 2: durability ───────────

  /** Reads the messages of the events since the last check (see the listener above). */
  function readPromises(): string | null {
    for (const event of messages) {
      if (event.kind === 'deliver') {
        endPromises(event);
        continue;
      }
      if (event.type === 'AppendEntries') appendsSent.set(event.id, event.message as AppendEntriesView);
      notePromise(event);
    }
    messages.length = 0;
    return null;
  }

  /**
   * A leader of a later term whose entries conflict with acknowledged ones at index c shows that none
   * of them from c on was committed (it would hold them, by Leader Completeness): the follower must
   * delete them (Figure 2, AppendEntries rule 3), so its promise for them ends there.
   */
  function endPromises(event: Extract<TraceEvent, { kind: 'deliver' }>): void {
    const message = appendsSent.get(event.id);
    const promise = promisedLog.get(event.to);
    if (message === undefined || promise === undefined || message.term <= promise.term) return;
    if (!Array.isArray(message.entries)) return;
    for (const entry of message.entries) {
      const promised = promise.terms[entry.index];
      if (entry.index >= promise.terms.length) return;
      if (promised !== undefined && promised !== entry.term) {
        promise.terms.length = entry.index;
        return;
      }
    }
  }

  function notePromise(event: Extract<TraceEvent, { kind: 'send' }>): void {
    const message = event.message as Record<string, unknown>;
    const node = event.from;
    const term = message['term'];
    if (typeof term !== 'number') return;
    if (term > (promisedTerm.get(node)?.term ?? 0)) {
      const what = () => `sent ${event.type} to ${event.to} in term ${term} at t=${event.t} ms`;
      promisedTerm.set(node, { node, t: event.t, term, what });
    }
    if (event.type === 'RequestVote')
      promisedVote.set(node, {
        node,
        t: event.t,
        term,
        candidate: node,
        what: () => `voted for itself in term ${term}`,
      });
    if (event.type === 'RequestVoteReply' && message['voteGranted'] === true) {
      promisedVote.set(node, {
        node,
        t: event.t,
        term,
        candidate: event.to,
        what: () => `granted its vote in term ${term} to ${event.to}`,
      });
    }
    if (
      event.type === 'AppendEntriesReply' &&
      message['success'] === true &&
      typeof message['matchIndex'] === 'number'
    ) {
      // A node that crashed right after sending (partway through its step) has no view left; a
      // successful reply means its log matched the leader's up to matchIndex, so the leader's log says
      // which entries it promised.
      // A node that crashed in the same step has no view now, but the instance seen last still holds the
      // log it acknowledged from (a puppet leader has no view at all).
      const view = viewOf(sim, node) ?? tracked.get(node)?.instance ?? viewOf(sim, event.to);
      if (view !== undefined) {
        promisedLog.set(node, {
          node,
          t: event.t,
          term,
          what: () => `acknowledged entries up to ${String(message['matchIndex'])} to ${event.to}`,
          terms: termsUpTo(view, message['matchIndex']),
        });
      }
    }
  }

  function checkRestart(node: NodeId, view: RaftView, crashedAtMs: number): string | null {
    const restarted = `${node} restarted at t=${sim.nowMs} ms (crashed at t=${crashedAtMs} ms)`;
    const term = promisedTerm.get(node);
    if (term !== undefined && view.currentTerm < term.term) {
      return (
        `Durability (Figure 2) broken: ${restarted} with currentTerm ${view.currentTerm}, but before its crash it ${term.what()}. ` +
        'currentTerm must be persisted before any message that carries it is sent.'
      );
    }
    const vote = promisedVote.get(node);
    if (vote !== undefined && view.currentTerm === vote.term && view.votedFor !== vote.candidate) {
      return (
        `Durability (Figure 2) broken: ${restarted} in term ${vote.term} with votedFor ${JSON.stringify(view.votedFor ?? null)}, but before its ` +
        `crash it ${vote.what()} (t=${vote.t} ms). votedFor must be persisted before the vote is sent, or ${node} may vote twice in term ${vote.term}.`
      );
    }
    for (const promise of [promisedLog.get(node), promisedCommit.get(node)]) {
      if (promise === undefined) continue;
      for (let index = 1; index < promise.terms.length; index++) {
        const expected = promise.terms[index];
        if (expected === undefined || index <= snapshotIndex(view)) continue;
        const actual = termAt(view, index);
        if (actual !== expected) {
          return (
            `Durability (Figure 2) broken: ${restarted} without entry ${index} (term ${expected}), but before its crash it ${promise.what()} ` +
            `(t=${promise.t} ms). The log must be persisted before entries are acknowledged or counted: ` +
            (actual === undefined
              ? `its log now ends at index ${snapshotIndex(view) + view.log.length}.`
              : `its log now holds term ${actual} there.`)
          );
        }
      }
    }
    return null;
  }

  sim.watch('Raft safety', check);
  return observer;
}

/** The fields of an AppendEntries that end promises, as the trace holds it. */
interface AppendEntriesView {
  readonly term: number;
  readonly entries: readonly EntryView[];
}

/** `terms[i]` = term of entry i, for i = 1..upTo (undefined for entries folded into a snapshot). */
function termsUpTo(view: RaftView, upTo: number): Array<number | undefined> {
  const terms: Array<number | undefined> = [undefined];
  for (let index = 1; index <= upTo; index++)
    terms.push(index <= snapshotIndex(view) ? undefined : termAt(view, index));
  return terms;
}
