/**
 * Everything a test author needs, in one import: the simulator and faults (re-exported from
 * `harness/sim` and `harness/faults`), and the helpers that run simulations inside vitest tests so that
 * every failure is replayable and explained. Checkers come from `harness/check`; a learner's node
 * imports only `harness/index.ts`.
 *
 * This folder is the only part of the harness that imports vitest, and it does so lazily (see
 * {@link currentTest}), so a script may import it too.
 *
 * @module
 */
export * from '../sim/index.ts';
export * from '../faults/index.ts';
export { simulate, toSimulationTestFailure, SimulationTestFailure, type SimulateOptions } from './simulate.ts';
export { forEachSeed, checkFaultSchedules, type SeedSweepOptions, type FaultSweepOptions } from './sweep.ts';
export { replaySeed, sweepSeedCount, replayProperty, traceDirectory } from './environment.ts';
export {
  currentTest,
  replayCommand,
  writeTraceFiles,
  viewerPathFor,
  formatFailure,
  type TestIdentity,
  type FailureReport,
  type TraceFiles,
} from './failure-report.ts';
export { deriveSeed, Rng, MAX_SEED } from '../random.ts';
export { causalHistory, nodeOfEvent, type CausalHistory, type CausalEvent, type CausalRelation } from '../causality.ts';
export { localTimeMs, startClock, readClock, changeClock, type ClockState } from '../sim/clock.ts';
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
} from '../trace.ts';
