/**
 * Exercise 5.1: Raft leader election (Raft §5.1, §5.2).
 *
 * This is the one file you edit. The spec is in README.md, next to this file. Keep the paper open at
 * Figure 2: the names below are its names. The messages and the timing constants are given, in
 * `../_given/raft-protocol.ts`: import what you use from there.
 */
import {
  type Message,
  type Node,
  type NodeContext,
  type NodeFactory,
  type NodeId,
  type TimerPayload,
  todo,
} from '#harness';
import type { Role, LogEntry, RaftMessage } from '../_given/raft-protocol.ts';

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
