/**
 * Values and times in words, for the page. Event descriptions come from `harness/trace/`, the same
 * function the terminal prints with, so the page and a failure report never word an event differently.
 *
 * @module
 */
import { describeTraceEvent, type TraceEvent } from '../../trace/index.ts';

/** Payloads in a one-line description are cut at this many characters; the details pane shows them whole. */
const BRIEF_PAYLOAD_CHARS = 120;
/** The details pane cuts a payload at this many characters, so a huge one cannot stall the page. */
const MAX_PRETTY_CHARS = 50_000;

/** One line for an event, as the terminal prints it, with long payloads cut short. */
export function describe(event: TraceEvent): string {
  return describeTraceEvent(event, (value) => (value === undefined ? undefined : compact(value)));
}

/** JSON on one line, cut to `max` characters. */
export function compact(value: unknown, max = BRIEF_PAYLOAD_CHARS): string {
  const text = jsonText(value, undefined);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** JSON indented for reading, cut at 50,000 characters. */
export function pretty(value: unknown): string {
  const text = jsonText(value, 2);
  return text.length > MAX_PRETTY_CHARS
    ? `${text.slice(0, MAX_PRETTY_CHARS)}\n… (${text.length - MAX_PRETTY_CHARS} more characters)`
    : text;
}

function jsonText(value: unknown, indent: number | undefined): string {
  try {
    return value === undefined ? 'undefined' : (JSON.stringify(value, null, indent) ?? String(value));
  } catch {
    return String(value);
  }
}

/** A duration or virtual time: `12.5 ms`, or `12.35 s` from ten seconds on. */
export function formatMs(ms: number): string {
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
  return `${ms.toLocaleString('en-US', { maximumFractionDigits: 3 })} ms`;
}
