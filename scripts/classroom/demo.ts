/**
 * `npm run classroom -- demo <mistake>`: one known mistake, shown to a room. It runs the exercise's tests
 * against the mistake (the learner's files are never touched), picks the first failing test whose report
 * names the property the mistake breaks and comes from a simulation, and prints what the instructor walks
 * the room through: what broke, the seed, the command that replays exactly that run, the trace and its
 * viewer page, and the few events that explain it.
 *
 * The events: those the report's "last events before the failure" marks as causes, when it marks any;
 * otherwise the last three events of the trace up to the violation: the moment the report's first
 * violation names (its latest `t=… ms`), or, when it names none, the end of the run.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatTraceEvent, type TraceFile } from '#harness/trace';
import type { Exercise, Mistake } from '../lib/exercises.ts';
import { MISTAKE_VARIABLE } from '../lib/solution-redirect.ts';
import { runVitest, type TestResult } from '../lib/vitest-run.ts';
import { readFailureReport, type ReportedRun } from '../kata/replay.ts';

/** How many events the demo shows when the report marks no cause. */
const EVENTS_SHOWN = 3;

/** What a demo found: the run to show, and the events to walk through. */
export interface Demo {
  readonly exercise: Exercise;
  readonly mistake: Mistake;
  readonly run: ReportedRun;
  /** The replay command, with the mistake named, so it reruns the very run shown. */
  readonly replay: string | null;
  readonly events: readonly string[];
  /** Whether `events` are the ones the report marked as causes (else the last ones before the failure). */
  readonly markedCauses: boolean;
  /** How many tests failed in all. */
  readonly failedTests: number;
}

/**
 * Runs the demo of `mistake` in the repository at `root`; with `seed`, every sweep runs that one seed
 * (`KATA_SEED`). Throws when no test fails with the mistake, or none fails from a simulation.
 */
export async function runDemo(root: string, exercise: Exercise, mistake: Mistake, seed?: number): Promise<Demo> {
  const run = await runVitest(root, ['--project', 'solutions', exercise.directory], {
    [MISTAKE_VARIABLE]: mistake.file,
    KATA_SEED: seed === undefined ? '' : String(seed),
    KATA_SEEDS: '',
    KATA_REPLAY: '',
  });
  if (run.brokenFiles.length > 0)
    throw new Error(`The tests of ${exercise.id} did not load with ${mistake.file}:\n${run.brokenFiles[0]!.message}`);
  const failed = run.tests.filter((test) => test.status === 'failed');
  const chosen = chooseRun(failed, mistake.breaks);
  if (chosen === undefined) {
    throw new Error(
      failed.length === 0
        ? `No test of ${exercise.id} fails with ${mistake.name}${seed === undefined ? '' : ` and seed ${seed}`}: nothing to show.`
        : `${failed.length} test(s) fail with ${mistake.name}, but none from a simulation with a trace to show.`,
    );
  }
  const reported = walkThrough(chosen.test.failureMessages.join('\n'));
  const { events, marked } = reported.marked
    ? reported
    : { events: eventsBeforeViolation(root, chosen), marked: false };
  return {
    exercise,
    mistake,
    run: chosen,
    replay: chosen.replay === null ? null : `${MISTAKE_VARIABLE}=${mistake.file} ${chosen.replay}`,
    events,
    markedCauses: marked,
    failedTests: failed.length,
  };
}

/** The first failing run with a trace whose report names `breaks`; else the first with a trace. */
export function chooseRun(failed: readonly TestResult[], breaks: string | null): ReportedRun | undefined {
  const runs = failed.map(readFailureReport).filter((run) => run.trace !== null);
  const phrase = breaks?.toLowerCase();
  const naming = runs.find(
    (run) => phrase !== undefined && run.test.failureMessages.some((message) => message.toLowerCase().includes(phrase)),
  );
  return naming ?? runs[0];
}

/** A line of "last events" that the report marks as a cause: it starts with a marker, or says "cause". */
const CAUSE_MARK = /^\s*(?:[*▶►⚑!]\s|.*\bcause\b)/i;

