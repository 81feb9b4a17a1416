import { describe, expect, test } from 'vitest';
import { checkStaleReads, type RegisterRead, type Write } from './index.ts';

const write = (
  element: number,
  client: string,
  callMs: number,
  returnMs: number | null,
  status: Write['status'] = 'ok',
): Write => ({ element, client, callMs, returnMs, status });
const read = (value: number | null, client: string, callMs: number, returnMs = callMs + 5): RegisterRead => ({
  value,
  client,
  callMs,
  returnMs,
});

describe('stale reads of a register: a value an acknowledged write had replaced before the read began', () => {
  test('reads that see the newest acknowledged write, or race a write, are not stale', () => {
    const writes = [write(1, 'c1', 0, 10), write(2, 'c2', 20, 30), write(3, 'c1', 40, 60)];
    // 50: races the write of 3 (called 40, acknowledged 60), so 2 is allowed; 70: sees 3.
    const verdict = checkStaleReads({ writes, reads: [read(1, 'c3', 15), read(2, 'c3', 50), read(3, 'c2', 70)] });
    expect(verdict).toMatchObject({ ok: true, reads: 3, stale: 0 });
    expect(verdict.sentence).toBe('none of 3 reads was stale');
  });

  test('a read of a value replaced before it began is stale, naming the write it missed', () => {
    const writes = [write(1, 'c1', 0, 10), write(2, 'c2', 20, 30), write(3, 'c2', 40, 45)];
    const verdict = checkStaleReads({ writes, reads: [read(1, 'c3', 50), read(2, 'c3', 60)] });
    expect(verdict).toMatchObject({ ok: false, stale: 2 });
    expect(verdict.ok ? [] : verdict.violations.map((violation) => violation.message)).toEqual([
      "c3's read called at t=50 ms returned 1 (written by c1, acknowledged at t=10 ms), but the write of 3 by c2, acknowledged at t=45 ms before the read began, came after it: the read is stale",
      "c3's read called at t=60 ms returned 2 (written by c2, acknowledged at t=30 ms), but the write of 3 by c2, acknowledged at t=45 ms before the read began, came after it: the read is stale",
    ]);
    expect(verdict.sentence).toBe(
      '2 of 2 reads were stale (returned a value an acknowledged write had replaced before they began): t=50 ms → 1, t=60 ms → 2',
    );
  });

  test('null after an acknowledged write is stale; before it, or while it runs, it is not', () => {
    const writes = [write(1, 'c1', 10, 20)];
    const verdict = checkStaleReads({
      writes,
      reads: [read(null, 'c2', 5), read(null, 'c2', 15), read(null, 'c2', 25)],
    });
    expect(verdict.stale).toBe(1);
    expect(verdict.ok ? '' : verdict.violations[0]!.message).toMatch(/returned null \(the register before any write\)/);
  });

  test('writes without an answer, refused, or concurrent with the read value, are never counted', () => {
    const writes = [
      write(1, 'c1', 0, 50),
      write(2, 'c2', 10, 20), // began before 1 was acknowledged: concurrent with it
      write(3, 'c3', 60, null, 'indeterminate'),
      write(4, 'c3', 61, 62, 'fail'),
      write(5, 'c1', 70, null, 'indeterminate'),
    ];
    // 1 read at 100: 2 is concurrent with 1; 3 and 5 never answered; 4 was refused. A read of 5 (whose
    // write never answered) is not stale either.
    const verdict = checkStaleReads({ writes, reads: [read(1, 'c2', 100), read(5, 'c2', 110), read(9, 'c2', 120)] });
    expect(verdict).toMatchObject({ ok: true, stale: 0 });
  });

  test('mustSee narrows the writes a read must see; the others still name the values they wrote', () => {
    const writes = [write(1, 'c1', 0, 10), write(2, 'c2', 20, 30), write(3, 'c2', 40, 45)];
    const reads = [read(1, 'c3', 50), read(2, 'c1', 60)];
    // Only the write of 2 binds: the read of 1 missed it; the read of 2 missed nothing that binds.
    const verdict = checkStaleReads({ writes, reads, mustSee: (w) => w.element === 2 });
    expect(verdict.stale).toBe(1);
    expect(verdict.ok ? '' : verdict.violations[0]!.missed.element).toBe(2);
  });

  test('refuses two writes of one value: a mistake in the test', () => {
    expect(() => checkStaleReads({ writes: [write(1, 'c1', 0, 1), write(1, 'c2', 2, 3)], reads: [] })).toThrow(
      'written twice',
    );
  });
});
