/**
 * Traces of passing runs, written only when asked (`KATA_TRACE_LOG`): a learner who wants to see a
 * run that works in the viewer (`kata replay <exercise> --seed N --trace`) gets its trace and viewer
 * page as a failing run would, and the log says where they are.
 *
 * @module
 */
import { appendFileSync } from 'node:fs';
import type { Simulation } from '../sim/index.ts';
import { passingTraceLog } from './environment.ts';
import { writeTraceFiles, type TestIdentity } from './failure-report.ts';

/** One line of the log: which run, and where its files are. */
export interface PassingTrace {
  readonly file: string;
  readonly test: string;
  readonly seed: number;
  readonly trace: string;
  readonly viewer: string;
}

/** Writes the trace of a passing run and lists it in the log, when `KATA_TRACE_LOG` asks for it. */
export function writePassingTrace(
  sim: Simulation,
  test: TestIdentity,
  details: Readonly<Record<string, unknown>> | undefined,
): void {
  const log = passingTraceLog();
  if (log === undefined) return;
  const { tracePath, viewerPath } = writeTraceFiles(sim, test, undefined, details);
  const line: PassingTrace = { file: test.file, test: test.name, seed: sim.seed, trace: tracePath, viewer: viewerPath };
  appendFileSync(log, JSON.stringify(line) + '\n');
}
