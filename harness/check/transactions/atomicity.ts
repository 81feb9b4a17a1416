/**
 * Atomicity of distributed transactions: every transaction commits everywhere or aborts everywhere.
 *
 * Two-phase commit (Gray, "Notes on Data Base Operating Systems", 1978) promises that the participants
 * of a transaction reach one decision. Give the checker what each participant decided for each
 * transaction (from the nodes' own records or from the trace), and optionally who the participants of
 * each transaction are and what each client was told, and it says whether that promise held:
 *
 * - `atomicity`: some participants committed the transaction and others aborted it;
 * - `decided-twice`: one participant decided the same transaction both ways (commit, then abort);
 * - `reported-outcome`: a client was told "committed" but a participant aborted, or told "aborted" but a
 *   participant committed;
 * - `undecided` (only with `requireDecided`, once every fault healed and the system had time to finish):
 *   a participant of the transaction never decided it, so it may still hold its locks.
 *
 * @module
 */
import { at, joinNames } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/** What a participant decided, or a client was told. */
export type TransactionDecision = 'commit' | 'abort';

/** One decision one participant took (or reported) for one transaction. */
export interface ParticipantDecision {
  /** The transaction's id. */
  readonly txn: string;
  /** The participant (a node id) that decided. */
  readonly participant: string;
  /** What it decided. */
  readonly decision: TransactionDecision;
  /** Virtual time (ms) of the decision, when known: it appears in messages. */
  readonly atMs?: number | undefined;
}

/** What a client was told about a transaction. Transactions whose outcome the client never learned are left out. */
export interface ReportedOutcome {
  /** The transaction's id. */
  readonly txn: string;
  /** What the client was told. */
  readonly decision: TransactionDecision;
  /** The client, for messages. */
  readonly client?: string | undefined;
  /** Virtual time (ms) at which the client learned it. */
  readonly atMs?: number | undefined;
}

/** Input to {@link checkAtomicity}. */
export interface AtomicityInput {
  /** Every decision every participant took, in any order. A participant may appear more than once. */
  readonly decisions: readonly ParticipantDecision[];
  /**
   * The participants of each transaction, by transaction id. Transactions listed here are judged even
   * if no participant decided them; a participant not listed here is still judged on what it decided.
   */
  readonly participants?: Readonly<Record<string, readonly string[]>> | ReadonlyMap<string, readonly string[]>;
  /** What the clients were told. */
  readonly reported?: readonly ReportedOutcome[];
  /**
   * Every listed participant of every listed transaction must have decided. Set it only after the
   * faults healed and the system had time to finish; while faults last, "not yet" is allowed.
   */
  readonly requireDecided?: boolean;
}

/** What became of one transaction. `partial` is a violation; `undecided` is one with `requireDecided`. */
export type TransactionOutcome = 'committed' | 'aborted' | 'partial' | 'undecided';

/** The verdict on one transaction. */
export interface TransactionReport {
  /** The transaction's id. */
  readonly txn: string;
  /** What became of it: every participant that decided agrees (`committed`, `aborted`), or not (`partial`), or none decided. */
  readonly outcome: TransactionOutcome;
  /** Each participant's decision; `undecided` when a listed participant has none; `both` when it decided both ways. */
  readonly byParticipant: Readonly<Record<string, TransactionDecision | 'undecided' | 'both'>>;
}

/** Some participants committed a transaction that others aborted. Evidence: one decision of each kind. */
export interface PartialTransaction extends Violation<'atomicity', ParticipantDecision> {
  readonly txn: string;
  readonly committedBy: readonly string[];
  readonly abortedBy: readonly string[];
}

/** One participant decided a transaction both ways. Evidence: its first decision of each kind. */
export interface DecidedTwice extends Violation<'decided-twice', ParticipantDecision> {
  readonly txn: string;
  readonly participant: string;
}

/** A client was told the opposite of what a participant did. Evidence: what it was told, and that decision. */
export interface WrongReport extends Violation<'reported-outcome', ReportedOutcome | ParticipantDecision> {
  readonly txn: string;
  readonly participant: string;
}

/** A participant of a transaction never decided it (with `requireDecided`). Evidence: the decisions others took. */
export interface UndecidedParticipant extends Violation<'undecided', ParticipantDecision> {
  readonly txn: string;
  readonly participants: readonly string[];
}

/** Anything {@link checkAtomicity} can report. */
export type AtomicityViolation = PartialTransaction | DecidedTwice | WrongReport | UndecidedParticipant;

/** What {@link checkAtomicity} saw, reported whether or not it passed. */
export interface AtomicitySummary {
  /** One report per transaction, in order of first appearance (listed participants first, then decisions). */
  readonly transactions: readonly TransactionReport[];
  /** How many transactions had each outcome. */
  readonly counts: Readonly<Record<TransactionOutcome, number>>;
}

