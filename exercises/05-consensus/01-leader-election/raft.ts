/**
 * Exercise 5.1: Raft leader election (Raft §5.1, §5.2).
 *
 * This is the one file you edit. The spec is in README.md, next to this file. Keep the paper open at
 * Figure 2: the names below are its names.
 */
import { todo, type Message, type Node, type NodeContext, type NodeFactory, type NodeId, type TimerPayload } from '#harness';

/** A follower that hears nothing from a leader for this long (drawn at random each time) starts an election. */
export const ELECTION_TIMEOUT_MS = { min: 150, max: 300 } as const;
/** A leader sends AppendEntries (empty ones are heartbeats) to every follower this often. */
export const HEARTBEAT_INTERVAL_MS = 50;

/** What a server is at a given moment (Raft §5.1). */
export type Role = 'follower' | 'candidate' | 'leader';

/** One log entry: a command for the state machine and the term in which a leader received it. */
export interface LogEntry {
  /** Its position in the log; the first entry has index 1. */
  readonly index: number;
  readonly term: number;
  readonly command: unknown;
}

/** RequestVote arguments, sent by candidates to gather votes (Figure 2). */
export interface RequestVote extends Message {
  readonly type: 'RequestVote';
  /** The candidate's term. */
  readonly term: number;
  readonly candidateId: NodeId;
  /** Index of the candidate's last log entry (0 if its log is empty). */
  readonly lastLogIndex: number;
  /** Term of the candidate's last log entry (0 if its log is empty). */
  readonly lastLogTerm: number;
}

/** RequestVote results (Figure 2). */
export interface RequestVoteReply extends Message {
  readonly type: 'RequestVoteReply';
  /** The voter's currentTerm, for the candidate to update itself. */
  readonly term: number;
  /** True means the candidate received this vote. */
  readonly voteGranted: boolean;
}

/** AppendEntries arguments, sent by the leader; with no entries it is a heartbeat (Figure 2). */
export interface AppendEntries extends Message {
  readonly type: 'AppendEntries';
  /** The leader's term. */
  readonly term: number;
  /** So the follower can tell clients where the leader is. */
  readonly leaderId: NodeId;
  /** Index of the log entry immediately before the new ones. */
  readonly prevLogIndex: number;
  /** Term of the entry at prevLogIndex. */
  readonly prevLogTerm: number;
  /** Entries to store (empty for a heartbeat). */
  readonly entries: readonly LogEntry[];
  /** The leader's commitIndex. */
  readonly leaderCommit: number;
}

/** AppendEntries results (Figure 2, plus `matchIndex`). */
export interface AppendEntriesReply extends Message {
  readonly type: 'AppendEntriesReply';
  /** The follower's currentTerm, for the leader to update itself. */
  readonly term: number;
  /** True if the follower contained an entry matching prevLogIndex and prevLogTerm. */
  readonly success: boolean;
  /**
   * Not in the paper, whose RPCs return to their caller: our replies are messages, so a reply says
   * which entries it acknowledges. On success, prevLogIndex + entries.length; otherwise 0.
   */
  readonly matchIndex: number;
}

/** Every message Raft servers exchange. */
export type RaftMessage = RequestVote | RequestVoteReply | AppendEntries | AppendEntriesReply;

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

  // 💡 The context is yours to keep: a restart builds a new RaftNode with a new context.
  readonly #ctx: NodeContext;

  constructor(ctx: NodeContext) {
    this.#ctx = ctx;
  }

  onStart(): void {
    // 👉 Every server starts as a follower with a running election timer:
    //    this.#ctx.setTimer(ELECTION_TIMEOUT_MS, { type: 'election-timeout' }) draws the delay at random.
    // 💡 Keep the TimerId that setTimer returns, so you can cancel the timer (ctx.cancelTimer) and set a
    //    fresh one each time you "reset" it.
    void this.#ctx;
    todo('start as a follower with a randomised election timer', 'exercises/05-consensus/01-leader-election/README.md');
  }

  onMessage(_ctx: NodeContext, _from: NodeId, message: Message): void {
    const m = message as RaftMessage;
    // 💡 Before anything else, Figure 2's "Rules for All Servers": if a message carries a term higher
    //    than currentTerm, set currentTerm to it, forget votedFor, and become a follower (§5.1).
    // 👉 RequestVote: grant the vote (Figure 2, RequestVote RPC, receiver implementation) and reply
    //    with a RequestVoteReply to `from`. Reset your election timer when you grant a vote.
    // 👉 RequestVoteReply: count the votes of the current term; with a majority, become leader.
    // 👉 AppendEntries: a heartbeat. Refuse an older term; otherwise follow its sender (leaderId),
    //    reset your election timer, and reply success. A candidate that gets one for its term steps down.
    // 👉 AppendEntriesReply: in this exercise it only matters for its term.
    todo(`handle a ${m.type} message`, 'exercises/05-consensus/01-leader-election/README.md');
  }

  onTimer(_ctx: NodeContext, timer: TimerPayload): void {
    // 👉 'election-timeout': start an election (§5.2): currentTerm + 1, become a candidate, vote for
    //    yourself, reset the election timer, send RequestVote to every other server.
    // 👉 A leader's heartbeat timer: send AppendEntries with no entries to every follower, every
    //    HEARTBEAT_INTERVAL_MS, so that their election timers never fire.
    todo(`handle the ${timer.type} timer`, 'exercises/05-consensus/01-leader-election/README.md');
  }
}

/** Creates a Raft server. Called at boot and after every restart. */
export const createRaftNode: NodeFactory = (ctx) => new RaftNode(ctx);
