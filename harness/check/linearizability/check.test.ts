/**
 * The classic anomalies, each as a short story (layer 1), plus budgets and long histories.
 */

import { describe, expect, it } from 'vitest';
import type { History } from '../../history.ts';
import {
  assertLinearizable,
  casRegisterModel,
  checkLinearizability,
  counterModel,
  formatCheckResult,
  kvModel,
  registerModel,
  setModel,
  type CasRegisterInput,
  type CasRegisterOutput,
  type CheckResult,
  type CounterInput,
  type CounterOutput,
  type KvInput,
  type KvOutput,
  type Model,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
  type SetInput,
  type SetOutput,
} from './index.ts';
import { kvShapedHistory } from './_test-support/porcupineShaped.ts';
import { simulateHistory } from './_test-support/simulate.ts';
import { completed, failed, historyOf, timedOut } from './_test-support/story.ts';

type RegisterHistory = History<RegisterInput, RegisterOutput>;

const write = (value: RegisterValue): RegisterInput => ({ f: 'write', value });
const read: RegisterInput = { f: 'read' };
const saw = (value: RegisterValue): RegisterOutput => ({ value });
const done: RegisterOutput = {};

function verdictOf(history: RegisterHistory): CheckResult<RegisterValue, RegisterInput, RegisterOutput>['verdict'] {
  return checkLinearizability(registerModel, history).verdict;
}

describe('register anomalies', () => {
  it('stale read: a read after a completed write returns the old value', () => {
    const history = historyOf(completed('a', [0, 10], write(1), done), completed('b', [20, 30], read, saw(null)));
    const result = checkLinearizability(registerModel, history);
    expect(result.verdict).toBe('illegal');
    if (result.verdict !== 'illegal') return;
    const [part] = result.partitions;
    expect(part?.longestPrefix.map((step) => step.description)).toEqual(['write(1)']);
    expect(part?.stateAfterPrefixDescription).toBe('1');
    expect(part?.unplaceable.map((operation) => [operation.description, operation.reason])).toEqual([
      ['read() → (never written)', 'rejected'],
    ]);
  });

  it('lost write: the second of two sequential writes vanishes', () => {
    const history = historyOf(
      completed('a', [0, 10], write(1), done),
      completed('b', [20, 30], write(2), done),
      completed('c', [40, 50], read, saw(1)),
    );
    expect(verdictOf(history)).toBe('illegal');
  });

  it('a read of a value never written', () => {
    const history = historyOf(
      completed('a', [0, 10], write(1), done),
      completed('b', [5, 15], write(2), done),
      completed('c', [8, 20], read, saw(7)),
    );
    expect(verdictOf(history)).toBe('illegal');
  });

  it('non-monotonic reads across clients: b reads the older value after a read the newer one', () => {
    const history = historyOf(
      completed('w', [0, 5], write(1), done),
      completed('v', [0, 100], write(2), done),
      completed('a', [10, 20], read, saw(2)),
      completed('b', [30, 40], read, saw(1)),
    );
    expect(verdictOf(history)).toBe('illegal');
    // The same reads while write(2) is still running, in the other order, are fine.
    const monotonic = historyOf(
      completed('w', [0, 5], write(1), done),
      completed('v', [0, 100], write(2), done),
      completed('a', [10, 20], read, saw(1)),
      completed('b', [30, 40], read, saw(2)),
    );
    expect(verdictOf(monotonic)).toBe('ok');
  });

  it('a write that takes effect after it failed: its value is read later', () => {
    const history = historyOf(
      failed<RegisterInput, RegisterOutput>('a', [0, 10], write(2)),
      completed('b', [20, 30], read, saw(2)),
    );
    expect(verdictOf(history)).toBe('illegal');
  });

  it('an indeterminate write that is later read: it took effect', () => {
    const history = historyOf(
      timedOut<RegisterInput, RegisterOutput>('a', 0, write(2)),
      completed('b', [20, 30], read, saw(2)),
    );
    expect(verdictOf(history)).toBe('ok');
  });

  it('an indeterminate write never read: it may never have happened', () => {
    const history = historyOf(
      timedOut<RegisterInput, RegisterOutput>('a', 0, write(2)),
      completed('b', [20, 30], read, saw(null)),
      completed('b', [40, 50], read, saw(null)),
    );
    expect(verdictOf(history)).toBe('ok');
  });

  it('an indeterminate write may take effect late, but once seen it stays', () => {
    const late = historyOf(
      timedOut<RegisterInput, RegisterOutput>('a', 0, write(2)),
      completed('b', [20, 30], read, saw(null)),
      completed('b', [40, 50], read, saw(2)),
    );
    expect(verdictOf(late)).toBe('ok');
    const flickering = historyOf(
      timedOut<RegisterInput, RegisterOutput>('a', 0, write(2)),
      completed('b', [20, 30], read, saw(2)),
      completed('b', [40, 50], read, saw(null)),
    );
    expect(verdictOf(flickering)).toBe('illegal');
  });

  it('two identical timed-out writes can both take effect, at different moments', () => {
    const history = historyOf(
      timedOut<RegisterInput, RegisterOutput>('a', 0, write(1)),
      timedOut<RegisterInput, RegisterOutput>('b', 1, write(1)),
      completed('c', [2, 3], write(2), done),
      completed('c', [4, 5], read, saw(1)),
      completed('c', [6, 7], write(3), done),
      completed('c', [8, 9], read, saw(1)),
    );
    expect(verdictOf(history)).toBe('ok');
    expect(verdictOf(history.filter((operation) => operation.clientId !== 'b'))).toBe('illegal');
  });

  it('operations that touch at one instant are concurrent, unless one client issued both', () => {
    const otherClient = historyOf(completed('a', [0, 5], write(1), done), completed('b', [5, 8], read, saw(null)));
    expect(verdictOf(otherClient)).toBe('ok');
    const sameClient = historyOf(completed('a', [0, 5], write(1), done), completed('a', [5, 8], read, saw(null)));
    expect(verdictOf(sameClient)).toBe('illegal');
  });

  it('an empty history is linearizable', () => {
    expect(verdictOf([])).toBe('ok');
  });
});

