/**
 * Test support for chapter 6 (not a learner file): durability of the coordinator's decisions. Once the
 * coordinator has announced a decision (to a client or to a shard), every later announcement of that
 * transaction, before or after any crash, must be the same one.
 *
 * @module
 */
import type { Simulation } from '#harness/testing';
import { COORDINATOR } from '../_given/txn-protocol.ts';

/** One announcement of a decision the trace shows. */
interface Announcement {
  readonly decision: 'commit' | 'abort';
  readonly to: string;
  readonly atMs: number;
}

const DECISION_OF: Readonly<Record<string, 'commit' | 'abort'>> = {
  commit: 'commit',
  abort: 'abort',
  txn_committed: 'commit',
  txn_aborted: 'abort',
};

/**
 * Fails when the coordinator announced two different decisions for one transaction: it sent `commit`
 * (or told its client committed) and, later, `abort`, or the other way round. That happens when a
 * decision leaves before it is logged and the coordinator, restarted, decides again.
 */
export function assertDecisionsDurable(sim: Simulation): void {
  const first = new Map<string, Announcement>();
  for (const event of sim.trace) {
    if (event.kind !== 'send' || event.from !== COORDINATOR) continue;
    const decision = DECISION_OF[event.type];
    if (decision === undefined) continue;
    const { txnId } = event.message as { readonly txnId: string };
    const earlier = first.get(txnId);
    if (earlier === undefined) {
      first.set(txnId, { decision, to: event.to, atMs: event.t });
      continue;
    }
    if (earlier.decision !== decision) {
      throw new Error(
        `decision not durable: ${COORDINATOR} announced ${earlier.decision} for ${txnId} (to ${earlier.to} at t=${earlier.atMs} ms), then ${decision} (to ${event.to} at t=${event.t} ms). A decision is logged before anyone hears it, and a restarted coordinator sends the logged one.`,
      );
    }
  }
}
