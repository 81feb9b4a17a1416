/**
 * Turning a failed run into something a learner can act on: what broke, the seed, the virtual time, the
 * command that replays exactly this run, the trace file, and the trace drawn as a page to open in a
 * browser.
 *
 * @module
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Simulation } from '../sim/index.ts';
import { formatTraceEvent, type TraceEvent, type TraceFile } from '../trace/node.ts';
import { escapeHtml } from '../viewer/html.ts';
import { renderTraceHtml } from '../viewer/index.ts';
import { hashLogFile, testCommand, traceDirectory } from './environment.ts';

/** The test that is running: its file (relative to the working directory) and its name. */
export interface TestIdentity {
  readonly file: string;
  readonly name: string;
  /** The describe blocks and the name, joined with ' > ', as vitest reports the test. Default: `name`. */
  readonly fullName?: string;
}

/**
 * The running vitest test, or a placeholder outside a test. vitest is imported here, when a test asks,
 * not when this module loads: a script can import `harness/testing` without starting vitest's runtime.
 */
export async function currentTest(): Promise<TestIdentity> {
  const { expect } = await import('vitest');
  const state = expect.getState();
  const file = state.testPath === undefined ? 'unknown-test-file' : path.relative(process.cwd(), state.testPath);
  const fullName = state.currentTestName ?? 'unknown test';
  const segments = fullName.split(' > ');
  return { file, name: segments[segments.length - 1] ?? fullName, fullName };
}

/**
 * The running test's timeout (ms) as vitest will enforce it, or `fallbackMs` outside a test. Read like
 * {@link currentTest}: vitest is imported when a test asks.
 */
export async function currentTestTimeoutMs(fallbackMs: number): Promise<number> {
  const { TestRunner } = await import('vitest');
  const timeout = TestRunner.getCurrentTest()?.timeout;
  return typeof timeout === 'number' && timeout > 0 ? timeout : fallbackMs;
}

/** The one-line command that reruns `test` with `environment` set, e.g. `KATA_SEED=7 npm test -- file -t "name"`. */
export function replayCommand(test: TestIdentity, environment: string): string {
  return `${environment} ${testCommand()} ${test.file} -t ${quoteForShell(escapeRegExp(test.name))}`;
}

/** The files a failing run leaves: its trace as JSON, and the viewer page beside it. */
export interface TraceFiles {
  /** The trace as JSON (a {@link TraceFile}). */
  readonly tracePath: string;
  /** The same trace as a standalone HTML page with a space-time diagram: `viewerPathFor(tracePath)`. */
  readonly viewerPath: string;
  /**
   * The clients' history as JSON (`harness/history.ts`'s operations), beside the trace, for
   * `npm run check-history` and its `--convert` to Jepsen EDN or Porcupine; null when the run
   * recorded no operation.
   */
  readonly historyPath: string | null;
}

/**
 * Writes the run's trace as JSON under the trace folder, and beside it, under the same name ending in
 * `.html`, the trace viewer's page, and ending in `.history.json`, the clients' history (when there is
 * one). Returns the paths.
 */
export function writeTraceFiles(
  sim: Simulation,
  test: TestIdentity,
  failure: TraceFile['failure'],
  details?: Readonly<Record<string, unknown>>,
): TraceFiles {
  const folder = path.join(traceDirectory(), slug(test.file.replace(/\.test\.ts$/, '')));
  mkdirSync(folder, { recursive: true });
  const tracePath = path.join(folder, `${slug(test.name)}-seed-${sim.seed}.json`);
  const ends = keepEnds(sim.trace, TRACE_FILE_KEEPS);
  const { events, shortened } = shortenHugePayloads(ends.events, HUGE_PAYLOAD_CHARS);
  const cut = [ends.cut, shortened].filter((note) => note !== null).join(' ') || null;
  const trace: TraceFile = {
    version: 1,
    seed: sim.seed,
    nodes: sim.nodeIds,
    clients: sim.clientIds,
    endMs: sim.nowMs,
    hash: sim.traceHash(),
    failure,
    details: cut === null ? details : { ...details, 'trace cut': cut },
    events,
  };
  writeFileSync(tracePath, JSON.stringify(trace, null, 1) + '\n');
  const viewerPath = viewerPathFor(tracePath);
  writeFileSync(viewerPath, viewerPage(trace, tracePath));
  const history = sim.history();
  const historyPath = history.length === 0 ? null : `${tracePath.replace(/\.json$/, '')}.history.json`;
  if (historyPath !== null)
    writeFileSync(historyPath, `[\n${history.map((op) => `  ${JSON.stringify(op)}`).join(',\n')}\n]\n`);
  return { tracePath, viewerPath, historyPath };
}

