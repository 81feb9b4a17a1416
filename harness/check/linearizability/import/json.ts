/**
 * Import of our own JSON history format: a JSON array of {@link Operation} objects, exactly as
 * `harness/history.ts` defines them (with `output` omitted or `null` when indeterminate).
 *
 * @module
 */

import type { History, Operation, OperationStatus } from '../../../history.ts';
import { HistoryParseError } from './parseError.ts';

const STATUSES: readonly OperationStatus[] = ['ok', 'fail', 'indeterminate'];

/**
 * Parses and validates a JSON history: an array of operations such as
 * `{"id": 0, "clientId": "a", "input": {"f": "write", "value": 3}, "output": {}, "status": "ok", "callMs": 0, "returnMs": 10}`.
 *
 * Checks every {@link Operation} invariant: unique integer ids, string client ids, a known status,
 * finite times, `returnMs` null exactly when indeterminate, and a return no earlier than the call.
 * Inputs and outputs are not checked here; the model does that when it meets them.
 *
 * @throws HistoryParseError naming the line of the offending operation (or of the JSON syntax error).
 */
export function parseJsonHistory(text: string): History<unknown, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new HistoryParseError(lineOfSyntaxError(text, message), `not valid JSON: ${message}`);
  }
  if (!Array.isArray(parsed)) throw new HistoryParseError(1, 'a JSON history must be an array of operations');
  const lines = elementLines(text);
  const seenIds = new Map<number, number>();
  return parsed.map((element: unknown, index) => {
    const line = lines[index] ?? 1;
    const operation = validateOperation(element, `operation [${index}]`, line);
    const earlier = seenIds.get(operation.id);
    if (earlier !== undefined)
      throw new HistoryParseError(line, `operation [${index}] reuses id ${operation.id} of operation [${earlier}]`);
    seenIds.set(operation.id, index);
    return operation;
  });
}

function validateOperation(element: unknown, where: string, line: number): Operation<unknown, unknown> {
  const fail = (problem: string): never => {
    throw new HistoryParseError(line, `${where}: ${problem}`);
  };
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return fail('must be an object');
  const record = element as Record<string, unknown>;
  const { id, clientId, input, output, status, callMs, returnMs } = record;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
    fail(`id must be a non-negative integer, got ${JSON.stringify(id)}`);
  if (typeof clientId !== 'string') fail(`clientId must be a string, got ${JSON.stringify(clientId)}`);
  if (!('input' in record)) fail('input is missing');
  if (!STATUSES.includes(status as OperationStatus))
    fail(`status must be "ok", "fail" or "indeterminate", got ${JSON.stringify(status)}`);
  if (typeof callMs !== 'number' || !Number.isFinite(callMs))
    fail(`callMs must be a finite number, got ${JSON.stringify(callMs)}`);
  type Validated = Pick<Operation<unknown, unknown>, 'id' | 'clientId' | 'input' | 'status' | 'callMs'>;
  const operation = { id, clientId, input, status, callMs } as Validated;
  if (operation.status === 'indeterminate') {
    if (returnMs !== null && returnMs !== undefined) {
      fail(`returnMs must be null when status is "indeterminate", got ${JSON.stringify(returnMs)}`);
    }
    return { ...operation, output: undefined, returnMs: null };
  }
  if (typeof returnMs !== 'number' || !Number.isFinite(returnMs)) {
    fail(`returnMs must be a finite number when status is "${operation.status}", got ${JSON.stringify(returnMs)}`);
  }
  if ((returnMs as number) < operation.callMs)
    fail(`returnMs ${String(returnMs)} is before callMs ${operation.callMs}`);
  if (operation.status === 'ok' && output === undefined)
    fail('output is missing; a completed operation must say what the client was told');
  return { ...operation, output: output ?? undefined, returnMs: returnMs as number };
}

/** The line (from 1) of a JSON.parse error, from the position V8 puts in its message. */
function lineOfSyntaxError(text: string, message: string): number {
  const lineColumn = /\(line (\d+) column \d+\)/.exec(message);
  if (lineColumn !== null) return Number(lineColumn[1]);
  const position = /at position (\d+)/.exec(message);
  if (position !== null) return lineAt(text, Number(position[1]));
  return text.split('\n').length; // "Unexpected end of JSON input": the problem is at the end
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}

/** The line on which each element of the top-level JSON array starts (the text is valid JSON). */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectingElement = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\n') line++;
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectingElement && !/\s/.test(char) && char !== ']') {
      lines.push(line);
      expectingElement = false;
    }
    if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      depth++;
      if (depth === 1) expectingElement = true;
    } else if (char === ']' || char === '}') depth--;
    else if (char === ',' && depth === 1) expectingElement = true;
  }
  return lines;
}
