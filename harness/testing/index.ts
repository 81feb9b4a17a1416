/**
 * Test helpers: run simulations inside vitest tests so that every failure is replayable and explained.
 *
 * @module
 */
export { simulate, explainFailure, SimulationTestFailure, type SimulateOptions } from './simulate.ts';
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
