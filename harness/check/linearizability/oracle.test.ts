/**
 * The checker against a brute-force oracle, on many small random histories (layer 3: sweeps).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { History } from '../../history.ts';
import {
  casRegisterModel,
  checkLinearizability,
  kvModel,
  registerModel,
  type CasRegisterInput,
  type CasRegisterOutput,
  type CheckResult,
  type KvInput,
  type KvOutput,
  type Model,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
} from './index.ts';
import { simulateHistory } from './_test-support/simulate.ts';
import { smallHistories, type RealObject } from './_test-support/arbitraries.ts';
import { bruteForceLinearizable, isValidLinearization } from './_test-support/bruteForce.ts';

const RUNS = 1000;

const value = fc.integer({ min: 0, max: 2 });

const realRegister: RealObject<RegisterValue, CasRegisterInput, CasRegisterOutput> = {
  init: () => null,
  apply(state, input) {
    switch (input.f) {
      case 'read':
        return { state, output: { value: state } };
      case 'write':
        return { state: input.value, output: {} };
      case 'cas':
        return state === input.expected
          ? { state: input.newValue, output: { swapped: true } }
          : { state, output: { swapped: false } };
    }
  },
};

const registerInput: fc.Arbitrary<RegisterInput> = fc.oneof(
  fc.constant({ f: 'read' as const }),
  value.map((written) => ({ f: 'write' as const, value: written })),
);

const casRegisterInput: fc.Arbitrary<CasRegisterInput> = fc.oneof(
  registerInput,
  fc.record({ f: fc.constant('cas' as const), expected: fc.option(value), newValue: value }),
);

const registerOutput = fc.record({ value: fc.option(value), swapped: fc.boolean() });

type Store = Readonly<Record<string, string>>;

const realKvStore: RealObject<Store, KvInput, KvOutput> = {
  init: () => ({}),
  apply(state, input) {
    const current = state[input.key] ?? '';
    if (input.f === 'get') return { state, output: { value: current } };
    return { state: { ...state, [input.key]: input.f === 'put' ? input.value : current + input.value }, output: {} };
  },
};

/**
 * The whole store as one state, with no partitioning: the oracle then checks the history as a whole,
 * which also tests that checking key by key (P-compositionality) gives the same answer.
 */
const wholeStoreModel: Model<Store, KvInput, KvOutput> = {
  name: 'whole kv store',
  init: () => ({}),
  step(state, input, output) {
    const result = kvModel.step(state[input.key] ?? '', input, output);
    return result.ok ? { ok: true, state: { ...state, [input.key]: result.state } } : result;
  },
  describeOperation: kvModel.describeOperation,
  describeState: (state) => JSON.stringify(state),
};

const kvInput: fc.Arbitrary<KvInput> = fc.oneof(
  fc.record({ f: fc.constant('get' as const), key: fc.constantFrom('a', 'b') }),
  fc.record({ f: fc.constant('put' as const), key: fc.constantFrom('a', 'b'), value: fc.constantFrom('x', 'y') }),
  fc.record({ f: fc.constant('append' as const), key: fc.constantFrom('a', 'b'), value: fc.constantFrom('x', 'y') }),
);

const kvOutput = fc.record({ value: fc.constantFrom('', 'x', 'y', 'xy', 'yx', 'xx') });

/** Checks the verdict against the oracle, and the evidence against the model. */
function agreesWithOracle<State, Input, Output>(
  model: Model<State, Input, Output>,
  oracleModel: Model<unknown, Input, Output>,
  history: History<Input, Output>,
): void {
  const result = checkLinearizability(model, history);
  const expected = bruteForceLinearizable(oracleModel, history) ? 'ok' : 'illegal';
  expect(result.verdict, `checker said ${result.verdict}, brute force said ${expected}`).toBe(expected);
  if (result.verdict === 'ok') expectValidWitnesses(model, history, result);
  if (result.verdict === 'illegal') expectValidPrefixes(model, result);
}

function expectValidWitnesses<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  result: Extract<CheckResult<State, Input, Output>, { verdict: 'ok' }>,
): void {
  const parts = model.partition?.(history.filter((operation) => operation.status !== 'fail')) ?? [history];
  result.linearizations.forEach((order, index) => {
    expect(isValidLinearization(model, parts[index]!, order), 'the witness order is not a valid linearization').toBe(
      true,
    );
  });
}

