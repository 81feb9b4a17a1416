/**
 * Exercise 5.2: Raft log replication (Raft §5.3, §5.4).
 *
 * This is the one file you edit. The spec is in README.md, next to this file. The leader election is
 * done: it is the reference solution of exercise 5.1 (to keep your own instead, run
 * `npm run kata -- carry 05/02`). What is left is marked with `todo(...)` and 👉.
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

/**
 * One Raft server. Its Figure 2 state is public, so tests (and you, in the debugger) can read it.
 */
export class RaftNode implements Node {
  // ── Persistent state on all servers (Figure 2). Persistence itself comes in exercise 3. ──
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
  /** The state machine of this exercise: the entries applied so far, in order. */
  applied: LogEntry[] = [];

  readonly #ctx: NodeContext;
  #electionTimer: TimerId | null = null;
  #heartbeatTimer: TimerId | null = null;

  constructor(ctx: NodeContext) {
    this.#ctx = ctx;
  }

  onStart(): void {
    this.#resetElectionTimer();
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
    // 👉 Not the leader: return null. The leader appends { index, term: currentTerm, command } to its
    //    log, sends AppendEntries to every follower at once, and returns where the entry sits.
    void command;
    return todo(
      "propose: append a new entry to the leader's log and replicate it",
      'exercises/05-consensus/02-log-replication/README.md',
    );
  }

  // ───────────────────────────── elections (§5.2, §5.4.1) ─────────────────────────────

  /** Followers (and candidates whose election went nowhere) start an election when their timer fires. */
  #startElection(): void {
    this.currentTerm += 1;
    this.role = 'candidate';
    this.votedFor = this.#ctx.id;
    this.votesGranted = [this.#ctx.id];
    this.leaderId = null;
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
    // 👉 Compare the terms of the last entries; if they are equal, the longer log is more up-to-date.
    void lastLogIndex;
    void lastLogTerm;
    return todo(
      "the election restriction (§5.4.1): is the candidate's log at least as up-to-date?",
      'exercises/05-consensus/02-log-replication/README.md',
    );
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
    this.role = 'follower';
    this.leaderId = null;
    this.votesGranted = [];
    if (wasLeader) {
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
    // 💡 Exercise 5.1 sent empty heartbeats that claimed to follow the leader's last entry. Now:
    // 👉 prevLogIndex = nextIndex[peer] - 1, prevLogTerm = the term of that entry (0 for index 0),
    //    entries = every entry from nextIndex[peer] on, leaderCommit = commitIndex.
    this.#send(peer, {
      type: 'AppendEntries',
      term: this.currentTerm,
      leaderId: this.#ctx.id,
      prevLogIndex: this.#lastLogIndex(),
      prevLogTerm: this.#lastLogTerm(),
      entries: [],
      leaderCommit: this.commitIndex,
    });
  }

  #handleAppendEntriesReply(from: NodeId, reply: AppendEntriesReply): void {
    if (reply.term > this.currentTerm) return this.#becomeFollower(reply.term);
    if (this.role !== 'leader' || reply.term !== this.currentTerm) return;
    // 👉 Success: update matchIndex[from] and nextIndex[from] (replies can arrive late, duplicated and out
    //    of order: never move matchIndex back), then see whether commitIndex can advance: Figure 2's last
    //    rule for leaders, "if there exists an N > commitIndex such that a majority of matchIndex[i] ≥ N,
    //    and log[N].term == currentTerm: set commitIndex = N". The leader counts itself. Then apply.
    // 💡 A helper #applyCommitted() serves leader and followers: while lastApplied < commitIndex,
    //    increment lastApplied and push log[lastApplied] onto `applied`.
    // 👉 Refusal: decrement nextIndex[from] (never below matchIndex[from] + 1) and send again at once.
    void from;
    todo(
      'handle an AppendEntriesReply: matchIndex, nextIndex, commitment',
      'exercises/05-consensus/02-log-replication/README.md',
    );
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
    // 👉 Figure 2, AppendEntries receiver, rules 2 to 5:
    //    2. the consistency check: refuse (success: false) unless your log has an entry at prevLogIndex
    //       whose term is prevLogTerm (index 0 always matches);
    //    3. an existing entry that conflicts with a new one (same index, other term): delete it and all
    //       that follow it. Only then: a stale or repeated request must not cut your log short;
    //    4. append the entries not already in the log;
    //    5. if leaderCommit > commitIndex: commitIndex = min(leaderCommit, index of last new entry), and apply.
    //    Reply success with matchIndex = prevLogIndex + entries.length.
    todo(
      'the AppendEntries consistency check, appending entries, and following leaderCommit',
      'exercises/05-consensus/02-log-replication/README.md',
    );
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
