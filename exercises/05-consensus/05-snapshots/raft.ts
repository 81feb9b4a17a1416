/**
 * Exercise 5.5: log compaction with snapshots (Raft §7).
 *
 * This is the one file you edit. The spec is in README.md, next to this file. The key-value store on
 * Raft is done: it is the reference solution of exercise 5.4 (to keep your own instead, run
 * `npm run kata -- carry 05/05`), with its log indexing already made ready for snapshots (`#snapshotIndex()`, `#entryAt(index)`, `#termAt(index)`). What is left is marked with
 * `todo(...)` and 👉. InstallSnapshot, its reply and what a snapshot holds are given, in
 * `../_given/snapshot-protocol.ts`.
 */
import {
  type Message,
  type Node,
  type NodeContext,
  type NodeFactory,
  type NodeId,
  type TimerId,
  type TimerPayload,
  todo,
} from '#harness';
import {
  ELECTION_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  type Role,
  type LogEntry,
  type RequestVote,
  type RequestVoteReply,
  type AppendEntries,
  type AppendEntriesReply,
  type RaftMessage,
  type Proposal,
} from '../_given/raft-protocol.ts';
import type { KvOperation, KvOutput, KvRequest, KvReply, KvCommand, Session } from '../_given/kv-protocol.ts';
import {
  SNAPSHOT_THRESHOLD,
  type InstallSnapshot,
  type InstallSnapshotReply,
  type SnapshotMessage,
  type SnapshotMetadata,
  type SnapshotData,
} from '../_given/snapshot-protocol.ts';

/**
 * One Raft server. Its Figure 2 state is public, so tests (and you, in the debugger) can read it.
 */
export class RaftNode implements Node {
  // ── Persistent state on all servers (Figure 2): saved to ctx.storage before any message that depends on it ──
  /** Latest term this server has seen (0 at first boot, increases monotonically). */
  currentTerm = 0;
  /** The candidate that received this server's vote in currentTerm, or null. */
  votedFor: NodeId | null = null;
  /** Log entries after the snapshot: `log[k].index === snapshotIndex + k + 1`. */
  log: LogEntry[] = [];
  /** The last snapshot taken or installed (its state is in storage), or null. Entries up to it left the log. */
  snapshot: SnapshotMetadata | null = null;

  // ── Volatile state on all servers (Figure 2) ──
  /** Index of the highest log entry known to be committed. */
  commitIndex = 0;
  /** Index of the highest log entry applied to the state machine. */
  lastApplied = 0;

  // ── Volatile state on leaders (Figure 2), reinitialised after each election ──
  /** For each other server, index of the next log entry to send to it. */
  nextIndex: Record<NodeId, number> = {};
  /** For each other server, index of the highest log entry known to be replicated on it. */
  matchIndex: Record<NodeId, number> = {};

  // ── Beyond Figure 2 ──
  /** Follower, candidate or leader. */
  role: Role = 'follower';
  /** The leader of currentTerm, as far as this server knows, or null. */
  leaderId: NodeId | null = null;
  /** While a candidate: the servers (itself included) that granted it their vote in currentTerm. */
  votesGranted: NodeId[] = [];
  /**
   * The entries applied by this incarnation of the server, in order. Volatile, like lastApplied and the
   * state machine below: after a restart they are rebuilt by applying the committed entries again.
   */
  applied: LogEntry[] = [];

  // ── The state machine: the key-value store and its client sessions ──
  /** The store: key → value. */
  store: Record<string, string> = {};
  /**
   * Per client, the last operation applied and its result. Part of the replicated state machine, so
   * every server (and every future leader) recognises a retry.
   */
  sessions: Record<string, Session> = {};

  /** The state machine as of the snapshot, to send to followers that need it. */
  #snapshotData: SnapshotData = { store: {}, sessions: {} };

  /** Client requests this leader is waiting to see applied, by log index (volatile). */
  readonly #pending = new Map<number, { readonly from: NodeId; readonly request: KvRequest }>();

  readonly #ctx: NodeContext;
  /** The first log index not saved since it last changed: #persist() saves the log from here on. */
  #unsavedFrom = 1;
  /** The last index the saved log holds (its `lastLogIndex` key). */
  #savedLastLogIndex = 0;
  #electionTimer: TimerId | null = null;
  #heartbeatTimer: TimerId | null = null;

