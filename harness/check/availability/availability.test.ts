import { describe, expect, test } from 'vitest';
import type { History, Operation } from '../../history.ts';
import { PropertyViolated } from '../verdict.ts';
import { assertAvailability, assertNoLostWrites, checkAvailability, checkLostWrites, evenWindows } from './index.ts';

let nextId = 0;
function op(clientId: string, callMs: number, status: Operation['status'], returnMs: number | null = null): Operation {
  return {
    id: nextId++,
    clientId,
    input: { f: 'read' },
    output: undefined,
    status,
    callMs,
    returnMs: status === 'indeterminate' ? null : (returnMs ?? callMs + 5),
  };
}

const partition = { name: 'during the partition', fromMs: 1_000, toMs: 4_000 };
const sides = [
  { name: 'minority {n1}', clients: ['c1'] },
  { name: 'majority {n2, n3}', clients: ['c2', 'c3'] },
];
const history: History = [
  op('c1', 500, 'ok'),
  op('c1', 1_200, 'indeterminate'),
  op('c1', 2_500, 'fail'),
  op('c2', 1_100, 'ok'),
  op('c2', 2_000, 'ok'),
  op('c3', 3_000, 'ok'),
  op('c3', 3_500, 'indeterminate'),
  op('c3', 4_000, 'ok'),
  op('c9', 2_000, 'ok'),
];

describe('ok-fraction per side and window (oks / invokes, as Maelstrom counts it)', () => {
  test('each side in each window: invokes, oks, refusals, operations without an answer, and a sentence', () => {
    const verdict = checkAvailability({ history, sides, windows: [partition] });
    expect(verdict.ok).toBe(true);
    expect(verdict.cells).toEqual([
      {
        side: 'minority {n1}',
        window: 'during the partition',
        invokes: 2,
        oks: 0,
        fails: 1,
        indeterminate: 1,
        okFraction: 0,
      },
      {
        side: 'majority {n2, n3}',
        window: 'during the partition',
        invokes: 4,
        oks: 3,
        fails: 0,
        indeterminate: 1,
        okFraction: 0.75,
      },
    ]);
    expect(verdict.sentence).toBe(
      [
        'minority {n1}, during the partition (t=1000 ms to t=4000 ms): 0 of 2 operations ok (ok-fraction 0; 1 refused and 1 without an answer)',
        'majority {n2, n3}, during the partition (t=1000 ms to t=4000 ms): 3 of 4 operations ok (ok-fraction 0.75; 1 without an answer)',
      ].join('\n'),
    );
  });

  test('without windows, the whole run is one window; a side that invoked nothing has no fraction', () => {
    const verdict = checkAvailability({ history, sides: [...sides, { name: 'idle', clients: ['c7'] }] });
    expect(verdict.cells.map((cell) => [cell.side, cell.okFraction])).toEqual([
      ['minority {n1}', 1 / 3],
      ['majority {n2, n3}', 4 / 5],
      ['idle', null],
    ]);
    expect(verdict.sentence).toContain('idle, overall: no operations invoked');
  });

  test('a broken bound is an availability violation that names the side, the window and the figures', () => {
    const verdict = checkAvailability({
      history,
      sides,
      windows: [partition],
      bounds: [
        { side: 'minority {n1}', window: 'during the partition', atMost: 0 },
        { side: 'majority {n2, n3}', window: 'during the partition', atLeast: 0.9 },
      ],
    });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.violations.map((violation) => violation.message)).toEqual([
      'majority {n2, n3}, during the partition (t=1000 ms to t=4000 ms): 3 of 4 operations ok (ok-fraction 0.75; 1 without an answer); expected an ok-fraction of at least 0.9',
    ]);
    expect(verdict.violations[0]!.focus).toEqual({ nodes: ['c2', 'c3'], atMs: 1_000 });
    expect(() =>
      assertAvailability({
        history,
        sides,
        windows: [partition],
        bounds: [{ side: 'majority {n2, n3}', window: 'during the partition', atLeast: 0.9 }],
      }),
    ).toThrow(PropertyViolated);
  });

  test('a side that answered during the partition breaks "at most 0"; too few invokes pass', () => {
    const answering = [op('c1', 1_500, 'ok'), op('c1', 1_600, 'fail')];
    const bound = { side: 'minority {n1}', window: 'during the partition', atMost: 0 };
    const verdict = checkAvailability({ history: answering, sides, windows: [partition], bounds: [bound] });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok)
      expect(verdict.violations[0]!.message).toMatch(/1 of 2 operations ok .*expected no operation to complete ok/);
    expect(
      checkAvailability({ history: answering, sides, windows: [partition], bounds: [{ ...bound, minInvokes: 3 }] }).ok,
    ).toBe(true);
  });

  test('even windows cover the span; bad input is refused with a sentence', () => {
    expect(evenWindows(0, 2_500, 1_000).map((window) => window.name)).toEqual([
      't=0 ms to t=1000 ms',
      't=1000 ms to t=2000 ms',
      't=2000 ms to t=2500 ms',
    ]);
    const timeline = checkAvailability({ history, sides: [sides[0]!], windows: evenWindows(0, 3_000, 1_000) });
    expect(timeline.cells.map((cell) => cell.okFraction)).toEqual([1, 0, 0]);
    expect(timeline.sentence.split('\n')[0]).toBe(
      'minority {n1}, t=0 ms to t=1000 ms: 1 of 1 operations ok (ok-fraction 1)',
    );
    expect(() => evenWindows(0, 10, 0)).toThrow(/positive, finite width/);
    expect(() =>
      checkAvailability({ history, sides, bounds: [{ side: 'nobody', window: 'overall', atLeast: 1 }] }),
    ).toThrow(/no such side or window/);
    expect(() => checkAvailability({ history, sides, windows: [{ name: 'backwards', fromMs: 5, toMs: 1 }] })).toThrow(
      /ends \(t=1\) before it starts/,
    );
  });
});

