import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prop } from '../_test-support/vitest-prop.ts';
import {
  assertSetFull,
  checkSetFull,
  type SetAdd,
  type SetElement,
  type SetElementOutcome,
  type SetFullVerdict,
  type SetRead,
} from './index.ts';

function violationsOf(verdict: SetFullVerdict) {
  return verdict.ok ? [] : verdict.violations;
}

const acked = (element: SetElement, callMs: number, returnMs: number): SetAdd => ({
  element,
  status: 'ok',
  callMs,
  returnMs,
});
const read = (elements: SetElement[], callMs: number, node?: string): SetRead => ({
  elements,
  callMs,
  returnMs: callMs + 10,
  node,
});

describe('set-full: stories', () => {
  it('passes when acknowledged element 17 shows up in every later read, through the final one', () => {
    const verdict = checkSetFull({
      adds: [acked(17, 100, 120)],
      reads: [read([], 50, 'n1'), read([17], 200, 'n2'), read([17], 900, 'n3')],
    });
    expect(verdict).toEqual({
      ok: true,
      reads: 3,
      elements: [
        {
          element: 17,
          outcome: 'stable',
          acknowledgedAtMs: 120,
          readsAfterAcknowledgement: 2,
          readsMissing: 0,
          readsContaining: 2,
        },
      ],
      counts: { stable: 1, lost: 0, 'never-read': 0, unacknowledged: 0, invented: 0 },
    });
  });

  it('catches acknowledged element 17 missing from the final read on n2', () => {
    const verdict = checkSetFull({ adds: [acked(17, 100, 120)], reads: [read([], 340, 'n2')] });
    expect(violationsOf(verdict)).toEqual([
      {
        property: 'set-full',
        element: 17,
        message:
          'element 17, acknowledged at t=120 ms, is missing from the read that began at t=340 ms on n2, the final read',
        evidence: [acked(17, 100, 120), read([], 340, 'n2')],
      },
    ]);
    expect(verdict.elements[0]?.outcome).toBe('lost');
  });

  it('catches an element that a lagging replica misses for a while, even if it comes back', () => {
    const verdict = checkSetFull({
      adds: [acked('x', 100, 120)],
      reads: [read(['x'], 200, 'n1'), read([], 300, 'n3'), read([], 400, 'n3'), read(['x'], 900, 'n1')],
    });
    expect(violationsOf(verdict).map((v) => v.message)).toEqual([
      'element x, acknowledged at t=120 ms, is missing from the read that began at t=300 ms on n3; it is missing from 2 of the 4 reads that began after it was acknowledged, up to the last at t=400 ms',
    ]);
  });

  it('says so when the lost element is missing from the final read too', () => {
    const verdict = checkSetFull({
      adds: [acked('x', 100, 120)],
      reads: [read([], 300, 'n3'), read(['x'], 400, 'n1'), read([], 900, 'n2')],
    });
    expect(violationsOf(verdict).map((v) => v.message)).toEqual([
      'element x, acknowledged at t=120 ms, is missing from the read that began at t=300 ms on n3; it is missing from 2 of the 3 reads that began after it was acknowledged, up to the final read (the read that began at t=900 ms on n2)',
    ]);
  });

  it('does not require an element in reads that began before, or at the instant, its add returned', () => {
    const verdict = checkSetFull({
      adds: [acked(5, 100, 120)],
      reads: [read([], 110, 'n1'), read([], 120, 'n2')],
    });
    expect(verdict.ok).toBe(true);
    expect(verdict.elements).toMatchObject([{ element: 5, outcome: 'never-read' }]);
    expect(verdict.counts['never-read']).toBe(1);
  });

  it('lets an element whose add timed out appear or not', () => {
    const timedOut = (element: SetElement): SetAdd => ({
      element,
      status: 'indeterminate',
      callMs: 100,
      returnMs: null,
    });
    const verdict = checkSetFull({
      adds: [timedOut('maybe'), timedOut('perhaps')],
      reads: [read(['maybe'], 300), read([], 400)],
    });
    expect(verdict.ok).toBe(true);
    expect(verdict.elements.map((e) => [e.element, e.outcome, e.readsContaining])).toEqual([
      ['maybe', 'unacknowledged', 1],
      ['perhaps', 'unacknowledged', 0],
    ]);
  });

  it('catches an element that appears although its only add failed', () => {
    const failed: SetAdd = { element: 9, status: 'fail', callMs: 100, returnMs: 130 };
    const verdict = checkSetFull({ adds: [failed], reads: [read([9], 300, 'n1'), read([9], 400, 'n2')] });
    expect(violationsOf(verdict)).toEqual([
      {
        property: 'no-invention',
        element: 9,
        message:
          'element 9 appears in the read that began at t=300 ms on n1 (and 1 later read), but its only add failed (at t=130 ms): a failed add must not take effect',
        evidence: [read([9], 300, 'n1'), failed],
      },
    ]);
    expect(verdict.counts.invented).toBe(1);
  });

  it('catches an element that no client ever tried to add', () => {
    const verdict = checkSetFull({ adds: [], reads: [read(['ghost'], 500, 'n1')] });
    expect(violationsOf(verdict)).toMatchObject([
      {
        property: 'no-invention',
        message: 'element ghost appears in the read that began at t=500 ms on n1, but no client ever tried to add it',
      },
    ]);
    expect(verdict.elements).toMatchObject([{ element: 'ghost', outcome: 'invented' }]);
  });

  it('counts an element from its first acknowledged add, when it was added more than once', () => {
    const verdict = checkSetFull({
      adds: [{ element: 3, status: 'fail', callMs: 0, returnMs: 10 }, acked(3, 500, 600), acked(3, 200, 250)],
      reads: [read([], 100), read([3], 300)],
    });
    expect(verdict.ok).toBe(true);
    expect(verdict.elements).toMatchObject([{ element: 3, outcome: 'stable', acknowledgedAtMs: 250 }]);
  });

  it('refuses an acknowledged add with no return time: that history is malformed', () => {
    expect(() => checkSetFull({ adds: [{ element: 1, status: 'ok', callMs: 5, returnMs: null }], reads: [] })).toThrow(
      'The add of element 1 called at t=5 ms is acknowledged (status ok) but has no return time',
    );
  });

  it('assertSetFull names the properties first and returns the per-element report when it passes', () => {
    expect(() => assertSetFull({ adds: [acked(1, 0, 1)], reads: [read([2], 5)] })).toThrow(
      /^set-full, no-invention: 2 violations\n {2}- \[set-full\] element 1, acknowledged at t=1 ms, is missing from the read that began at t=5 ms, the final read\n {2}- \[no-invention\] element 2 appears/,
    );
    expect(assertSetFull({ adds: [acked(1, 0, 1)], reads: [read([1], 5)] }).counts.stable).toBe(1);
  });
});