/**
 * How many events a trace file keeps from each end of a run. A runaway run can have millions (a trace
 * of 5 million events is too long a string for `JSON.stringify`, and 1 million take 40 s and 555 MB to
 * write); its beginning and its last events before the failure are what a reader needs.
 */
export const TRACE_FILE_KEEPS = 20_000;

/**
 * The first and last `keep` of `events`, and, if any were left out between them, a sentence saying
 * which (`null` when all are kept).
 */
export function keepEnds(
  events: readonly TraceEvent[],
  keep: number,
): { readonly events: readonly TraceEvent[]; readonly cut: string | null } {
  if (events.length <= 2 * keep) return { events, cut: null };
  const head = events.slice(0, keep);
  const tail = events.slice(events.length - keep);
  const cutCount = events.length - 2 * keep;
  const count = (n: number) => n.toLocaleString('en-US');
  return {
    events: [...head, ...tail],
    cut:
      `The run had ${count(events.length)} events: this file keeps the first ${count(keep)} and the last ` +
      `${count(keep)}, and leaves out the ${count(cutCount)} between t=${events[keep]!.t} ms and ` +
      `t=${events[events.length - keep - 1]!.t} ms. The hash is that of the whole trace.`,
  };
}

/** A payload whose JSON is longer than this is shortened in the trace file (the viewer shows the rest in full). */
export const HUGE_PAYLOAD_CHARS = 256 * 1024;

/**
 * `events` with every payload (a message, an operation's input or output) whose JSON is longer than
 * `maxChars` replaced by a note with its length and its beginning, and a sentence saying how many were
 * (`null` when none).
 */
export function shortenHugePayloads(
  events: readonly TraceEvent[],
  maxChars: number,
): { readonly events: readonly TraceEvent[]; readonly shortened: string | null } {
  let count = 0;
  const shorten = (value: unknown): unknown => {
    const json = JSON.stringify(value);
    if (json === undefined || json.length <= maxChars) return value;
    count++;
    const type = (value as { type?: unknown } | null)?.type;
    return {
      ...(typeof type === 'string' ? { type } : {}),
      '(shortened)': `${json.length.toLocaleString('en-US')} characters of JSON; they began ${json.slice(0, 1_000)}`,
    };
  };
  const kept = events.map((event) => {
    switch (event.kind) {
      case 'send':
        return { ...event, message: shorten(event.message) };
      case 'invoke':
        return { ...event, input: shorten(event.input) };
      case 'complete':
        return { ...event, output: shorten(event.output) };
      default:
        return event;
    }
  });
  if (count === 0) return { events, shortened: null };
  const limit = maxChars.toLocaleString('en-US');
  return { events: kept, shortened: `${count} payload(s) longer than ${limit} characters of JSON are shortened.` };
}

/** Where the viewer page of the trace at `tracePath` goes: the same name, ending in `.html`. */
export function viewerPathFor(tracePath: string): string {
  return `${tracePath.replace(/\.json$/, '')}.html`;
}

/**
 * The viewer page, or, should drawing the trace fail, a page that says so: a bug in the viewer must not
 * hide the learner's failure, and the printed path must always lead somewhere.
 */
function viewerPage(trace: TraceFile, tracePath: string): string {
  try {
    return renderTraceHtml(trace);
  } catch (error) {
    const text = `The trace viewer could not draw this trace (${String(error)}). The trace itself is in ${tracePath}.`;
    return `<!DOCTYPE html><meta charset="utf-8"><title>Trace viewer error</title><p>${escapeHtml(text)}</p>\n`;
  }
}

/** Appends `{file, test, seed, hash}` to the hash log when `KATA_HASH_LOG` is set (for `npm run verify`). */
export function logTraceHash(sim: Simulation, test: TestIdentity): void {
  const file = hashLogFile();
  if (file === undefined) return;
  appendFileSync(
    file,
    JSON.stringify({ file: test.file, test: test.name, seed: sim.seed, hash: sim.traceHash() }) + '\n',
  );
}

