/**
 * Import of Jepsen/Knossos histories written as EDN op maps, for the register, cas-register, mutex,
 * multi-register and kv models.
 *
 * @module
 */

import type { History, Operation } from '../../../history.ts';
import type { CasRegisterInput, CasRegisterOutput } from '../models/casRegister.ts';
import type { KvInput, KvOutput } from '../models/kv.ts';
import { describeEdn, EdnKeyword, EdnMap, EdnSyntaxError, lineAndColumnAt, readEdnForms, type EdnForm } from './edn.ts';
import { EDN_CODECS, OpShapeError, type EdnCodec, type EdnModelName, type OpEvent } from './ednCodecs.ts';
import { HistoryParseError } from './parseError.ts';

/** Jepsen's `:time` is in nanoseconds. Dividing keeps distinct times distinct (doubles have the precision). */
const NANOSECONDS_PER_MS = 1_000_000;

const EVENT_TYPES = ['invoke', 'ok', 'fail', 'info'] as const;
type EventType = (typeof EVENT_TYPES)[number];

/** An op map with where it was written. */
interface PlacedEvent extends OpEvent {
  readonly line: number;
  readonly column: number;
  readonly process: number;
  readonly type: EventType;
  /** From `:time` in milliseconds, or the op map's position (from 1) when the history has no times. */
  readonly timeMs: number;
}

interface OpenOperation {
  readonly id: number;
  readonly event: PlacedEvent;
}

/**
 * Parses a Jepsen/Knossos history for `model` (`register`, `cas-register`, `mutex`, `multi-register` or
 * `kv`; the models of the same names in `harness/check`). Both layouts Jepsen writes are read: one op
 * map per line (`history.edn`), or one vector of op maps (Knossos's `data/` files):
 *
 * ```edn
 * [{:process 0, :type :invoke, :f :cas, :value [1 2]}
 *  {:process 0, :type :ok, :f :cas, :value [1 2]}]
 * ```
 *
 * How op maps are read, as Knossos reads them:
 * - `:invoke` opens an operation of its `:process`; `:ok` completes it with the completion's `:value`.
 * - `:fail` means it did not happen (status `fail`, so the checker drops it); this includes a cas whose
 *   compare failed.
 * - `:info` is indeterminate, and so is an invocation never completed. After an `:info` the process is
 *   crashed, as Jepsen defines it: a later operation with the same process number is another process
 *   (client `"3.1"`, then `"3.2"`, for process 3).
 * - A read whose completion carries `nil` (register, cas-register) says nothing about the value: it is
 *   imported as indeterminate, which for a read means the same. For kv, a `nil` get reads `''`, the
 *   value of a key never written; in a multi-register txn, a `nil` read is always legal.
 * - Operation `:f`s are per model: `:read :write` (register), `:read :write :cas` (cas-register,
 *   `:value [expected new]`), `:acquire :release` (mutex), `:txn` with `:value [[:read :x nil]
 *   [:write :y 2]]` (multi-register), `:get :put :append` with a `:key` (kv).
 * - Times come from `:time` (nanoseconds) when every op map has it, otherwise from the op maps' order.
 *   `:index` and other fields are ignored; op maps whose `:process` is a keyword (`:nemesis`) are
 *   skipped, and so are `;` comments.
 *
 * @throws HistoryParseError naming the line and column, on malformed EDN or an op map that does not fit.
 */
export function parseEdnHistory(text: string, model: EdnModelName): History<unknown, unknown> {
  const codec = EDN_CODECS[model];
  const history = new EdnHistoryBuilder(codec, model);
  readEvents(text, model, codec).forEach((event) => history.add(event));
  return history.operations;
}

/** {@link parseEdnHistory} for the kv model, typed. */
export function parseEdnKvHistory(text: string): History<KvInput, KvOutput> {
  return parseEdnHistory(text, 'kv') as History<KvInput, KvOutput>;
}

/** {@link parseEdnHistory} for the cas-register (or register) model, typed. */
export function parseEdnRegisterHistory(
  text: string,
  model: 'register' | 'cas-register' = 'cas-register',
): History<CasRegisterInput, CasRegisterOutput> {
  return parseEdnHistory(text, model) as History<CasRegisterInput, CasRegisterOutput>;
}

/**
 * The top-level forms of an EDN history (inside its vector, if it is one).
 *
 * @throws HistoryParseError naming the line and column of a syntax error.
 */
export function readEdnHistoryForms(text: string): EdnForm[] {
  try {
    return readEdnForms(text);
  } catch (error) {
    if (!(error instanceof EdnSyntaxError)) throw error;
    const { line, column } = lineAndColumnAt(text, error.offset);
    throw new HistoryParseError(line, `malformed EDN: ${error.problem}`, column);
  }
}

function readEvents(text: string, model: string, codec: EdnCodec<unknown, unknown>): PlacedEvent[] {
  const events: PlacedEvent[] = [];
  let usesTime: boolean | undefined;
  for (const form of readEdnHistoryForms(text)) {
    const { line, column } = lineAndColumnAt(text, form.offset);
    const fail = (problem: string): never => {
      throw new HistoryParseError(line, problem, column);
    };
    if (!(form.value instanceof EdnMap)) {
      fail(`expected an op map like {:process 3, :type :invoke, :f :read, :value nil}, got ${describeEdn(form.value)}`);
    }
    const map = form.value as EdnMap;
    const hasTime = map.get(':time') !== undefined;
    usesTime ??= hasTime;
    if (hasTime !== usesTime) {
      fail(
        usesTime ? 'this op map has no :time, but earlier ones do' : 'this op map has a :time, but earlier ones do not',
      );
    }
    const event = interpret(map, fail, model, codec, events.length + 1);
    if (event !== undefined) events.push({ ...event, line, column });
  }
  return events;
}

