/**
 * How each model's operations are written in Jepsen/Knossos op maps: which `:f` values it uses, and how an
 * invocation's `:value` becomes an input and a completion's `:value` an output.
 *
 * @module
 */

import type { CasRegisterInput, CasRegisterOutput } from '../models/casRegister.ts';
import type { KvInput, KvOutput } from '../models/kv.ts';
import type { MicroOp, MultiRegisterInput, MultiRegisterOutput } from '../models/multiRegister.ts';
import type { MutexInput, MutexOutput } from '../models/mutex.ts';
import type { RegisterValue } from '../models/register.ts';
import { describeEdn, EdnKeyword, type EdnValue } from './edn.ts';

/** The models whose histories Jepsen and Knossos write as op maps. */
export type EdnModelName = 'register' | 'cas-register' | 'mutex' | 'multi-register' | 'kv';

/** One op map, read: the fields a codec needs. */
export interface OpEvent {
  readonly f: string;
  readonly value: EdnValue;
  /** `:key`, for the kv model; undefined when absent. */
  readonly key: EdnValue | undefined;
}

/** An op map that does not fit the model; the importer adds the line and column. */
export class OpShapeError extends Error {}

/** `'unknown'`: the completion does not say what the client saw (Knossos's read of `nil`). */
export type Decoded<Output> = Output | 'unknown';

/** Reads and writes one model's op maps. */
export interface EdnCodec<Input, Output> {
  /** The `:f` values the model knows, e.g. `['read', 'write', 'cas']`. */
  readonly functions: readonly string[];
  /** The input an invocation asks for. */
  input(invoke: OpEvent): Input;
  /** What an `:ok` completion says the client saw. */
  output(completion: OpEvent, input: Input): Decoded<Output>;
  /** Writes an operation back: its `:f`, the invocation's `:value`, the completion's `:value`, and extra fields. */
  write(input: Input, output: Output | undefined): EdnOpFields;
}

/** The fields of an operation's op maps, as EDN text. */
export interface EdnOpFields {
  readonly f: string;
  readonly invokeValue: string;
  readonly okValue: string;
  /** e.g. `:key "x"`, written before `:value`. */
  readonly extra?: string;
}

/** A register value as EDN: `nil`, `3`, `"x"`. */
export function ednOfRegisterValue(value: RegisterValue): string {
  if (value === null) return 'nil';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function registerValue(value: EdnValue | undefined, what: string): RegisterValue {
  if (value === null || typeof value === 'number' || typeof value === 'string') return value;
  throw new OpShapeError(`${what} must be an integer, a string or nil, got ${describeEdn(value)}`);
}

function readOutput(completion: OpEvent): Decoded<{ value: RegisterValue }> {
  const value = registerValue(completion.value, 'a value read');
  // Knossos: "we don't know what the read was". A read constrains nothing then.
  return value === null ? 'unknown' : { value };
}

const casRegisterCodec: EdnCodec<CasRegisterInput, CasRegisterOutput> = {
  functions: ['read', 'write', 'cas'],
  input: (invoke) => {
    if (invoke.f === 'read') return { f: 'read' };
    if (invoke.f === 'write') return { f: 'write', value: registerValue(invoke.value, 'a written value') };
    const pair = invoke.value;
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new OpShapeError(`a cas needs [expected new-value], got ${describeEdn(pair)}`);
    }
    return {
      f: 'cas',
      expected: registerValue(pair[0], "a cas's expected value"),
      newValue: registerValue(pair[1], "a cas's new value"),
    };
  },
  output: (completion, input) => {
    if (input.f === 'read') return readOutput(completion);
    return input.f === 'cas' ? { swapped: true } : {};
  },
  write: (input, output) => {
    switch (input.f) {
      case 'read': {
        const read = output?.value === undefined ? 'nil' : ednOfRegisterValue(output.value);
        return { f: 'read', invokeValue: 'nil', okValue: read };
      }
      case 'write': {
        const value = ednOfRegisterValue(input.value);
        return { f: 'write', invokeValue: value, okValue: value };
      }
      default: {
        const pair = `[${ednOfRegisterValue(input.expected)} ${ednOfRegisterValue(input.newValue)}]`;
        return { f: 'cas', invokeValue: pair, okValue: pair };
      }
    }
  },
};

const registerCodec: EdnCodec<CasRegisterInput, CasRegisterOutput> = {
  ...casRegisterCodec,
  functions: ['read', 'write'],
};

const mutexCodec: EdnCodec<MutexInput, MutexOutput> = {
  functions: ['acquire', 'release'],
  input: (invoke) => ({ f: invoke.f as MutexInput['f'] }),
  output: () => ({}),
  write: (input) => ({ f: input.f, invokeValue: 'nil', okValue: 'nil' }),
};