describe('compare-and-set register', () => {
  const cas = (expected: RegisterValue, newValue: RegisterValue): CasRegisterInput => ({
    f: 'cas',
    expected,
    newValue,
  });
  const swapped = (didSwap: boolean): CasRegisterOutput => ({ swapped: didSwap });

  it('a cas that says its compare failed is legal only if the value differed', () => {
    const wrongFailure = historyOf<CasRegisterInput, CasRegisterOutput>(
      completed('a', [0, 10], write(1), {}),
      completed('b', [20, 30], cas(1, 2), swapped(false)),
    );
    expect(checkLinearizability(casRegisterModel, wrongFailure).verdict).toBe('illegal');
    const rightFailure = historyOf<CasRegisterInput, CasRegisterOutput>(
      completed('a', [0, 10], write(1), {}),
      completed('b', [20, 30], cas(3, 2), swapped(false)),
      completed('c', [40, 50], read, { value: 1 }),
    );
    expect(checkLinearizability(casRegisterModel, rightFailure).verdict).toBe('ok');
  });

  it('a cas that swapped changes the value; an indeterminate one may or may not have', () => {
    const history = historyOf<CasRegisterInput, CasRegisterOutput>(
      completed('a', [0, 10], write(1), {}),
      completed('b', [20, 30], cas(1, 2), swapped(true)),
      timedOut('c', 35, cas(2, 3)),
      completed('d', [40, 50], read, { value: 3 }),
      completed('d', [60, 70], read, { value: 3 }),
    );
    expect(checkLinearizability(casRegisterModel, history).verdict).toBe('ok');
  });
});