/** What a failure report says. */
export interface FailureReport {
  /** What broke, in domain words. */
  readonly what: string;
  readonly seed: number;
  /** When the run stopped (virtual ms). */
  readonly atMs: number;
  /** When the property broke, when the checker knows and it is earlier than {@link atMs}. */
  readonly violationAtMs?: number | null | undefined;
  readonly replay: string;
  readonly tracePath: string;
  /** The viewer page's path. */
  readonly viewerPath: string;
  /** The clients' history file, when the run recorded one. */
  readonly historyPath?: string | null | undefined;
  /**
   * The events before the failure, one line each: the last ones of the run, and earlier ones that
   * concern the failure (see {@link reportEvents}).
   */
  readonly lastEvents: readonly string[];
  /** What the events marked `▶` in {@link lastEvents} are about, e.g. `n3, c2-1 or a crash mid-step`; empty when none are marked. */
  readonly concerning?: string | undefined;
  /** Anything else worth showing (e.g. the fault schedule). */
  readonly extra?: string | undefined;
}

/** Formats a failure report for the terminal. */
export function formatFailure(report: FailureReport): string {
  const violated = report.violationAtMs;
  const time =
    violated === undefined || violated === null || violated >= report.atMs
      ? `t=${report.atMs} ms (virtual)`
      : `t=${violated} ms (virtual) when it broke; the run stopped at t=${report.atMs} ms`;
  const lines = [
    shortenLines(report.what, MAX_HEADLINE_LINE_CHARS),
    '',
    `  seed     ${report.seed}`,
    `  time     ${time}`,
    `  replay   ${report.replay}`,
    `  trace    ${report.tracePath}`,
    `  viewer   ${report.viewerPath}  (open it in a browser)`,
  ];
  if (report.historyPath !== undefined && report.historyPath !== null) {
    lines.push(`  history  ${report.historyPath}`);
    lines.push(`           (for Knossos or Jepsen: npm run check-history -- --convert edn ${report.historyPath})`);
  }
  if (report.extra !== undefined) lines.push('', ...report.extra.split('\n').map((line) => `  ${line}`));
  if (report.lastEvents.length > 0) {
    const about = report.concerning === undefined || report.concerning === '' ? '' : ` (▶: about ${report.concerning})`;
    lines.push('', `  last events before the failure${about}:`, ...report.lastEvents.map((line) => `  ${line}`));
  }
  return lines.join('\n');
}

/** A headline line longer than this is cut: a payload of thousands of characters hides the rest. */
const MAX_HEADLINE_LINE_CHARS = 600;
/** An event line longer than this is cut, with its length. */
const MAX_EVENT_LINE_CHARS = 200;

/**
 * The events at `indexes` (ascending) of `trace`, one line each, with `… N events` where events were
 * left out, and `▶` before those in `marked` (the ones that concern the failure). Long lines are cut,
 * saying how long they were.
 */
export function reportEvents(
  trace: readonly TraceEvent[],
  indexes: readonly number[],
  marked: ReadonlySet<number>,
): string[] {
  const lines: string[] = [];
  let previous = -1;
  for (const index of indexes) {
    const skipped = previous < 0 ? 0 : index - previous - 1;
    if (skipped > 0) lines.push(`  … ${skipped} ${skipped === 1 ? 'event' : 'events'}`);
    const line = shortenLine(formatTraceEvent(trace[index]!), MAX_EVENT_LINE_CHARS);
    lines.push(`${marked.has(index) ? '▶' : ' '} ${line}`);
    previous = index;
  }
  return lines;
}

/** `text` with every line longer than `max` cut short (see {@link shortenLine}). */
function shortenLines(text: string, max: number): string {
  return text
    .split('\n')
    .map((line) => shortenLine(line, max))
    .join('\n');
}

/** `line`, or when it is longer than `max` characters, its start and `… (N characters)`. */
export function shortenLine(line: string, max: number): string {
  if (line.length <= max) return line;
  return `${line.slice(0, max - 24)}… (${line.length.toLocaleString('en-US')} characters)`;
}

function slug(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 120) || 'test'
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function quoteForShell(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
