/**
 * Writing histories for other checkers: Jepsen EDN read back unchanged (in both layouts), and
 * Porcupine's operation structs.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { History, Operation } from '../../../history.ts';
import { smallHistories, type RealObject } from '../_test-support/arbitraries.ts';
import { completed, failed, historyOf, timedOut } from '../_test-support/story.ts';
import { checkLinearizability } from '../check.ts';
import { parseEdnHistory } from '../import/ednHistory.ts';
import { casRegisterModel, type CasRegisterInput, type CasRegisterOutput } from '../models/casRegister.ts';
import type { KvInput, KvOutput } from '../models/kv.ts';
import type { MultiRegisterInput, MultiRegisterOutput } from '../models/multiRegister.ts';
import type { MutexInput, MutexOutput } from '../models/mutex.ts';
import type { RegisterValue } from '../models/register.ts';
import { writeJepsenEdn } from './jepsenEdn.ts';
import { writePorcupineJson } from './porcupineJson.ts';

const value = fc.integer({ min: 0, max: 2 });

const realCasRegister: RealObject<RegisterValue, CasRegisterInput, CasRegisterOutput> = {
  init: () => null,
  apply(state, input) {
    if (input.f === 'read') return { state, output: { value: state } };
    if (input.f === 'write') return { state: input.value, output: {} };
    return state === input.expected
      ? { state: input.newValue, output: { swapped: true } }
      : { state, output: { swapped: false } };
  },
};

const casRegisterInput: fc.Arbitrary<CasRegisterInput> = fc.oneof(
  fc.constant({ f: 'read' as const }),
  value.map((written) => ({ f: 'write' as const, value: written })),
  fc.record({ f: fc.constant('cas' as const), expected: fc.option(value), newValue: value }),
);

const casHistories = smallHistories(
  realCasRegister,
  casRegisterInput,
  fc.record({ value: fc.option(value), swapped: fc.boolean() }),
  { clients: 3, maxOperations: 8 },
);

/**
 * How Knossos sees a harness history: a read of null says nothing (indeterminate), a cas whose compare
 * failed did not happen (fail), and a client that crashed comes back as a new process.
 */
function asKnossosSeesIt(
  history: History<CasRegisterInput, CasRegisterOutput>,
): History<CasRegisterInput, CasRegisterOutput> {
  const processes = new Map<string, number>();
  const crashes = new Map<string, number>();
  return history.map((operation): Operation<CasRegisterInput, CasRegisterOutput> => {
    if (!processes.has(operation.clientId)) processes.set(operation.clientId, processes.size);
    const crashCount = crashes.get(operation.clientId) ?? 0;
    const process = processes.get(operation.clientId)!;
    const clientId = crashCount === 0 ? String(process) : `${process}.${crashCount}`;
    if (operation.status === 'indeterminate') crashes.set(operation.clientId, crashCount + 1);
    const renamed = { ...operation, clientId };
    if (operation.status !== 'ok') return { ...renamed, output: undefined };
    const { input } = operation;
    if (input.f === 'read') {
      const read = operation.output?.value ?? null;
      return read === null
        ? { ...renamed, status: 'indeterminate', output: undefined, returnMs: null }
        : { ...renamed, output: { value: read } };
    }
    if (input.f === 'write') return { ...renamed, output: {} };
    return operation.output?.swapped === true
      ? { ...renamed, output: { swapped: true } }
      : { ...renamed, status: 'fail', output: undefined };
  });
}

/**
 * The operations without their ids, in a fixed order. Ids follow invocation order, and invocations at
 * one instant may be written in another order than the history's (see `writeJepsenEdn`).
 */
function withoutIds(history: History<unknown, unknown>): string[] {
  return history.map(({ id: _id, ...rest }) => canonical(rest)).sort();
}

