/**
 * Swarm testing: the fault *settings* of a run drawn from its seed, as TigerBeetle's VOPR draws them
 * (src/vopr.zig). One seed gets a lossy network with a long tail of slow messages and long partitions,
 * the next a clean network with only crashes, the next five servers and every fault at once. A fixed,
 * gentle world (delays always below every timeout, always three servers) never shows the bugs that live
 * in the tails.
 *
 * The settings are plain data: they print on one line ({@link describeSwarmSettings}), go into a
 * failure report and a trace, and the seed draws them again.
 *
 * @module
 */
import { deriveSeed, Rng } from '../random.ts';
import type { DelayRange, NetworkSettings } from '../sim/index.ts';
import { describeNetwork } from '../trace/index.ts';
import type { RandomFaultKind } from './random-schedule.ts';

/** Options for {@link drawSwarmSettings}: what the protocol under test can bear. */
export interface SwarmOptions {
  /**
   * The protocol's longest timeout, ms (e.g. the upper end of Raft's election timeout). Ordinary delays
   * stay below half of it; the long tail reaches up to 10 times it, so late replies happen.
   */
  readonly timeoutMs: number;
  /** Longest a partition, cut or crash may last, ms. Default 20,000. */
  readonly maxPartitionMs?: number;
  /**
   * The cluster sizes the test works with, both included, e.g. `{ min: 3, max: 7 }`. Default: the
   * size is not drawn (the settings have no `clusterSize`).
   */
  readonly clusterSizes?: { readonly min: number; readonly max: number };
  /**
   * The kinds of fault the swarm may switch on; each is on for about half the seeds. Default:
   * partition, isolate, cut, crash, network, targeted-crash (add `clock` where the protocol reads clocks,
   * `pause` where it must survive a node that stops for a while and wakes with stale beliefs).
   */
  readonly kinds?: readonly RandomFaultKind[];
}

/**
 * The fault settings of one run, drawn by {@link drawSwarmSettings}. Plain, JSON-serialisable data;
 * a field that does not apply is left out rather than `undefined`.
 */
export interface SwarmSettings {
  /** The network from t=0 until the faults heal (a `network` fault may change it in between). */
  readonly network: NetworkSettings;
  /** The kinds of fault that strike in this run, in a fixed order; may be empty. */
  readonly kinds: readonly RandomFaultKind[];
  /** How long each partition, cut, crash or pause lasts, ms (cut short by the healing at `healAtMs`). */
  readonly faultMs: { readonly min: number; readonly max: number };
  /** Most faults in the run (each crash counts once, with its restart). */
  readonly maxFaults: number;
  /** The number of servers, if the options allowed a range of sizes. */
  readonly clusterSize?: number;
}

const DEFAULT_KINDS: readonly RandomFaultKind[] = ['partition', 'isolate', 'cut', 'crash', 'network', 'targeted-crash'];
/** The kinds switched on by the draws in the middle; kinds added later are drawn at the end. */
const KIND_ORDER: readonly RandomFaultKind[] = ['partition', 'isolate', 'cut', 'crash', 'network', 'clock'];
/** Kinds added after the first, each drawn after all the other settings, in this order. */
const LATER_KINDS: readonly RandomFaultKind[] = ['targeted-crash', 'pause'];
const MAX_DROP_RATE = 0.3;
const MAX_DUPLICATE_RATE = 0.3;
const MAX_FAULTS = 10;

/**
 * Draws the fault settings of a run from `seed` alone (through its own child seed, `swarm`, so they
 * echo no other random choice of the run). The same seed and options always give the same settings.
 *
 * - drop and duplicate rates: each exactly 0 for about a third of the seeds, else up to 0.3;
 * - delays: uniform up to half of `timeoutMs`, and for most seeds a long tail at a low rate
 *   (0.1%–5% of messages) reaching up to 10 times `timeoutMs`;
 * - each allowed kind of fault on or off, and how long faults last (log-uniform, from 1 ms to
 *   `maxPartitionMs`) and how many there are;
 * - the cluster size, when `clusterSizes` is given.
 *
 * @throws RangeError naming the bad option.
 */
