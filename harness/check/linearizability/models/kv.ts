/**
 * A key-value store with get, put and append, checked one key at a time.
 *
 * @module
 */

import type { History } from '../../../history.ts';
import type { Model, StepResult } from '../model.ts';

/**
 * What a client asks the store: `{ f: 'get', key }`, `{ f: 'put', key, value }` (replace the value) or
 * `{ f: 'append', key, value }` (concatenate `value` to the end of the current value).
 */
export type KvInput =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'append'; readonly key: string; readonly value: string };

/**
 * What the store answers: a get carries the value read (`{ value: 'ab' }`, and `{ value: '' }` for a
 * key never written); put and append carry nothing (`{}`).
 */
export interface KvOutput {
  readonly value?: string;
}

/**
 * The value of the one key a part of the history is about. A key never written holds `''`, as in
 * Porcupine's kv model: a store that answers "no such key" must be recorded as reading `''`.
 */
export type KvState = string;

function stepKv(state: KvState, input: KvInput, output: KvOutput | undefined): StepResult<KvState> {
  switch (input.f) {
    case 'put':
      return { ok: true, state: input.value };
    case 'append':
      return { ok: true, state: state + input.value };
    case 'get':
      if (output === undefined) return { ok: true, state };
      if (output.value === undefined) {
        throw new Error("a completed get must carry the value read in `output.value` ('' for a missing key)");
      }
      return output.value === state ? { ok: true, state } : { ok: false };
    default:
      throw new Error(`unknown kv operation ${JSON.stringify(input)}`);
  }
}

function describeKv(input: KvInput, output: KvOutput | undefined): string {
  const key = JSON.stringify(input.key);
  switch (input.f) {
    case 'put':
      return `put(${key}, ${JSON.stringify(input.value)})`;
    case 'append':
      return `append(${key}, ${JSON.stringify(input.value)})`;
    default:
      return output?.value === undefined
        ? `get(${key}) → ? (outcome unknown)`
        : `get(${key}) → ${JSON.stringify(output.value)}`;
  }
}

/** Splits a history by key, in order of each key's first operation. */
function partitionByKey(history: History<KvInput, KvOutput>): History<KvInput, KvOutput>[] {
  const byKey = new Map<string, Array<History<KvInput, KvOutput>[number]>>();
  for (const operation of history) {
    const part = byKey.get(operation.input.key);
    if (part === undefined) byKey.set(operation.input.key, [operation]);
    else part.push(operation);
  }
  return [...byKey.values()];
}

/**
 * A key-value store of strings. Keys are independent, so the history is checked one key at a time
 * (P-compositionality); the state is the value of that one key, `''` until written.
 *
 * A get is legal when it returns the key's current value; put replaces the value; append concatenates
 * to it.
 */
export const kvModel: Model<KvState, KvInput, KvOutput> = {
  name: 'kv',
  init: () => '',
  step: stepKv,
  partition: partitionByKey,
  describePartition: (part) => `key ${JSON.stringify(part[0]?.input.key ?? '')}`,
  describeOperation: describeKv,
  describeState: (state) => (state === '' ? '"" (empty or never written)' : JSON.stringify(state)),
};
