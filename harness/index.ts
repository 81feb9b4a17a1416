/**
 * The workshop's deterministic network harness: virtual time, one seed, nodes as handlers, a faulty
 * network, clients with histories, and traces.
 *
 * Start with {@link Simulation} and the node API ({@link Node}, {@link NodeContext}); write tests with
 * `simulate` and `forEachSeed` from `harness/testing`.
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
export {
  Simulation,
  cluster,
  DEFAULT_LIMITS,
  type SimulationOptions,
  type SimulationLimits,
  type RunOptions,
  type ClientContext,
  type ClientWorkload,
  type Invariant,
  type OperationOutcome,
  type NetworkStats,
} from './simulation.ts';
export { SimulationError, type SimulationErrorKind, type SimulationErrorContext } from './errors.ts';
export { NondeterminismError } from './guards.ts';
export {
  scenario,
  ScenarioBuilder,
  describeFault,
  describeSchedule,
  sortSchedule,
  type Fault,
  type ScheduledFault,
  type FaultSchedule,
} from './faults.ts';
export { faultScheduleArbitrary, randomFaultSchedule, type FaultScheduleOptions, type RandomFaultKind } from './fault-arbitrary.ts';
export {
  DEFAULT_NETWORK,
  type NetworkSettings,
  type NetworkSettingsInput,
  type DelayRange,
} from './network.ts';
export { PERFECT_CLOCK, localTimeMs, startClock, readClock, changeClock, type ClockSettings, type ClockState } from './clock.ts';
export { HistoryRecorder, type History, type Operation, type OperationStatus } from './history.ts';
export { copyPayload, PayloadProblem, MAX_PAYLOAD_DEPTH, type CopiedPayload } from './payload.ts';
export { deriveSeed, Rng, MAX_SEED } from './random.ts';
export { todo, NotImplementedError } from './exercise.ts';
export { causalHistory, nodeOfEvent, type CausalHistory, type CausalEvent, type CausalRelation } from './causality.ts';
export { EventQueue, type QueuedEvent } from './event-queue.ts';
export {
  traceHash,
  formatTrace,
  formatTraceEvent,
  type TraceEvent,
  type TraceEventKind,
  type TraceFile,
  type DropReason,
  type TraceEventBase,
  type StartEvent,
  type SendEvent,
  type DeliverEvent,
  type DropEvent,
  type DuplicateEvent,
  type TimerSetEvent,
  type TimerFireEvent,
  type TimerCancelEvent,
  type CrashEvent,
  type RestartEvent,
  type LinksEvent,
  type NetworkEvent,
  type ClockEvent,
  type LogEvent,
  type InvokeEvent,
  type CompleteEvent,
  type FailureEvent,
} from './trace/node.ts';
