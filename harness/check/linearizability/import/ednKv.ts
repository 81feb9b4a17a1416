/**
 * Import of Jepsen/Knossos EDN operation maps for a key-value store.
 *
 * @module
 */

import type { History, Operation } from '../../../history.ts';
import type { KvInput, KvOutput } from '../models/kv.ts';
import { describeEdn, EdnKeyword, EdnMap, EdnSyntaxError, parseEdn, type EdnValue } from './edn.ts';
import { HistoryParseError } from './parseError.ts';

type KvFunction = KvInput['f'];

/** Jepsen's `:time` is in nanoseconds. Dividing keeps distinct times distinct (doubles have the precision). */
const NANOSECONDS_PER_MS = 1_000_000;

interface OpMap {
  readonly line: number;
  readonly process: string;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: KvFunction;
  readonly key: string;
  readonly value: EdnValue;
  /** From `:time` (nanoseconds) in milliseconds, or the line number when the history has no times. */
  readonly timeMs: number;
}

interface OpenOperation {
  readonly id: number;
  readonly map: OpMap;
}

/**
 * Parses Jepsen/Knossos EDN op maps, one per line, into a history for `kvModel` (in `harness/check`):
 *
 * ```edn
 * {:process 3, :type :invoke, :f :append, :key "7", :value "x 3 0 y"}
 * {:process 3, :type :ok, :f :append, :key "7", :value "x 3 0 y"}
 * ```
 *
 * - `:f` is `:get`, `:put` or `:append`; `:key` a string or integer (kept as a string).
 * - `:ok` completes the process's open operation; a get's `:ok` carries the value read (`nil`, a
 *   missing key, becomes `''`, which is what `kvModel` reads for a key never written).
 * - `:fail` means it did not happen (status `fail`); `:info`, or no completion at all, is indeterminate.
 * - Times come from `:time` when the maps have it (Jepsen's nanoseconds since the test began, converted
 *   to milliseconds), otherwise from line numbers. Either every op map has `:time` or none does.
 * - Blank lines, `;` comments and nemesis operations (a non-integer `:process`) are skipped.
 *
 * @throws HistoryParseError naming the line, on malformed EDN or an op map that does not fit.
 */
export function parseEdnKvHistory(text: string): History<KvInput, KvOutput> {
  const operations: Operation<KvInput, KvOutput>[] = [];
  const open = new Map<string, OpenOperation>();
  let usesTime: boolean | undefined;
  text.split('\n').forEach((content, index) => {
    const map = readOpMap(content, index + 1);
    if (map === undefined) return;
    const hasTime = map.get(':time') !== undefined;
    usesTime ??= hasTime;
    if (hasTime !== usesTime) {
      const problem = usesTime
        ? 'this op map has no :time, but earlier ones do'
        : 'this op map has a :time, but earlier ones do not';
      throw new HistoryParseError(index + 1, problem);
    }
    const op = interpret(map, index + 1);
    if (op === undefined) return;
    if (op.type === 'invoke') operations.push(invoke(op, open, operations.length));
    else complete(op, open, operations);
  });
  return operations;
}

function readOpMap(content: string, line: number): EdnMap | undefined {
  const trimmed = content.trim();
  if (trimmed === '' || trimmed.startsWith(';')) return undefined;
  let value: EdnValue;
  try {
    value = parseEdn(trimmed);
  } catch (error) {
    if (error instanceof EdnSyntaxError) throw new HistoryParseError(line, `malformed EDN at ${error.message}`);
    throw error;
  }
  if (!(value instanceof EdnMap)) {
    const example = '{:process 3, :type :invoke, :f :get, :key "7", :value nil}';
    throw new HistoryParseError(line, `expected an op map like ${example}, got ${describeEdn(value)}`);
  }
  return value;
}

function keywordField(map: EdnMap, field: string, line: number): string {
  const value = map.get(field);
  if (!(value instanceof EdnKeyword))
    throw new HistoryParseError(line, `${field} must be a keyword, got ${describeEdn(value)}`);
  return value.name;
}

