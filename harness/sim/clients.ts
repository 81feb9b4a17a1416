/**
 * Clients: processes on the network (so partitions and delays apply to them too) that run a workload
 * and record a history of operations.
 *
 * @module
 */
import type { OperationStatus } from '../history.ts';
import type { NodeContext, NodeFactory, NodeId } from '../node.ts';
import { copyPayload } from './payload.ts';
import type { Runtime, SimState } from './state.ts';

/** The outcome of an operation, as a client sees it. See {@link ClientContext.operation}. */
export type OperationOutcome<Output = unknown> =
  | { readonly status: 'ok'; readonly output: Output }
  | { readonly status: 'fail'; readonly output?: Output }
  | { readonly status: 'indeterminate' };

/**
 * A client process: a node of its own on the network (so partitions and delays apply to it too), that
 * runs a workload and records a history of operations.
 */
export interface ClientContext extends NodeContext {
  /**
   * Records one operation in the history: invoked now, completed when `perform` settles with its
   * outcome. Return `{ status: 'indeterminate' }` when the client cannot tell whether it took effect.
   */
  operation<Input, Output>(
    input: Input,
    perform: () => Promise<OperationOutcome<Output>>,
  ): Promise<OperationOutcome<Output>>;
}

/** A client's workload: an async function that runs inside the simulation. */
export type ClientWorkload = (client: ClientContext) => Promise<void>;

/** Adds client `id` running `workload`: a node whose `onStart` is the workload, booting at the current time. */
export function addClient(state: SimState, id: NodeId, workload: ClientWorkload): void {
  if (state.runtimes.has(id)) throw new Error(`There is already a node or client called ${id}.`);
  const factory: NodeFactory = (ctx) => ({
    onStart: async () => {
      try {
        await workload(ctx as ClientContext);
      } finally {
        state.pendingClients.delete(id);
      }
    },
    onMessage: () => {},
  });
  const runtime = state.addRuntime(id, factory, true);
  state.clientIds.push(id);
  state.pendingClients.add(id);
  state.scheduleStart(runtime);
}

/** Records one operation of `runtime`'s: invoked now, completed with its outcome when `perform` settles. */
export async function recordOperation<Input, Output>(
  state: SimState,
  runtime: Runtime,
  input: Input,
  perform: () => Promise<OperationOutcome<Output>>,
): Promise<OperationOutcome<Output>> {
  const inputCopy = copyPayload(input, 'input').copy;
  const op = state.history.invoke(runtime.id, inputCopy, state.nowMs);
  state.record({ t: state.nowMs, kind: 'invoke', client: runtime.id, op, input: inputCopy });
  const outcome = await perform();
  const status: OperationStatus = outcome.status;
  const output = outcome.status === 'indeterminate' ? undefined : copyPayload(outcome.output, 'output').copy;
  state.history.complete(op, status, output, state.nowMs);
  state.record({ t: state.nowMs, kind: 'complete', client: runtime.id, op, status, output });
  return outcome;
}