/** The definition, checked the slow way: every acknowledged element against every read. */
function outcomesByDefinition(adds: readonly SetAdd[], reads: readonly SetRead[]): Map<SetElement, SetElementOutcome> {
  const outcomes = new Map<SetElement, SetElementOutcome>();
  const seen = (element: SetElement, r: SetRead) => [...r.elements].includes(element);
  for (const { element } of adds) {
    const mine = adds.filter((a) => a.element === element);
    const ackTimes = mine.filter((a) => a.status === 'ok').map((a) => a.returnMs!);
    if (ackTimes.length === 0) {
      const invented = mine.every((a) => a.status === 'fail') && reads.some((r) => seen(element, r));
      outcomes.set(element, invented ? 'invented' : 'unacknowledged');
      continue;
    }
    const ackMs = Math.min(...ackTimes);
    const later = reads.filter((r) => r.callMs > ackMs);
    outcomes.set(element, later.length === 0 ? 'never-read' : later.every((r) => seen(element, r)) ? 'stable' : 'lost');
  }
  for (const r of reads)
    for (const element of r.elements) if (!outcomes.has(element)) outcomes.set(element, 'invented');
  return outcomes;
}

const smallHistory = fc.record({
  adds: fc.array(
    fc
      .record({
        element: fc.integer({ min: 0, max: 6 }),
        status: fc.constantFrom('ok' as const, 'fail' as const, 'indeterminate' as const),
        callMs: fc.nat(100),
        durationMs: fc.nat(30),
      })
      .map(({ element, status, callMs, durationMs }): SetAdd => ({
        element,
        status,
        callMs,
        returnMs: status === 'indeterminate' ? null : callMs + durationMs,
      })),
    { maxLength: 10 },
  ),
  reads: fc.array(
    fc
      .record({ elements: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 8 }), callMs: fc.nat(150) })
      .map(({ elements, callMs }) => read(elements, callMs)),
    { maxLength: 6 },
  ),
});

describe('set-full: properties', () => {
  prop([smallHistory])('gives every element the outcome the definition gives it', ({ adds, reads }) => {
    const verdict = checkSetFull({ adds, reads });
    const expected = outcomesByDefinition(adds, reads);
    expect(new Map(verdict.elements.map((e) => [e.element, e.outcome]))).toEqual(expected);
    const violating = [...expected.values()].some((outcome) => outcome === 'lost' || outcome === 'invented');
    expect(verdict.ok).toBe(!violating);
  });

  prop([smallHistory])('reads that return everything ever acknowledged or attempted pass', ({ adds, reads }) => {
    const everything = [...new Set(adds.filter((a) => a.status !== 'fail').map((a) => a.element))];
    expect(checkSetFull({ adds, reads: reads.map((r) => ({ ...r, elements: everything })) }).ok).toBe(true);
  });
});

describe('set-full: at scale', () => {
  // The timeout guards against a hang, not speed: `npm run bench` measures speed.
  it('judges 100,000 adds against 20 reads of up to 100,000 elements', { timeout: 60_000 }, () => {
    const adds = Array.from({ length: 100_000 }, (_, i) => acked(i, i, i + 1));
    const reads = Array.from({ length: 20 }, (_, r) => {
      const callMs = (r + 1) * 5_000;
      return read(
        Array.from({ length: callMs }, (_, i) => i).filter((i) => i !== 4_242),
        callMs,
        `n${r % 3}`,
      );
    });
    const verdict = checkSetFull({ adds, reads });
    expect(violationsOf(verdict).map((v) => v.element)).toEqual([4_242]);
    expect(verdict.counts).toEqual({ stable: 99_998, lost: 1, 'never-read': 1, unacknowledged: 0, invented: 0 });
  });
});