function expectValidPrefixes<State, Input, Output>(
  model: Model<State, Input, Output>,
  result: Extract<CheckResult<State, Input, Output>, { verdict: 'illegal' }>,
): void {
  for (const part of result.partitions) {
    let state = model.init();
    for (const step of part.longestPrefix) {
      const next = model.step(state, step.operation.input, step.operation.output);
      expect(next.ok, `prefix step ${step.description} is not legal`).toBe(true);
      if (next.ok) state = next.state;
      expect(state).toEqual(step.stateAfter);
    }
    expect(part.unplaceable.length).toBeGreaterThan(0);
  }
}

describe('checker agrees with brute force on small random histories', () => {
  it('register (read/write)', () => {
    const histories = smallHistories(realRegister, registerInput, registerOutput) as fc.Arbitrary<
      History<RegisterInput, RegisterOutput>
    >;
    fc.assert(
      fc.property(histories, (history) =>
        agreesWithOracle(registerModel, registerModel as Model<unknown, RegisterInput, RegisterOutput>, history),
      ),
      { numRuns: RUNS },
    );
  });

  it('cas register (read/write/cas)', () => {
    const histories = smallHistories(realRegister, casRegisterInput, registerOutput);
    fc.assert(
      fc.property(histories, (history) =>
        agreesWithOracle(
          casRegisterModel,
          casRegisterModel as Model<unknown, CasRegisterInput, CasRegisterOutput>,
          history,
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('kv store (get/put/append), checked key by key, against the whole store unpartitioned', () => {
    const histories = smallHistories(realKvStore, kvInput, kvOutput);
    fc.assert(
      fc.property(histories, (history) =>
        agreesWithOracle(kvModel, wholeStoreModel as Model<unknown, KvInput, KvOutput>, history),
      ),
      { numRuns: RUNS },
    );
  });

  it('the generator produces both verdicts in good numbers', () => {
    const histories = fc.sample(smallHistories(realRegister, casRegisterInput, registerOutput), {
      numRuns: 500,
      seed: 7,
    });
    const verdicts = histories.map((history) => checkLinearizability(casRegisterModel, history).verdict);
    expect(verdicts.filter((verdict) => verdict === 'ok').length).toBeGreaterThan(150);
    expect(verdicts.filter((verdict) => verdict === 'illegal').length).toBeGreaterThan(80);
  });

  it('register, longer histories (up to 16 operations, 4 clients, many timeouts)', () => {
    const histories = smallHistories(realRegister, casRegisterInput, registerOutput, { clients: 4, maxOperations: 16 });
    fc.assert(
      fc.property(histories, (history) =>
        agreesWithOracle(
          casRegisterModel,
          casRegisterModel as Model<unknown, CasRegisterInput, CasRegisterOutput>,
          history,
        ),
      ),
      { numRuns: 300 },
    );
  });

  it('a model with `equal` but no `hash` (every state collides) gives the same verdicts', () => {
    const collidingModel: Model<RegisterValue, CasRegisterInput, CasRegisterOutput> = {
      ...casRegisterModel,
      equal: (a, b) => a === b,
    };
    const histories = smallHistories(realRegister, casRegisterInput, registerOutput);
    fc.assert(
      fc.property(histories, (history) =>
        agreesWithOracle(
          collidingModel,
          casRegisterModel as Model<unknown, CasRegisterInput, CasRegisterOutput>,
          history,
        ),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('histories simulated on a correct object are linearizable', () => {
  it('register: 5 clients, 300 operations, 5% timeouts, a witness for each', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const history = simulateHistory(realRegister, {
          seed,
          clients: 5,
          operations: 300,
          indeterminateFraction: 0.05,
          gapMs: [0, 3],
          randomInput: (randomInt): CasRegisterInput => {
            const roll = randomInt(0, 2);
            if (roll === 0) return { f: 'read' };
            if (roll === 1) return { f: 'write', value: randomInt(0, 3) };
            return { f: 'cas', expected: randomInt(0, 3), newValue: randomInt(0, 3) };
          },
        });
        const result = checkLinearizability(casRegisterModel, history);
        expect(result.verdict).toBe('ok');
        if (result.verdict === 'ok') expectValidWitnesses(casRegisterModel, history, result);
      }),
      { numRuns: 30 },
    );
  });
});