  constructor(ctx: NodeContext) {
    this.#ctx = ctx;
  }

  onStart(): void {
    // A restart comes back with what was saved; commitIndex and lastApplied start at 0 again (Figure 2).
    this.currentTerm = this.#ctx.storage.get<number>('currentTerm') ?? 0;
    this.votedFor = this.#ctx.storage.get<NodeId | null>('votedFor') ?? null;
    const saved = this.#ctx.storage.get<{ metadata: SnapshotMetadata; data: SnapshotData }>('snapshot');
    if (saved !== undefined) {
      // 👉 Restore the snapshot: its metadata into `snapshot`, its data into #snapshotData, `store` and
      //    `sessions`; commitIndex and lastApplied start at its lastIncludedIndex.
      todo('restore the state machine from the saved snapshot', 'exercises/05-consensus/05-snapshots/README.md');
    }
    const base = this.#snapshotIndex();
    const lastLogIndex = this.#ctx.storage.get<number>('lastLogIndex') ?? base;
    this.log = Array.from({ length: lastLogIndex - base }, (_, k) =>
      this.#ctx.storage.get<LogEntry>(`log/${base + k + 1}`)!,
    );
    this.#unsavedFrom = lastLogIndex + 1;
    this.#savedLastLogIndex = lastLogIndex;
    this.#resetElectionTimer();
  }

  /**
   * Saves Figure 2's persistent state. Called after every change to currentTerm, votedFor or log and
   * before any message is sent that depends on the change (a vote, an acknowledgement, a term): like
   * etcd's Ready, "HardState must be saved BEFORE Messages are sent". In this simulator `storage.set`
   * is durable as soon as it returns; a real server would fsync.
   */
  #persist(): void {
    this.#ctx.storage.set('currentTerm', this.currentTerm);
    this.#ctx.storage.set('votedFor', this.votedFor);
    // One key per entry, written from the first entry that changed, like appending to a write-ahead
    // log: saving the whole log each time would cost O(log length) per append. Keys beyond logLength
    // are leftovers of a truncation and are never read. Before saved entries are overwritten, the saved
    // log is cut short to the ones that stay: a crash partway through then leaves a prefix of the log,
    // never new entries followed by old ones of an earlier term.
    const base = this.#snapshotIndex();
    if (this.#unsavedFrom <= this.#savedLastLogIndex)
      this.#ctx.storage.set('lastLogIndex', Math.max(this.#unsavedFrom - 1, base));
    for (let index = Math.max(this.#unsavedFrom, base + 1); index <= this.#lastLogIndex(); index++) {
      this.#ctx.storage.set(`log/${index}`, this.#entryAt(index));
    }
    this.#ctx.storage.set('lastLogIndex', this.#lastLogIndex());
    this.#savedLastLogIndex = this.#lastLogIndex();
    this.#unsavedFrom = this.#lastLogIndex() + 1;
  }

  // ───────────────────────────── snapshots (§7) ─────────────────────────────

  /**
   * Takes a snapshot once the log holds SNAPSHOT_THRESHOLD applied entries: the state machine as of
   * lastApplied replaces every entry up to it. Each server does this on its own (§7).
   */
  #maybeSnapshot(): void {
    if (this.lastApplied - this.#snapshotIndex() < SNAPSHOT_THRESHOLD) return;
    // 👉 Keep a copy of the state machine ({ store, sessions }) in #snapshotData, drop the entries up to
    //    lastApplied from `log`, set `snapshot` to { lastIncludedIndex: lastApplied, lastIncludedTerm }.
    // 👉 Save it: the snapshot first (ctx.storage.set('snapshot', { metadata, data })), then delete the
    //    storage keys of the entries it replaces, then this.#persist() (it writes 'lastLogIndex').
    void this.#snapshotData;
    todo('take a snapshot and compact the log', 'exercises/05-consensus/05-snapshots/README.md');
  }

  /** Figure 13, receiver: replace the state machine and the log prefix with the leader's snapshot. */
  #handleInstallSnapshot(from: NodeId, request: InstallSnapshot): void {
    // 👉 Terms first, as for AppendEntries (refuse an older term; follow the leader; reset the timer).
    // 👉 A snapshot that covers no more than lastApplied is stale: do not install it, but acknowledge it.
    // 👉 Otherwise: keep the log entries after lastIncludedIndex if your log has that entry with
    //    lastIncludedTerm, else drop the whole log; install the data as store and sessions; commitIndex
    //    and lastApplied move up to lastIncludedIndex; save everything. Reply with an InstallSnapshotReply.
    void from;
    void request;
    todo('install a snapshot from the leader', 'exercises/05-consensus/05-snapshots/README.md');
  }