/**
 * The events to walk through, from a failure report's text: the lines of its "last events" block that it
 * marks as causes, or, when it marks none, its last {@link EVENTS_SHOWN} lines.
 */
export function walkThrough(message: string): { events: string[]; marked: boolean } {
  const lines = message.split('\n');
  const start = lines.findIndex((line) => /^\s*last events\b/i.test(line));
  if (start === -1) return { events: [], marked: false };
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || /^\s*at\s/.test(line)) break;
    block.push(line.trim());
  }
  const marked = block.filter((line) => CAUSE_MARK.test(line));
  if (marked.length > 0) return { events: marked, marked: true };
  return { events: block.slice(-EVENTS_SHOWN), marked: false };
}

/**
 * What the first violation of a report's headline names: the line (the first with a `t=N ms`), its
 * times, and the first node or client it names (`n2`, `c1`).
 */
export function firstViolation(what: string): { times: number[]; node: string | null } | null {
  for (const line of what.split('\n')) {
    const times = [...line.matchAll(/\bt=(\d+) ?ms\b/g)].map((match) => Number(match[1]));
    if (times.length > 0) return { times, node: /\b[nc]\d+\b/.exec(line)?.[0] ?? null };
  }
  return null;
}

/**
 * The events of the run's trace that show the first violation: what happened to the node it names (a
 * delivery to it, its timers, its crash) at the moments it names; else the last such events up to its
 * latest moment; else the last events up to it (or up to the end of the run, when it names no moment).
 */
function eventsBeforeViolation(root: string, run: ReportedRun): string[] {
  const file = run.trace === null ? null : path.resolve(root, run.trace);
  if (file === null || !existsSync(file)) return [];
  const trace = JSON.parse(readFileSync(file, 'utf8')) as TraceFile;
  const violation = firstViolation(run.what);
  const until = violation === null ? Number.POSITIVE_INFINITY : Math.max(...violation.times);
  const before = trace.events.filter((event) => event.kind !== 'failure' && event.t <= until);
  const node = violation?.node ?? null;
  const onNode = before.filter((event) => {
    const fields = event as unknown as Readonly<Record<string, unknown>>;
    return node !== null && ((event.kind === 'deliver' && fields['to'] === node) || fields['node'] === node);
  });
  const atMoments = onNode.filter((event) => violation!.times.includes(event.t));
  const chosen =
    atMoments.length > 0 && atMoments.length <= 2 * EVENTS_SHOWN
      ? atMoments
      : (onNode.length > 0 ? onNode : before).slice(-EVENTS_SHOWN);
  return chosen.map(formatTraceEvent);
}

/** The demo as the instructor reads it from the terminal. */
export function describeDemo(demo: Demo): string {
  const { run } = demo;
  const lines = [
    `Known mistake ${demo.mistake.name} of ${demo.exercise.id}`,
    `  ${demo.mistake.description ?? '(the patch has no "Known mistake:" line)'}`,
    `  breaks   ${demo.mistake.breaks ?? '(no "Breaks:" line)'}`,
    '',
    `The run to show: ${run.test.file} > ${run.test.name}`,
    `(${demo.failedTests} test(s) fail with this mistake; this one's report names what it breaks.)`,
    '',
    ...run.what.split('\n').map((line) => `  ${line}`),
    '',
    `  seed     ${run.seed ?? '(none)'}`,
    `  replay   ${demo.replay ?? '(none)'}`,
    `  trace    ${run.trace}`,
    `  viewer   ${run.viewer ?? '(none)'}  (open it in a browser, on the projector)`,
    '',
    demo.markedCauses
      ? 'Walk the room through the events the report marks as causes:'
      : `Walk the room through these ${demo.events.length} events, up to the first violation:`,
    ...demo.events.map((event, index) => `  ${index + 1}. ${event}`),
    '',
    `Then ask what the node should have done instead. The patch: ${path.normalize(demo.mistake.file)}`,
  ];
  return lines.join('\n');
}
