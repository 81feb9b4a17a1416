/**
 * Histories: what clients asked for, what they were told, and when.
 *
 * A history is the raw material every checker judges. Each operation has a call time and, when the
 * client learned the outcome, a return time, both in virtual milliseconds. An operation whose outcome the
 * client never learned (it timed out, or the client crashed) is *indeterminate*: it may have taken
 * effect at any moment after its call, or never.
 *
 * @module
 */

/**
 * How an operation ended, from the client's point of view.
 *
 * - `ok`: the operation completed and its output is known.
 * - `fail`: the operation completed and the system reported it did *not* take effect (for example a
 *   rejected request). Checkers treat it as never having happened.
 * - `indeterminate`: the client gave up (timeout, crash, lost connection). It may or may not have taken
 *   effect; if it did, it took effect at some moment after its call.
 */
export type OperationStatus = 'ok' | 'fail' | 'indeterminate';

/**
 * One client operation in a history.
 *
 * Invariant: `returnMs === null` exactly when `status === 'indeterminate'`; otherwise
 * `callMs <= returnMs`.
 *
 * @typeParam Input - what the client asked for, e.g. `{ f: 'write', value: 3 }`.
 * @typeParam Output - what the client was told, e.g. `{ value: 3 }`. `undefined` when indeterminate.
 */
export interface Operation<Input = unknown, Output = unknown> {
  /** Position of the operation's invocation in the history, from 0. Unique within one history. */
  readonly id: number;
  /** The client (process) that issued the operation. A client has at most one operation open at once. */
  readonly clientId: string;
  /** What the client asked for. */
  readonly input: Input;
  /** What the client was told; `undefined` for an indeterminate operation. */
  readonly output: Output | undefined;
  /** How the operation ended. */
  readonly status: OperationStatus;
  /** Virtual time (ms) at which the client invoked the operation. */
  readonly callMs: number;
  /** Virtual time (ms) at which the client learned the outcome; `null` when indeterminate. */
  readonly returnMs: number | null;
}

/** A history: operations in the order they were invoked. */
export type History<Input = unknown, Output = unknown> = readonly Operation<Input, Output>[];

/**
 * Records a history as clients invoke and complete operations.
 *
 * Operations still open when {@link HistoryRecorder.history} is read are reported as indeterminate:
 * the run ended before their client learned anything.
 */
export class HistoryRecorder<Input = unknown, Output = unknown> {
  readonly #operations: Array<{
    id: number;
    clientId: string;
    input: Input;
    output: Output | undefined;
    status: OperationStatus | 'open';
    callMs: number;
    returnMs: number | null;
  }> = [];
  readonly #openByClient = new Map<string, number>();

  /**
   * Records that `clientId` invoked an operation at `callMs`, and returns its id.
   *
   * @throws Error if the client already has an open operation: a client is one sequential process.
   */
  invoke(clientId: string, input: Input, callMs: number): number {
    const open = this.#openByClient.get(clientId);
    if (open !== undefined) {
      throw new Error(
        `Client ${clientId} invoked a new operation at t=${callMs} ms while operation #${open} is still open. ` +
          'A client issues one operation at a time: wait for the first to complete (or record it as indeterminate).',
      );
    }
    const id = this.#operations.length;
    this.#operations.push({ id, clientId, input, output: undefined, status: 'open', callMs, returnMs: null });
    this.#openByClient.set(clientId, id);
    return id;
  }

  /**
   * Records how operation `id` ended. For `indeterminate`, `output` is ignored and no return time is kept.
   *
   * @throws Error if the operation is unknown or already complete.
   */
  complete(id: number, status: OperationStatus, output: Output | undefined, returnMs: number): void {
    const operation = this.#operations[id];
    if (operation === undefined || operation.status !== 'open') {
      throw new Error(`Operation #${id} is not open: it cannot be completed twice.`);
    }
    operation.status = status;
    if (status === 'indeterminate') {
      operation.output = undefined;
      operation.returnMs = null;
    } else {
      operation.output = output;
      operation.returnMs = returnMs;
    }
    this.#openByClient.delete(operation.clientId);
  }

  /** The history so far. Operations still open are reported as indeterminate. */
  history(): History<Input, Output> {
    return this.#operations.map((operation) =>
      operation.status === 'open'
        ? { ...operation, status: 'indeterminate' as const, output: undefined, returnMs: null }
        : { ...operation, status: operation.status },
    );
  }
}
