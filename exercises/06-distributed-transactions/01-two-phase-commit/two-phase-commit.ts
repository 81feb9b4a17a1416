/**
 * Exercise 6.1: Two-phase commit with locks across two shards. The spec is in README.md, next to this file.
 *
 * Write two nodes:
 * - `createCoordinator`: the coordinator `tc`. Clients send it transactions; it runs two-phase commit
 *   with the shards the transaction touches and answers the client with the outcome.
 * - `createParticipant`: a shard, `s1` or `s2`. It locks the keys of a transaction it prepares, votes,
 *   and applies the decision the coordinator sends.
 *
 * @module
 */
import { type Node, type NodeContext, todo } from '#harness';
import { initialStore, type ParticipantNode, type ParticipantOutcome } from '../_given/txn-protocol.ts';
// 💡 ../_given/txn-protocol.ts is given: the messages (TxnRequest, TxnReply, Prepare, Vote, Decision,
//    DecisionAck), opsByShard (which shard gets which operations), keysOf, and evaluate (what a transaction's
//    operations read and would write on one shard). Import what you use.

const README = 'exercises/06-distributed-transactions/01-two-phase-commit/README.md';

/** The transaction coordinator, `tc`: runs two-phase commit for every transaction a client sends. */
export function createCoordinator(): Node {
  // 💡 A client that got no answer sends the same request (same txnId) again: run each transaction once.
  return {
    onMessage(ctx, from, message) {
      // 👉 A `txn` request from a client:
      //    phase 1: send each shard that the transaction touches a `prepare` with its operations
      //             (ctx.rpc, with a timeout) and collect the votes;
      //    decide:  commit only if every vote is yes; a no, or no answer at all, means abort;
      //    answer the client (txn_committed with the reads from the votes, or txn_aborted);
      //    phase 2: send the decision (`commit` or `abort`) to every shard of the transaction until each
      //             one acknowledges it (decision_ack).
      // 💡 Handlers may be async: `return runTransaction(ctx, from, request)` lets other messages in meanwhile.
      todo('run two-phase commit for a txn request', README);
      void [ctx, from, message];
    },
  };
}

/** A shard, `s1` or `s2`: holds its keys, locks them for prepared transactions, and votes. */
export function createParticipant(ctx: NodeContext): ParticipantNode {
  const store = initialStore(ctx.id);
  // 👉 Keep these up to date: the tests read them.
  const locks = new Map<string, string>(); // key → the transaction holding its lock
  const outcomes = new Map<string, ParticipantOutcome>(); // transaction → what this shard decided
  return {
    store,
    locks,
    outcomes,
    onMessage(ctx, from, message) {
      // 👉 A `prepare`: if another transaction holds a lock on one of its keys, or evaluate() says the
      //    operations cannot run, vote no. Otherwise lock its keys, remember what it will write, and vote
      //    yes with the values it read. Answer with ctx.reply(from, message, vote).
      // 👉 A `commit`: apply the writes, release the locks, record 'committed', answer decision_ack.
      //    An `abort`: forget the writes, release the locks, record 'aborted', answer decision_ack.
      // 💡 Messages may arrive twice, late, or in any order: a repeated prepare gets the same vote, a
      //    repeated decision is acknowledged again, and a decision never changes once taken.
      todo('vote on prepare, and apply commit and abort', README);
      void [ctx, from, message];
    },
  };
}
