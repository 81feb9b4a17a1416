/**
 * A counter that clients increment and read.
 *
 * @module
 */

import type { Model, StepResult } from '../model.ts';

/** What a client asks a counter: `{ f: 'increment', by: 2 }` or `{ f: 'read' }`. */
export type CounterInput = { readonly f: 'increment'; readonly by: number } | { readonly f: 'read' };

/** What a counter answers: a read carries `value`; an increment carries nothing (`{}`). */
export interface CounterOutput {
  readonly value?: number;
}

function stepCounter(state: number, input: CounterInput, output: CounterOutput | undefined): StepResult<number> {
  switch (input.f) {
    case 'increment':
      return { ok: true, state: state + input.by };
    case 'read':
      if (output === undefined) return { ok: true, state };
      if (output.value === undefined) throw new Error('a completed read must carry the value read in `output.value`');
      return output.value === state ? { ok: true, state } : { ok: false };
    default:
      throw new Error(`unknown counter operation ${JSON.stringify(input)}`);
  }
}

/**
 * A counter starting at 0. An increment by `n` adds `n` (which may be negative); a read is legal when it
 * returns the current total.
 */
export const counterModel: Model<number, CounterInput, CounterOutput> = {
  name: 'counter',
  init: () => 0,
  step: stepCounter,
  describeOperation: (input, output) => {
    if (input.f === 'increment') return `increment(${input.by})`;
    return output?.value === undefined ? 'read() → ? (outcome unknown)' : `read() → ${output.value}`;
  },
  describeState: (state) => String(state),
};
