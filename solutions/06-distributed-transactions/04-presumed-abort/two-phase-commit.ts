/**
 * Exercise 6.4, reference solution: two-phase commit with presumed abort.
 *
 * The coordinator runs each transaction in two phases: it asks every participant to prepare (lock the
 * keys, check the operations can run, vote), then sends every participant the one decision: commit if
 * every vote was yes, abort otherwise. A participant logs PREPARED before it votes yes, and asks how a
 * transaction it prepared ended when it hears nothing; it asks its peers too (cooperative termination).
 *
 * Presumed abort (Mohan, Lindsay and Obermarck 1986): "no record" means abort. The coordinator logs a
 * commit before anyone hears it, sends it until every participant has acknowledged it, and then
 * forgets it. It logs no abort that a participant already has on record (the one that voted no), sends
 * an abort once and wants no acknowledgement, and answers "abort" about any transaction it has no
 * record of. The participants keep the aborts instead: an abort that comes before the prepare leaves a
 * tombstone, so the late prepare votes no. Decisions are idempotent: a repeated commit or abort is
 * harmless, and an abort of a committed transaction is refused.
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeId, TimerPayload } from '#harness';
import {
  COORDINATOR,
  type Decision,
  type DecisionAck,
  type DecisionQuery,
  evaluate,
  initialStore,
  keysOf,
  opsByShard,
  type ParticipantNode,
  type ParticipantOutcome,
  type Prepare,
  type TerminationAnswer,
  type TerminationQuery,
  type TxnCommitted,
  type TxnReply,
  type TxnRequest,
  type Vote,
} from '../_given/txn-protocol.ts';

/** How long the coordinator waits for one vote, ms; it asks this many times before it counts a no. */
const PREPARE_TIMEOUT_MS = 100;
const PREPARE_ATTEMPTS = 3;
/** The decision is sent again until acknowledged, waiting twice as long each time, up to the cap. */
const DECISION_FIRST_WAIT_MS = 100;
const DECISION_MAX_WAIT_MS = 400;
/** A participant that voted yes asks the coordinator and its peers for the decision this often, ms, until it has it. */
const ASK_EVERY_MS = 300;

// ───────────────────────────── the coordinator ─────────────────────────────

/**
 * What the coordinator logs about a transaction, before anyone hears the decision. Presumed abort:
 * a commit is always logged, and marked done (the end record) once every participant has
 * acknowledged it. An abort is logged only when it is the coordinator's own (a participant did not
 * answer): an abort after a no vote is already on record at the participant that voted no.
 */
interface LoggedDecision {
  readonly decision: 'commit' | 'abort';
  /** The participants to tell. */
  readonly participants: readonly NodeId[];
  /** The client's answer. */
  readonly reply: TxnReply;
  /** A commit every participant acknowledged: nothing to send again after a restart. */
  readonly done: boolean;
}

/** The storage key of `txnId`'s decision. */
const decisionKey = (txnId: string): string => `decision:${txnId}`;

/** One transaction the coordinator has started, or knows the decision of. */
interface CoordinatedTxn {
  /** The answer for the client, set once, when the decision is taken. */
  reply: TxnReply | undefined;
  /** Copies of the client's request still waiting for that answer (the client may have sent it again). */
  readonly waiting: Array<{ readonly from: NodeId; readonly request: TxnRequest }>;
}

