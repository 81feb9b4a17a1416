/**
 * A read/write register: the simplest object to check, and the one most exercises start with.
 *
 * @module
 */

import type { Model, StepResult } from '../model.ts';

/** A value a register can hold. `null` means "never written". */
export type RegisterValue = number | string | null;

/** What a client asks a register: read it, or write a value. */
export type RegisterInput = { readonly f: 'read' } | { readonly f: 'write'; readonly value: RegisterValue };

/**
 * What a register answers: a read carries the value read (`{ value: 3 }`, or `{ value: null }` when
 * never written); a write carries nothing (`{}`).
 */
export interface RegisterOutput {
  readonly value?: RegisterValue;
}

/** Formats a register value for messages: `3`, `"x"`, or `(never written)`. */
export function describeRegisterValue(value: RegisterValue): string {
  if (value === null) return '(never written)';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The step of a read or write; shared with the compare-and-set register. */
export function stepReadOrWrite(
  state: RegisterValue,
  input: RegisterInput,
  output: RegisterOutput | undefined,
): StepResult<RegisterValue> {
  switch (input.f) {
    case 'write':
      return { ok: true, state: input.value };
    case 'read':
      if (output === undefined) return { ok: true, state };
      if (output.value === undefined) {
        throw new Error('a completed read must carry the value read in `output.value` (null when never written)');
      }
      return output.value === state ? { ok: true, state } : { ok: false };
    default:
      throw new Error(`unknown register operation ${JSON.stringify(input)}`);
  }
}

/** Describes a read or write; shared with the compare-and-set register. */
export function describeReadOrWrite(input: RegisterInput, output: RegisterOutput | undefined): string {
  if (input.f === 'write') return `write(${describeRegisterValue(input.value)})`;
  if (output?.value === undefined) return 'read() → ? (outcome unknown)';
  return `read() → ${describeRegisterValue(output.value)}`;
}

/**
 * A single read/write register that starts out never written (`null`).
 *
 * A read is legal when it returns the current value; a write always is.
 *
 * @example
 * ```ts
 * // client a: write(1) at [0, 10]; client b: read() → 1 at [5, 8]  → linearizable
 * checkLinearizability(registerModel, history);
 * ```
 */
export const registerModel: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  name: 'register',
  init: () => null,
  step: stepReadOrWrite,
  describeOperation: describeReadOrWrite,
  describeState: describeRegisterValue,
};
