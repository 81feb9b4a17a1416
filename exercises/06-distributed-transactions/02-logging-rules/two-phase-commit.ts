/**
 * Exercise 6.2: two-phase commit that survives crashes (the logging rules). This file starts as the
 * reference solution of 6.1; the spec is in README.md, next to this file.
 *
 * Make it survive crashes: whatever a node keeps in memory is lost when it crashes, and only
 * `ctx.storage` survives. Look for 👉.
 *
 * Exercise 6.1, the starting point: two-phase commit with locks across two shards.
 *
 * The coordinator runs each transaction in two phases: it asks every participant to prepare (lock the
 * keys, check the operations can run, vote), then sends every participant the one decision: commit if
 * every vote was yes, abort otherwise. A participant that voted yes holds its locks until the decision
 * reaches it, and decides nothing on its own.
 *
 * @module
 */
import { type Message, type Node, type NodeContext, type NodeId, todo } from '#harness';
import {
  type Decision,
  type DecisionAck,
  evaluate,
  initialStore,
  keysOf,
  opsByShard,
  type ParticipantNode,
  type ParticipantOutcome,
  type Prepare,
  type TxnReply,
  type TxnRequest,
  type Vote,
} from '../_given/txn-protocol.ts';

const README = 'exercises/06-distributed-transactions/02-logging-rules/README.md';

/** How long the coordinator waits for one vote, ms; it asks this many times before it counts a no. */
const PREPARE_TIMEOUT_MS = 100;
const PREPARE_ATTEMPTS = 3;
/** The decision is sent again until acknowledged, waiting twice as long each time, up to the cap. */
const DECISION_FIRST_WAIT_MS = 100;
const DECISION_MAX_WAIT_MS = 400;

// ───────────────────────────── the coordinator ─────────────────────────────

/** One transaction the coordinator has started. */
interface CoordinatedTxn {
  /** The answer for the client, set once, when the decision is taken. */
  reply: TxnReply | undefined;
  /** Copies of the client's request still waiting for that answer (the client may have sent it again). */
  readonly waiting: Array<{ readonly from: NodeId; readonly request: TxnRequest }>;
}

/** The transaction coordinator, `tc`: runs two-phase commit for every transaction a client sends. */
export function createCoordinator(): Node {
  // Invariant: a transaction is run once; a repeated request waits for, or gets, the same answer.
  const txns = new Map<string, CoordinatedTxn>();
  return {
    onStart(ctx) {
      // 👉 Recovery: read the decisions you logged (ctx.storage) and send again every one that some
      //    participant has not acknowledged. A repeated `txn` request must get the logged answer.
      todo('recover the logged decisions and send them again', README);
      void ctx;
    },
    onMessage(ctx, from, message) {
      // 👉 A `decision_query` from a participant: answer with the logged decision (`commit` or `abort`);
      //    while the transaction is still in phase 1, do not answer; if you know nothing of it, you
      //    crashed before deciding: abort is safe (log it first).
      if (message.type !== 'txn') return;
      const request = message as TxnRequest;
      const known = txns.get(request.txnId);
      if (known !== undefined) {
        if (known.reply !== undefined) ctx.reply(from, request, known.reply);
        else known.waiting.push({ from, request });
        return;
      }
      const txn: CoordinatedTxn = { reply: undefined, waiting: [{ from, request }] };
      txns.set(request.txnId, txn);
      return runTwoPhaseCommit(ctx, request, txn);
    },
  };
}

async function runTwoPhaseCommit(ctx: NodeContext, request: TxnRequest, txn: CoordinatedTxn): Promise<void> {
  const { txnId } = request;
  const byShard = opsByShard(request.ops);
  const participants = [...byShard.keys()];
  // Phase 1: every participant votes. No answer counts as no: the coordinator may abort on its own
  // until it has decided, because no participant commits before it hears the decision.
  const votes = await Promise.all(
    participants.map((participant) =>
      collectVote(ctx, participant, { type: 'prepare', txnId, ops: byShard.get(participant)! }),
    ),
  );
  const refusal = votes.find((vote) => !vote.yes);
  // 👉 The logging rule: log the decision durably before the client or any participant hears it.
  const decision = refusal === undefined ? 'commit' : 'abort';
  txn.reply =
    refusal === undefined
      ? { type: 'txn_committed', txnId, reads: Object.assign({}, ...votes.map((vote) => vote.reads ?? {})) }
      : { type: 'txn_aborted', txnId, reason: refusal.reason ?? 'a participant voted no' };
  for (const { from, request: copy } of txn.waiting.splice(0)) ctx.reply(from, copy, txn.reply);
  // Phase 2: the decision is final. Every participant must learn it, however long that takes: those
  // that voted yes hold their locks until it arrives.
  await Promise.all(participants.map((participant) => deliverDecision(ctx, participant, { type: decision, txnId })));
}

