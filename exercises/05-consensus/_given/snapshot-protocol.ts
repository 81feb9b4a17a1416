/**
 * Given code for exercise 5.5: the snapshot threshold, what a snapshot holds, and Figure 13's
 * InstallSnapshot messages. Your `raft.ts`, the reference solution and the tests all import them from
 * here. Not yours to edit.
 *
 * @module
 */
import type { Message, NodeId } from '#harness';
import type { Session } from './kv-protocol.ts';

/** A server takes a snapshot as soon as its log holds this many applied entries; the log stays this short. */
export const SNAPSHOT_THRESHOLD = 20;

/** InstallSnapshot arguments, sent by the leader to a follower that needs entries it has compacted (Figure 13). */
export interface InstallSnapshot extends Message {
  readonly type: 'InstallSnapshot';
  /** The leader's term. */
  readonly term: number;
  readonly leaderId: NodeId;
  /** The snapshot replaces all entries up to and including this index. */
  readonly lastIncludedIndex: number;
  /** Term of the entry at lastIncludedIndex. */
  readonly lastIncludedTerm: number;
  /** The state machine at lastIncludedIndex. Sent whole: no `offset` and `done` chunking as in Figure 13. */
  readonly data: SnapshotData;
}

/** InstallSnapshot results (Figure 13, plus the index acknowledged, since replies are messages). */
export interface InstallSnapshotReply extends Message {
  readonly type: 'InstallSnapshotReply';
  /** The follower's currentTerm, for the leader to update itself. */
  readonly term: number;
  /** The lastIncludedIndex of the snapshot this acknowledges; 0 when refused for its term. */
  readonly lastIncludedIndex: number;
}

/** The messages exercise 5 adds to Figure 2's (`RaftMessage` in `raft-protocol.ts`). */
export type SnapshotMessage = InstallSnapshot | InstallSnapshotReply;

/** What a snapshot says about the log it replaces. */
export interface SnapshotMetadata {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
}

/** The state machine, as saved in a snapshot: the store and the client sessions. */
export interface SnapshotData {
  readonly store: Readonly<Record<string, string>>;
  readonly sessions: Readonly<Record<string, Session>>;
}
