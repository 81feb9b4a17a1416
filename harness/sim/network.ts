/**
 * The network's fault settings and the state of its links.
 *
 * Each decision the network makes (drop this message? duplicate it? how long does it travel?) is one
 * small predicate over the network's own seeded generator, so the same seed makes the same decisions.
 *
 * @module
 */
import type { NodeId } from '../node.ts';
import type { Rng } from '../random.ts';

/**
 * How a message's travel time is drawn: uniformly between `min` and `max` ms, both included, except that
 * with a `tail` a few messages take much longer.
 */
export interface DelayRange {
  readonly min: number;
  readonly max: number;
  /** A long tail of slow messages. Default none: every delay is within `min`–`max`. */
  readonly tail?: DelayTail;
}

/**
 * The long tail of a delay distribution: with probability `rate`, a message's delay is drawn uniformly
 * from `(max, maxMs]` instead of `[min, max]`. This is how a reply outlives the timer that was waiting
 * for it.
 */
export interface DelayTail {
  /** Probability that a message falls in the tail, from 0 to 1. */
  readonly rate: number;
  /** The longest delay in the tail, ms; more than the range's `max`. */
  readonly maxMs: number;
}

/** The network's fault settings. Reordering follows from the spread of the delay. */
export interface NetworkSettings {
  /** Travel time of a message, in ms. Default `{ min: 1, max: 10 }`. */
  readonly delayMs: DelayRange;
  /** Probability that a message is lost, from 0 to 1. Default 0. */
  readonly dropRate: number;
  /** Probability that a message arrives twice (each copy with its own delay), from 0 to 1. Default 0. */
  readonly duplicateRate: number;
}

/** The network's settings when none are given: a reliable network with 1–10 ms delays. */
export const DEFAULT_NETWORK: NetworkSettings = { delayMs: { min: 1, max: 10 }, dropRate: 0, duplicateRate: 0 };

/** Settings as a user may write them: any field may be left out, and a fixed delay may be a number. */
export interface NetworkSettingsInput {
  readonly delayMs?: DelayRange | number;
  readonly dropRate?: number;
  readonly duplicateRate?: number;
}

/**
 * Merges `input` into `base`, checking every value.
 *
 * @throws RangeError naming the bad setting.
 */
export function resolveNetworkSettings(base: NetworkSettings, input: NetworkSettingsInput): NetworkSettings {
  const delayMs = input.delayMs === undefined ? base.delayMs : toRange(input.delayMs);
  if (
    !Number.isInteger(delayMs.min) ||
    !Number.isInteger(delayMs.max) ||
    delayMs.min < 0 ||
    delayMs.max < delayMs.min
  ) {
    throw new RangeError(
      `Network delayMs must be whole milliseconds with 0 <= min <= max; got ${JSON.stringify(delayMs)}.`,
    );
  }
  if (delayMs.tail !== undefined) checkTail(delayMs);
  const dropRate = input.dropRate ?? base.dropRate;
  const duplicateRate = input.duplicateRate ?? base.duplicateRate;
  checkProbability('dropRate', dropRate);
  checkProbability('duplicateRate', duplicateRate);
  return { delayMs, dropRate, duplicateRate };
}

function toRange(delay: DelayRange | number): DelayRange {
  if (typeof delay === 'number') return { min: delay, max: delay };
  // No `tail` key at all without a tail, so the trace's network events stay as they were.
  const { min, max, tail } = delay;
  return tail === undefined ? { min, max } : { min, max, tail: { rate: tail.rate, maxMs: tail.maxMs } };
}

function checkTail(delayMs: DelayRange): void {
  const { rate, maxMs } = delayMs.tail!;
  checkProbability('delayMs.tail.rate', rate);
  if (!Number.isInteger(maxMs) || maxMs <= delayMs.max) {
    throw new RangeError(
      `Network delayMs.tail.maxMs must be whole milliseconds above delayMs.max (${delayMs.max}); got ${String(maxMs)}.`,
    );
  }
}

function checkProbability(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) {
    throw new RangeError(`Network ${name} must be a probability from 0 to 1; got ${String(value)}.`);
  }
}

/** Should this message be lost? */
export function shouldDrop(settings: NetworkSettings, rng: Rng): boolean {
  return rng.chance(settings.dropRate);
}

/** Should the network deliver an extra copy of this message? */
export function shouldDuplicate(settings: NetworkSettings, rng: Rng): boolean {
  return rng.chance(settings.duplicateRate);
}

/**
 * How long this message travels, in ms. Without a tail this draws exactly what it always drew, so
 * existing runs replay unchanged; a tail costs one more draw per message.
 */
export function travelTimeMs(settings: NetworkSettings, rng: Rng): number {
  const { min, max, tail } = settings.delayMs;
  if (tail !== undefined && rng.chance(tail.rate)) return rng.int(max + 1, tail.maxMs);
  return min === max ? min : rng.int(min, max);
}

/**
 * Which directed links are cut. A node can always reach itself.
 *
 * Invariant: `#cut` holds keys `from→to` for exactly the directed links that drop every message.
 */
export class LinkState {
  readonly #cut = new Set<string>();

  /** Is the link from `from` to `to` cut? */
  isCut(from: NodeId, to: NodeId): boolean {
    return this.#cut.size > 0 && from !== to && this.#cut.has(linkKey(from, to));
  }

  /** Cuts the directed link from `from` to `to` (messages the other way still pass). */
  cut(from: NodeId, to: NodeId): void {
    if (from !== to) this.#cut.add(linkKey(from, to));
  }

  /** Cuts every link between different groups, in both directions. Nodes in no group are untouched. */
  partition(groups: ReadonlyArray<readonly NodeId[]>): void {
    for (let a = 0; a < groups.length; a++) {
      for (let b = 0; b < groups.length; b++) {
        if (a === b) continue;
        for (const from of groups[a]!) for (const to of groups[b]!) this.cut(from, to);
      }
    }
  }

  /** Cuts every link to and from `node`. */
  isolate(node: NodeId, everyone: readonly NodeId[]): void {
    for (const other of everyone) {
      this.cut(node, other);
      this.cut(other, node);
    }
  }

  /** Restores every link. */
  heal(): void {
    this.#cut.clear();
  }

  /** Every cut link as `[from, to]`, sorted. */
  cutLinks(): Array<[NodeId, NodeId]> {
    return [...this.#cut].sort().map((key) => key.split('→') as [NodeId, NodeId]);
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}→${to}`;
}
