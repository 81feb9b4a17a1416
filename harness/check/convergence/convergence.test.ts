import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prop } from '../_test-support/vitest-prop.ts';
import { assertConvergence, checkConvergence, type ConvergenceVerdict } from './index.ts';

function messageOf<State>(verdict: ConvergenceVerdict<State>): string | undefined {
  return verdict.ok ? undefined : verdict.violations[0]?.message;
}

describe('convergence: stories', () => {
  it('passes when three replicas of a set hold the same elements, added in different orders', () => {
    const verdict = checkConvergence({
      replicas: { n1: new Set(['a', 'b']), n2: new Set(['b', 'a']), n3: new Set(['a', 'b']) },
    });
    expect(verdict.ok).toBe(true);
    expect(verdict.groups).toEqual([{ nodes: ['n1', 'n2', 'n3'], state: new Set(['a', 'b']) }]);
  });

  it('catches n3 missing an element after healing, and says which', () => {
    const verdict = checkConvergence({
      replicas: { n1: new Set(['a', 'b']), n3: new Set(['a']), n2: new Set(['b', 'a']) },
    });
    expect(verdict).toMatchObject({
      ok: false,
      violations: [
        {
          property: 'convergence',
          message: '3 replicas hold 2 different states: n1 and n2 hold {a,b}; n3 holds {a} (lacks b)',
          groups: [
            { nodes: ['n1', 'n2'], state: new Set(['a', 'b']) },
            { nodes: ['n3'], state: new Set(['a']) },
          ],
        },
      ],
    });
  });

  it('compares objects whatever their key order, and names the keys that differ', () => {
    expect(checkConvergence({ replicas: { n1: { x: 1, y: 2 }, n2: { y: 2, x: 1 } } }).ok).toBe(true);
    const verdict = checkConvergence({
      replicas: { n1: { x: 1, y: 2 }, n2: { y: 2, x: 1 }, n3: { x: 3, z: 0 } },
    });
    expect(messageOf(verdict)).toBe(
      '3 replicas hold 2 different states: n1 and n2 hold {x:1,y:2}; n3 holds {x:3,z:0} (lacks key y; has extra key z; differs at x (3 instead of 1))',
    );
  });

  it('finds where two replicated logs part ways', () => {
    const verdict = checkConvergence({
      replicas: new Map([
        ['n1', ['set x=1', 'set y=2', 'del x']],
        ['n2', ['set x=1', 'del x', 'set y=2']],
        ['n3', ['set x=1']],
        ['n4', ['set x=1', 'set y=2', 'del x']],
      ]),
    });
    expect(messageOf(verdict)).toBe(
      '4 replicas hold 3 different states: n1 and n4 hold ["set x=1","set y=2","del x"]; ' +
        'n2 holds ["set x=1","del x","set y=2"] (first differs at index 1 ("del x" instead of "set y=2")); ' +
        'n3 holds ["set x=1"] (lacks the last 2 entries ("set y=2", "del x"))',
    );
  });

  it('tells maps apart by content, not by insertion order', () => {
    const verdict = checkConvergence({
      replicas: {
        n1: new Map([
          ['a', 1],
          ['b', 2],
        ]),
        n2: new Map([
          ['b', 2],
          ['a', 1],
        ]),
        n3: new Map([
          ['a', 1],
          ['b', 5],
        ]),
      },
    });
    expect(messageOf(verdict)).toBe(
      '3 replicas hold 2 different states: n1 and n2 hold Map{a→1,b→2}; n3 holds Map{a→1,b→5} (differs at b (5 instead of 2))',
    );
  });

  it('uses your notion of equality and of description when you give them', () => {
    // A counter replica with bookkeeping: only `value` must agree.
    const replicas = { n1: { value: 3, version: 7 }, n2: { value: 3, version: 9 }, n3: { value: 2, version: 9 } };
    const verdict = checkConvergence({
      replicas,
      equal: (a, b) => a.value === b.value,
      describe: (state) => `value ${state.value}`,
    });
    expect(messageOf(verdict)).toBe('3 replicas hold 2 different states: n1 and n2 hold value 3; n3 holds value 2');
  });

  it('keeps big states short in messages', () => {
    const big = new Set(Array.from({ length: 1000 }, (_, i) => `item${String(i).padStart(4, '0')}`));
    const smaller = new Set(big);
    smaller.delete('item0500');
    const message = messageOf(checkConvergence({ replicas: { n1: big, n2: smaller } }))!;
    expect(message).toBe(
      '2 replicas hold 2 different states: n1 holds {item0000,item0001,item0002,item0003,item0004,item0005… (1000 entries); ' +
        'n2 holds {item0000,item0001,item0002,item0003,item0004,item0005… (999 entries) (lacks item0500)',
    );
  });

  it('describes at most five states, then says how many more', () => {
    const replicas = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`n${i + 1}`, i]));
    expect(messageOf(checkConvergence({ replicas }))).toBe(
      '8 replicas hold 8 different states: n1 holds 0; n2 holds 1; n3 holds 2; n4 holds 3; n5 holds 4; and 3 more states',
    );
  });

  it('treats no replicas, or one, as converged', () => {
    expect(checkConvergence({ replicas: {} })).toEqual({ ok: true, replicas: 0, groups: [] });
    expect(checkConvergence({ replicas: { n1: 'x' } }).ok).toBe(true);
  });

  it('keeps strings that look like numbers apart from numbers', () => {
    expect(messageOf(checkConvergence({ replicas: { n1: 1, n2: '1' } }))).toBe(
      '2 replicas hold 2 different states: n1 holds 1; n2 holds "1"',
    );
  });

  it('refuses a state with a cycle: it is not plain data', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => checkConvergence({ replicas: { n1: cyclic } })).toThrow('contains a cycle');
  });

  it('assertConvergence throws with the property name first', () => {
    expect(() => assertConvergence({ replicas: { n1: new Set([1]), n2: new Set([1, 2]) } })).toThrow(
      /^convergence: 2 replicas hold 2 different states: n1 holds \{1\}; n2 holds \{1,2\} \(has extra 2\)$/,
    );
  });
});