  #handleInstallSnapshotReply(from: NodeId, reply: InstallSnapshotReply): void {
    // 👉 Like a successful AppendEntriesReply: matchIndex[from] and nextIndex[from] move up to the
    //    snapshot's lastIncludedIndex (never back), then see whether commitIndex can advance.
    void from;
    void reply;
    todo('handle an InstallSnapshotReply', 'exercises/05-consensus/05-snapshots/README.md');
  }

  onMessage(_ctx: NodeContext, from: NodeId, message: Message): void {
    const m = message as RaftMessage | SnapshotMessage;
    switch (m.type) {
      case 'RequestVote':
        return this.#handleRequestVote(from, m);
      case 'RequestVoteReply':
        return this.#handleRequestVoteReply(from, m);
      case 'AppendEntries':
        return this.#handleAppendEntries(from, m);
      case 'AppendEntriesReply':
        return this.#handleAppendEntriesReply(from, m);
      case 'InstallSnapshot':
        return this.#handleInstallSnapshot(from, m);
      case 'InstallSnapshotReply':
        return this.#handleInstallSnapshotReply(from, m);
    }
    if (message.type === 'KvRequest') this.#handleClientRequest(from, message as KvRequest);
  }

  // ───────────────────────────── the key-value service (§8) ─────────────────────────────

  /**
   * A client's request. Only the leader serves it, through the log, reads included: a read answered
   * from the leader's own state could come from a leader that has been deposed without knowing it.
   */
  #handleClientRequest(from: NodeId, request: KvRequest): void {
    if (this.role !== 'leader') {
      return this.#ctx.reply(from, request, {
        type: 'KvReply',
        ok: false,
        error: 'not_leader',
        leaderHint: this.leaderId,
      } satisfies KvReply);
    }
    const session = this.sessions[request.clientId];
    if (session !== undefined && session.seq === request.seq) {
      // A retry of an operation that already took effect: answer again, do not execute again.
      return this.#ctx.reply(from, request, { type: 'KvReply', ok: true, output: session.output } satisfies KvReply);
    }
    if (session !== undefined && session.seq > request.seq) return; // an old retry: the client has moved on
    const command: KvCommand = { clientId: request.clientId, seq: request.seq, op: request.op };
    // Registered before proposing: in a cluster of one, propose commits and applies at once.
    this.#pending.set(this.#lastLogIndex() + 1, { from, request });
    this.propose(command);
  }

  /** Applies one committed entry to the store, once per client operation, and answers a waiting client. */
  #applyToStateMachine(entry: LogEntry): void {
    const command = entry.command as KvCommand;
    const session = this.sessions[command.clientId];
    let output: KvOutput;
    if (session !== undefined && command.seq <= session.seq) {
      output = session.output; // a duplicate in the log (a retry proposed twice): it takes no effect
    } else {
      output = this.#execute(command.op);
      this.sessions[command.clientId] = { seq: command.seq, output };
    }
    const waiting = this.#pending.get(entry.index);
    if (waiting === undefined) return;
    this.#pending.delete(entry.index);
    const same = waiting.request.clientId === command.clientId && waiting.request.seq === command.seq;
    const reply: KvReply = same
      ? { type: 'KvReply', ok: true, output }
      : { type: 'KvReply', ok: false, error: 'not_leader', leaderHint: this.leaderId }; // another leader's entry took that index
    this.#ctx.reply(waiting.from, waiting.request, reply);
  }

  #execute(op: KvOperation): KvOutput {
    switch (op.f) {
      case 'get':
        return { value: this.store[op.key] ?? '' };
      case 'put':
        this.store[op.key] = op.value;
        return {};
      case 'append':
        this.store[op.key] = (this.store[op.key] ?? '') + op.value;
        return {};
    }
  }

  /** A deposed leader tells its waiting clients to look elsewhere; their retries are recognised by seq. */
  #failPending(): void {
    for (const { from, request } of this.#pending.values()) {
      this.#ctx.reply(from, request, {
        type: 'KvReply',
        ok: false,
        error: 'not_leader',
        leaderHint: this.leaderId,
      } satisfies KvReply);
    }
    this.#pending.clear();
  }

  onTimer(_ctx: NodeContext, timer: TimerPayload): void {
    if (timer.type === 'election-timeout') this.#startElection();
    if (timer.type === 'heartbeat') this.#sendHeartbeats();
  }

  /**
   * Asks this server to add `command` to the replicated log. Only a leader accepts: it appends the entry
   * and starts replicating it at once. Returns where the entry sits, or `null` if this server is not the
   * leader. There is no promise that the entry will be committed: a leader can lose its job first.
   */
  propose(command: unknown): Proposal | null {
    if (this.role !== 'leader') return null;
    const entry: LogEntry = { index: this.#lastLogIndex() + 1, term: this.currentTerm, command };
    this.log.push(entry);
    this.#unsavedFrom = Math.min(this.#unsavedFrom, entry.index);
    this.#persist(); // the leader counts itself among the replicas: its copy must be durable too
    for (const peer of this.#peers()) this.#sendAppendEntries(peer);
    this.#advanceCommitIndex(); // a cluster of one commits at once
    return { index: entry.index, term: entry.term };
  }

  // ───────────────────────────── elections (§5.2, §5.4.1) ─────────────────────────────

  /** Followers (and candidates whose election went nowhere) start an election when their timer fires. */
  #startElection(): void {
    this.currentTerm += 1;
    this.role = 'candidate';
    this.votedFor = this.#ctx.id;
    this.votesGranted = [this.#ctx.id];
    this.leaderId = null;
    this.#persist();
    this.#resetElectionTimer();
    const request: RequestVote = {
      type: 'RequestVote',
      term: this.currentTerm,
      candidateId: this.#ctx.id,
      lastLogIndex: this.#lastLogIndex(),
      lastLogTerm: this.#lastLogTerm(),
    };
    for (const peer of this.#peers()) this.#ctx.send(peer, request);
    this.#becomeLeaderIfElected();
  }

  #handleRequestVote(from: NodeId, request: RequestVote): void {
    if (request.term > this.currentTerm) this.#becomeFollower(request.term);
    const voteGranted =
      request.term === this.currentTerm &&
      (this.votedFor === null || this.votedFor === request.candidateId) &&
      this.#logIsAtLeastAsUpToDate(request.lastLogIndex, request.lastLogTerm);
    if (voteGranted) {
      this.votedFor = request.candidateId;
      this.#persist(); // before the reply: a restarted server must not vote again in this term
      // Granting a vote counts as hearing from a would-be leader: do not compete with it right away.
      this.#resetElectionTimer();
    }
    this.#send(from, { type: 'RequestVoteReply', term: this.currentTerm, voteGranted });
  }

  /**
   * The election restriction (§5.4.1): a candidate's log is at least as up-to-date as ours if its last
   * entry has a higher term, or the same term and an index at least as high.
   */
  #logIsAtLeastAsUpToDate(lastLogIndex: number, lastLogTerm: number): boolean {
    const myLastTerm = this.#lastLogTerm();
    return lastLogTerm > myLastTerm || (lastLogTerm === myLastTerm && lastLogIndex >= this.#lastLogIndex());
  }

  #handleRequestVoteReply(from: NodeId, reply: RequestVoteReply): void {
    if (reply.term > this.currentTerm) return this.#becomeFollower(reply.term);
    // A reply from an older election, or one that arrives after the election is decided, counts for nothing.
    if (this.role !== 'candidate' || reply.term !== this.currentTerm || !reply.voteGranted) return;
    if (!this.votesGranted.includes(from)) this.votesGranted.push(from);
    this.#becomeLeaderIfElected();
  }

  #becomeLeaderIfElected(): void {
    if (this.role !== 'candidate' || this.votesGranted.length < this.#majority()) return;
    this.role = 'leader';
    this.leaderId = this.#ctx.id;
    this.#cancelElectionTimer();
    for (const peer of this.#peers()) {
      this.nextIndex[peer] = this.#lastLogIndex() + 1;
      this.matchIndex[peer] = 0;
    }
    // Announce the victory at once, then keep the followers' timers from firing.
    this.#sendHeartbeats();
  }

  #becomeFollower(term: number): void {
    const wasLeader = this.role === 'leader';
    this.currentTerm = term;
    this.votedFor = null;
    this.#persist();
    this.role = 'follower';
    this.leaderId = null;
    this.votesGranted = [];
    if (wasLeader) {
      this.#failPending();
      if (this.#heartbeatTimer !== null) this.#ctx.cancelTimer(this.#heartbeatTimer);
      this.#heartbeatTimer = null;
      this.#resetElectionTimer();
    }
  }

  // ───────────────────────────── replication: the leader (§5.3) ─────────────────────────────

  #sendHeartbeats(): void {
    if (this.role !== 'leader') return;
    for (const peer of this.#peers()) this.#sendAppendEntries(peer);
    this.#heartbeatTimer = this.#ctx.setTimer(HEARTBEAT_INTERVAL_MS, { type: 'heartbeat' });
  }

  /**
   * Sends `peer` every entry from nextIndex on (none for a follower that is up to date: a heartbeat), or
   * the snapshot if the entry at nextIndex has been compacted away.
   */
  #sendAppendEntries(peer: NodeId): void {
    const base = this.#snapshotIndex();
    if (this.nextIndex[peer]! <= base) {
      // 👉 The entry at nextIndex was compacted away: send an InstallSnapshot with your snapshot instead.
      return todo(
        'send the snapshot to a follower that needs compacted entries',
        'exercises/05-consensus/05-snapshots/README.md',
      );
    }
    const prevLogIndex = this.nextIndex[peer]! - 1;
    const entries = this.log.slice(prevLogIndex - base);
    this.#send(peer, {
      type: 'AppendEntries',
      term: this.currentTerm,
      leaderId: this.#ctx.id,
      prevLogIndex,
      prevLogTerm: this.#termAt(prevLogIndex),
      entries,
      leaderCommit: this.commitIndex,
    });
    // nextIndex moves only when the follower answers, as in Figure 2: until then, every AppendEntries
    // (heartbeats included) carries the entries not yet acknowledged.
  }

  #handleAppendEntriesReply(from: NodeId, reply: AppendEntriesReply): void {
    if (reply.term > this.currentTerm) return this.#becomeFollower(reply.term);
    if (this.role !== 'leader' || reply.term !== this.currentTerm) return;
    if (reply.success) {
      // Replies can arrive late and out of order: never move matchIndex back.
      this.matchIndex[from] = Math.max(this.matchIndex[from]!, reply.matchIndex);
      this.nextIndex[from] = Math.max(this.nextIndex[from]!, this.matchIndex[from]! + 1);
      this.#advanceCommitIndex();
      return;
    }
    // The follower's log does not match at prevLogIndex: back up and try again at once (§5.3).
    const hint = reply.lastLogIndex === undefined ? Infinity : reply.lastLogIndex + 1;
    this.nextIndex[from] = Math.max(this.matchIndex[from]! + 1, Math.min(this.nextIndex[from]! - 1, hint));
    this.#sendAppendEntries(from);
  }

  /**
   * Figure 2, rules for leaders: if there is an N > commitIndex such that a majority of matchIndex[i] ≥ N
   * and log[N].term === currentTerm, set commitIndex = N. Entries of earlier terms are committed with it,
   * never on their own by counting replicas (§5.4.2, Figure 8).
   */
  #advanceCommitIndex(): void {
    for (let n = this.#lastLogIndex(); n > this.commitIndex; n--) {
      if (this.#termAt(n) !== this.currentTerm) break;
      const replicas = 1 + this.#peers().filter((peer) => this.matchIndex[peer]! >= n).length;
      if (replicas >= this.#majority()) {
        this.commitIndex = n;
        this.#applyCommitted();
        return;
      }
    }
  }

  // ───────────────────────────── replication: the follower (§5.3) ─────────────────────────────

  #handleAppendEntries(from: NodeId, request: AppendEntries): void {
    if (request.term < this.currentTerm) {
      // A leader from an older term: tell it the news so it steps down.
      return this.#send(from, { type: 'AppendEntriesReply', term: this.currentTerm, success: false, matchIndex: 0 });
    }
    if (request.term > this.currentTerm) this.#becomeFollower(request.term);
    // A candidate that hears from the leader of its own term has lost the election (§5.2).
    if (this.role === 'candidate') this.role = 'follower';
    this.leaderId = request.leaderId;
    this.#resetElectionTimer();
    // The consistency check: our log must hold the entry the new ones follow. An entry inside our
    // snapshot is committed, so it matches the leader's.
    const base = this.#snapshotIndex();
    if (
      request.prevLogIndex > this.#lastLogIndex() ||
      (request.prevLogIndex >= base && this.#termAt(request.prevLogIndex) !== request.prevLogTerm)
    ) {
      return this.#send(from, {
        type: 'AppendEntriesReply',
        term: this.currentTerm,
        success: false,
        matchIndex: 0,
        lastLogIndex: this.#lastLogIndex(),
      });
    }
    let changed = false;
    for (const entry of request.entries) {
      if (entry.index <= base) continue; // already in the snapshot
      const existing = this.#entryAt(entry.index);
      if (existing !== undefined && existing.term === entry.term) continue; // already there: a stale or repeated message
      // A conflict: delete the existing entry and all that follow it, then append (Figure 2, rules 3 and 4).
      if (existing !== undefined) this.log.length = entry.index - base - 1;
      this.log.push(entry);
      this.#unsavedFrom = Math.min(this.#unsavedFrom, entry.index);
      changed = true;
    }
    if (changed) this.#persist(); // before the acknowledgement: the leader will count this copy
    const lastNewEntry = request.prevLogIndex + request.entries.length;
    if (request.leaderCommit > this.commitIndex) {
      this.commitIndex = Math.max(this.commitIndex, Math.min(request.leaderCommit, lastNewEntry));
      this.#applyCommitted();
    }
    this.#send(from, { type: 'AppendEntriesReply', term: this.currentTerm, success: true, matchIndex: lastNewEntry });
  }

  /** Applies committed entries in index order, each once (lastApplied, Figure 2). */
  #applyCommitted(): void {
    while (this.lastApplied < this.commitIndex) {
      this.lastApplied += 1;
      const entry = this.#entryAt(this.lastApplied)!;
      this.applied.push(entry);
      this.#applyToStateMachine(entry);
    }
    this.#maybeSnapshot();
  }

  // ───────────────────────────── helpers ─────────────────────────────

  #resetElectionTimer(): void {
    this.#cancelElectionTimer();
    this.#electionTimer = this.#ctx.setTimer(ELECTION_TIMEOUT_MS, { type: 'election-timeout' });
  }

  #cancelElectionTimer(): void {
    if (this.#electionTimer !== null) this.#ctx.cancelTimer(this.#electionTimer);
    this.#electionTimer = null;
  }

  #send(to: NodeId, message: RaftMessage | SnapshotMessage): void {
    this.#ctx.send(to, message);
  }

  #peers(): NodeId[] {
    return this.#ctx.nodeIds.filter((id) => id !== this.#ctx.id);
  }

  #majority(): number {
    return Math.floor(this.#ctx.nodeIds.length / 2) + 1;
  }

  /** The index the snapshot covers (0 without one). */
  #snapshotIndex(): number {
    return this.snapshot?.lastIncludedIndex ?? 0;
  }

  /** The entry at `index`, or undefined (beyond the log, or folded into the snapshot). */
  #entryAt(index: number): LogEntry | undefined {
    return this.log[index - this.#snapshotIndex() - 1];
  }

  #lastLogIndex(): number {
    return this.#snapshotIndex() + this.log.length;
  }

  #lastLogTerm(): number {
    return this.#termAt(this.#lastLogIndex());
  }

  /** The term of the entry at `index` (the snapshot's for its last index; 0 for index 0 or unknown). */
  #termAt(index: number): number {
    if (index === this.#snapshotIndex()) return this.snapshot?.lastIncludedTerm ?? 0;
    return this.#entryAt(index)?.term ?? 0;
  }
}

/** Creates a Raft server. Called at boot and after every restart. */
export const createRaftNode: NodeFactory = (ctx) => new RaftNode(ctx);
