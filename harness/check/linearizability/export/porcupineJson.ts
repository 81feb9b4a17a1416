/**
 * Writing a history as Porcupine operations, for a Go test that calls `porcupine.CheckOperations`.
 *
 * @module
 */

import type { History } from '../../../history.ts';

const NANOSECONDS_PER_MS = 1_000_000;

/**
 * One operation as Porcupine's `Operation` struct spells it; Go's `encoding/json` fills the struct from
 * these names.
 */
export interface PorcupineOperation {
  readonly ClientId: number;
  readonly Input: unknown;
  /** Call time in nanoseconds. */
  readonly Call: number;
  /** What the client was told; `null` when it never learned (see {@link writePorcupineJson}). */
  readonly Output: unknown;
  /** Return time in nanoseconds. */
  readonly Return: number;
}

/**
 * Writes `history` as a JSON array of Porcupine `Operation`s: `ClientId` (clients numbered in order of
 * their first operation), `Input` and `Output` as recorded, `Call` and `Return` in nanoseconds.
 *
 * Porcupine has no failed or indeterminate operations, so, as its documentation advises:
 * - a `fail` operation (it did not happen) is left out;
 * - an indeterminate one returns after every other operation, with `Output` `null`: the Go model's
 *   `Step` must accept a `nil` output from any state (and apply the input).
 */
export function writePorcupineJson(history: History<unknown, unknown>): string {
  const clients = new Map<string, number>();
  for (const { clientId } of history) if (!clients.has(clientId)) clients.set(clientId, clients.size);
  const endMs = Math.max(0, ...history.flatMap((operation) => [operation.callMs, operation.returnMs ?? 0]));
  const operations: PorcupineOperation[] = history
    .filter((operation) => operation.status !== 'fail')
    .map((operation) => ({
      ClientId: clients.get(operation.clientId)!,
      Input: operation.input,
      Call: Math.round(operation.callMs * NANOSECONDS_PER_MS),
      Output: operation.status === 'ok' ? (operation.output ?? null) : null,
      Return: Math.round((operation.returnMs ?? endMs) * NANOSECONDS_PER_MS) + (operation.returnMs === null ? 1 : 0),
    }));
  return `[\n${operations.map((operation) => `  ${JSON.stringify(operation)}`).join(',\n')}\n]\n`;
}
