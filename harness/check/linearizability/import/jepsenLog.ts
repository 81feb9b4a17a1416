/**
 * Import of Jepsen's log lines for a compare-and-set register (the format of Jepsen's early etcd tests,
 * which Porcupine and Knossos use as benchmarks).
 *
 * @module
 */

import type { History, Operation, OperationStatus } from '../../../history.ts';
import type { CasRegisterInput, CasRegisterOutput } from '../models/casRegister.ts';
import type { RegisterValue } from '../models/register.ts';
import { describeEdn, EdnKeyword, EdnSyntaxError, parseEdn, type EdnValue } from './edn.ts';
import { HistoryParseError } from './parseError.ts';

/** What follows the logger's name: `7<TAB>:invoke<TAB>:write<TAB>3`. */
const EVENT = /^(\S+)\s+:(\S+)\s+:(\S+)\s+(.*?)\s*$/;
const MARKER = 'jepsen.util - ';

interface OpenOperation {
  readonly id: number;
  readonly line: number;
  readonly f: string;
  readonly input: CasRegisterInput;
}

interface Event {
  readonly line: number;
  readonly process: string;
  readonly type: string;
  readonly f: string;
  readonly value: EdnValue;
}

/**
 * Parses Jepsen log lines for a cas-register into a history for `casRegisterModel` (in `harness/check`).
 *
 * Only lines containing `jepsen.util - ` count; each names a process, an event type, a function and a
 * value, e.g. `INFO  jepsen.util - 2	:invoke	:cas	[1 4]`. Everything else (and the nemesis) is ignored.
 *
 * - `:invoke` opens an operation: `:read` (value `nil`), `:write 3`, `:cas [1 4]` (expect 1, set 4).
 * - `:ok` completes it; a read's value is what it read, `nil` meaning never written.
 * - `:fail :cas` is a completed cas whose compare failed (the register did not hold the expected
 *   value): status `ok`, output `{ swapped: false }`. Other `:fail`s did not happen (status `fail`),
 *   except a `:timed-out` one, which is indeterminate.
 * - `:info`, and an invoke never completed, are indeterminate.
 *
 * Lines carry no timestamps, so times are line numbers: `callMs` is the invoke's line, `returnMs` the
 * completion's. Operation ids follow invocation order; the process id becomes the `clientId`.
 *
 * @throws HistoryParseError naming the line, on a malformed event or one that does not fit (a completion
 *   with no open operation, a process invoking twice).
 */
export function parseJepsenLog(text: string): History<CasRegisterInput, CasRegisterOutput> {
  const operations: Operation<CasRegisterInput, CasRegisterOutput>[] = [];
  const open = new Map<string, OpenOperation>();
  text.split('\n').forEach((content, index) => {
    const event = parseEventLine(content, index + 1);
    if (event === undefined || event.process === ':nemesis') return;
    if (event.type === 'invoke') {
      invoke(event, open, operations.length);
      operations.push(placeholder(open.get(event.process)!, event));
    } else {
      complete(event, open, operations);
    }
  });
  return operations;
}

function parseEventLine(content: string, line: number): Event | undefined {
  const markerAt = content.indexOf(MARKER);
  if (markerAt < 0) return undefined;
  const match = EVENT.exec(content.slice(markerAt + MARKER.length));
  if (match === null) {
    const expected = `"<process> :<type> :<function> <value>" after "${MARKER.trim()}"`;
    throw new HistoryParseError(line, `expected ${expected}, got "${content.trim()}"`);
  }
  const [, process, type, f, valueText] = match as unknown as [string, string, string, string, string];
  if (!['invoke', 'ok', 'fail', 'info'].includes(type)) {
    throw new HistoryParseError(line, `unknown event type :${type} (expected :invoke, :ok, :fail or :info)`);
  }
  if (process !== ':nemesis' && !['read', 'write', 'cas'].includes(f)) {
    throw new HistoryParseError(
      line,
      `unsupported function :${f}; this format is for cas-register histories (:read, :write, :cas)`,
    );
  }
  return { line, process, type, f, value: parseValue(valueText, line) };
}

function parseValue(text: string, line: number): EdnValue {
  try {
    return parseEdn(text === '' ? 'nil' : text);
  } catch (error) {
    if (error instanceof EdnSyntaxError)
      throw new HistoryParseError(line, `cannot read the value "${text}": ${error.message}`);
    throw error;
  }
}

function registerValue(value: EdnValue, line: number, what: string): RegisterValue {
  if (value === null || typeof value === 'number' || typeof value === 'string') return value;
  throw new HistoryParseError(line, `${what} must be an integer, a string or nil, got ${describeEdn(value)}`);
}

function inputOf(event: Event): CasRegisterInput {
  switch (event.f) {
    case 'read':
      return { f: 'read' };
    case 'write':
      return { f: 'write', value: registerValue(event.value, event.line, 'a written value') };
    default: {
      const pair = event.value;
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new HistoryParseError(event.line, `a cas needs [expected new-value], got ${describeEdn(pair)}`);
      }
      return {
        f: 'cas',
        expected: registerValue(pair[0] as EdnValue, event.line, "a cas's expected value"),
        newValue: registerValue(pair[1] as EdnValue, event.line, "a cas's new value"),
      };
    }
  }
}

function invoke(event: Event, open: Map<string, OpenOperation>, id: number): void {
  const previous = open.get(event.process);
  if (previous !== undefined) {
    throw new HistoryParseError(
      event.line,
      `process ${event.process} invokes :${event.f} while its :${previous.f} from line ${previous.line} has not completed`,
    );
  }
  open.set(event.process, { id, line: event.line, f: event.f, input: inputOf(event) });
}

/** The operation as recorded at its invocation: indeterminate until a completion says otherwise. */
function placeholder(operation: OpenOperation, event: Event): Operation<CasRegisterInput, CasRegisterOutput> {
  const { id, input } = operation;
  return {
    id,
    clientId: event.process,
    input,
    output: undefined,
    status: 'indeterminate',
    callMs: event.line,
    returnMs: null,
  };
}

function complete(
  event: Event,
  open: Map<string, OpenOperation>,
  operations: Operation<CasRegisterInput, CasRegisterOutput>[],
): void {
  const operation = open.get(event.process);
  if (operation === undefined) {
    throw new HistoryParseError(
      event.line,
      `process ${event.process} completes :${event.f} (:${event.type}) but has no open operation`,
    );
  }
  if (operation.f !== event.f) {
    throw new HistoryParseError(
      event.line,
      `process ${event.process} completes :${event.f} but invoked :${operation.f} on line ${operation.line}`,
    );
  }
  open.delete(event.process);
  const outcome = outcomeOf(event);
  if (outcome.status === 'indeterminate') return; // the placeholder already says so
  operations[operation.id] = { ...operations[operation.id]!, ...outcome, returnMs: event.line };
}

function outcomeOf(event: Event): { status: OperationStatus; output: CasRegisterOutput | undefined } {
  const timedOut = event.value instanceof EdnKeyword && event.value.name === 'timed-out';
  if (event.type === 'info' || (event.type === 'fail' && timedOut))
    return { status: 'indeterminate', output: undefined };
  if (event.type === 'fail') {
    // A failed cas did happen: it read the register and found something other than the expected value.
    return event.f === 'cas' ? { status: 'ok', output: { swapped: false } } : { status: 'fail', output: undefined };
  }
  if (event.f === 'read')
    return { status: 'ok', output: { value: registerValue(event.value, event.line, 'a value read') } };
  return { status: 'ok', output: event.f === 'cas' ? { swapped: true } : {} };
}
