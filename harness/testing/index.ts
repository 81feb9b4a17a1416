/**
 * Everything a test author needs, in one import: the simulator and faults (re-exported from
 * `harness/sim` and `harness/faults`), and the helpers that run simulations inside vitest tests so that
 * every failure is replayable and explained. Checkers come from `harness/check`, HTTP backends (msw
 * handlers in virtual time) from `harness/http`, so that a test without them never loads msw; a
 * learner's node imports only `harness/index.ts`.
 *
 * This folder is the only part of the harness that imports vitest, and it does so lazily (see
 * {@link currentTest}), so a script may import it too.
 *
 * @module
 */
export * from '../sim/index.ts';
export * from '../faults/index.ts';
export * from '../metrics/index.ts';
export { simulate, SimulationTestFailure, type SimulateOptions } from './simulate.ts';
export { swarmDetails } from './swarm-details.ts';
export {
  drawSwarmWorld,
  forEachSwarmSeed,
  type SwarmWorld,
  type SwarmWorldOptions,
  type SwarmSweepOptions,
} from './swarm-world.ts';
export { expectRecovered, RecoveryBoundMissed, type RecoveryBound } from './recovery.ts';
export { forEachSeed, checkFaultSchedules, type SeedSweepOptions, type FaultSweepOptions } from './sweep.ts';
export { sweepSeedCount, replayProperty, testTimeoutMs } from './environment.ts';
export { currentTest, writeTraceFiles, type TestIdentity, type TraceFiles } from './failure-report.ts';
export { deriveSeed, Rng } from '../random.ts';
export { plural, withArticle } from '../wording.ts';
export { check, checkEqual, checkThrows, CheckFailed } from './assertions.ts';
export { causalHistory, type CausalHistory, type CausalEvent, type CausalRelation } from '../causality.ts';
// The trace's event types are documented with harness/trace.ts itself; tests pick one with
// Extract<TraceEvent, { kind: 'send' }>.
export { traceHash, formatTrace, type TraceEvent, type TraceFile, type DropReason } from '../trace/node.ts';
