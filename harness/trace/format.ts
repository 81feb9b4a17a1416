/**
 * Trace events in words: one line per event, as the terminal, golden tests and the viewer page print
 * them. One implementation for all three, so a detail added to an event shows up everywhere.
 *
 * Browser-safe: nothing from Node.
 *
 * @module
 */
import type { TraceEvent } from './events.ts';

/**
 * Writes a payload (a message, an operation's input or output) into a description. `undefined` means
 * "nothing to show": a completed operation without output then prints nothing after its id.
 */
export type PayloadFormatter = (value: unknown) => string | undefined;

/** Payloads as one line of JSON, in full: what the terminal and golden tests print. */
const fullJson: PayloadFormatter = (value) => JSON.stringify(value);

/** Prints a trace one line per event. */
export function formatTrace(events: readonly TraceEvent[]): string {
  return events.map((event) => formatTraceEvent(event)).join('\n');
}

/** Prints one event as a line, e.g. `t=12ms    n1 → n2 send #3 echo {"type":"echo","text":"hi"}`. */
export function formatTraceEvent(event: TraceEvent): string {
  return `${`t=${event.t}ms`.padEnd(11)} ${describeTraceEvent(event)}`;
}

/**
 * One event in words, without its time, e.g. `n1 CRASH while handling message #1 (inc) from c1, after
 * 1 effect(s)` or `n2 clock: skew 5 ms, drift 100 ppm (now reads 1005 ms)`.
 *
 * `formatPayload` writes the payloads; by default they are full JSON. The viewer passes one that cuts
 * long payloads short, as it shows them in full in its details pane.
 */
export function describeTraceEvent(event: TraceEvent, formatPayload: PayloadFormatter = fullJson): string {
  switch (event.kind) {
    case 'start':
      return `${event.node} ${event.restart ? 'start (after restart)' : 'start'}`;
    case 'send':
      return `${event.from} → ${event.to} send #${event.id} ${event.type} ${formatPayload(event.message)}`;
    case 'deliver':
      return `${event.from} → ${event.to} deliver #${event.id} ${event.type} (sent t=${event.sentAtMs}ms)`;
    case 'drop':
      return `${event.from} → ${event.to} drop #${event.id} ${event.type} (${event.reason})`;
    case 'duplicate':
      return `${event.from} → ${event.to} duplicate #${event.id} ${event.type}`;
    case 'timer-set':
      return `${event.node} timer-set #${event.timer} ${event.type} (due t=${event.dueAtMs}ms)`;
    case 'timer-fire':
      return `${event.node} timer-fire #${event.timer} ${event.type}`;
    case 'timer-cancel':
      return `${event.node} timer-cancel #${event.timer}`;
    case 'crash': {
      if (event.midStep === undefined) return `${event.node} CRASH`;
      const { during, afterEffects, target } = event.midStep;
      const aimed = target === undefined ? '' : ` (targeted: ${target})`;
      return `${event.node} CRASH while ${during}, after ${afterEffects} effect(s)${aimed}`;
    }
    case 'crash-armed': {
      const until = event.untilMs === undefined ? '' : `, until t=${event.untilMs}ms`;
      const drawn = event.drawnFrom === undefined ? '' : ` (drawn from: ${event.drawnFrom.join(', ')})`;
      const now = event.provoked === true ? '; it crashes now so that it recovers' : '';
      return `${event.node} crash armed for its next ${event.step}, after ${event.afterEffects} effect(s)${until}${drawn}${now}`;
    }
    case 'crash-expired':
      return `${event.node} crash never struck: ${event.reason}`;
    case 'restart':
      return `${event.node} RESTART`;
    case 'pause':
      return `${event.node} PAUSE until t=${event.untilMs}ms`;
    case 'resume':
      return `${event.node} RESUME after ${event.pausedMs} ms paused (its clock now reads ${event.localMs} ms)`;
    case 'links':
      return `links: ${event.change}`;
    case 'network':
      return describeNetwork(event);
    case 'clock':
      return `${event.node} clock: skew ${event.skewMs} ms, drift ${event.driftPpm} ppm (now reads ${event.localMs} ms)`;
    case 'log':
      return `${event.node} log: ${event.text}`;
    case 'invoke':
      return `${event.client} invoke op#${event.op} ${formatPayload(event.input)}`;
    case 'complete':
      return `${event.client} ${event.status} op#${event.op} ${formatPayload(event.output) ?? ''}`;
    case 'failure':
      return `FAILURE${event.node === null ? '' : ` at ${event.node}`}: ${event.message}`;
  }
}

/**
 * New network settings in words, e.g. `network: drop 0.1, duplicate 0, delay 1–10 ms`, or with a long
 * tail `network: drop 0, duplicate 0, delay 1–10 ms, 2% up to 3000 ms`.
 */
export function describeNetwork(event: Extract<TraceEvent, { kind: 'network' }>): string {
  const { min, max, tail } = event.delayMs;
  const slow = tail === undefined ? '' : `, ${percent(tail.rate)} up to ${tail.maxMs} ms`;
  return `network: drop ${event.dropRate}, duplicate ${event.duplicateRate}, delay ${min}–${max} ms${slow}`;
}

/** A probability as a percentage, e.g. `2%` or `0.5%`. */
function percent(probability: number): string {
  return `${Math.round(probability * 10_000) / 100}%`;
}
