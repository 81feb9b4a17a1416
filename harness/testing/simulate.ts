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
import type { TraceEvent } from '../trace/index.ts';
import { testTimeoutMs } from './environment.ts';
import { failureFocus, isMidStepCrash, relevantEvents, type FailureFocus } from './failure-focus.ts';
import {
  currentTest,
  currentTestTimeoutMs,
  formatFailure,
  logTraceHash,
  replayCommand,
  reportEvents,
  writeTraceFiles,
  type TestIdentity,
} from './failure-report.ts';
import { traceFilesWanted } from './sweep-tally.ts';
import { writePassingTrace } from './passing-trace.ts';

/**
 * A failed simulation test. Its message is the whole report: what broke, seed, time, replay, trace.
 *
 * It has no `cause`: the report already says everything the error that started it said, and vitest
 * would print a cause's message again (`Caused by: …`). Instead its stack is the stack of `origin`
 * (the learner's handler that threw, or the failed assertion), so the code frame still points at the
 * line to look at.
 */
export class SimulationTestFailure extends Error {
  /** The seed of the failing run. */
  readonly seed: number;
  /** Where the trace was written. */
  readonly tracePath: string;

  /** The report `message`, with the stack frames of `origin`. */
  constructor(message: string, seed: number, tracePath: string, origin: unknown) {
    super(message);
    this.name = 'SimulationTestFailure';
    this.seed = seed;
    this.tracePath = tracePath;
    this.stack = `${this.name}: ${message}${stackFrames(origin)}`;
  }
}

/**
 * The `    at …` lines of `error`'s stack, with a newline before them; empty when it has none. Frames in
 * the harness before the first frame outside it are left out: vitest shows the code of the first frame,
 * and that should be the learner's line (or the test's), not the harness's `throw`.
 */
function stackFrames(error: unknown): string {
  if (!(error instanceof Error) || error.stack === undefined) return '';
  const frames = error.stack.split('\n').filter((line) => /^\s+at /.test(line));
  const first = frames.findIndex((line) => !HARNESS_FRAME.test(line));
  const kept = first <= 0 ? frames : frames.slice(first);
  return kept.length === 0 ? '' : `\n${kept.join('\n')}`;
}

/** A stack frame in the harness's own files, its tests apart (or in Node's). */
const HARNESS_FRAME = /[/\\]harness[/\\](?!.*\.test\.ts)|\(node:|at node:/;

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
  const focus = failureFocus(sim, error, what);
  const { shown, concerning } = relevantEvents(sim.trace, focus);
  const violationAtMs = focus.atMs !== null && focus.atMs < atMs ? focus.atMs : undefined;
  const failure = {
    message: what,
    atMs,
    replay,
    ...(violationAtMs === undefined ? {} : { violationAtMs }),
    events: [...concerning].sort((a, b) => a - b),
  };
  const { tracePath, viewerPath, historyPath } = traceFilesWanted()
    ? tryWriteTraceFiles(sim, test, failure, options.details)
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
    violationAtMs,
    lastEvents: reportEvents(sim.trace, shown, concerning),
    concerning: concerning.size === 0 ? '' : describeFocus(focus, sim.trace, concerning),
    extra,
  });
  return new SimulationTestFailure(message, sim.seed, tracePath, rootCause(error) ?? error);
}

/** What the marked events are about, in a few words, e.g. `n2, n3, c2-5 or a crash mid-step`. */
function describeFocus(focus: FailureFocus, trace: readonly TraceEvent[], marked: ReadonlySet<number>): string {
  const names = [
    ...focus.nodes,
    ...focus.ids,
    ...[...focus.messages].map((id) => `#${id}`),
    ...[...focus.operations].map((op) => `op#${op}`),
  ];
  const crashes = [...marked].some((index) => isMidStepCrash(trace[index]!));
  const parts = [...names.slice(0, 6), ...(crashes ? ['a crash mid-step'] : [])];
  if (parts.length === 0) return 'the failure';
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)!}`;
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
