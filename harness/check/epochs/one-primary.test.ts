import { describe, expect, test } from 'vitest';
import { PropertyViolated } from '../verdict.ts';
import { assertOnePrimaryPerEpoch, checkOnePrimaryPerEpoch, type PrimaryAct } from './index.ts';

const act = (node: string, epoch: number, atMs: number, what?: string): PrimaryAct => ({ node, epoch, atMs, what });

describe('one primary per epoch', () => {
  test('one node per epoch passes, and the summary lists each epoch with its primary', () => {
    const verdict = checkOnePrimaryPerEpoch({
      acts: [act('n2', 2, 900), act('n1', 1, 100), act('n1', 1, 300), act('n2', 2, 950)],
    });
    expect(verdict.ok).toBe(true);
    expect(verdict.epochs).toEqual([
      { epoch: 1, primaries: [{ node: 'n1', acts: 2, firstMs: 100, lastMs: 300 }] },
      { epoch: 2, primaries: [{ node: 'n2', acts: 2, firstMs: 900, lastMs: 950 }] },
    ]);
    expect(verdict.sentence).toBe('epoch 1: n1 (2 acts); epoch 2: n2 (2 acts)');
  });

  test('two primaries in one epoch are a violation that names both, with their first acts', () => {
    const verdict = checkOnePrimaryPerEpoch({
      acts: [act('n1', 1, 100, "answered c1's append"), act('n2', 1, 700, "answered c2's append"), act('n1', 1, 800)],
    });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.violations).toHaveLength(1);
    expect(verdict.violations[0]!.epoch).toBe(1);
    expect(verdict.violations[0]!.nodes).toEqual(['n1', 'n2']);
    expect(verdict.violations[0]!.message).toBe(
      "2 nodes acted as primary in epoch 1: n1 answered c1's append at t=100 ms and n2 answered c2's append at t=700 ms",
    );
    expect(verdict.violations[0]!.focus).toEqual({ nodes: ['n1', 'n2'], atMs: 700 });
    expect(verdict.sentence).toBe('epoch 1: n1 (2 acts) and n2 (1 act)');
  });

  test('primaries of different epochs may overlap in time', () => {
    expect(checkOnePrimaryPerEpoch({ acts: [act('n1', 1, 100), act('n2', 2, 200), act('n1', 1, 300)] }).ok).toBe(true);
  });

  test('no acts: nothing to judge, and the sentence says so', () => {
    const verdict = checkOnePrimaryPerEpoch({ acts: [] });
    expect(verdict).toEqual({ ok: true, epochs: [], sentence: 'no node acted as primary' });
  });

  test('the assert form throws a PropertyViolated naming the property', () => {
    expect(() => assertOnePrimaryPerEpoch({ acts: [act('n1', 3, 10), act('n3', 3, 20)] })).toThrow(PropertyViolated);
    expect(() => assertOnePrimaryPerEpoch({ acts: [act('n1', 3, 10), act('n3', 3, 20)] })).toThrow(
      /^one-primary-per-epoch: 2 nodes acted as primary in epoch 3/,
    );
    expect(assertOnePrimaryPerEpoch({ acts: [act('n1', 3, 10)] }).ok).toBe(true);
  });

  test('an epoch that is not a whole number is a mistake in the test, and throws', () => {
    expect(() => checkOnePrimaryPerEpoch({ acts: [act('n1', Number.NaN, 10)] })).toThrow(RangeError);
  });
});
