/**
 * The simulator: {@link Simulation} runs nodes on a faulty network in virtual time, from one seed.
 *
 * Start with {@link Simulation} and {@link cluster}. Faults are data ({@link Fault},
 * {@link FaultSchedule}); write schedules with `scenario()` from `harness/faults`. Tests usually import
 * all of this from `harness/testing`, which adds `simulate` and the seed sweeps.
 *
 * @module
 */
export { Simulation, type Invariant } from './simulation.ts';
export { cluster, DEFAULT_LIMITS, type RunOptions, type SimulationLimits, type SimulationOptions } from './options.ts';
export type { ClientContext, ClientWorkload, OperationOutcome } from './clients.ts';
export type { NetworkStats } from './counters.ts';
export {
  describeFault,
  describeSchedule,
  describeStep,
  sortSchedule,
  type Fault,
  type FaultSchedule,
  type ScheduledFault,
  type StepKind,
  type TargetedCrash,
} from './fault.ts';
export { SimulationError, type SimulationErrorContext, type SimulationErrorKind } from './errors.ts';
export { asHarness, NondeterminismError } from './guards.ts';
export type { LostErrorKind, NodeScope } from './node-scope.ts';
export { describeThrown } from './describe.ts';
export { watchTest } from './watchdog.ts';
export {
  DEFAULT_NETWORK,
  type DelayRange,
  type DelayTail,
  type NetworkSettings,
  type NetworkSettingsInput,
} from './network.ts';
export {
  changeClock,
  localTimeMs,
  PERFECT_CLOCK,
  readClock,
  startClock,
  type ClockSettings,
  type ClockState,
} from './clock.ts';
export type { History, Operation, OperationStatus } from '../history.ts';
