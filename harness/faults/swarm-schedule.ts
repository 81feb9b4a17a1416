/**
 * The fault schedule of a swarm run: the faults that {@link SwarmSettings} switched on, drawn by the
 * same generator as {@link randomFaultSchedule}, with the drawn network from t=0 and the usual healing
 * phase.
 *
 * @module
 */
import type { NodeId } from '../node.ts';
import { sortSchedule, type FaultSchedule, type ScheduledFault } from '../sim/index.ts';
import { randomFaultSchedule, withHealing } from './random-schedule.ts';
import type { SwarmSettings } from './swarm-settings.ts';

/** Options for {@link swarmFaultSchedule}. */
export interface SwarmScheduleOptions {
  /** The nodes faults may hit (usually the servers, `clusterSize` of them if it was drawn). */
  readonly nodes: readonly NodeId[];
  /** Faults happen between t=0 and this time; at this time everything heals. */
  readonly healAtMs: number;
}

/**
 * A fault schedule drawn from `seed` under `settings` (the same seed and settings always give the same
 * schedule):
 *
 * - at t=0 the network takes `settings.network`, long tail included;
 * - until `healAtMs`, at most `settings.maxFaults` faults of `settings.kinds`, each partition, cut or
 *   crash lasting `settings.faultMs` (cut short at `healAtMs`); a `network` fault changes the rates and
 *   delays, never above the drawn ones, and keeps the tail;
 * - at `healAtMs` every link heals, the network becomes reliable (no tail) and crashed nodes restart.
 */
export function swarmFaultSchedule(
  seed: number,
  settings: SwarmSettings,
  options: SwarmScheduleOptions,
): FaultSchedule {
  const start: ScheduledFault = { atMs: 0, kind: 'network', settings: settings.network };
  if (settings.kinds.length === 0) return [start, ...withHealing([], options)];
  const { network, faultMs } = settings;
  const drawn = randomFaultSchedule(seed, {
    ...options,
    kinds: settings.kinds,
    maxFaults: settings.maxFaults,
    minFaultMs: faultMs.min,
    maxFaultMs: faultMs.max,
    maxDropRate: network.dropRate,
    maxDuplicateRate: network.duplicateRate,
    maxDelayMs: network.delayMs.max,
  });
  const tail = network.delayMs.tail;
  const faults = drawn.map((fault): ScheduledFault => {
    // The healing network fault (at healAtMs) stays reliable; the ones before it keep the drawn tail.
    if (fault.kind !== 'network' || fault.atMs >= options.healAtMs || tail === undefined) return fault;
    const delayMs = fault.settings.delayMs;
    if (delayMs === undefined || typeof delayMs === 'number') return fault;
    return { ...fault, settings: { ...fault.settings, delayMs: { ...delayMs, tail } } };
  });
  // sortSchedule keeps the order of faults at the same time, so the t=0 network comes first.
  return sortSchedule([start, ...faults]);
}