/** The answer of {@link checkAtomicity}. */
export type AtomicityVerdict = Verdict<AtomicityViolation, AtomicitySummary>;

/**
 * Checks that every transaction is all-commit or all-abort: no participant decides differently from
 * another, none decides twice differently, and no client is told the opposite of what happened. With
 * `requireDecided`, every listed participant must have decided.
 *
 * Cost: O(D + P + R) for D decisions, P listed participants and R reports.
 *
 * @example
 * ```ts
 * checkAtomicity({
 *   decisions: [
 *     { txn: 't1', participant: 's1', decision: 'commit', atMs: 40 },
 *     { txn: 't1', participant: 's2', decision: 'abort', atMs: 45 },
 *   ],
 * });
 * // ok: false — "transaction t1 was committed by s1 (t=40 ms) but aborted by s2 (t=45 ms): …"
 * ```
 */
export function checkAtomicity(input: AtomicityInput): AtomicityVerdict {
  const listed = listedParticipants(input.participants);
  const byTxn = indexDecisions(input.decisions, listed);
  const violations: AtomicityViolation[] = [];
  const transactions: TransactionReport[] = [];
  for (const [txn, record] of byTxn) {
    const byParticipant: Record<string, TransactionDecision | 'undecided' | 'both'> = {};
    const committedBy: string[] = [];
    const abortedBy: string[] = [];
    const undecided: string[] = [];
    for (const participant of record.participants) {
      const first = record.first.get(participant);
      const commit = first?.commit;
      const abort = first?.abort;
      if (commit !== undefined && abort !== undefined) {
        violations.push(decidedTwice(txn, participant, commit, abort));
        byParticipant[participant] = 'both';
      } else if (commit !== undefined) byParticipant[participant] = 'commit';
      else if (abort !== undefined) byParticipant[participant] = 'abort';
      else byParticipant[participant] = 'undecided';
      if (commit !== undefined) committedBy.push(participant);
      if (abort !== undefined) abortedBy.push(participant);
      if (commit === undefined && abort === undefined) undecided.push(participant);
    }
    // One participant that decided both ways is `decided-twice`; `atomicity` needs two that disagree.
    if (committedBy.some((participant) => abortedBy.some((other) => other !== participant))) {
      violations.push(partial(txn, record, committedBy, abortedBy));
    }
    if (input.requireDecided === true && undecided.length > 0) {
      violations.push(undecidedParticipants(txn, record, undecided));
    }
    const outcome: TransactionOutcome =
      committedBy.length > 0 && abortedBy.length > 0
        ? 'partial'
        : committedBy.length > 0
          ? 'committed'
          : abortedBy.length > 0
            ? 'aborted'
            : 'undecided';
    transactions.push({ txn, outcome, byParticipant });
  }
  for (const report of input.reported ?? []) {
    const record = byTxn.get(report.txn);
    if (record === undefined) continue;
    for (const participant of record.participants) {
      const opposite = record.first.get(participant)?.[report.decision === 'commit' ? 'abort' : 'commit'];
      if (opposite !== undefined) violations.push(wrongReport(report, opposite));
    }
  }
  const summary: AtomicitySummary = { transactions, counts: countOutcomes(transactions) };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/**
 * Like {@link checkAtomicity}, but throws when the check fails.
 *
 * @returns the passing verdict, with each transaction's outcome.
 * @throws Error whose message starts with the broken property names and names transactions and participants.
 */
export function assertAtomicity(input: AtomicityInput): Extract<AtomicityVerdict, { ok: true }> {
  return throwOnViolations(checkAtomicity(input));
}

interface FirstDecisions {
  commit?: ParticipantDecision;
  abort?: ParticipantDecision;
}

interface TxnRecord {
  /** Listed participants first, then any other participant that decided, in order of appearance. */
  readonly participants: string[];
  readonly first: Map<string, FirstDecisions>;
}

function listedParticipants(
  participants: AtomicityInput['participants'],
): ReadonlyArray<readonly [string, readonly string[]]> {
  if (participants === undefined) return [];
  if (participants instanceof Map) return [...(participants as ReadonlyMap<string, readonly string[]>)];
  return Object.entries(participants as Readonly<Record<string, readonly string[]>>);
}

function indexDecisions(
  decisions: readonly ParticipantDecision[],
  listed: ReadonlyArray<readonly [string, readonly string[]]>,
): Map<string, TxnRecord> {
  const byTxn = new Map<string, TxnRecord>();
  const recordOf = (txn: string): TxnRecord => {
    let record = byTxn.get(txn);
    if (record === undefined) {
      record = { participants: [], first: new Map() };
      byTxn.set(txn, record);
    }
    return record;
  };
  for (const [txn, participants] of listed) {
    const record = recordOf(txn);
    for (const participant of participants)
      if (!record.participants.includes(participant)) record.participants.push(participant);
  }
  for (const decision of decisions) {
    if (decision.decision !== 'commit' && decision.decision !== 'abort') {
      throw new Error(
        `The decision of ${decision.participant} for transaction ${decision.txn} is ${JSON.stringify(decision.decision)}; a decision is 'commit' or 'abort'.`,
      );
    }
    const record = recordOf(decision.txn);
    let first = record.first.get(decision.participant);
    if (first === undefined) {
      first = {};
      record.first.set(decision.participant, first);
      if (!record.participants.includes(decision.participant)) record.participants.push(decision.participant);
    }
    const earlier = first[decision.decision];
    if (earlier === undefined || (decision.atMs ?? Infinity) < (earlier.atMs ?? Infinity))
      first[decision.decision] = decision;
  }
  return byTxn;
}

/** `s1 (t=40 ms)`, or `s1` when the time is unknown. */
function who(decision: ParticipantDecision): string {
  return decision.atMs === undefined ? decision.participant : `${decision.participant} (${at(decision.atMs)})`;
}

function partial(txn: string, record: TxnRecord, committedBy: string[], abortedBy: string[]): PartialTransaction {
  const commits = committedBy.map((participant) => record.first.get(participant)!.commit!);
  const aborts = abortedBy.map((participant) => record.first.get(participant)!.abort!);
  return {
    property: 'atomicity',
    txn,
    committedBy,
    abortedBy,
    message:
      `transaction ${txn} was committed by ${joinNames(commits.map(who))} but aborted by ${joinNames(aborts.map(who))}: ` +
      'a transaction must commit at every participant or abort at every participant',
    evidence: [commits[0]!, aborts[0]!],
    focus: { nodes: [...committedBy, ...abortedBy], ids: [txn] },
  };
}

function decidedTwice(
  txn: string,
  participant: string,
  commit: ParticipantDecision,
  abort: ParticipantDecision,
): DecidedTwice {
  const [first, second] = (commit.atMs ?? 0) <= (abort.atMs ?? 0) ? [commit, abort] : [abort, commit];
  const when = (decision: ParticipantDecision): string =>
    decision.atMs === undefined ? '' : ` at ${at(decision.atMs)}`;
  return {
    property: 'decided-twice',
    txn,
    participant,
    message:
      `${participant} decided transaction ${txn} twice, differently: ${first.decision}${when(first)}, then ${second.decision}${when(second)}; ` +
      'a decision, once taken, never changes',
    evidence: [first, second],
    focus: { nodes: [participant], ids: [txn] },
  };
}

function wrongReport(report: ReportedOutcome, opposite: ParticipantDecision): WrongReport {
  const client = report.client ?? 'the client';
  const when = report.atMs === undefined ? '' : ` at ${at(report.atMs)}`;
  const told = report.decision === 'commit' ? 'committed' : 'aborted';
  const did = opposite.decision === 'commit' ? 'committed' : 'aborted';
  return {
    property: 'reported-outcome',
    txn: report.txn,
    participant: opposite.participant,
    message: `${client} was told${when} that transaction ${report.txn} ${told}, but ${who(opposite)} ${did} it`,
    evidence: [report, opposite],
    focus: {
      nodes: [opposite.participant, ...(report.client === undefined ? [] : [report.client])],
      ids: [report.txn],
    },
  };
}

function undecidedParticipants(txn: string, record: TxnRecord, undecided: string[]): UndecidedParticipant {
  const decided = record.participants.flatMap((participant) => {
    const first = record.first.get(participant);
    return first === undefined ? [] : [first.commit ?? first.abort!];
  });
  const others =
    decided.length === 0
      ? 'no participant decided it'
      : `${joinNames(decided.map((decision) => `${who(decision)} ${decision.decision === 'commit' ? 'committed' : 'aborted'}`))} it`;
  return {
    property: 'undecided',
    txn,
    participants: undecided,
    message: `${joinNames(undecided)} never decided transaction ${txn} (${others}): once every fault healed, every participant must learn the decision and release its locks`,
    evidence: decided,
    focus: { nodes: undecided, ids: [txn] },
  };
}

function countOutcomes(transactions: readonly TransactionReport[]): Record<TransactionOutcome, number> {
  const counts: Record<TransactionOutcome, number> = { committed: 0, aborted: 0, partial: 0, undecided: 0 };
  for (const { outcome } of transactions) counts[outcome]++;
  return counts;
}