/** The op map's fields, or undefined for a nemesis operation. */
function interpret(map: EdnMap, line: number): OpMap | undefined {
  const process = map.get(':process');
  if (process instanceof EdnKeyword) return undefined; // :nemesis and friends are not clients
  if (typeof process !== 'number' || !Number.isInteger(process)) {
    throw new HistoryParseError(line, `:process must be an integer, got ${describeEdn(process)}`);
  }
  const type = keywordField(map, ':type', line);
  if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info') {
    throw new HistoryParseError(line, `unknown :type :${type} (expected :invoke, :ok, :fail or :info)`);
  }
  const f = keywordField(map, ':f', line);
  if (f !== 'get' && f !== 'put' && f !== 'append') {
    throw new HistoryParseError(line, `unsupported :f :${f}; this format is for kv histories (:get, :put, :append)`);
  }
  const key = map.get(':key');
  if (typeof key !== 'string' && typeof key !== 'number') {
    throw new HistoryParseError(line, `:key must be a string or an integer, got ${describeEdn(key)}`);
  }
  const time = map.get(':time');
  if (time !== undefined && typeof time !== 'number')
    throw new HistoryParseError(line, `:time must be a number, got ${describeEdn(time)}`);
  return {
    line,
    process: String(process),
    type,
    f,
    key: String(key),
    value: map.get(':value') ?? null,
    timeMs: time === undefined ? line : time / NANOSECONDS_PER_MS,
  };
}

function stringValue(op: OpMap, what: string): string {
  if (op.value === null) return '';
  if (typeof op.value === 'string' || typeof op.value === 'number') return String(op.value);
  throw new HistoryParseError(op.line, `${what} must be a string (or nil), got ${describeEdn(op.value)}`);
}

function invoke(op: OpMap, open: Map<string, OpenOperation>, id: number): Operation<KvInput, KvOutput> {
  const previous = open.get(op.process);
  if (previous !== undefined) {
    const pending = `its :${previous.map.f} from line ${previous.map.line} has not completed`;
    throw new HistoryParseError(op.line, `process ${op.process} invokes :${op.f} while ${pending}`);
  }
  open.set(op.process, { id, map: op });
  const input: KvInput =
    op.f === 'get'
      ? { f: 'get', key: op.key }
      : { f: op.f, key: op.key, value: stringValue(op, `the value to ${op.f}`) };
  return {
    id,
    clientId: op.process,
    input,
    output: undefined,
    status: 'indeterminate',
    callMs: op.timeMs,
    returnMs: null,
  };
}

function complete(op: OpMap, open: Map<string, OpenOperation>, operations: Operation<KvInput, KvOutput>[]): void {
  const invoked = open.get(op.process);
  if (invoked === undefined) {
    throw new HistoryParseError(
      op.line,
      `process ${op.process} completes :${op.f} (:${op.type}) but has no open operation`,
    );
  }
  if (invoked.map.f !== op.f || invoked.map.key !== op.key) {
    const invokedWhat = `:${invoked.map.f} on key "${invoked.map.key}" (line ${invoked.map.line})`;
    throw new HistoryParseError(
      op.line,
      `process ${op.process} completes :${op.f} on key "${op.key}" but invoked ${invokedWhat}`,
    );
  }
  if (op.timeMs < invoked.map.timeMs) {
    throw new HistoryParseError(
      op.line,
      `completion time ${op.timeMs} is before the invocation's ${invoked.map.timeMs} (line ${invoked.map.line})`,
    );
  }
  open.delete(op.process);
  if (op.type === 'info') return; // stays indeterminate
  const operation = operations[invoked.id]!;
  if (op.type === 'fail') {
    operations[invoked.id] = { ...operation, status: 'fail', returnMs: op.timeMs };
    return;
  }
  const output: KvOutput = op.f === 'get' ? { value: stringValue(op, 'the value a get read') } : {};
  operations[invoked.id] = { ...operation, status: 'ok', output, returnMs: op.timeMs };
}