function keywordField(map: EdnMap, field: string, fail: (problem: string) => never): string {
  const value = map.get(field);
  if (!(value instanceof EdnKeyword)) fail(`${field} must be a keyword, got ${describeEdn(value)}`);
  return (value as EdnKeyword).name;
}

/** The op map's fields, or undefined for a nemesis operation. */
function interpret(
  map: EdnMap,
  fail: (problem: string) => never,
  model: string,
  codec: EdnCodec<unknown, unknown>,
  position: number,
): Omit<PlacedEvent, 'line' | 'column'> | undefined {
  const process = map.get(':process');
  if (process instanceof EdnKeyword) return undefined; // :nemesis and friends are not clients
  if (typeof process !== 'number' || !Number.isInteger(process)) {
    fail(`:process must be an integer, got ${describeEdn(process)}`);
  }
  const type = keywordField(map, ':type', fail);
  if (!(EVENT_TYPES as readonly string[]).includes(type)) {
    fail(`unknown :type :${type} (expected :invoke, :ok, :fail or :info)`);
  }
  const f = keywordField(map, ':f', fail);
  if (!codec.functions.includes(f)) {
    fail(
      `unsupported :f :${f} for the ${model} model (expected ${codec.functions.map((name) => `:${name}`).join(', ')})`,
    );
  }
  const time = map.get(':time');
  if (time !== undefined && typeof time !== 'number') fail(`:time must be a number, got ${describeEdn(time)}`);
  return {
    process: process as number,
    type: type as EventType,
    f,
    value: map.get(':value') ?? null,
    key: map.get(':key'),
    timeMs: time === undefined ? position : (time as number) / NANOSECONDS_PER_MS,
  };
}

/** Pairs invocations with completions, process by process. */
class EdnHistoryBuilder {
  readonly operations: Operation<unknown, unknown>[] = [];
  readonly #open = new Map<number, OpenOperation>();
  /** How many times each process number has crashed (completed with `:info`). */
  readonly #crashes = new Map<number, number>();
  readonly #codec: EdnCodec<unknown, unknown>;
  readonly #model: string;

  constructor(codec: EdnCodec<unknown, unknown>, model: string) {
    this.#codec = codec;
    this.#model = model;
  }

  add(event: PlacedEvent): void {
    try {
      if (event.type === 'invoke') this.#invoke(event);
      else this.#complete(event);
    } catch (error) {
      if (error instanceof OpShapeError) throw new HistoryParseError(event.line, error.message, event.column);
      throw error;
    }
  }

  #clientId(process: number): string {
    const crashes = this.#crashes.get(process) ?? 0;
    return crashes === 0 ? String(process) : `${process}.${crashes}`;
  }

  #invoke(event: PlacedEvent): void {
    const previous = this.#open.get(event.process);
    if (previous !== undefined) {
      const pending = `its :${previous.event.f} from line ${previous.event.line} has not completed`;
      throw new OpShapeError(`process ${event.process} invokes :${event.f} while ${pending}`);
    }
    const id = this.operations.length;
    this.#open.set(event.process, { id, event });
    this.operations.push({
      id,
      clientId: this.#clientId(event.process),
      input: this.#codec.input(event),
      output: undefined,
      status: 'indeterminate',
      callMs: event.timeMs,
      returnMs: null,
    });
  }

  #complete(event: PlacedEvent): void {
    const invoked = this.#open.get(event.process);
    if (invoked === undefined) {
      throw new OpShapeError(
        `process ${event.process} completes :${event.f} (:${event.type}) but has no open operation`,
      );
    }
    const sameKey = this.#model !== 'kv' || describeEdn(invoked.event.key) === describeEdn(event.key);
    if (invoked.event.f !== event.f || !sameKey) {
      const what = (e: PlacedEvent): string => `:${e.f}${this.#model === 'kv' ? ` on key ${describeEdn(e.key)}` : ''}`;
      throw new OpShapeError(
        `process ${event.process} completes ${what(event)} but invoked ${what(invoked.event)} on line ${invoked.event.line}`,
      );
    }
    if (event.timeMs < invoked.event.timeMs) {
      throw new OpShapeError(
        `completion time ${event.timeMs} is before the invocation's ${invoked.event.timeMs} (line ${invoked.event.line})`,
      );
    }
    this.#open.delete(event.process);
    if (event.type === 'info') {
      this.#crashes.set(event.process, (this.#crashes.get(event.process) ?? 0) + 1);
      return; // stays indeterminate
    }
    const operation = this.operations[invoked.id]!;
    if (event.type === 'fail') {
      this.operations[invoked.id] = { ...operation, status: 'fail', returnMs: event.timeMs };
      return;
    }
    const output = this.#codec.output(event, operation.input);
    if (output === 'unknown') return; // a read that says nothing: indeterminate means the same
    this.operations[invoked.id] = { ...operation, status: 'ok', output, returnMs: event.timeMs };
  }
}