function keyName(value: EdnValue | undefined, what: string): string {
  if (value instanceof EdnKeyword) return value.name;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new OpShapeError(`${what} must be a keyword, a string or an integer, got ${describeEdn(value)}`);
}

function microOps(value: EdnValue): readonly (readonly EdnValue[])[] {
  if (!Array.isArray(value))
    throw new OpShapeError(`a txn's :value must be a vector of [f k v], got ${describeEdn(value)}`);
  return value.map((item: EdnValue) => {
    if (!Array.isArray(item) || item.length !== 3) {
      throw new OpShapeError(`each micro-op of a txn is [f k v], got ${describeEdn(item)}`);
    }
    return item as readonly EdnValue[];
  });
}

function microOpFunction(value: EdnValue | undefined): 'read' | 'write' {
  const name = value instanceof EdnKeyword ? value.name : undefined;
  if (name === 'read' || name === 'r') return 'read';
  if (name === 'write' || name === 'w') return 'write';
  throw new OpShapeError(`a micro-op's f must be :read or :write (or :r, :w), got ${describeEdn(value)}`);
}

const multiRegisterCodec: EdnCodec<MultiRegisterInput, MultiRegisterOutput> = {
  functions: ['txn'],
  input: (invoke) => ({
    f: 'txn',
    ops: microOps(invoke.value).map(([f, k, v]): MicroOp => {
      const key = keyName(k, "a micro-op's key");
      return microOpFunction(f) === 'read'
        ? { f: 'read', key }
        : { f: 'write', key, value: registerValue(v, 'a written value') };
    }),
  }),
  output: (completion, input) => {
    const ops = microOps(completion.value);
    if (ops.length !== input.ops.length) {
      throw new OpShapeError(`the completion has ${ops.length} micro-ops, the invocation ${input.ops.length}`);
    }
    const values = ops.map(([f, k, v], index) => {
      const invoked = input.ops[index]!;
      if (microOpFunction(f) !== invoked.f || keyName(k, "a micro-op's key") !== invoked.key) {
        throw new OpShapeError(
          `micro-op ${index} of the completion is not the one invoked (${invoked.f} ${invoked.key})`,
        );
      }
      return invoked.f === 'write' ? invoked.value : registerValue(v, 'a value read');
    });
    return { values };
  },
  write: (input, output) => {
    const ops = (values: readonly (RegisterValue | undefined)[]): string =>
      `[${input.ops
        .map((op, index) => {
          const value = op.f === 'write' ? op.value : (values[index] ?? null);
          return `[:${op.f} ${JSON.stringify(op.key)} ${ednOfRegisterValue(value)}]`;
        })
        .join(' ')}]`;
    return { f: 'txn', invokeValue: ops([]), okValue: ops(output?.values ?? []) };
  },
};

function kvString(value: EdnValue, what: string): string {
  if (value === null) return '';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new OpShapeError(`${what} must be a string (or nil), got ${describeEdn(value)}`);
}

const kvCodec: EdnCodec<KvInput, KvOutput> = {
  functions: ['get', 'put', 'append'],
  input: (invoke) => {
    const { key } = invoke;
    if (typeof key !== 'string' && typeof key !== 'number') {
      throw new OpShapeError(`:key must be a string or an integer, got ${describeEdn(key)}`);
    }
    if (invoke.f === 'get') return { f: 'get', key: String(key) };
    const f = invoke.f as 'put' | 'append';
    return { f, key: String(key), value: kvString(invoke.value, `the value to ${f}`) };
  },
  // kvModel reads a key never written as '': a nil read is that, not an unknown read.
  output: (completion, input) =>
    input.f === 'get' ? { value: kvString(completion.value, 'the value a get read') } : {},
  write: (input, output) => {
    const extra = `:key ${JSON.stringify(input.key)}`;
    if (input.f === 'get') return { f: 'get', invokeValue: 'nil', okValue: JSON.stringify(output?.value ?? ''), extra };
    const value = JSON.stringify(input.value);
    return { f: input.f, invokeValue: value, okValue: value, extra };
  },
};

/** The codec of every model Jepsen's op maps are written for. */
export const EDN_CODECS: Readonly<Record<EdnModelName, EdnCodec<unknown, unknown>>> = {
  register: registerCodec as EdnCodec<unknown, unknown>,
  'cas-register': casRegisterCodec as EdnCodec<unknown, unknown>,
  mutex: mutexCodec as EdnCodec<unknown, unknown>,
  'multi-register': multiRegisterCodec as EdnCodec<unknown, unknown>,
  kv: kvCodec as EdnCodec<unknown, unknown>,
};

/** Whether `name` is a model with an op-map codec. */
export function isEdnModelName(name: string): name is EdnModelName {
  return Object.hasOwn(EDN_CODECS, name);
}
