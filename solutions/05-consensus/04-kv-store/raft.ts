/**
 * Reference solution for exercise 5.4: a linearizable key-value store on Raft (Raft §8), on top of the
 * election, replication and persistence of exercises 5.1 to 5.3.
 *
 * The node is a handler of messages and timers that only asks for effects through `ctx` (send, set a
 * timer), like etcd's raft core: nothing here touches real time or real sockets.
 */
import type { Message, Node, NodeContext, NodeFactory, NodeId, TimerId, TimerPayload } from '#harness';
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

/**
 * One Raft server. Its Figure 2 state is public, so tests (and you, in the debugger) can read it.
 */
export class RaftNode implements Node {
  // ── Persistent state on all servers (Figure 2): saved to ctx.storage before any message that depends on it ──
  /** Latest term this server has seen (0 at first boot, increases monotonically). */
  currentTerm = 0;
  /** The candidate that received this server's vote in currentTerm, or null. */
  votedFor: NodeId | null = null;
  /** Log entries; `log[i - 1]` has index i. */
  log: LogEntry[] = [];

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

  /** Client requests this leader is waiting to see applied, by log index (volatile). */
  readonly #pending = new Map<number, { readonly from: NodeId; readonly request: KvRequest }>();

  readonly #ctx: NodeContext;
  /** The first log index not saved since it last changed: #persist() saves the log from here on. */
  #unsavedFrom = 1;
  /** How many entries the saved log holds (its `logLength` key). */
  #savedLength = 0;
  #electionTimer: TimerId | null = null;
  #heartbeatTimer: TimerId | null = null;

  constructor(ctx: NodeContext) {
    this.#ctx = ctx;
  }

  onStart(): void {
    // A restart comes back with what was saved; commitIndex and lastApplied start at 0 again (Figure 2).
    this.currentTerm = this.#ctx.storage.get<number>('currentTerm') ?? 0;
    this.votedFor = this.#ctx.storage.get<NodeId | null>('votedFor') ?? null;
    const length = this.#ctx.storage.get<number>('logLength') ?? 0;
    this.log = Array.from({ length }, (_, k) => this.#ctx.storage.get<LogEntry>(`log/${k + 1}`)!);
    this.#unsavedFrom = length + 1;
    this.#savedLength = length;
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
    if (this.#unsavedFrom <= this.#savedLength) this.#ctx.storage.set('logLength', this.#unsavedFrom - 1);
    for (let index = this.#unsavedFrom; index <= this.log.length; index++)
      this.#ctx.storage.set(`log/${index}`, this.log[index - 1]);
    this.#ctx.storage.set('logLength', this.log.length);
    this.#savedLength = this.log.length;
    this.#unsavedFrom = this.log.length + 1;
  }

  onMessage(_ctx: NodeContext, from: NodeId, message: Message): void {
    const m = message as RaftMessage;
    switch (m.type) {
      case 'RequestVote':
        return this.#handleRequestVote(from, m);
      case 'RequestVoteReply':
        return this.#handleRequestVoteReply(from, m);
      case 'AppendEntries':
        return this.#handleAppendEntries(from, m);
      case 'AppendEntriesReply':
        return this.#handleAppendEntriesReply(from, m);
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
    this.#pending.set(this.log.length + 1, { from, request });
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

  /** Sends `peer` every entry from nextIndex on (none for a follower that is up to date: a heartbeat). */
  #sendAppendEntries(peer: NodeId): void {
    const prevLogIndex = this.nextIndex[peer]! - 1;
    const entries = this.log.slice(prevLogIndex);
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
    // The consistency check: our log must hold the entry the new ones follow.
    if (request.prevLogIndex > this.#lastLogIndex() || this.#termAt(request.prevLogIndex) !== request.prevLogTerm) {
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
      const existing = this.log[entry.index - 1];
      if (existing !== undefined && existing.term === entry.term) continue; // already there: a stale or repeated message
      // A conflict: delete the existing entry and all that follow it, then append (Figure 2, rules 3 and 4).
      if (existing !== undefined) this.log.length = entry.index - 1;
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
      const entry = this.log[this.lastApplied - 1]!;
      this.applied.push(entry);
      this.#applyToStateMachine(entry);
    }
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

  #send(to: NodeId, message: RaftMessage): void {
    this.#ctx.send(to, message);
  }

  #peers(): NodeId[] {
    return this.#ctx.nodeIds.filter((id) => id !== this.#ctx.id);
  }

  #majority(): number {
    return Math.floor(this.#ctx.nodeIds.length / 2) + 1;
  }

  #lastLogIndex(): number {
    return this.log.length;
  }

  #lastLogTerm(): number {
    return this.#termAt(this.#lastLogIndex());
  }

  /** The term of the entry at `index`; 0 for index 0 (before the first entry). */
  #termAt(index: number): number {
    return index === 0 ? 0 : (this.log[index - 1]?.term ?? 0);
  }
}

/** Creates a Raft server. Called at boot and after every restart. */
export const createRaftNode: NodeFactory = (ctx) => new RaftNode(ctx);
