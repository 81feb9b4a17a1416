/**
 * Registers read and written together in transactions, as in Knossos's `multi-register` model.
 *
 * @module
 */

import type { Model, StepResult } from '../model.ts';
import { describeRegisterValue, type RegisterValue } from './register.ts';

/** One step of a transaction: read a register, or write a value to it. */
export type MicroOp =
  | { readonly f: 'read'; readonly key: string }
  | { readonly f: 'write'; readonly key: string; readonly value: RegisterValue };

/** What a client asks: a transaction, `{ f: 'txn', ops: [{ f: 'read', key: 'x' }, { f: 'write', key: 'y', value: 2 }] }`. */
export interface MultiRegisterInput {
  readonly f: 'txn';
  readonly ops: readonly MicroOp[];
}

/**
 * What the client is told: `values[i]` is what micro-op `i` read (a write's slot holds the value it wrote).
 * A read of `null` stands for "value unknown", as in Knossos.
 */
export interface MultiRegisterOutput {
  readonly values: readonly RegisterValue[];
}

/** The value of every register written so far; a register never written is absent. */
export type MultiRegisterState = Readonly<Record<string, RegisterValue>>;

function stepTransaction(
  state: MultiRegisterState,
  input: MultiRegisterInput,
  output: MultiRegisterOutput | undefined,
): StepResult<MultiRegisterState> {
  if (input.f !== 'txn' || !Array.isArray(input.ops)) {
    throw new Error(`a multi-register operation is { f: 'txn', ops: [...] }, got ${JSON.stringify(input)}`);
  }
  if (output !== undefined && output.values?.length !== input.ops.length) {
    throw new Error('a completed transaction must carry one value per micro-op in `output.values`');
  }
  let next: Record<string, RegisterValue> | undefined;
  for (const [index, op] of input.ops.entries()) {
    const current = next ?? state;
    if (op.f === 'write') {
      next = { ...current, [op.key]: op.value };
      continue;
    }
    const seen = output?.values[index] ?? null;
    // As in Knossos, a read of null (or of an indeterminate transaction) is always legal.
    if (seen !== null && seen !== (current[op.key] ?? null)) return { ok: false };
  }
  return { ok: true, state: next ?? state };
}

function describeMicroOp(op: MicroOp, seen: RegisterValue | undefined): string {
  if (op.f === 'write') return `write ${op.key} ${describeRegisterValue(op.value)}`;
  return `read ${op.key} → ${seen === undefined || seen === null ? '?' : describeRegisterValue(seen)}`;
}

function describeState(state: MultiRegisterState): string {
  const keys = Object.keys(state).sort();
  if (keys.length === 0) return '(nothing written)';
  return keys.map((key) => `${key}=${describeRegisterValue(state[key] ?? null)}`).join(', ');
}

/**
 * Registers named by key, every register never written (`null`) at first, changed only by transactions
 * that read and write several registers at once.
 *
 * A transaction is legal when each read, in order, returns the register's value after the micro-ops
 * before it. As in Knossos, a read of `null` is always legal: it stands for a read whose value is not
 * known. So this model cannot catch a read that wrongly saw nothing: Knossos cannot either.
 */
export const multiRegisterModel: Model<MultiRegisterState, MultiRegisterInput, MultiRegisterOutput> = {
  name: 'multi-register',
  init: () => ({}),
  step: stepTransaction,
  describeOperation: (input, output) =>
    `txn[${input.ops.map((op, index) => describeMicroOp(op, output?.values[index])).join('; ')}]` +
    (output === undefined ? ' (outcome unknown)' : ''),
  describeState,
};