describe('lost acknowledged writes: acknowledged, yet absent from the final state', () => {
  const writes = [
    { element: 1, status: 'ok' as const, callMs: 10, returnMs: 20, client: 'c1' },
    { element: 2, status: 'ok' as const, callMs: 30, returnMs: 40, client: 'c2' },
    { element: 3, status: 'indeterminate' as const, callMs: 50, returnMs: null },
    { element: 4, status: 'fail' as const, callMs: 60, returnMs: 70 },
    { element: 5, status: 'ok' as const, callMs: 80, returnMs: 90, client: 'c1' },
  ];

  test('every acknowledged write present: a pass that still says what it counted', () => {
    const verdict = checkLostWrites({ writes, final: [1, 2, 3, 5] });
    expect(verdict).toMatchObject({ ok: true, acknowledged: 3, lost: 0, lostFraction: 0, unacknowledgedPresent: 1 });
    expect(verdict.sentence).toBe('all 3 acknowledged writes are in the final state');
  });

  test('each missing acknowledged write is a violation; the sentence gives the count and the share', () => {
    const verdict = checkLostWrites({ writes, final: new Set([2, 4]) });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.violations.map((violation) => violation.message)).toEqual([
      'the write of 1 by c1 was acknowledged at t=20 ms but is missing from the final state',
      'the write of 5 by c1 was acknowledged at t=90 ms but is missing from the final state',
    ]);
    expect(verdict.sentence).toBe('2 of 3 acknowledged writes (66.7%) are missing from the final state: 1, 5');
    expect(verdict.failedButPresent.map((write) => write.element)).toEqual([4]);
    expect(() => assertNoLostWrites({ writes, final: [2] })).toThrow(/^lost-writes: 2 violations/);
  });

  test('nothing acknowledged, nothing to lose; an element written twice is refused', () => {
    expect(checkLostWrites({ writes: [], final: [] }).sentence).toBe(
      'no write was acknowledged, so none could be lost',
    );
    expect(() => checkLostWrites({ writes: [writes[0]!, writes[0]!], final: [] })).toThrow(/written twice/);
  });
});
