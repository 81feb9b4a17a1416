/**
 * What a learner's node needs: the node API ({@link Node}, {@link NodeContext}, messages, timers,
 * rpcs, storage), the client API for nodes that act as clients, {@link simulatedFetch} for nodes that
 * call HTTP backends, {@link stableHash} for placing keys, and {@link todo} for the stubs.
 *
 * Importing this loads neither fast-check nor vitest (a harness test checks it). Tests import the
 * simulator and its helpers from `harness/testing`; checkers come from `harness/check`.
 *
 * @module
 */
export type {
  NodeId,
  Message,
  OutgoingMessage,
  TimerPayload,
  Delay,
  TimerId,
  RpcResult,
  RpcOptions,
  RpcRequest,
  DurableStorage,
  NodeContext,
  Node,
  NodeFactory,
} from './node.ts';
export type { ClientContext, ClientWorkload, OperationOutcome } from './sim/index.ts';
export { todo, NotImplementedError } from './exercise.ts';
export { stableHash } from './random.ts';
export { simulatedFetch, type Fetch, type FetchInit } from './http/fetch.ts';
