import { describe, expect, test } from 'vitest';
import { checkConcurrentOverwrites, type Write } from './index.ts';

const write = (
  element: number,
  client: string,
  callMs: number,
  returnMs: number | null,
  status: Write['status'] = 'ok',
): Write => ({
  element,
  client,
  callMs,
  returnMs,
  status,
});

describe('writes lost to a concurrent writer (last-writer-wins)', () => {
  test('a register written one write after another loses nothing: each write follows the one before', () => {
    const verdict = checkConcurrentOverwrites({
      writes: [write(1, 'c1', 0, 10), write(2, 'c2', 20, 30), write(3, 'c1', 40, 50)],
      final: 3,
    });
    expect(verdict).toMatchObject({ ok: true, acknowledged: 3, lost: 0 });
    expect(verdict.sentence).toBe(
      'none of 3 acknowledged writes was lost to a concurrent writer (the final value 3 was written from t=40 ms)',
    );
  });

  test("both sides of a partition write; the final value keeps one side, and the other side's last write is lost", () => {
    // c1 wrote 11 then 12 on one side; c2 wrote 21 on the other, from t=1500 ms. 21 won: 11 came
    // before 21 began (overwritten, as in any register), 12 did not.
    const verdict = checkConcurrentOverwrites({
      writes: [write(11, 'c1', 1_000, 1_005), write(12, 'c1', 1_400, 1_600), write(21, 'c2', 1_500, 1_510)],
      final: 21,
    });
    expect(verdict).toMatchObject({ ok: false, acknowledged: 3, lost: 1 });
    expect(verdict.ok ? [] : verdict.violations.map((violation) => violation.message)).toEqual([
      'the write of 12 by c1 was acknowledged at t=1600 ms, yet the final value is 21, written by c2 from t=1500 ms: not after it',
    ]);
    expect(verdict.sentence).toBe(
      '1 of 3 acknowledged writes were lost to a concurrent writer (the final value 21 was written from t=1500 ms, before they were acknowledged): 12',
    );
  });

  test('a write that began after the final one was acknowledged, and still lost, is counted (a clock ahead wins)', () => {
    const verdict = checkConcurrentOverwrites({
      writes: [write(1, 'c1', 0, 10), write(2, 'c2', 500, 510)],
      final: 1,
    });
    expect(verdict.lost).toBe(1);
  });

  test('writes without an answer, or refused, are never counted', () => {
    const verdict = checkConcurrentOverwrites({
      writes: [write(1, 'c1', 0, null, 'indeterminate'), write(2, 'c2', 5, 8, 'fail'), write(3, 'c3', 6, 9)],
      final: 3,
    });
    expect(verdict).toMatchObject({ ok: true, acknowledged: 1, lost: 0 });
  });

  test('a final value no write wrote loses every acknowledged write', () => {
    const verdict = checkConcurrentOverwrites({ writes: [write(1, 'c1', 0, 10), write(2, 'c1', 20, 30)], final: null });
    expect(verdict.lost).toBe(2);
    expect(verdict.sentence).toMatch(/the final value null was never written/);
  });

  test('refuses two writes of one value: a mistake in the test', () => {
    expect(() => checkConcurrentOverwrites({ writes: [write(1, 'c1', 0, 1), write(1, 'c2', 2, 3)], final: 1 })).toThrow(
      'written twice',
    );
  });
});
