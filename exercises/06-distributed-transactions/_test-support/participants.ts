/**
 * Test support for chapter 6 (not a learner file): what the participants did, watched after every
 * event: each decision with its time, a decision that changes, and locks held by transactions already
 * decided.
 *
 * @module
 */
import type { NodeId } from '#harness';
import type { ParticipantDecision } from '#harness/check';
import type { Simulation } from '#harness/testing';
import { SHARDS, type ParticipantNode, type ParticipantOutcome, type Vote } from '../_given/txn-protocol.ts';

/** The live participant `shard` of `sim`; fails if it is down or does not show the state the tests read. */
export function participantOf(sim: Simulation, shard: NodeId): ParticipantNode {
  const node = sim.nodeInstance<ParticipantNode>(shard);
  if (node === undefined) throw new Error(`${shard} is down at t=${sim.nowMs} ms, so its state cannot be read.`);
  for (const field of ['store', 'locks', 'outcomes'] as const) {
    if (!(node[field] instanceof Map)) {
      throw new Error(
        `${shard}'s node object has no Map called ${field}: createParticipant returns { store, locks, outcomes, onMessage }, and the tests read those three.`,
      );
    }
  }
  return node;
}

/**
 * Watches the participants after every event. Records every decision the first time it appears (with
 * its time), and every change of a decision (the atomicity checker reports it as `decided-twice`).
 * Stops the run at once when a participant holds a lock for a transaction it has already decided.
 */
export class DecisionRecorder {
  readonly decisions: ParticipantDecision[] = [];
  readonly #seen = new Map<NodeId, Map<string, ParticipantOutcome>>();

  constructor(sim: Simulation, shards: readonly NodeId[] = SHARDS) {
    for (const shard of shards) this.#seen.set(shard, new Map());
    sim.watch('locks and decisions', () => {
      for (const shard of shards) {
        const problem = this.#look(sim, shard);
        if (problem !== null) return problem;
      }
      return null;
    });
  }

  /** The decisions of `shard` so far, by transaction (the latest, if one changed). */
  decisionsOf(shard: NodeId): ReadonlyMap<string, ParticipantOutcome> {
    return this.#seen.get(shard) ?? new Map();
  }

  #look(sim: Simulation, shard: NodeId): string | null {
    const node = sim.nodeInstance<ParticipantNode>(shard);
    if (node === undefined || !(node.outcomes instanceof Map)) return null;
    const seen = this.#seen.get(shard)!;
    // A full pass after every event: a decision that changes keeps the map's size, so the size alone cannot tell.
    for (const [txn, outcome] of node.outcomes) {
      if (seen.get(txn) === outcome) continue;
      seen.set(txn, outcome);
      this.decisions.push({
        txn,
        participant: shard,
        decision: outcome === 'committed' ? 'commit' : 'abort',
        atMs: sim.nowMs,
      });
    }
    if (!(node.locks instanceof Map)) return null;
    for (const [key, txn] of node.locks) {
      const outcome = node.outcomes.get(txn);
      if (outcome !== undefined) {
        return `${shard} still holds the lock on ${key} for ${txn}, which it has ${outcome}: a decision releases the transaction's locks`;
      }
    }
    return null;
  }
}

/** For each transaction, the participants that voted yes on it, from the votes in the trace. */
export function yesVoters(sim: Simulation): Map<string, NodeId[]> {
  const voters = new Map<string, NodeId[]>();
  for (const event of sim.trace) {
    if (event.kind !== 'send' || event.type !== 'vote') continue;
    const vote = event.message as unknown as Vote;
    if (vote.yes !== true) continue;
    const list = voters.get(vote.txnId) ?? [];
    if (!list.includes(event.from)) list.push(event.from);
    voters.set(vote.txnId, list);
  }
  return voters;
}
