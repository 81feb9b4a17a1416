/**
 * Availability as Maelstrom measures it: the ok-fraction, `oks / invokes`, of the operations clients
 * invoked, here per side of a partition and per time window. A store that chooses consistency (CP)
 * answers nothing on the minority side of a partition; one that chooses availability (AP) answers
 * everything everywhere. The measurement says which one a store is, in numbers.
 *
 * An operation counts in the window its call falls in (`fromMs <= callMs < toMs`), whatever became of
 * it later: one that failed or never returned (indeterminate) is an invoke without an ok.
 *
 * @module
 */
import type { History } from '../../history.ts';
import { at, joinNames } from '../_internals/format.ts';
import { throwOnViolations, type Verdict, type Violation } from '../verdict.ts';

/** A group of clients, e.g. those on the minority side of a partition. */
export interface AvailabilitySide {
  /** The side's name as the sentence uses it, e.g. `minority {n1, c1}`. */
  readonly name: string;
  /** The clients on that side: their operations count for it. */
  readonly clients: readonly string[];
}

/** A stretch of virtual time, e.g. the partition: `fromMs` included, `toMs` not. */
export interface AvailabilityWindow {
  /** The window's name as the sentence uses it, e.g. `during the partition`. */
  readonly name: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** A bound on the ok-fraction of one side in one window. */
export interface AvailabilityBound {
  /** The side's name, as in {@link AvailabilitySide.name}. */
  readonly side: string;
  /** The window's name, as in {@link AvailabilityWindow.name}. */
  readonly window: string;
  /** The ok-fraction must be at least this (0 to 1). */
  readonly atLeast?: number;
  /** The ok-fraction must be at most this (0 to 1); `atMost: 0` says "the side refuses every operation". */
  readonly atMost?: number;
  /**
   * Invokes the cell must have for the bound to be judged; with fewer it passes (too few to say).
   * Default 1.
   */
  readonly minInvokes?: number;
}

/** Input to {@link checkAvailability}. */
export interface AvailabilityInput {
  /** The clients' operations. */
  readonly history: History;
  /** The sides to measure; a client in none of them counts for no side. */
  readonly sides: readonly AvailabilitySide[];
  /** The windows to measure. Default: one window, the whole run (`overall`). */
  readonly windows?: readonly AvailabilityWindow[];
  /** Bounds to check. Default: none (the checker only measures). */
  readonly bounds?: readonly AvailabilityBound[];
}

/** What one side did in one window. */
export interface AvailabilityCell {
  readonly side: string;
  readonly window: string;
  /** Operations called in the window by the side's clients. */
  readonly invokes: number;
  /** Of those, the ones that completed ok. */
  readonly oks: number;
  /** Of those, the ones that completed with a definite failure. */
  readonly fails: number;
  /** Of those, the ones whose client never learned the outcome (timeouts). */
  readonly indeterminate: number;
  /** `oks / invokes`; `null` when nothing was invoked. */
  readonly okFraction: number | null;
}

/** A side's ok-fraction in a window was outside its bound. Evidence: the cell. */
export interface AvailabilityViolation extends Violation<'availability', AvailabilityCell> {
  readonly cell: AvailabilityCell;
  readonly bound: AvailabilityBound;
}

/** What {@link checkAvailability} measured, reported whether or not it passed. */
export interface AvailabilitySummary {
  /** One cell per side and window, sides in the order given, each side's windows in the order given. */
  readonly cells: readonly AvailabilityCell[];
  /**
   * The measurement in sentences, one per cell, e.g. `minority {n1}, during the partition (t=1000 ms
   * to t=4000 ms): 0 of 12 operations ok (ok-fraction 0)`.
   */
  readonly sentence: string;
}

/** The answer of {@link checkAvailability}. */
export type AvailabilityVerdict = Verdict<AvailabilityViolation, AvailabilitySummary>;

/**
 * Measures the ok-fraction of each side in each window and checks the bounds.
 *
 * Cost: O(operations × windows).
 *
 * @throws Error for a bound that names an unknown side or window, or a window that ends before it starts.
 */
export function checkAvailability(input: AvailabilityInput): AvailabilityVerdict {
  const windows = input.windows ?? [{ name: 'overall', fromMs: 0, toMs: Number.POSITIVE_INFINITY }];
  for (const window of windows) {
    if (!(window.toMs >= window.fromMs)) {
      throw new Error(
        `Availability window "${window.name}" ends (t=${window.toMs}) before it starts (t=${window.fromMs}).`,
      );
    }
  }
  const cells = input.sides.flatMap((side) => windows.map((window) => measure(input.history, side, window)));
  const windowOf = new Map(windows.map((window) => [window.name, window]));
  const violations: AvailabilityViolation[] = [];
  for (const bound of input.bounds ?? []) {
    const cell = cells.find((candidate) => candidate.side === bound.side && candidate.window === bound.window);
    if (cell === undefined) {
      throw new Error(
        `Availability bound for side "${bound.side}" in window "${bound.window}": there is no such side or window. ` +
          `Sides: ${input.sides.map((side) => side.name).join(', ')}; windows: ${windows.map((window) => window.name).join(', ')}.`,
      );
    }
    const broken = brokenBound(cell, bound);
    if (broken !== null) {
      const side = input.sides.find((candidate) => candidate.name === bound.side)!;
      violations.push({
        property: 'availability',
        message: `${describeCell(cell, windowOf.get(cell.window)!)}; expected ${broken}`,
        evidence: [cell],
        focus: { nodes: side.clients, atMs: windowOf.get(cell.window)!.fromMs },
        cell,
        bound,
      });
    }
  }
  const sentence = cells.map((cell) => describeCell(cell, windowOf.get(cell.window)!)).join('\n');
  const summary = { cells, sentence };
  return violations.length === 0 ? { ok: true, ...summary } : { ok: false, violations, ...summary };
}

/** {@link checkAvailability}, throwing a `PropertyViolated` ("availability: …") if a bound is broken. */
export function assertAvailability(input: AvailabilityInput): AvailabilitySummary & { readonly ok: true } {
  return throwOnViolations(checkAvailability(input));
}

/**
 * Windows of `widthMs` from `fromMs` to `toMs` (the last one may be shorter), named by their times,
 * e.g. `t=0 ms to t=1000 ms`: for an ok-fraction over time, as in Maelstrom's availability plot.
 *
 * @throws RangeError for a width that is not a positive number.
 */
export function evenWindows(fromMs: number, toMs: number, widthMs: number): AvailabilityWindow[] {
  if (!(widthMs > 0) || !Number.isFinite(widthMs)) {
    throw new RangeError(`evenWindows needs a positive, finite width in ms; got ${String(widthMs)}.`);
  }
  const windows: AvailabilityWindow[] = [];
  for (let start = fromMs; start < toMs; start += widthMs) {
    const end = Math.min(toMs, start + widthMs);
    windows.push({ name: `${at(start)} to ${at(end)}`, fromMs: start, toMs: end });
  }
  return windows;
}

function measure(history: History, side: AvailabilitySide, window: AvailabilityWindow): AvailabilityCell {
  const clients = new Set(side.clients);
  let invokes = 0;
  let oks = 0;
  let fails = 0;
  for (const operation of history) {
    if (!clients.has(operation.clientId)) continue;
    if (operation.callMs < window.fromMs || operation.callMs >= window.toMs) continue;
    invokes++;
    if (operation.status === 'ok') oks++;
    else if (operation.status === 'fail') fails++;
  }
  const indeterminate = invokes - oks - fails;
  return {
    side: side.name,
    window: window.name,
    invokes,
    oks,
    fails,
    indeterminate,
    okFraction: invokes === 0 ? null : oks / invokes,
  };
}

function brokenBound(cell: AvailabilityCell, bound: AvailabilityBound): string | null {
  if (cell.okFraction === null || cell.invokes < (bound.minInvokes ?? 1)) return null;
  if (bound.atLeast !== undefined && cell.okFraction < bound.atLeast)
    return `an ok-fraction of at least ${bound.atLeast}`;
  if (bound.atMost !== undefined && cell.okFraction > bound.atMost) {
    return bound.atMost === 0
      ? 'no operation to complete ok (ok-fraction 0)'
      : `an ok-fraction of at most ${bound.atMost}`;
  }
  return null;
}

/** `minority {n1}, during the partition (t=1000 ms to t=4000 ms): 3 of 12 operations ok (ok-fraction 0.25; 9 without an answer)`. */
function describeCell(cell: AvailabilityCell, window: AvailabilityWindow): string {
  const span = Number.isFinite(window.toMs) ? ` (${at(window.fromMs)} to ${at(window.toMs)})` : '';
  const head = `${cell.side}, ${cell.window}${span === '' || cell.window.startsWith('t=') ? '' : span}`;
  if (cell.invokes === 0) return `${head}: no operations invoked`;
  const others = [
    ...(cell.fails === 0 ? [] : [`${cell.fails} refused`]),
    ...(cell.indeterminate === 0 ? [] : [`${cell.indeterminate} without an answer`]),
  ];
  const rest = others.length === 0 ? '' : `; ${joinNames(others)}`;
  return `${head}: ${cell.oks} of ${cell.invokes} operations ok (ok-fraction ${round(cell.okFraction!)}${rest})`;
}

function round(fraction: number): number {
  return Math.round(fraction * 1000) / 1000;
}
