/**
 * The mutex and multi-register models: the anomalies each one catches, and what it lets through, as
 * Knossos's models of the same names do.
 */

import { describe, expect, it } from 'vitest';
import { completed, failed, historyOf, timedOut } from '../_test-support/story.ts';
import { checkLinearizability } from '../check.ts';
import { multiRegisterModel, type MultiRegisterInput, type MultiRegisterOutput } from './multiRegister.ts';
import { mutexModel, type MutexInput, type MutexOutput } from './mutex.ts';

const acquire: MutexInput = { f: 'acquire' };
const release: MutexInput = { f: 'release' };
const done: MutexOutput = {};

describe('mutex', () => {
  it('hands the lock to one client at a time', () => {
    const history = historyOf<MutexInput, MutexOutput>(
      completed('a', [0, 1], acquire, done),
      completed('b', [2, 8], acquire, done), // waits for a's release
      completed('a', [3, 4], release, done),
    );
    expect(checkLinearizability(mutexModel, history).verdict).toBe('ok');
  });

  it('catches two clients holding the lock at once', () => {
    const history = historyOf<MutexInput, MutexOutput>(
      completed('a', [0, 1], acquire, done),
      completed('b', [2, 3], acquire, done),
      completed('a', [4, 5], release, done),
    );
    const result = checkLinearizability(mutexModel, history);
    expect(result.verdict).toBe('illegal');
  });

  it('catches a release of a lock nobody holds', () => {
    const history = historyOf<MutexInput, MutexOutput>(completed('a', [0, 1], release, done));
    expect(checkLinearizability(mutexModel, history).verdict).toBe('illegal');
  });

  it('drops a failed acquire, and lets an indeterminate release take effect or not', () => {
    const releaseTookEffect = historyOf<MutexInput, MutexOutput>(
      completed('a', [0, 1], acquire, done),
      failed('b', [2, 3], acquire),
      timedOut('a', 4, release),
      completed('c', [6, 7], acquire, done),
    );
    expect(checkLinearizability(mutexModel, releaseTookEffect).verdict).toBe('ok');
    const releaseNeverHappened = historyOf<MutexInput, MutexOutput>(
      completed('a', [0, 1], acquire, done),
      timedOut('a', 4, release),
      completed('a', [6, 7], release, done),
    );
    expect(checkLinearizability(mutexModel, releaseNeverHappened).verdict).toBe('ok');
  });

  it('does not track the holder, as in Knossos: any client may release', () => {
    const history = historyOf<MutexInput, MutexOutput>(
      completed('a', [0, 1], acquire, done),
      completed('b', [2, 3], release, done),
    );
    expect(checkLinearizability(mutexModel, history).verdict).toBe('ok');
    expect(mutexModel.describeOperation(acquire, undefined)).toBe('acquire() → ? (outcome unknown)');
    expect(mutexModel.describeState(true)).toBe('held');
  });
});

const txn = (...ops: MultiRegisterInput['ops']): MultiRegisterInput => ({ f: 'txn', ops });
const saw = (...values: MultiRegisterOutput['values']): MultiRegisterOutput => ({ values });

describe('multi-register', () => {
  const writeBoth = (value: number) => txn({ f: 'write', key: 'x', value }, { f: 'write', key: 'y', value });
  const readBoth = txn({ f: 'read', key: 'x' }, { f: 'read', key: 'y' });

  it('accepts transactions that see each other whole', () => {
    const history = historyOf<MultiRegisterInput, MultiRegisterOutput>(
      completed('a', [0, 1], writeBoth(1), saw(1, 1)),
      completed('b', [2, 5], writeBoth(2), saw(2, 2)),
      completed('c', [3, 4], readBoth, saw(2, 2)),
      completed('d', [6, 7], txn({ f: 'write', key: 'x', value: 3 }, { f: 'read', key: 'x' }), saw(3, 3)),
    );
    expect(checkLinearizability(multiRegisterModel, history).verdict).toBe('ok');
  });

  it('catches a fractured read: half of a transaction', () => {
    const history = historyOf<MultiRegisterInput, MultiRegisterOutput>(
      completed('a', [0, 1], writeBoth(1), saw(1, 1)),
      completed('b', [2, 5], writeBoth(2), saw(2, 2)),
      completed('c', [3, 4], readBoth, saw(2, 1)),
    );
    const result = checkLinearizability(multiRegisterModel, history);
    expect(result.verdict).toBe('illegal');
  });

  it('catches a stale read after a transaction completed', () => {
    const history = historyOf<MultiRegisterInput, MultiRegisterOutput>(
      completed('a', [0, 1], writeBoth(1), saw(1, 1)),
      completed('b', [2, 3], writeBoth(2), saw(2, 2)),
      completed('c', [4, 5], txn({ f: 'read', key: 'y' }), saw(1)),
    );
    expect(checkLinearizability(multiRegisterModel, history).verdict).toBe('illegal');
  });

  it('treats a read of null as unknown, as Knossos does', () => {
    const history = historyOf<MultiRegisterInput, MultiRegisterOutput>(
      completed('a', [0, 1], writeBoth(1), saw(1, 1)),
      completed('c', [4, 5], readBoth, saw(null, 1)),
    );
    expect(checkLinearizability(multiRegisterModel, history).verdict).toBe('ok');
    expect(multiRegisterModel.describeOperation(readBoth, saw(null, 1))).toBe('txn[read x → ?; read y → 1]');
    expect(multiRegisterModel.describeState({ y: 1, x: 2 })).toBe('x=2, y=1');
  });

  it('refuses an output that does not match the transaction', () => {
    expect(() => multiRegisterModel.step({}, readBoth, saw(1))).toThrow(/one value per micro-op/);
  });
});
