/**
 * Given code for chapter 5: the timing constants, the log entry and the messages of Raft's Figure 2,
 * shared by exercises 5.1 to 5.5. Your `raft.ts`, the reference solutions and the tests all import
 * them from here, so there is one definition of each. Not yours to edit.
 *
 * @module
 */
import type { Message, NodeId } from '#harness';

/** A follower that hears nothing from a leader for this long (drawn at random each time) starts an election. */
export const ELECTION_TIMEOUT_MS = { min: 150, max: 300 } as const;
/** A leader sends AppendEntries (empty ones are heartbeats) to every follower this often. */
export const HEARTBEAT_INTERVAL_MS = 50;

/** What a server is at a given moment (Raft §5.1). */
export type Role = 'follower' | 'candidate' | 'leader';

/** One log entry: a command for the state machine and the term in which a leader received it. */
export interface LogEntry {
  /**
   * Its position in the whole log: the first entry ever has index 1. Once a snapshot replaces the
   * entries before it (exercise 5), the index still counts them.
   */
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

/** AppendEntries results (Figure 2, plus `matchIndex` and `lastLogIndex`). */
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
  /**
   * Optional hint, not in Figure 2 (from exercise 2 on): the follower's last log index, so that after a
   * refusal the leader can jump back instead of one entry per round trip (the optimisation at the end of §5.3).
   */
  readonly lastLogIndex?: number;
}

/** Every message of Figure 2. Exercise 5 adds InstallSnapshot (`snapshot-protocol.ts`). */
export type RaftMessage = RequestVote | RequestVoteReply | AppendEntries | AppendEntriesReply;

/** Where a proposed command will sit in the log if it is committed (from exercise 2 on). */
export interface Proposal {
  readonly index: number;
  readonly term: number;
}
