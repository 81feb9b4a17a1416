/**
 * Test support for chapter 5 (not a learner file): puppets that answer `AppendEntries` as real
 * followers do (Figure 2, AppendEntries receiver). Each remembers its term and the entries it stored,
 * so a leader under test meets what a real cluster would answer: a refusal where the logs differ,
 * success once they match, and success again for entries it already holds.
 *
 * ```ts
 * const followers = answerAsFollowers(puppets, { logs: { n3: [entry(1, 1, 'a')] } });
 * ...
 * followers.logOf('n2'); // what n2 stored
 * ```
 *
 * @module
 */
import type { NodeId } from '#harness';
import type { AppendEntries, AppendEntriesReply, LogEntry } from '../_given/raft-protocol.ts';
import type { Puppets } from './raft-view.ts';

/** How the follower puppets start and answer. */
export interface FollowerPuppetOptions {
  /** The log each puppet starts with (default: empty). */
  readonly logs?: Readonly<Record<NodeId, readonly LogEntry[]>>;
  /** Puppets that record what they receive but never answer it, like a follower that has gone quiet. */
  readonly silent?: readonly NodeId[];
  /** Whether a refusal carries the optional `lastLogIndex` hint (default: no, as in Figure 2). */
  readonly lastLogIndexHint?: boolean;
}

/** What the follower puppets hold. */
export interface FollowerPuppets {
  /** The entries `puppet` stores now, in index order. */
  logOf(puppet: NodeId): readonly LogEntry[];
}

/**
 * Makes every puppet answer `AppendEntries` as a Figure 2 follower (replacing the earlier reaction):
 * refuse a stale term; refuse when its log holds no entry at `prevLogIndex` with `prevLogTerm`;
 * otherwise delete conflicting entries, append the new ones and acknowledge `prevLogIndex +
 * entries.length`. Votes are left to the test.
 */
export function answerAsFollowers(puppets: Puppets, options: FollowerPuppetOptions = {}): FollowerPuppets {
  const terms = new Map<NodeId, number>();
  const logs = new Map<NodeId, LogEntry[]>();
  const logOf = (puppet: NodeId): LogEntry[] => {
    let log = logs.get(puppet);
    if (log === undefined) logs.set(puppet, (log = [...(options.logs?.[puppet] ?? [])]));
    return log;
  };
  puppets.on('AppendEntries', (puppet, from, message) => {
    if (options.silent?.includes(puppet)) return;
    const request = message as unknown as AppendEntries;
    const log = logOf(puppet);
    const term = Math.max(terms.get(puppet) ?? 0, request.term);
    terms.set(puppet, term);
    const refuse = (): void => {
      const reply: AppendEntriesReply = { type: 'AppendEntriesReply', term, success: false, matchIndex: 0 };
      puppets.send(puppet, from, options.lastLogIndexHint === true ? { ...reply, lastLogIndex: log.length } : reply);
    };
    if (request.term < term) return refuse();
    const prevTerm = request.prevLogIndex === 0 ? 0 : log[request.prevLogIndex - 1]?.term;
    if (prevTerm !== request.prevLogTerm) return refuse();
    for (const entry of request.entries) {
      const existing = log[entry.index - 1];
      if (existing !== undefined && existing.term === entry.term) continue;
      if (existing !== undefined) log.length = entry.index - 1;
      log.push(entry);
    }
    const matchIndex = request.prevLogIndex + request.entries.length;
    puppets.send(puppet, from, {
      type: 'AppendEntriesReply',
      term,
      success: true,
      matchIndex,
    } satisfies AppendEntriesReply);
  });
  return { logOf };
}