/** The participant's vote, or a no when it did not answer `PREPARE_ATTEMPTS` times. */
async function collectVote(ctx: NodeContext, participant: NodeId, prepare: Prepare): Promise<Vote> {
  for (let attempt = 1; attempt <= PREPARE_ATTEMPTS; attempt++) {
    const result = await ctx.rpc<Vote>(participant, prepare, { timeoutMs: PREPARE_TIMEOUT_MS });
    if (result.ok) return result.reply;
  }
  return { type: 'vote', txnId: prepare.txnId, yes: false, reason: `${participant} did not answer` };
}

/** Sends the decision to `participant` until it acknowledges it. */
async function deliverDecision(ctx: NodeContext, participant: NodeId, decision: Decision): Promise<void> {
  for (let waitMs = DECISION_FIRST_WAIT_MS; ; waitMs = Math.min(2 * waitMs, DECISION_MAX_WAIT_MS)) {
    const result = await ctx.rpc<DecisionAck>(participant, decision, { timeoutMs: waitMs });
    if (result.ok) return;
  }
}

// ───────────────────────────── a participant ─────────────────────────────

/** A transaction this participant voted yes on and has not yet heard the decision of. */
interface PreparedTxn {
  /** What it will write if it commits. */
  readonly writes: ReadonlyMap<string, number>;
  /** The keys it locked. */
  readonly keys: readonly string[];
}

/** A shard, `s1` or `s2`: holds its keys, locks them for prepared transactions, and votes. */
export function createParticipant(ctx: NodeContext): ParticipantNode {
  const store = initialStore(ctx.id);
  // Invariant: a key is locked by a transaction exactly while that transaction is prepared here.
  const locks = new Map<string, string>();
  const prepared = new Map<string, PreparedTxn>();
  const outcomes = new Map<string, ParticipantOutcome>();
  // Every vote cast: a repeated prepare gets the same vote.
  const votes = new Map<string, Vote>();

  function vote(prepare: Prepare): Vote {
    const earlier = votes.get(prepare.txnId);
    if (earlier !== undefined) return earlier;
    const cast = decideVote(prepare);
    votes.set(prepare.txnId, cast);
    return cast;
  }

  function decideVote({ txnId, ops }: Prepare): Vote {
    const no = (reason: string): Vote => {
      // A no vote is this participant's abort: the coordinator can only abort.
      outcomes.set(txnId, 'aborted');
      return { type: 'vote', txnId, yes: false, reason: `${ctx.id} voted no: ${reason}` };
    };
    if (outcomes.get(txnId) === 'aborted') return no(`${txnId} was already aborted`);
    const keys = keysOf(ops);
    const locked = keys.find((key) => locks.has(key));
    if (locked !== undefined) return no(`key ${locked} is locked by ${locks.get(locked)}`);
    const evaluation = evaluate(store, ops);
    if (!evaluation.ok) return no(evaluation.reason);
    for (const key of keys) locks.set(key, txnId);
    prepared.set(txnId, { writes: evaluation.writes, keys });
    // 👉 The logging rule: log PREPARED (what it will write, the keys it locks, its vote) durably before
    //    the yes leaves. Log the values a commit writes, and every decision, too.
    // 👉 A shard that voted yes and waits long for the decision asks tc (`decision_query`, a timer).
    return { type: 'vote', txnId, yes: true, reads: evaluation.reads };
  }

  function release(txnId: string, txn: PreparedTxn): void {
    for (const key of txn.keys) locks.delete(key);
    prepared.delete(txnId);
  }

  function commit(txnId: string): boolean {
    const txn = prepared.get(txnId);
    if (txn === undefined) return outcomes.get(txnId) === 'committed'; // a repeated commit is acknowledged again
    for (const [key, value] of txn.writes) store.set(key, value);
    release(txnId, txn);
    outcomes.set(txnId, 'committed');
    return true;
  }

  function abort(txnId: string): boolean {
    if (outcomes.get(txnId) === 'committed') return false; // a decision never changes
    const txn = prepared.get(txnId);
    if (txn !== undefined) release(txnId, txn);
    // Kept even when no prepare came: a prepare that arrives late must not lock anything.
    outcomes.set(txnId, 'aborted');
    return true;
  }

  return {
    store,
    locks,
    outcomes,
    onStart(ctx) {
      // 👉 Recovery: rebuild store, outcomes and the locks of every prepared transaction from the log,
      //    and ask tc how the prepared ones ended.
      todo('recover the store, the decisions and the prepared transactions from the log', README);
      void ctx;
    },
    onMessage(ctx, from, message: Message) {
      if (message.type === 'prepare') {
        ctx.reply(from, message, vote(message as Prepare));
        return;
      }
      if (message.type !== 'commit' && message.type !== 'abort') return;
      const { txnId } = message as Decision;
      const applied = message.type === 'commit' ? commit(txnId) : abort(txnId);
      if (applied) ctx.reply(from, message, { type: 'decision_ack', txnId } satisfies DecisionAck);
      else ctx.log(`${message.type} of ${txnId} refused: it contradicts what this participant knows`);
    },
  };
}
