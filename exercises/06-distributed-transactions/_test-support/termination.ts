/**
 * Test support for chapter 6 (not a learner file): the checks of cooperative termination. A shard that
 * voted yes decides only what someone already knew: the coordinator announced it, or another shard
 * had decided it. A commit needs a yes from every participant. And the termination answers the shards
 * gave each other, counted for the sweeps' figures.
 *
 * @module
 */
import type { NodeId } from '#harness';
import type { Simulation } from '#harness/testing';
import { COORDINATOR, opsByShard, type TerminationAnswer, type Vote } from '../_given/txn-protocol.ts';
import type { DecisionRecorder } from './participants.ts';
import type { TxnLog } from './txn-client.ts';

const DECISION_OF: Readonly<Record<string, 'commit' | 'abort'>> = {
  commit: 'commit',
  abort: 'abort',
  txn_committed: 'commit',
  txn_aborted: 'abort',
};

/**
 * Fails when a shard that voted yes on a transaction decided it while nobody knew that outcome: the
 * coordinator had not announced it (to a shard or a client) and no other shard had decided it. Fails
 * too when a shard committed a transaction before every participant had voted yes on it
 * (Gray and Lamport 2006: commit only once every participant is prepared).
 */
export function assertDecisionsGrounded(sim: Simulation, log: TxnLog, recorder: DecisionRecorder): void {
  const yesAt = new Map<string, number>();
  const announcedAt = new Map<string, number>();
  for (const event of sim.trace) {
    if (event.kind !== 'send') continue;
    if (event.type === 'vote') {
      const vote = event.message as unknown as Vote;
      const key = `${event.from} ${vote.txnId}`;
      if (vote.yes === true && !yesAt.has(key)) yesAt.set(key, event.t);
      continue;
    }
    const decision = event.from === COORDINATOR ? DECISION_OF[event.type] : undefined;
    if (decision === undefined) continue;
    const key = `${decision} ${(event.message as { readonly txnId: string }).txnId}`;
    if (!announcedAt.has(key)) announcedAt.set(key, event.t);
  }
  for (const decided of recorder.decisions) {
    const { txn, participant, decision } = decided;
    const atMs = decided.atMs ?? sim.nowMs;
    const votedAt = yesAt.get(`${participant} ${txn}`);
    if (votedAt === undefined || votedAt > atMs) continue;
    if (decision === 'commit') {
      const record = log.get(txn);
      const missing =
        record === undefined
          ? []
          : [...opsByShard(record.ops).keys()].filter((shard) => (yesAt.get(`${shard} ${txn}`) ?? Infinity) > atMs);
      if (missing.length > 0) {
        throw new Error(
          `${participant} committed ${txn} at t=${atMs} ms, but ${missing.join(' and ')} had not voted yes on it by then: ` +
            'no shard commits without a yes from every participant.',
        );
      }
    }
    const toldAt = announcedAt.get(`${decision} ${txn}`) ?? Infinity;
    const peer = recorder.decisions.find(
      (other) =>
        other.txn === txn &&
        other.participant !== participant &&
        other.decision === decision &&
        (other.atMs ?? Infinity) <= atMs,
    );
    if (toldAt <= atMs || peer !== undefined) continue;
    throw new Error(
      `${participant}, which voted yes on ${txn} at t=${votedAt} ms, decided ${decision} at t=${atMs} ms while nobody knew that outcome: ` +
        `${COORDINATOR} had not announced it and no other shard had decided it. A shard that voted yes may not decide on its own: ` +
        'it stays blocked while every peer is uncertain, until someone who knows the outcome tells it.',
    );
  }
}

/** The termination answers shards sent each other: decisions told, and "don't know"s. */
export interface TerminationAnswers {
  readonly decisions: number;
  readonly unknowns: number;
}

/** Counts the `termination_answer`s in the trace of `sim`. */
export function terminationAnswers(sim: Simulation): TerminationAnswers {
  let decisions = 0;
  let unknowns = 0;
  for (const event of sim.trace) {
    if (event.kind !== 'send' || event.type !== 'termination_answer') continue;
    if ((event.message as unknown as TerminationAnswer).outcome === 'unknown') unknowns++;
    else decisions++;
  }
  return { decisions, unknowns };
}

/** The `termination_answer`s `from` sent `to` about `txnId`, in order: `commit`, `abort` or `unknown`. */
export function answersBetween(sim: Simulation, from: NodeId, to: NodeId, txnId: string): string[] {
  return sim.trace.flatMap((event) => {
    if (event.kind !== 'send' || event.type !== 'termination_answer' || event.from !== from || event.to !== to)
      return [];
    const answer = event.message as unknown as TerminationAnswer;
    return answer.txnId === txnId ? [answer.outcome] : [];
  });
}
