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

/** How {@link assertDecisionsDurable} judges. */
interface DurabilityOptions {
  /**
   * The coordinator presumes abort (exercise 6.4): it forgets a commit once every participant has
   * acknowledged it, and answers abort about any transaction it has no record of. So a question that
   * arrives late, after the commit was forgotten (and the coordinator restarted), is answered abort.
   * Such an answer to a question is not an announcement: an asker still waiting applies it, and the
   * atomicity check judges that; an asker that stopped waiting ignores it. Every abort the
   * coordinator sends of its own accord, and every answer to a client (`txn_aborted` included), still counts. Default false.
   */
  readonly presumedAbort?: boolean;
}

/** A reply to an rpc (it quotes the request's id), as opposed to a message sent of the sender's own accord. */
function isReply(message: unknown): boolean {
  return typeof message === 'object' && message !== null && 'inReplyTo' in message;
}

/**
 * Fails when the coordinator announced two different decisions for one transaction: it sent `commit`
 * (or told its client committed) and, later, `abort`, or the other way round. That happens when a
 * decision leaves before it is logged and the coordinator, restarted, decides again.
 */
export function assertDecisionsDurable(sim: Simulation): void {
  judgeDurability(sim, {});
}

/**
 * {@link assertDecisionsDurable} for a coordinator that presumes abort (exercise 6.4): its abort
 * answers to questions are left out (a coordinator that forgot a transaction answers abort to a late question about it).
 */
export function assertPresumedAbortDecisionsDurable(sim: Simulation): void {
  judgeDurability(sim, { presumedAbort: true });
}

function judgeDurability(sim: Simulation, options: DurabilityOptions): void {
  const first = new Map<string, Announcement>();
  for (const event of sim.trace) {
    if (event.kind !== 'send' || event.from !== COORDINATOR) continue;
    const decision = DECISION_OF[event.type];
    if (decision === undefined) continue;
    if (options.presumedAbort === true && event.type === 'abort' && isReply(event.message)) continue;
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
