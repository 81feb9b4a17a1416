/**
 * The drawn swarm settings of a run, as an entry of `simulate`'s `details`, so a failure report and
 * the trace say in which world the run failed.
 *
 * @module
 */
import { describeSwarmSettings, type SwarmSettings } from '../faults/index.ts';

/**
 * `details` for `simulate` that show `settings` on one line, e.g.
 *
 * ```ts
 * const settings = drawSwarmSettings(seed, { timeoutMs: 300, clusterSizes: { min: 3, max: 7 } });
 * const faults = swarmFaultSchedule(seed, settings, { nodes, healAtMs: 20_000 });
 * await simulate({ seed, nodes: cluster(settings.clusterSize!, createNode), faults,
 *   details: { ...swarmDetails(settings), 'fault schedule': describeSchedule(faults) } }, body);
 * ```
 *
 * The seed alone replays them: `KATA_SEED=<seed>` draws the same settings and the same schedule.
 */
export function swarmDetails(settings: SwarmSettings): Readonly<Record<string, string>> {
  return { 'swarm settings': describeSwarmSettings(settings) };
}
