import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prop } from '../_test-support/vitest-prop.ts';
import { assertCounterBounds, checkCounterBounds, type CounterAdd } from './index.ts';

const add = (delta: number, status: CounterAdd['status'], client = 'c1'): CounterAdd => ({
  delta,
  status,
  callMs: 0,
  client,
});

describe('counter bounds: stories', () => {
  it('passes a final read equal to the sum of the acknowledged adds', () => {
    const verdict = checkCounterBounds({
      adds: [add(3, 'ok'), add(-1, 'ok'), add(5, 'fail')],
      finalReads: [
        { node: 'n1', value: 2, atMs: 900 },
        { node: 'n2', value: 2, atMs: 901 },
      ],
    });
    expect(verdict).toMatchObject({
      ok: true,
      certain: 2,
      lower: 2,
      upper: 2,
      acknowledged: 2,
      refused: 1,
      unknown: 0,
    });
    expect(verdict.sentence).toBe('2 acknowledged adds sum to 2: a final read must be 2');
  });

  it('widens the bounds by the adds without an answer, each way', () => {
    const verdict = checkCounterBounds({
      adds: [add(10, 'ok'), add(4, 'indeterminate'), add(-3, 'indeterminate')],
      finalReads: [
        { node: 'n1', value: 7, atMs: 900 },
        { node: 'n2', value: 14, atMs: 900 },
        { node: 'n3', value: 11, atMs: 900 },
      ],
    });
    expect(verdict).toMatchObject({ ok: true, lower: 7, upper: 14 });
    expect(verdict.sentence).toBe(
      '1 acknowledged add sum to 10; 2 adds without an answer may add -3 to +4: a final read must be [7, 14]',
    );
  });

  it('catches a read that lost an acknowledged add (last-writer-wins), and says so', () => {
    const verdict = checkCounterBounds({
      adds: [add(2, 'ok', 'c1'), add(3, 'ok', 'c2')],
      finalReads: [{ node: 'n2', value: 3, atMs: 1_200 }],
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? [] : verdict.violations.map((violation) => violation.message)).toEqual([
      "n2's final read of 3 at t=1200 ms is below what must have been applied (at least 5): acknowledged adds are " +
        'missing from it; 2 acknowledged adds sum to 5: a final read must be 5',
    ]);
  });

  it('catches a read that counted an add twice', () => {
    const verdict = checkCounterBounds({
      adds: [add(2, 'ok'), add(1, 'indeterminate')],
      finalReads: [{ node: 'n1', value: 5, atMs: 800 }],
    });
    expect(verdict.ok ? undefined : verdict.violations[0]?.message).toMatch(
      /^n1's final read of 5 at t=800 ms is above what could have been applied \(at most 3\): some add was counted more than once/,
    );
  });

  it('assertCounterBounds throws with the property name first', () => {
    expect(() =>
      assertCounterBounds({ adds: [add(1, 'ok')], finalReads: [{ node: 'n1', value: 0, atMs: 5 }] }),
    ).toThrow(/^counter-bounds: n1's final read of 0 at t=5 ms is below/);
  });

  it('refuses a delta that is not a number: a mistake in the test', () => {
    expect(() => checkCounterBounds({ adds: [add(Number.NaN, 'ok')], finalReads: [] })).toThrow('finite number');
  });
});

describe('counter bounds: properties', () => {
  const status = fc.constantFrom<CounterAdd['status']>('ok', 'fail', 'indeterminate');
  const adds = fc.array(fc.record({ delta: fc.integer({ min: -5, max: 5 }), status, applied: fc.boolean() }), {
    maxLength: 30,
  });

  prop([adds])('accepts every value the adds could have made (ok applied, fail not, unknown either way)', (drawn) => {
    const value = drawn.reduce(
      (sum, a) => sum + (a.status === 'ok' || (a.status === 'indeterminate' && a.applied) ? a.delta : 0),
      0,
    );
    const verdict = checkCounterBounds({
      adds: drawn.map((a) => add(a.delta, a.status)),
      finalReads: [{ node: 'n1', value, atMs: 0 }],
    });
    expect(verdict.ok).toBe(true);
  });

  prop([adds])('rejects the values just outside the bounds', (drawn) => {
    const input = { adds: drawn.map((a) => add(a.delta, a.status)) };
    const { lower, upper } = checkCounterBounds({ ...input, finalReads: [] });
    const verdict = checkCounterBounds({
      ...input,
      finalReads: [
        { node: 'n1', value: lower - 1, atMs: 0 },
        { node: 'n2', value: upper + 1, atMs: 0 },
      ],
    });
    expect(verdict.ok ? 0 : verdict.violations.length).toBe(2);
  });
});