export function drawSwarmSettings(seed: number, options: SwarmOptions): SwarmSettings {
  checkOptions(options);
  const rng = new Rng(deriveSeed(seed, 'swarm'));
  // The order of the draws is part of every seed's world: append new draws at the end.
  const dropRate = rateOrZero(rng, MAX_DROP_RATE);
  const duplicateRate = rateOrZero(rng, MAX_DUPLICATE_RATE);
  const delayMs = drawDelay(rng, options.timeoutMs);
  const allowed = options.kinds ?? DEFAULT_KINDS;
  const kinds = KIND_ORDER.filter((kind) => allowed.includes(kind) && rng.chance(0.5));
  const maxPartitionMs = options.maxPartitionMs ?? 20_000;
  const lengths = [logUniformInt(rng, 1, maxPartitionMs), logUniformInt(rng, 1, maxPartitionMs)].sort((a, b) => a - b);
  const maxFaults = rng.int(1, MAX_FAULTS);
  const sizes = options.clusterSizes;
  const clusterSize = sizes === undefined ? undefined : rng.int(sizes.min, sizes.max);
  const later = LATER_KINDS.filter((kind) => allowed.includes(kind) && rng.chance(0.5));
  return {
    network: { dropRate, duplicateRate, delayMs },
    kinds: [...kinds, ...later],
    faultMs: { min: lengths[0]!, max: lengths[1]! },
    maxFaults,
    ...(clusterSize === undefined ? {} : { clusterSize }),
  };
}

/**
 * The settings on one line, for failure reports and traces, e.g.
 * `drop 0.12, duplicate 0, delay 3–40 ms, 1.5% up to 2400 ms; partition, crash lasting 12–8000 ms, at most 5; 5 servers`.
 */
export function describeSwarmSettings(settings: SwarmSettings): string {
  const network = describeNetwork({ t: 0, kind: 'network', ...settings.network }).replace(/^network: /, '');
  const { min, max } = settings.faultMs;
  const faults =
    settings.kinds.length === 0
      ? 'no faults'
      : `${settings.kinds.join(', ')} lasting ${min}–${max} ms, at most ${settings.maxFaults}`;
  const size = settings.clusterSize === undefined ? '' : `; ${settings.clusterSize} servers`;
  return `${network}; ${faults}${size}`;
}

function checkOptions(options: SwarmOptions): void {
  const { timeoutMs, maxPartitionMs, clusterSizes } = options;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new RangeError(`Swarm timeoutMs must be a whole number of ms, at least 1; got ${String(timeoutMs)}.`);
  }
  if (maxPartitionMs !== undefined && (!Number.isInteger(maxPartitionMs) || maxPartitionMs < 1)) {
    throw new RangeError(
      `Swarm maxPartitionMs must be a whole number of ms, at least 1; got ${String(maxPartitionMs)}.`,
    );
  }
  if (
    clusterSizes !== undefined &&
    !(
      Number.isInteger(clusterSizes.min) &&
      Number.isInteger(clusterSizes.max) &&
      clusterSizes.min >= 1 &&
      clusterSizes.min <= clusterSizes.max
    )
  ) {
    throw new RangeError(
      `Swarm clusterSizes must be whole numbers with 1 <= min <= max; got ${JSON.stringify(clusterSizes)}.`,
    );
  }
}

/** Exactly 0 for a third of the seeds (a clean network is a world too), else a rate in (0, `max`]. */
function rateOrZero(rng: Rng, max: number): number {
  if (rng.chance(1 / 3)) return 0;
  return Math.max(0.001, Math.round(rng.next() * max * 1000) / 1000);
}

/** Ordinary delays below half the timeout; for four seeds in five, a tail up to 10 times the timeout. */
function drawDelay(rng: Rng, timeoutMs: number): DelayRange {
  const max = rng.int(1, Math.max(1, Math.floor(timeoutMs / 2)));
  const min = rng.int(0, Math.floor(max / 2));
  if (!rng.chance(0.8)) return { min, max };
  const rate = Math.round(logUniform(rng, 0.001, 0.05) * 10_000) / 10_000;
  const maxMs = rng.int(Math.max(max + 1, timeoutMs), 10 * timeoutMs);
  return { min, max, tail: { rate, maxMs } };
}

/** A number from `low` to `high` whose logarithm is uniform: as many short values as long ones. */
function logUniform(rng: Rng, low: number, high: number): number {
  return low * (high / low) ** rng.next();
}

function logUniformInt(rng: Rng, low: number, high: number): number {
  return Math.min(high, Math.max(low, Math.round(logUniform(rng, low, high))));
}