describe('kv store, checked key by key', () => {
  it('names the key whose history is not linearizable', () => {
    const history = historyOf<KvInput, KvOutput>(
      completed('a', [0, 10], { f: 'append', key: 'x', value: 'A' }, {}),
      completed('b', [0, 10], { f: 'put', key: 'y', value: 'Y' }, {}),
      completed('a', [20, 30], { f: 'append', key: 'x', value: 'B' }, {}),
      completed('b', [40, 50], { f: 'get', key: 'x' }, { value: 'B' }),
      completed('b', [60, 70], { f: 'get', key: 'y' }, { value: 'Y' }),
    );
    const result = checkLinearizability(kvModel, history);
    expect(result.verdict).toBe('illegal');
    if (result.verdict !== 'illegal') return;
    expect(result.partitions.map((part) => part.label)).toEqual(['key "x"']);
    expect(result.stats.partitions).toBe(2);
  });

  it('stops at the first key found not linearizable, and says how many keys it left unchecked', () => {
    const history = historyOf<KvInput, KvOutput>(
      completed('a', [0, 10], { f: 'put', key: 'x', value: 'X' }, {}),
      completed('a', [20, 30], { f: 'get', key: 'x' }, { value: '' }),
      completed('b', [0, 10], { f: 'put', key: 'y', value: 'Y' }, {}),
      completed('b', [20, 30], { f: 'get', key: 'y' }, { value: '' }),
      completed('c', [0, 10], { f: 'put', key: 'z', value: 'Z' }, {}),
      completed('c', [20, 30], { f: 'get', key: 'z' }, { value: 'Z' }),
      completed('c', [40, 50], { f: 'get', key: 'z' }, { value: 'Z' }),
    );
    const result = checkLinearizability(kvModel, history);
    expect(result.verdict).toBe('illegal');
    if (result.verdict !== 'illegal') return;
    expect(result.partitions.map((part) => part.label)).toEqual(['key "x"']);
    expect(result.stats).toMatchObject({ partitions: 3, partitionsChecked: 1 });
    expect(formatCheckResult(result)).toMatch(
      /^not linearizable: no valid order exists for key "x" \(.*; 2 other parts not checked\)/,
    );

    const every = checkLinearizability(kvModel, history, { allIllegalParts: true });
    expect(every.verdict === 'illegal' && every.partitions.map((part) => part.label)).toEqual(['key "x"', 'key "y"']);
    expect(every.stats.partitionsChecked).toBe(3);
  });

  it('a key slow to search does not hold back the verdict of a key quick to prove illegal (c50-bad shape)', () => {
    // Searched one after the other, key "6" alone takes 3.5 million steps to prove illegal; key "1" takes
    // 18 thousand. Taking turns, the check finds key "1" first.
    const { history } = kvShapedHistory(50, true);
    const result = checkLinearizability(kvModel, history);
    expect(result.verdict).toBe('illegal');
    if (result.verdict !== 'illegal') return;
    expect(result.partitions.map((part) => part.label)).toEqual(['key "1"']);
    expect(result.stats.steps).toBeLessThan(250_000);
  });

  it("a key never written reads ''", () => {
    const history = historyOf<KvInput, KvOutput>(completed('a', [0, 10], { f: 'get', key: 'x' }, { value: '' }));
    expect(checkLinearizability(kvModel, history).verdict).toBe('ok');
  });
});

describe('counter and set models', () => {
  it('counter: reads must see every increment that completed before them', () => {
    const history = historyOf<CounterInput, CounterOutput>(
      completed('a', [0, 10], { f: 'increment', by: 2 }, {}),
      completed('b', [5, 15], { f: 'increment', by: 3 }, {}),
      completed('c', [12, 20], { f: 'read' }, { value: 5 }),
    );
    expect(checkLinearizability(counterModel, history).verdict).toBe('ok');
    const missed = historyOf<CounterInput, CounterOutput>(
      completed('a', [0, 10], { f: 'increment', by: 2 }, {}),
      completed('c', [12, 20], { f: 'read' }, { value: 0 }),
    );
    expect(checkLinearizability(counterModel, missed).verdict).toBe('illegal');
  });

  it('set: a read must return exactly the elements added, in any order', () => {
    const history = historyOf<SetInput, SetOutput>(
      completed('a', [0, 10], { f: 'add', element: 2 }, {}),
      completed('b', [0, 10], { f: 'add', element: 'x' }, {}),
      completed('c', [20, 30], { f: 'read' }, { elements: ['x', 2] }),
    );
    expect(checkLinearizability(setModel, history).verdict).toBe('ok');
    const duplicated = historyOf<SetInput, SetOutput>(
      completed('a', [0, 10], { f: 'add', element: 2 }, {}),
      completed('c', [20, 30], { f: 'read' }, { elements: [2, 2] }),
    );
    expect(checkLinearizability(setModel, duplicated).verdict).toBe('illegal');
  });
});

/** A long linearizable register history: 5 clients, equal instants allowed, a few timeouts. */
function longRegisterHistory(operations: number): RegisterHistory {
  return simulateHistory<RegisterValue, RegisterInput, RegisterOutput>(
    {
      init: () => null,
      apply: (state, input) =>
        input.f === 'write' ? { state: input.value, output: {} } : { state, output: { value: state } },
    },
    {
      seed: 20_000,
      clients: 5,
      operations,
      indeterminateFraction: 0.01,
      gapMs: [0, 3],
      randomInput: (randomInt) => (randomInt(0, 1) === 0 ? read : write(randomInt(0, 9))),
    },
  );
}

