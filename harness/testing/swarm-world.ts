/**
 * A swarm sweep: each seed draws its own world (network, faults, cluster size) and runs the same test
 * body in it. This is the default sweep for a chapter's tests: the seed alone replays the world, and a
 * failure report and the trace both say which world it was.
 *
 * @module
 */
import { describeSchedule, type FaultSchedule } from '../sim/index.ts';
import { drawSwarmSettings, swarmFaultSchedule, type SwarmOptions, type SwarmSettings } from '../faults/index.ts';
import type { NodeId } from '../node.ts';
import { forEachSeed } from './sweep.ts';
import { swarmDetails } from './swarm-details.ts';

/** Options for {@link drawSwarmWorld} and {@link forEachSwarmSeed}. */
export interface SwarmWorldOptions {
  /** What the protocol can bear: its longest timeout, the cluster sizes it works with, the kinds of fault. */
  readonly swarm: SwarmOptions;
  /**
   * The nodes faults may hit. A function gets the drawn cluster size (when `swarm.clusterSizes` is
   * given; `undefined` otherwise), e.g. `(size) => Object.keys(cluster(size ?? 3, createNode))`.
   */
  readonly nodes: readonly NodeId[] | ((clusterSize: number | undefined) => readonly NodeId[]);
  /** Faults happen until this time; at this time every fault heals and crashed nodes restart. */
  readonly healAtMs: number;
}

/** One seed's world: its settings, the fault schedule drawn under them, and the facts to report. */
export interface SwarmWorld {
  /** The drawn settings. */
  readonly settings: SwarmSettings;
  /** The servers faults may hit, `settings.clusterSize` of them when the size was drawn. */
  readonly nodes: readonly NodeId[];
  /** The fault schedule, healing at `healAtMs`. */
  readonly faults: FaultSchedule;
  /** When every fault heals, ms: recovery bounds count from here. */
  readonly healAtMs: number;
  /** `details` for `simulate`: the settings and the schedule, on failure and in the trace. */
  readonly details: Readonly<Record<string, string>>;
}

/** Draws the world of `seed`: the same seed and options always give the same world. */
export function drawSwarmWorld(seed: number, options: SwarmWorldOptions): SwarmWorld {
  const settings = drawSwarmSettings(seed, options.swarm);
  const nodes = typeof options.nodes === 'function' ? options.nodes(settings.clusterSize) : options.nodes;
  const faults = swarmFaultSchedule(seed, settings, { nodes, healAtMs: options.healAtMs });
  return {
    settings,
    nodes,
    faults,
    healAtMs: options.healAtMs,
    details: { ...swarmDetails(settings), 'fault schedule': describeSchedule(faults) },
  };
}

/** Options for {@link forEachSwarmSeed}. */
export interface SwarmSweepOptions extends SwarmWorldOptions {
  /** How many seeds (`KATA_SEEDS` overrides it for a soak). */
  readonly count: number;
  /** The first seed. Default 1. */
  readonly firstSeed?: number;
}

/**
 * Runs `body` in the world of each seed ({@link drawSwarmWorld}), stopping at the first failure;
 * with `KATA_SEED` set, only that seed's world.
 *
 * ```ts
 * await forEachSwarmSeed({ count: 100, swarm: { timeoutMs: 300, clusterSizes: { min: 3, max: 7 } },
 *   nodes: (size) => ids(size!), healAtMs: 5_000 }, async (seed, world) => {
 *   await simulate({ seed, nodes: cluster(world.nodes, createNode), faults: world.faults, details: world.details }, body);
 * });
 * ```
 */
export async function forEachSwarmSeed(
  options: SwarmSweepOptions,
  body: (seed: number, world: SwarmWorld) => Promise<void>,
): Promise<void> {
  const { count, firstSeed, ...world } = options;
  await forEachSeed({ count, ...(firstSeed === undefined ? {} : { firstSeed }) }, (seed) =>
    body(seed, drawSwarmWorld(seed, world)),
  );
}
