/**
 * Test support for chapter 2 (not a learner file): swarm worlds for protocols that assume every message
 * arrives (Lamport clocks, causal broadcast). Each seed draws its own network, as in any swarm sweep:
 * duplicates, reordering and a long tail of slow messages, but no drops; so the only faults are changes
 * of the network (and, where asked for, of the nodes' clocks), never a partition or a crash, which lose
 * messages too.
 *
 * @module
 */
import {
  describeSchedule,
  drawSwarmWorld,
  forEachSeed,
  type NetworkSettingsInput,
  swarmDetails,
  type SwarmSweepOptions,
  type SwarmWorld,
} from '#harness/testing';

/** The kinds of fault a lossless world may have: none that loses a message. */
type LosslessKind = 'network' | 'clock';

/** Options for {@link forEachLosslessSwarmSeed}: those of a swarm sweep, with only lossless kinds of fault. */
export interface LosslessSwarmOptions extends Omit<SwarmSweepOptions, 'swarm'> {
  readonly swarm: Omit<SwarmSweepOptions['swarm'], 'kinds'> & { readonly kinds?: readonly LosslessKind[] };
  /** Also no duplicates, for a protocol that assumes each message arrives once. Default false. */
  readonly withoutDuplicates?: boolean;
}

/**
 * The world of `seed` as `drawSwarmWorld` draws it, with every drop rate set to 0 (and every duplicate
 * rate too, with `withoutDuplicates`); the delays and their tail stay as drawn. Default kinds: `network`
 * only.
 */
function drawLosslessSwarmWorld(seed: number, options: Omit<LosslessSwarmOptions, 'count' | 'firstSeed'>): SwarmWorld {
  const world = drawSwarmWorld(seed, { ...options, swarm: { kinds: ['network'], ...options.swarm } });
  const lossless = <T extends NetworkSettingsInput>(network: T): T => ({
    ...network,
    dropRate: 0,
    ...(options.withoutDuplicates === true ? { duplicateRate: 0 } : {}),
  });
  const faults = world.faults.map((fault) =>
    fault.kind === 'network' ? { ...fault, settings: lossless(fault.settings) } : fault,
  );
  const settings = { ...world.settings, network: lossless(world.settings.network) };
  return {
    ...world,
    settings,
    faults,
    details: { ...swarmDetails(settings), 'fault schedule': describeSchedule(faults) },
  };
}

/** Runs `body` in the lossless world of each seed, stopping at the first failure (see `forEachSwarmSeed`). */
export async function forEachLosslessSwarmSeed(
  options: LosslessSwarmOptions,
  body: (seed: number, world: SwarmWorld) => Promise<void>,
): Promise<void> {
  const { count, firstSeed, ...world } = options;
  await forEachSeed({ count, ...(firstSeed === undefined ? {} : { firstSeed }) }, (seed) =>
    body(seed, drawLosslessSwarmWorld(seed, world)),
  );
}
