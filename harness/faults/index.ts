/**
 * Fault schedules for tests: written by hand with {@link scenario}, drawn from a seed with
 * {@link randomFaultSchedule}, or generated and shrunk by fast-check with {@link faultScheduleArbitrary}.
 * Swarm runs draw the fault settings themselves from the seed ({@link drawSwarmSettings}) and then a
 * schedule under them ({@link swarmFaultSchedule}).
 *
 * This folder is the only part of the harness that loads fast-check, so a learner's node (which imports
 * `harness/index.ts`) never does.
 *
 * @module
 */
export { scenario, ScenarioBuilder } from './scenario.ts';
export {
  faultScheduleArbitrary,
  randomFaultSchedule,
  type FaultScheduleOptions,
  type RandomFaultKind,
} from './random-schedule.ts';
export { drawSwarmSettings, describeSwarmSettings, type SwarmOptions, type SwarmSettings } from './swarm-settings.ts';
export { swarmFaultSchedule, type SwarmScheduleOptions } from './swarm-schedule.ts';
export {
  searchFaultSchedules,
  type FaultScheduleArbitrary,
  type ScheduleCounterexample,
  type ScheduleSearchOptions,
} from './property.ts';
