import { describe, expect, it } from 'vitest';
import { describeViolations, throwOnViolations, type Verdict, type Violation } from './verdict.ts';

const lost = (i: number): Violation => ({
  property: 'no-loss',
  message: `m${i} from n1 was never delivered to n3`,
  evidence: [],
});
const twice: Violation = {
  property: 'exactly-once',
  message: 'n2 delivered message m17 from n1 twice (t=340 ms, t=912 ms)',
  evidence: [],
};

describe('describing violations', () => {
  it('tells a single violation in one line, property first', () => {
    expect(describeViolations([twice])).toBe(
      'exactly-once: n2 delivered message m17 from n1 twice (t=340 ms, t=912 ms)',
    );
  });

  it('tags each line with its property when several properties broke', () => {
    expect(describeViolations([twice, lost(1)])).toBe(
      'exactly-once, no-loss: 2 violations\n' +
        '  - [exactly-once] n2 delivered message m17 from n1 twice (t=340 ms, t=912 ms)\n' +
        '  - [no-loss] m1 from n1 was never delivered to n3',
    );
  });

  it('lists five, then says how many more', () => {
    const text = describeViolations([1, 2, 3, 4, 5, 6, 7].map(lost));
    expect(text.split('\n')).toEqual([
      'no-loss: 7 violations',
      '  - m1 from n1 was never delivered to n3',
      '  - m2 from n1 was never delivered to n3',
      '  - m3 from n1 was never delivered to n3',
      '  - m4 from n1 was never delivered to n3',
      '  - m5 from n1 was never delivered to n3',
      '  … and 2 more',
    ]);
  });

  it('returns a passing verdict and throws on a failing one', () => {
    const pass: Verdict<Violation, { checked: number }> = { ok: true, checked: 3 };
    const fail: Verdict<Violation, { checked: number }> = { ok: false, violations: [twice], checked: 3 };
    expect(throwOnViolations(pass)).toEqual({ ok: true, checked: 3 });
    expect(() => throwOnViolations(fail)).toThrow(/^exactly-once: n2 delivered/);
  });
});