/** The transaction coordinator, `tc`: runs two-phase commit for every transaction a client sends. */
export function createCoordinator(): Node {
  // Invariant: a transaction is run once; a repeated request waits for, or gets, the same answer.
  // Volatile: what is not logged is lost in a crash. That is safe: a transaction this coordinator has
  // no record of can only have aborted (presumed abort), and every abort it forgets is on record at
  // some participant, so running the same request again cannot commit it.
  const txns = new Map<string, CoordinatedTxn>();
  return {
    onStart(ctx) {
      // Recovery: a logged decision is final. A logged commit goes out again until every participant
      // has acknowledged it; a logged abort needs no delivery (a participant that asks hears abort).
      const unfinished: Array<Promise<void>> = [];
      for (const key of ctx.storage.keys()) {
        if (!key.startsWith('decision:')) continue;
        const logged = ctx.storage.get<LoggedDecision>(key)!;
        txns.set(logged.reply.txnId, { reply: logged.reply, waiting: [] });
        if (logged.decision === 'commit' && !logged.done) unfinished.push(deliverCommit(ctx, logged));
      }
      return Promise.all(unfinished).then(() => undefined);
    },
    onMessage(ctx, from, message) {
      if (message.type === 'decision_query') {
        answerQuery(ctx, from, message as DecisionQuery, txns);
        return;
      }
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

/**
 * A participant asks how `txnId` ended: the decision if there is one (logged, or in memory); nothing
 * while phase 1 still runs; otherwise abort, the presumption. No record means the transaction did
 * not commit: a commit is logged before anyone hears it. So the answer needs no log write; it is
 * remembered in memory, so that a repeated request from the client is not run again after a shard
 * was told abort.
 */
function answerQuery(ctx: NodeContext, from: NodeId, query: DecisionQuery, txns: Map<string, CoordinatedTxn>): void {
  const { txnId } = query;
  const logged = ctx.storage.get<LoggedDecision>(decisionKey(txnId));
  if (logged !== undefined) {
    ctx.reply(from, query, { type: logged.decision, txnId } satisfies Decision);
    return;
  }
  const known = txns.get(txnId);
  if (known !== undefined && known.reply === undefined) return; // still deciding: the participant asks again
  if (known === undefined) {
    txns.set(txnId, {
      reply: { type: 'txn_aborted', txnId, reason: `${COORDINATOR} has no record of it` },
      waiting: [],
    });
  }
  ctx.reply(from, query, { type: 'abort', txnId } satisfies Decision);
}

async function runTwoPhaseCommit(ctx: NodeContext, request: TxnRequest, txn: CoordinatedTxn): Promise<void> {
  const { txnId } = request;
  const byShard = opsByShard(request.ops);
  const participants = [...byShard.keys()];
  // Phase 1: every participant votes. No answer counts as no: the coordinator may abort on its own
  // until it has decided, because no participant commits before it hears the decision.
  const votes = await Promise.all(
    participants.map((participant) =>
      // Every participant hears who the others are: whom to ask if this coordinator goes silent.
      collectVote(ctx, participant, { type: 'prepare', txnId, ops: byShard.get(participant)!, participants }),
    ),
  );
  if (votes.every((vote) => vote?.yes === true)) {
    const reads = Object.assign({}, ...votes.map((vote) => vote?.reads ?? {})) as TxnCommitted['reads'];
    await commitEverywhere(ctx, txn, {
      decision: 'commit',
      participants,
      reply: { type: 'txn_committed', txnId, reads },
      done: false,
    });
    return;
  }
  const refusal = votes.find((vote) => vote !== undefined && !vote.yes);
  const silent = participants.filter((_, index) => votes[index] === undefined);
  const reply: TxnReply = {
    type: 'txn_aborted',
    txnId,
    reason: refusal?.reason ?? `${silent.join(' and ')} did not answer`,
  };
  // Presumed abort: no abort record, unless nobody else has one. A participant that voted no logged
  // its abort before it voted, so a prepare of the same transaction, sent again after a crash of this
  // coordinator, gets the same no. When the abort is this coordinator's own (silence, not a no), no
  // participant has a record, and a repeated request run afresh after a crash could commit what a
  // client or a shard was told was aborted: that abort is logged before anyone hears it.
  if (refusal === undefined) {
    ctx.storage.set(decisionKey(txnId), {
      decision: 'abort',
      participants,
      reply,
      done: true,
    } satisfies LoggedDecision);
  }
  answerClient(txn, reply, ctx);
  // Tell the participants that may be prepared, once; no acknowledgement. A participant that misses
  // it asks, and hears abort: from memory, from the log, or presumed.
  for (const [index, participant] of participants.entries()) {
    if (votes[index]?.yes !== false) ctx.send(participant, { type: 'abort', txnId } satisfies Decision);
  }
}

/** Answers every copy of the client's request that is waiting, and every later one, with `reply`. */
function answerClient(txn: CoordinatedTxn, reply: TxnReply, ctx: NodeContext): void {
  txn.reply = reply;
  for (const { from, request: copy } of txn.waiting.splice(0)) ctx.reply(from, copy, reply);
}

/**
 * The commit: logged before anyone hears it (the logging rule), sent to every participant until each
 * acknowledges it, then marked done. The record is never dropped before that: a participant that
 * missed the commit would ask, find no record, and hear the presumption, abort. (A real coordinator
 * drops it from its log once done; this one keeps it, because a client may send its request again at
 * any time, and a commit run afresh could abort.)
 */
async function commitEverywhere(ctx: NodeContext, txn: CoordinatedTxn, logged: LoggedDecision): Promise<void> {
  ctx.storage.set(decisionKey(logged.reply.txnId), logged);
  answerClient(txn, logged.reply, ctx);
  await deliverCommit(ctx, logged);
}

/** Phase 2 of a commit: sends it to every participant until each acknowledges it, then writes the end record. */
async function deliverCommit(ctx: NodeContext, logged: LoggedDecision): Promise<void> {
  const { txnId } = logged.reply;
  await Promise.all(
    logged.participants.map((participant) => deliverDecision(ctx, participant, { type: 'commit', txnId })),
  );
  ctx.storage.set(decisionKey(txnId), { ...logged, done: true } satisfies LoggedDecision);
}

/** The participant's vote, or `undefined` when it did not answer `PREPARE_ATTEMPTS` times. */
async function collectVote(ctx: NodeContext, participant: NodeId, prepare: Prepare): Promise<Vote | undefined> {
  for (let attempt = 1; attempt <= PREPARE_ATTEMPTS; attempt++) {
    const result = await ctx.rpc<Vote>(participant, prepare, { timeoutMs: PREPARE_TIMEOUT_MS });
    if (result.ok) return result.reply;
  }
  return undefined;
}

/** Sends the decision to `participant` until it acknowledges it. */
async function deliverDecision(ctx: NodeContext, participant: NodeId, decision: Decision): Promise<void> {
  for (let waitMs = DECISION_FIRST_WAIT_MS; ; waitMs = Math.min(2 * waitMs, DECISION_MAX_WAIT_MS)) {
    const result = await ctx.rpc<DecisionAck>(participant, decision, { timeoutMs: waitMs });
    if (result.ok) return;
  }
}

// ───────────────────────────── a participant ─────────────────────────────

/** What a participant logs about one transaction, under `txn:<id>`. */
interface LoggedTxn {
  /** The vote it cast (absent when an abort came before any prepare). */
  readonly vote?: Vote;
  /** What it will write if it commits (with a yes vote). */
  readonly writes: ReadonlyArray<readonly [string, number]>;
  /** The keys it locked (with a yes vote). */
  readonly keys: readonly string[];
  /** Every participant of the transaction, from the prepare (with a yes vote): the peers it asks. */
  readonly participants?: readonly NodeId[];
  /** Its decision, once taken. */
  readonly outcome?: ParticipantOutcome;
}

/** The storage key of what the participant logged about `txnId`. */
const txnKey = (txnId: string): string => `txn:${txnId}`;
/** The storage key of the value of `key`. */
const valueKey = (key: string): string => `value:${key}`;

/** The participant's timer: time to ask the coordinator and the peers how `txnId` ended. */
interface AskTimer extends TimerPayload {
  readonly type: 'ask';
  readonly txnId: string;
}

/** A shard, `s1` or `s2`: holds its keys, locks them for prepared transactions, votes, and survives crashes. */
export function createParticipant(ctx: NodeContext): ParticipantNode {
  const store = initialStore(ctx.id);
  // Invariant: a key is locked by a transaction exactly while that transaction is prepared here, and
  // everything in these maps is in the log first.
  const locks = new Map<string, string>();
  const outcomes = new Map<string, ParticipantOutcome>();
  const log = ctx.storage;

  const logged = (txnId: string): LoggedTxn | undefined => log.get<LoggedTxn>(txnKey(txnId));
  const isPrepared = (entry: LoggedTxn | undefined): entry is LoggedTxn =>
    entry?.vote?.yes === true && entry.outcome === undefined;

  function vote(ctx: NodeContext, { txnId, ops, participants = [] }: Prepare): Vote {
    const earlier = logged(txnId);
    // Aborted here (a tombstone, a no vote, or a yes vote and then an abort): the answer is no, even
    // to a prepare of this transaction sent again by a coordinator that forgot it. The old yes would
    // let it commit what this shard has aborted.
    if (earlier?.outcome === 'aborted') return earlier.vote?.yes === false ? earlier.vote : abortedVote(txnId);
    if (earlier?.vote !== undefined) return earlier.vote; // a repeated prepare gets the same vote
    const no = (reason: string): Vote => {
      // A no vote is this participant's abort: the coordinator can only abort.
      const cast: Vote = { type: 'vote', txnId, yes: false, reason: `${ctx.id} voted no: ${reason}` };
      log.set(txnKey(txnId), { vote: cast, writes: [], keys: [], outcome: 'aborted' } satisfies LoggedTxn);
      outcomes.set(txnId, 'aborted');
      return cast;
    };
    const keys = keysOf(ops);
    const locked = keys.find((key) => locks.has(key));
    if (locked !== undefined) return no(`key ${locked} is locked by ${locks.get(locked)}`);
    const evaluation = evaluate(store, ops);
    if (!evaluation.ok) return no(evaluation.reason);
    const cast: Vote = { type: 'vote', txnId, yes: true, reads: evaluation.reads };
    // The logging rule: PREPARED is durable before the yes leaves. After a crash this shard still
    // knows what it promised, and can keep the promise.
    log.set(txnKey(txnId), { vote: cast, writes: [...evaluation.writes], keys, participants } satisfies LoggedTxn);
    for (const key of keys) locks.set(key, txnId);
    ctx.setTimer(ASK_EVERY_MS, { type: 'ask', txnId } satisfies AskTimer);
    return cast;
  }

  /** The no a shard gives to a prepare of a transaction it has aborted. Nothing to log: the abort is. */
  const abortedVote = (txnId: string): Vote => ({
    type: 'vote',
    txnId,
    yes: false,
    reason: `${ctx.id} voted no: ${txnId} was already aborted`,
  });

  function decide(txnId: string, entry: LoggedTxn, outcome: ParticipantOutcome): void {
    if (outcome === 'committed') {
      // Each value is written before the outcome: a crash in between finds the transaction still
      // prepared, and the commit after the restart writes the same values again.
      for (const [key, value] of entry.writes) {
        log.set(valueKey(key), value);
        store.set(key, value);
      }
    }
    log.set(txnKey(txnId), { ...entry, outcome } satisfies LoggedTxn);
    for (const key of entry.keys) if (locks.get(key) === txnId) locks.delete(key);
    outcomes.set(txnId, outcome);
  }

  /**
   * The coordinator's commit. Applied once: a repeated commit (a copy the network duplicated, or one
   * the coordinator sent again because the acknowledgement was lost) is acknowledged again and
   * changes nothing, since writing the values a second time could undo a later transaction's writes.
   * Refused when this shard never voted yes on it, or aborted it: a decision never changes.
   */
  function commit(txnId: string): boolean {
    const entry = logged(txnId);
    if (entry?.outcome !== undefined) return entry.outcome === 'committed';
    if (!isPrepared(entry)) return false;
    decide(txnId, entry, 'committed');
    return true;
  }

  /**
   * An abort, from the coordinator, or this shard's own answer to a peer. Refused for a transaction
   * this shard committed. For one it never heard of, it leaves a tombstone: an aborted record with no
   * locks and no writes, keyed by the transaction, so that a prepare that arrives late votes no
   * instead of locking keys that no decision will ever release. Under presumed abort the tombstone
   * may be the only record of the abort anywhere. Tombstones are never removed here (a real system
   * drops them once no prepare can still arrive).
   */
  function abort(txnId: string): boolean {
    const entry = logged(txnId);
    if (entry?.outcome !== undefined) return entry.outcome === 'aborted';
    decide(txnId, entry ?? { writes: [], keys: [] }, 'aborted');
    return true;
  }

  /**
   * A peer asks how `txnId` ended. A decision is told as it is. Prepared and undecided, this shard
   * knows no more than the asker: "don't know". Never voted: the coordinator cannot have decided commit
   * without this shard's yes, so this shard may abort now; the abort is logged before the answer
   * leaves, and a prepare that comes later gets a no.
   */
  function answerPeer(txnId: string): TerminationAnswer['outcome'] {
    const entry = logged(txnId);
    if (entry?.outcome !== undefined) return entry.outcome === 'committed' ? 'commit' : 'abort';
    if (isPrepared(entry)) return 'unknown';
    abort(txnId);
    return 'abort';
  }

  function apply(ctx: NodeContext, decision: Decision): boolean {
    const applied = decision.type === 'commit' ? commit(decision.txnId) : abort(decision.txnId);
    if (!applied) ctx.log(`${decision.type} of ${decision.txnId} refused: it contradicts what this participant knows`);
    return applied;
  }

  return {
    store,
    locks,
    outcomes,
    onStart(ctx) {
      // Recovery: the store, the decisions and the locks of every prepared transaction, from the log.
      for (const key of log.keys()) {
        if (key.startsWith('value:')) store.set(key.slice('value:'.length), log.get<number>(key)!);
      }
      for (const key of log.keys()) {
        if (!key.startsWith('txn:')) continue;
        const txnId = key.slice('txn:'.length);
        const entry = log.get<LoggedTxn>(key)!;
        if (entry.outcome !== undefined) outcomes.set(txnId, entry.outcome);
        else if (isPrepared(entry)) {
          for (const locked of entry.keys) locks.set(locked, txnId);
          // The decision may have been sent while this shard was down: ask for it.
          ctx.setTimer(0, { type: 'ask', txnId } satisfies AskTimer);
        }
      }
    },
    onMessage(ctx, from, message: Message) {
      if (message.type === 'prepare') {
        ctx.reply(from, message, vote(ctx, message as Prepare));
        return;
      }
      if (message.type === 'termination_query') {
        const { txnId } = message as TerminationQuery;
        ctx.reply(from, message, {
          type: 'termination_answer',
          txnId,
          outcome: answerPeer(txnId),
        } satisfies TerminationAnswer);
        return;
      }
      if (message.type !== 'commit' && message.type !== 'abort') return;
      const decision = message as Decision;
      // Presumed abort: only a commit is acknowledged. The coordinator forgets an abort at once, and
      // an acknowledgement would tell it nothing it needs.
      if (apply(ctx, decision) && decision.type === 'commit')
        ctx.reply(from, message, { type: 'decision_ack', txnId: decision.txnId } satisfies DecisionAck);
    },
    async onTimer(ctx, timer) {
      if (timer.type !== 'ask') return;
      const { txnId } = timer as AskTimer;
      const entry = logged(txnId);
      if (!isPrepared(entry)) return;
      // Everyone who might know, at once: the coordinator, and every peer (cooperative termination).
      const peers = (entry.participants ?? []).filter((peer) => peer !== ctx.id);
      const decision = await firstKnown([
        askCoordinator(ctx, txnId),
        ...peers.map((peer) => askPeer(ctx, peer, txnId)),
      ]);
      // Nobody knew (every peer uncertain, the coordinator silent): blocked, ask again later. Never guess.
      if (decision !== undefined && isPrepared(logged(txnId))) apply(ctx, { type: decision, txnId });
      if (isPrepared(logged(txnId))) ctx.setTimer(ASK_EVERY_MS, { type: 'ask', txnId } satisfies AskTimer);
    },
  };
}

/** The coordinator's decision on `txnId`, or `undefined` if it did not answer in time. */
async function askCoordinator(ctx: NodeContext, txnId: string): Promise<Decision['type'] | undefined> {
  const query: DecisionQuery = { type: 'decision_query', txnId };
  const result = await ctx.rpc<Decision>(COORDINATOR, query, { timeoutMs: ASK_EVERY_MS });
  return result.ok ? result.reply.type : undefined;
}

/** What `peer` knows of `txnId`: a decision, or `undefined` if it does not know or did not answer. */
async function askPeer(ctx: NodeContext, peer: NodeId, txnId: string): Promise<Decision['type'] | undefined> {
  const query: TerminationQuery = { type: 'termination_query', txnId };
  const result = await ctx.rpc<TerminationAnswer>(peer, query, { timeoutMs: ASK_EVERY_MS });
  if (!result.ok || result.reply.outcome === 'unknown') return undefined;
  return result.reply.outcome;
}

/** The first decision any of `answers` brings; `undefined` once all of them came back without one. */
function firstKnown(
  answers: ReadonlyArray<Promise<Decision['type'] | undefined>>,
): Promise<Decision['type'] | undefined> {
  return new Promise((resolve) => {
    let pending = answers.length;
    if (pending === 0) resolve(undefined);
    for (const answer of answers) {
      void answer.then((decision) => {
        pending--;
        if (decision !== undefined) resolve(decision);
        else if (pending === 0) resolve(undefined);
      });
    }
  });
}
