/**
 * Reference solution for exercise 5.1: Raft leader election (Raft §5.1, §5.2).
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
  /** Log entries; `log[i - 1]` has index i. Empty until exercise 2. */
  log: LogEntry[] = [];

  // ── Volatile state on all servers (Figure 2). Used from exercise 2. ──
  /** Index of the highest log entry known to be committed. */
  commitIndex = 0;
  /** Index of the highest log entry applied to the state machine. */
  lastApplied = 0;

  // ── Volatile state on leaders (Figure 2), reinitialised after each election. Used from exercise 2. ──
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
        return this.#handleAppendEntriesReply(m);
    }
  }

  onTimer(_ctx: NodeContext, timer: TimerPayload): void {
    if (timer.type === 'election-timeout') this.#startElection();
    if (timer.type === 'heartbeat') this.#sendHeartbeats();
  }

  // ───────────────────────────── elections (§5.2) ─────────────────────────────

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
      request.term === this.currentTerm && (this.votedFor === null || this.votedFor === request.candidateId);
    if (voteGranted) {
      this.votedFor = request.candidateId;
      // Granting a vote counts as hearing from a would-be leader: do not compete with it right away.
      this.#resetElectionTimer();
    }
    this.#send(from, { type: 'RequestVoteReply', term: this.currentTerm, voteGranted });
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

  // ───────────────────────────── heartbeats ─────────────────────────────

  #sendHeartbeats(): void {
    if (this.role !== 'leader') return;
    for (const peer of this.#peers()) {
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
    this.#heartbeatTimer = this.#ctx.setTimer(HEARTBEAT_INTERVAL_MS, { type: 'heartbeat' });
  }

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
    this.#send(from, {
      type: 'AppendEntriesReply',
      term: this.currentTerm,
      success: true,
      matchIndex: request.prevLogIndex,
    });
  }

  #handleAppendEntriesReply(reply: AppendEntriesReply): void {
    if (reply.term > this.currentTerm) this.#becomeFollower(reply.term);
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
    return this.log[this.log.length - 1]?.term ?? 0;
  }
}

/** Creates a Raft server. Called at boot and after every restart. */
export const createRaftNode: NodeFactory = (ctx) => new RaftNode(ctx);
