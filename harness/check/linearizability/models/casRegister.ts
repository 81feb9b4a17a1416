/**
 * A register with compare-and-set, as in Jepsen's and Knossos's `cas-register` tests.
 *
 * @module
 */

import type { Model, StepResult } from '../model.ts';
import {
  describeReadOrWrite,
  describeRegisterValue,
  stepReadOrWrite,
  type RegisterInput,
  type RegisterValue,
} from './register.ts';

/**
 * What a client asks a compare-and-set register: a read, a write, or
 * `{ f: 'cas', expected: 1, newValue: 4 }` ("if the value is 1, make it 4").
 */
export type CasRegisterInput =
  RegisterInput | { readonly f: 'cas'; readonly expected: RegisterValue; readonly newValue: RegisterValue };

/**
 * What a compare-and-set register answers: a read carries `value`; a cas carries `swapped` (`true`
 * when the compare succeeded and the value was replaced, `false` when the compare failed); a write
 * carries nothing.
 */
export interface CasRegisterOutput {
  readonly value?: RegisterValue;
  readonly swapped?: boolean;
}

function stepCas(
  state: RegisterValue,
  input: Extract<CasRegisterInput, { f: 'cas' }>,
  output: CasRegisterOutput | undefined,
): StepResult<RegisterValue> {
  const matches = state === input.expected;
  // Outcome unknown: it swapped if and only if the compare would have succeeded at this point.
  if (output === undefined) return { ok: true, state: matches ? input.newValue : state };
  if (output.swapped === undefined) {
    throw new Error('a completed cas must say in `output.swapped` whether the compare succeeded');
  }
  if (output.swapped) return matches ? { ok: true, state: input.newValue } : { ok: false };
  // A cas that reports a failed compare is legal only if the value really differed from `expected`.
  return matches ? { ok: false } : { ok: true, state };
}

function describeCas(input: CasRegisterInput, output: CasRegisterOutput | undefined): string {
  if (input.f !== 'cas') return describeReadOrWrite(input, output);
  const call = `cas(${describeRegisterValue(input.expected)} → ${describeRegisterValue(input.newValue)})`;
  if (output?.swapped === undefined) return `${call} → ? (outcome unknown)`;
  return output.swapped ? `${call} swapped` : `${call} compare failed`;
}

/**
 * A single register with read, write and compare-and-set, starting out never written (`null`).
 *
 * A cas that says it swapped is legal only when the value equalled `expected`; a cas that says the
 * compare failed is legal only when the value differed from `expected`.
 */
export const casRegisterModel: Model<RegisterValue, CasRegisterInput, CasRegisterOutput> = {
  name: 'cas-register',
  init: () => null,
  step: (state, input, output) =>
    input.f === 'cas' ? stepCas(state, input, output) : stepReadOrWrite(state, input, output),
  describeOperation: describeCas,
  describeState: describeRegisterValue,
};