describe('a custom model, as in the module documentation', () => {
  type MaxInput = { f: 'raise'; to: number } | { f: 'read' };
  const maxRegisterModel: Model<number, MaxInput, { value?: number }> = {
    name: 'max-register',
    init: () => 0,
    step: (state, input, output) => {
      if (input.f === 'raise') return { ok: true, state: Math.max(state, input.to) };
      return output === undefined || output.value === state ? { ok: true, state } : { ok: false };
    },
    describeOperation: (input, output) =>
      input.f === 'raise' ? `raise(${input.to})` : `read() → ${output?.value ?? '?'}`,
    describeState: (state) => String(state),
  };

  it('checks histories like the shipped ones', () => {
    const history = historyOf<MaxInput, { value?: number }>(
      completed('a', [0, 10], { f: 'raise', to: 5 }, {}),
      completed('b', [0, 10], { f: 'raise', to: 3 }, {}),
      completed('c', [20, 30], { f: 'read' }, { value: 5 }),
    );
    expect(checkLinearizability(maxRegisterModel, history).verdict).toBe('ok');
    const lowered = historyOf<MaxInput, { value?: number }>(
      completed('a', [0, 10], { f: 'raise', to: 5 }, {}),
      completed('c', [20, 30], { f: 'read' }, { value: 3 }),
    );
    expect(checkLinearizability(maxRegisterModel, lowered).verdict).toBe('illegal');
  });
});

describe('budgets and scale', () => {
  it('checks a 20,000-operation history without overflowing the stack', () => {
    const result = checkLinearizability(registerModel, longRegisterHistory(20_000));
    expect(result.verdict).toBe('ok');
    expect(result.stats.operationsChecked).toBe(20_000);
  });

  it('a budget of 10 steps gives unknown, never ok', () => {
    const history = longRegisterHistory(200);
    const result = checkLinearizability(registerModel, history, { maxSteps: 10 });
    expect(result.verdict).toBe('unknown');
    if (result.verdict !== 'unknown') return;
    expect(result.budget).toBe('steps');
    expect(result.reason).toContain("the checker's budget of 10 steps ran out");
    expect(() => assertLinearizable(registerModel, history, { maxSteps: 10 })).toThrow(
      /^unknown: the checker's budget of 10 steps ran out.*this is NOT a pass/,
    );
  });

  it('a time budget that runs out gives unknown too', () => {
    const result = checkLinearizability(registerModel, longRegisterHistory(5_000), { timeoutMs: 0 });
    expect(result.verdict).toBe('unknown');
    if (result.verdict === 'unknown') expect(result.budget).toBe('time');
  });

  it('evidence found before the budget ran out still makes the verdict illegal', () => {
    const big = longRegisterHistory(2_000).map((operation) => ({
      ...operation,
      input:
        operation.input.f === 'read'
          ? ({ f: 'get', key: 'big' } as const)
          : ({ f: 'put', key: 'big', value: String(operation.input.value) } as const),
      output:
        operation.output?.value === undefined
          ? operation.output
          : { value: operation.output.value === null ? '' : String(operation.output.value) },
    })) as History<KvInput, KvOutput>;
    const broken = historyOf<KvInput, KvOutput>(
      completed('z', [0, 1], { f: 'put', key: 'small', value: 'v' }, {}),
      completed('z', [2, 3], { f: 'get', key: 'small' }, { value: '' }),
    );
    const history = [...big, ...broken.map((operation) => ({ ...operation, id: operation.id + big.length }))];
    const result = checkLinearizability(kvModel, history, { maxSteps: 100 });
    expect(result.verdict).toBe('illegal');
  });

  it('assertLinearizable explains a violation in domain words', () => {
    const history = historyOf(completed('a', [0, 10], write(1), done), completed('b', [20, 30], read, saw(null)));
    expect(() => assertLinearizable(registerModel, history)).toThrow(
      /^not linearizable: .*\n[\s\S]*read\(\) → \(never written\) cannot happen when the state is 1/,
    );
    expect(() => assertLinearizable(registerModel, historyOf(completed('a', [0, 10], write(1), done)))).not.toThrow();
  });
});

describe('programmer errors', () => {
  it('rejects an operation that breaks the history invariants', () => {
    const broken = [
      { id: 0, clientId: 'a', input: read, output: saw(null), status: 'ok' as const, callMs: 10, returnMs: 5 },
    ];
    expect(() => checkLinearizability(registerModel, broken)).toThrow(/returned at 5 ms, before its call at 10 ms/);
  });

  it('names the operation when the model throws', () => {
    const malformed = historyOf(completed('a', [0, 10], read, {} as RegisterOutput));
    expect(() => checkLinearizability(registerModel, malformed)).toThrow(
      /register model threw on operation #0 of client a/,
    );
  });
});