/** Plain data a replica might hold. */
const state = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom('a', 'b', 'c'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('x', 'y', 'z'), tie('value'), { maxKeys: 3 }),
    fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }).map((items) => new Set(items)),
  ),
})).value;

/** The same data rebuilt with every object's keys and every set's elements in reverse order. */
function reversedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedCopy);
  if (value instanceof Set) return new Set([...value].reverse().map(reversedCopy));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedCopy(v)]),
    );
  }
  return value;
}

describe('convergence: properties', () => {
  prop([state, fc.integer({ min: 1, max: 6 })])(
    'replicas holding copies built in any order converge',
    (shared, count) => {
      const replicas = Object.fromEntries(
        Array.from({ length: count }, (_, i) => [`n${i + 1}`, i % 2 === 0 ? shared : reversedCopy(shared)]),
      );
      expect(checkConvergence({ replicas }).ok).toBe(true);
    },
  );

  prop([fc.array(state, { minLength: 1, maxLength: 6 })])(
    'groups replicas exactly as a deep comparison does, and accounts for every replica once',
    (states) => {
      const replicas = Object.fromEntries(states.map((s, i) => [`n${i + 1}`, s]));
      const verdict = checkConvergence({ replicas });
      const deepEqual = (a: unknown, b: unknown) => {
        try {
          expect(a).toEqual(b);
          return true;
        } catch {
          return false;
        }
      };
      const byDeepEquality = checkConvergence({ replicas, equal: deepEqual });
      expect(verdict.groups.map((g) => g.nodes)).toEqual(byDeepEquality.groups.map((g) => g.nodes));
      expect(verdict.groups.flatMap((g) => g.nodes).sort()).toEqual(Object.keys(replicas).sort());
    },
  );
});

describe('convergence: at scale', () => {
  // The timeout guards against a hang, not speed: `npm run bench` measures speed.
  it('compares 10 replicas of a 10,000-element set', { timeout: 60_000 }, () => {
    const elements = Array.from({ length: 10_000 }, (_, i) => i);
    const replicas = Object.fromEntries(
      Array.from({ length: 10 }, (_, n) => [`n${n}`, new Set(n === 9 ? elements.slice(1) : elements)]),
    );
    const verdict = checkConvergence({ replicas });
    expect(messageOf(verdict)).toMatch(/n9 holds .*\(lacks 0\)$/);
  });
});
