/**
 * Running a simulation inside a test, so that any failure comes out replayable and explained.
 *
 * @module
 */
import { writeSync } from 'node:fs';
import {
  asHarness,
  describeThrown,
  Simulation,
  SimulationError,
  watchTest,
  type SimulationOptions,
} from '../sim/index.ts';
import { testTimeoutMs } from './environment.ts';
import {
  currentTest,
  currentTestTimeoutMs,
  formatFailure,
  lastEvents,
  logTraceHash,
  replayCommand,
  writeTraceFiles,
  type TestIdentity,
} from './failure-report.ts';
import { traceFilesWanted } from './sweep-tally.ts';
import { writePassingTrace } from './passing-trace.ts';

/** A failed simulation test. Its message is the whole report: what broke, seed, time, replay, trace. */
export class SimulationTestFailure extends Error {
  /** The seed of the failing run. */
  readonly seed: number;
  /** Where the trace was written. */
  readonly tracePath: string;

  /** Wraps `cause` with the report `message`. */
  constructor(message: string, seed: number, tracePath: string, cause: unknown) {
    super(message, { cause });
    this.name = 'SimulationTestFailure';
    this.seed = seed;
    this.tracePath = tracePath;
    // The report is the useful part; the stack of the wrapper adds nothing.
    this.stack = `${this.name}: ${message}`;
  }
}

/** Extra options for {@link simulate}. */
export interface SimulateOptions extends SimulationOptions {
  /**
   * The environment part of the replay command. Default `KATA_SEED=<seed>`; property tests pass
   * `KATA_REPLAY=...`.
   */
  readonly replayWith?: string;
  /** Facts to save in the trace and print on failure, e.g. `{ faults: describeSchedule(schedule) }`. */
  readonly details?: Readonly<Record<string, string>>;
}

/**
 * Builds a {@link Simulation} and runs `body` with it. If anything inside throws (the simulation, a
 * checker, an `expect`), the trace is written under `.kata/traces/` and the error is rethrown as a
 * {@link SimulationTestFailure} whose message names what broke, the seed, the virtual time, the
 * command that replays exactly this run, and the trace's path.
 *
 * ```ts
 * await simulate({ seed, nodes: cluster(3, createNode) }, async (sim) => {
 *   sim.client('c1', workload);
 *   expect(await sim.runUntilClientsDone({ timeoutMs: 10_000 }), 'the client finished').toBe(true);
 * });
 * ```
 */
export async function simulate<T>(options: SimulateOptions, body: (sim: Simulation) => Promise<T> | T): Promise<T> {
  const sim = new Simulation(options);
  const test = await currentTest();
  // The test's runs stop with a report a little before the test runner's timeout would end them silently.
  const timeoutMs = await currentTestTimeoutMs(testTimeoutMs());
  watchTest(`${test.file} > ${test.fullName ?? test.name}`, timeoutMs * TEST_BUDGET_SHARE);
  // Should the test end anyway (its timeout), the run stops too instead of going on in the background.
  await whenTestEnds(() => {
    sim.end();
    watchTest('', 0);
  });
  sim.onUnstoppableHang((error) => {
    // The stuck handler's node is still on the stack: its guards would refuse the report's writes.
    asHarness(() => writeSync(2, `\n${toSimulationTestFailure(sim, test, error, options).message}\n`));
  });
  try {
    const result = await body(sim);
    if (sim.failure !== null) throw sim.failure;
    logTraceHash(sim, test);
    writePassingTrace(sim, test, options.details);
    return result;
  } catch (error) {
    logTraceHash(sim, test);
    throw toSimulationTestFailure(sim, test, error, options);
  } finally {
    sim.end();
  }
}

/** The share of the test's timeout that its simulations' runs may take in all before they are stopped. */
const TEST_BUDGET_SHARE = 0.8;

/** Builds the report for `error` thrown while `sim` ran in `test`, writing the trace. */
function toSimulationTestFailure(
  sim: Simulation,
  test: TestIdentity,
  error: unknown,
  options: Pick<SimulateOptions, 'replayWith' | 'details'> = {},
): SimulationTestFailure {
  if (error instanceof SimulationTestFailure) return error;
  const what = describeError(error);
  const atMs = error instanceof SimulationError ? error.context.atMs : sim.nowMs;
  const replay = replayCommand(test, options.replayWith ?? `KATA_SEED=${sim.seed}`);
  const { tracePath, viewerPath, historyPath } = traceFilesWanted()
    ? tryWriteTraceFiles(sim, test, { message: what, atMs, replay }, options.details)
    : { tracePath: '(not written: a counted run)', viewerPath: '(not written)', historyPath: null };
  const extra =
    options.details === undefined
      ? undefined
      : Object.entries(options.details)
          .map(([key, value]) => `${key}:\n${indent(value)}`)
          .join('\n');
  const message = formatFailure({
    what,
    seed: sim.seed,
    atMs,
    replay,
    tracePath,
    viewerPath,
    historyPath,
    lastEvents: lastEvents(sim),
    extra,
  });
  return new SimulationTestFailure(message, sim.seed, tracePath, rootCause(error));
}

/** Calls `then` when the running test has finished, passed or failed; vitest is imported when a test asks. */
async function whenTestEnds(then: () => void): Promise<void> {
  const { onTestFinished } = await import('vitest');
  try {
    onTestFinished(then);
  } catch {
    // Outside a running test (a script calling simulate) there is no test to end.
  }
}

/** Writes the trace files; should that fail, says so in their place: the report itself must always come out. */
function tryWriteTraceFiles(...args: Parameters<typeof writeTraceFiles>): ReturnType<typeof writeTraceFiles> {
  try {
    return writeTraceFiles(...args);
  } catch (error) {
    const why = `(not written: ${error instanceof Error ? error.message : String(error)})`;
    return { tracePath: why, viewerPath: '(not written)', historyPath: null };
  }
}

/**
 * The error that started it all: for a handler that threw, the learner's own error, whose stack points
 * at the line to look at. The simulator's wrapper adds nothing the report does not already say.
 */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof SimulationError && current.cause !== undefined) current = current.cause;
  return current instanceof SimulationError ? undefined : current;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    // vitest's assertion errors carry "message: expected …"; keep both the domain message and the values.
    const message: unknown = (() => {
      try {
        return error.message;
      } catch {
        return null;
      }
    })();
    if (typeof message === 'string') return message;
  }
  return describeThrown(error);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
