/**
 * What a learner's node needs: the node API ({@link Node}, {@link NodeContext}, messages, timers,
 * rpcs, storage), the client API for nodes that act as clients, and {@link todo} for the stubs.
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
// Kept only for harness/viewer/viewer.test.ts and scripts/browser-tests (demo.ts, viewer.test.ts),
// which still import them from here; everything else imports them from harness/testing. Drop these once
// those files import harness/testing.
export { Simulation, cluster } from './sim/index.ts';
// Not through faults/index.ts, which loads fast-check for the random schedules.
export { scenario } from './faults/scenario.ts';
export { traceHash, type TraceEvent, type TraceFile } from './trace.ts';
