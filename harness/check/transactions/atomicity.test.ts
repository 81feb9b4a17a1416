import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prop } from '../_test-support/vitest-prop.ts';
import { assertAtomicity, checkAtomicity, type AtomicityVerdict, type ParticipantDecision } from './index.ts';

const decided = (
  txn: string,
  participant: string,
  decision: 'commit' | 'abort',
  atMs?: number,
): ParticipantDecision => ({
  txn,
  participant,
  decision,
  ...(atMs === undefined ? {} : { atMs }),
});

function messagesOf(verdict: AtomicityVerdict): string[] {
  return verdict.ok ? [] : verdict.violations.map((violation) => `${violation.property}: ${violation.message}`);
}

describe('atomicity: good histories', () => {
  it('passes a transaction committed everywhere and one aborted everywhere, and reports each', () => {
    const verdict = checkAtomicity({
      decisions: [
        decided('t1', 's1', 'commit', 40),
        decided('t1', 's2', 'commit', 42),
        decided('t2', 's1', 'abort', 50),
      ],
      participants: { t1: ['s1', 's2'], t2: ['s1', 's2'] },
      reported: [{ txn: 't1', decision: 'commit', client: 'c1' }],
    });
    expect(verdict).toEqual({
      ok: true,
      transactions: [
        { txn: 't1', outcome: 'committed', byParticipant: { s1: 'commit', s2: 'commit' } },
        { txn: 't2', outcome: 'aborted', byParticipant: { s1: 'abort', s2: 'undecided' } },
      ],
      counts: { committed: 1, aborted: 1, partial: 0, undecided: 0 },
    });
  });

  it('accepts the same decision reported twice by one participant (a repeated commit is harmless)', () => {
    expect(
      checkAtomicity({ decisions: [decided('t1', 's1', 'commit', 40), decided('t1', 's1', 'commit', 90)] }).ok,
    ).toBe(true);
  });

  it('lets a participant be undecided while faults last, but not with requireDecided', () => {
    const input = { decisions: [decided('t1', 's1', 'commit', 40)], participants: new Map([['t1', ['s1', 's2']]]) };
    expect(checkAtomicity(input).ok).toBe(true);
    expect(messagesOf(checkAtomicity({ ...input, requireDecided: true }))).toEqual([
      'undecided: s2 never decided transaction t1 (s1 (t=40 ms) committed it): once every fault healed, every participant must learn the decision and release its locks',
    ]);
  });
});

describe('atomicity: bad histories', () => {
  it('names the transaction and the participants of a transaction committed at s1 and aborted at s2', () => {
    const verdict = checkAtomicity({
      decisions: [decided('t1', 's1', 'commit', 40), decided('t1', 's2', 'abort', 45)],
    });
    expect(messagesOf(verdict)).toEqual([
      'atomicity: transaction t1 was committed by s1 (t=40 ms) but aborted by s2 (t=45 ms): a transaction must commit at every participant or abort at every participant',
    ]);
    expect(verdict.transactions[0]?.outcome).toBe('partial');
    expect(verdict.ok ? [] : verdict.violations[0]?.focus).toEqual({ nodes: ['s1', 's2'], ids: ['t1'] });
  });

  it('catches a participant that changed its mind: aborted after it committed', () => {
    const verdict = checkAtomicity({
      decisions: [decided('t3', 's2', 'abort', 300), decided('t3', 's2', 'commit', 120)],
    });
    expect(messagesOf(verdict)).toEqual([
      'decided-twice: s2 decided transaction t3 twice, differently: commit at t=120 ms, then abort at t=300 ms; a decision, once taken, never changes',
    ]);
    expect(verdict.transactions[0]?.byParticipant).toEqual({ s2: 'both' });
  });

  it('catches a client told "committed" about a transaction a participant aborted, and the reverse', () => {
    const verdict = checkAtomicity({
      decisions: [decided('t1', 's1', 'abort', 40), decided('t2', 's2', 'commit', 70)],
      reported: [
        { txn: 't1', decision: 'commit', client: 'c1', atMs: 41 },
        { txn: 't2', decision: 'abort', client: 'c2', atMs: 60 },
        { txn: 't9', decision: 'commit', client: 'c3' },
      ],
    });
    expect(messagesOf(verdict)).toEqual([
      'reported-outcome: c1 was told at t=41 ms that transaction t1 committed, but s1 (t=40 ms) aborted it',
      'reported-outcome: c2 was told at t=60 ms that transaction t2 aborted, but s2 (t=70 ms) committed it',
    ]);
  });

  it('assertAtomicity throws a message that starts with the property', () => {
    expect(() => assertAtomicity({ decisions: [decided('t1', 's1', 'commit'), decided('t1', 's2', 'abort')] })).toThrow(
      /^atomicity: transaction t1 was committed by s1 but aborted by s2/,
    );
  });

  it('refuses a decision that is neither commit nor abort: a mistake in the test', () => {
    const bad = { txn: 't1', participant: 's1', decision: 'maybe' } as unknown as ParticipantDecision;
    expect(() => checkAtomicity({ decisions: [bad] })).toThrow(/a decision is 'commit' or 'abort'/);
  });
});

describe('atomicity: properties', () => {
  const decisionArb = fc.record({
    txn: fc.constantFrom('t1', 't2', 't3'),
    participant: fc.constantFrom('s1', 's2', 's3'),
    decision: fc.constantFrom<'commit' | 'abort'>('commit', 'abort'),
  });
  prop([fc.array(decisionArb, { maxLength: 12 })])(
    'a history passes exactly when no transaction holds both a commit and an abort',
    (decisions) => {
      const mixed = ['t1', 't2', 't3'].some(
        (txn) => new Set(decisions.filter((d) => d.txn === txn).map((d) => d.decision)).size === 2,
      );
      expect(checkAtomicity({ decisions }).ok).toBe(!mixed);
    },
  );
});