/** JSON with object keys sorted, `undefined` fields left out. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'undefined';
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
}

describe('Jepsen EDN round trip', () => {
  it('reads back what it wrote, in both layouts, as Knossos sees it', () => {
    fc.assert(
      fc.property(casHistories, (history) => {
        const lines = writeJepsenEdn(history, 'cas-register');
        const vector = writeJepsenEdn(history, 'cas-register', { layout: 'vector' });
        const expected = withoutIds(asKnossosSeesIt(history));
        expect(withoutIds(parseEdnHistory(lines, 'cas-register'))).toEqual(expected);
        expect(withoutIds(parseEdnHistory(vector, 'cas-register'))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the verdict of every history without null reads or failed compares', () => {
    const plain = casHistories.filter((history) =>
      history.every(
        (operation) =>
          operation.status !== 'ok' ||
          (operation.input.f === 'read' && operation.output?.value !== null) ||
          (operation.input.f === 'cas' && operation.output?.swapped === true) ||
          operation.input.f === 'write',
      ),
    );
    let illegal = 0;
    fc.assert(
      fc.property(plain, (history) => {
        const verdict = checkLinearizability(casRegisterModel, history).verdict;
        if (verdict === 'illegal') illegal++;
        const back = parseEdnHistory(writeJepsenEdn(history, 'cas-register'), 'cas-register');
        expect(checkLinearizability(casRegisterModel, back as typeof history).verdict).toBe(verdict);
      }),
      { numRuns: 300 },
    );
    expect(illegal).toBeGreaterThan(20); // the property met bad histories too
  });

  it('writes operations that touch at one instant as concurrent, a client’s own in order', () => {
    const history = historyOf<CasRegisterInput, CasRegisterOutput>(
      completed('a', [0, 5], { f: 'write', value: 1 }, {}),
      completed('b', [5, 6], { f: 'read' }, { value: 1 }),
      completed('a', [5, 7], { f: 'read' }, { value: 1 }),
    );
    const types = writeJepsenEdn(history, 'register')
      .trim()
      .split('\n')
      .map((line) => /:type :(\w+), :process (\d+)/.exec(line)!.slice(1).join(' '));
    // b's read touches a's write, so it is invoked before the write completes; a's read follows a's write.
    expect(types).toEqual(['invoke 0', 'invoke 1', 'ok 0', 'invoke 0', 'ok 1', 'ok 0']);
  });

  it('writes mutex, multi-register and kv histories that read back the same', () => {
    const mutex = historyOf<MutexInput, MutexOutput>(
      completed('a', [0, 1], { f: 'acquire' }, {}),
      failed('b', [1, 2], { f: 'acquire' }),
      timedOut('a', 3, { f: 'release' }),
    );
    const mutexText = writeJepsenEdn(mutex, 'mutex');
    expect(mutexText.split('\n')[0]).toBe('{:index 0, :time 0, :type :invoke, :process 0, :f :acquire, :value nil}');
    expect(parseEdnHistory(mutexText, 'mutex')).toEqual(
      mutex.map((operation) => ({ ...operation, clientId: operation.clientId === 'a' ? '0' : '1' })),
    );
    const txn: MultiRegisterInput = {
      f: 'txn',
      ops: [
        { f: 'write', key: 'x', value: 1 },
        { f: 'read', key: 'y' },
      ],
    };
    const multi = historyOf<MultiRegisterInput, MultiRegisterOutput>(completed('a', [0, 1], txn, { values: [1, 2] }));
    const multiText = writeJepsenEdn(multi, 'multi-register', { layout: 'vector' });
    expect(multiText).toContain(':f :txn, :value [[:write "x" 1] [:read "y" 2]]');
    expect(parseEdnHistory(multiText, 'multi-register')).toEqual([{ ...multi[0], clientId: '0' }]);
    const kv = historyOf<KvInput, KvOutput>(
      completed('a', [0, 1], { f: 'append', key: 'k', value: 'x' }, {}),
      completed('b', [2, 3], { f: 'get', key: 'k' }, { value: 'x' }),
    );
    const kvText = writeJepsenEdn(kv, 'kv');
    expect(kvText).toContain(':f :get, :key "k", :value "x"');
    expect(parseEdnHistory(kvText, 'kv')).toEqual(
      kv.map((operation) => ({ ...operation, clientId: operation.clientId === 'a' ? '0' : '1' })),
    );
  });
});

describe('Porcupine JSON', () => {
  it("writes Porcupine's Operation fields, drops failed operations and returns indeterminate ones last", () => {
    const history = historyOf<CasRegisterInput, CasRegisterOutput>(
      completed('a', [0, 2], { f: 'write', value: 1 }, {}),
      failed('b', [1, 3], { f: 'write', value: 2 }),
      timedOut('c', 1.5, { f: 'read' }),
      completed('b', [4, 9], { f: 'read' }, { value: 1 }),
    );
    expect(JSON.parse(writePorcupineJson(history))).toEqual([
      { ClientId: 0, Input: { f: 'write', value: 1 }, Call: 0, Output: {}, Return: 2_000_000 },
      { ClientId: 2, Input: { f: 'read' }, Call: 1_500_000, Output: null, Return: 9_000_001 },
      { ClientId: 1, Input: { f: 'read' }, Call: 4_000_000, Output: { value: 1 }, Return: 9_000_000 },
    ]);
  });
});
