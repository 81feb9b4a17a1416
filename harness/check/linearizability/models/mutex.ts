/**
 * A lock, as in Knossos's `mutex` model.
 *
 * @module
 */

import type { Model, StepResult } from '../model.ts';

/** What a client asks a mutex: take it (`acquire`) or give it back (`release`). */
export type MutexInput = { readonly f: 'acquire' } | { readonly f: 'release' };

/** What a mutex answers: nothing but success (`{}`). A refused acquire is a `fail` operation. */
export type MutexOutput = Readonly<Record<string, never>>;

/** Whether the mutex is held. */
export type MutexState = boolean;

function stepMutex(state: MutexState, input: MutexInput): StepResult<MutexState> {
  switch (input.f) {
    case 'acquire':
      return state ? { ok: false } : { ok: true, state: true };
    case 'release':
      return state ? { ok: true, state: false } : { ok: false };
    default:
      throw new Error(`unknown mutex operation ${JSON.stringify(input)}`);
  }
}

/**
 * A single lock that starts out free.
 *
 * An acquire is legal only when the lock is free, a release only when it is held. As in Knossos, the
 * model does not track who holds the lock: a release by another client than the holder is legal. An
 * indeterminate acquire or release obeys the same rule at the point where it takes effect.
 */
export const mutexModel: Model<MutexState, MutexInput, MutexOutput> = {
  name: 'mutex',
  init: () => false,
  step: (state, input) => stepMutex(state, input),
  describeOperation: (input, output) => `${input.f}()${output === undefined ? ' → ? (outcome unknown)' : ''}`,
  describeState: (state) => (state ? 'held' : 'free'),
};
