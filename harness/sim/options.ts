/**
 * How a simulation is built and how long it runs: the options, the limits, and {@link cluster}.
 *
 * @module
 */
import type { ClockSettings } from './clock.ts';
import type { FaultSchedule } from './fault.ts';
import type { NetworkSettingsInput } from './network.ts';
import type { NodeFactory, NodeId } from '../node.ts';

/** Upper bounds that turn a runaway run into a clear error instead of a hang. */
export interface SimulationLimits {
  /** Most events one simulation may process in total. Default 5,000,000. */
  readonly maxEvents: number;
  /** Latest virtual time a run may reach when no `untilMs` is given. Default 3,600,000 (one hour). */
  readonly maxTimeMs: number;
  /** Most messages plus timers one handler call may ask for. Default 10,000. */
  readonly maxEffectsPerStep: number;
  /** Most timers one node may have pending at once. Default 10,000. */
  readonly maxTimersPerNode: number;
  /** Most events processed without virtual time advancing. Default 200,000. */
  readonly maxEventsAtOneTime: number;
  /**
   * Most real (wall-clock) time one step may take, in ms: a handler that has not returned by then never
   * will (`while (ctx.now() < until) {}`), and is stopped with a report. 0 for no limit. Default 5,000.
   */
  readonly maxStepRealTimeMs: number;
  /**
   * Most real time one run may take, in ms, so that a runaway run stops with its report before the
   * test runner's timeout. Where it stops depends on the machine's speed. 0 for no limit. Default 50,000.
   */
  readonly maxRunRealTimeMs: number;
}

/** The limits used when none are given. */
export const DEFAULT_LIMITS: SimulationLimits = {
  maxEvents: 5_000_000,
  maxTimeMs: 3_600_000,
  maxEffectsPerStep: 10_000,
  maxTimersPerNode: 10_000,
  maxEventsAtOneTime: 200_000,
  maxStepRealTimeMs: 5_000,
  maxRunRealTimeMs: 50_000,
};

/** How to build a simulation. */
export interface SimulationOptions {
  /** The one seed every random choice of the run derives from: a 32-bit unsigned integer. */
  readonly seed: number;
  /** The server nodes, by id. {@link cluster} builds this for n nodes of one kind. */
  readonly nodes: Readonly<Record<NodeId, NodeFactory>>;
  /** The network's fault settings. Default: reliable, 1–10 ms delays. */
  readonly network?: NetworkSettingsInput;
  /** Per-node clock skew and drift. Default: perfect clocks. */
  readonly clocks?: Readonly<Record<NodeId, Partial<ClockSettings>>>;
  /** Faults to apply at given virtual times. */
  readonly faults?: FaultSchedule;
  /** Limits on the run. */
  readonly limits?: Partial<SimulationLimits>;
  /** Record the trace (default true). Turning it off only makes sense for benchmarks. */
  readonly recordTrace?: boolean;
}

/** How long to run. */
export interface RunOptions {
  /** Stop when virtual time reaches this (ms); events due later stay queued for the next `run`. */
  readonly untilMs?: number;
}

/** Builds the `nodes` option for `count` nodes named `n1`, `n2`, ... (or the given ids), all of one kind. */
export function cluster(countOrIds: number | readonly NodeId[], factory: NodeFactory): Record<NodeId, NodeFactory> {
  const ids =
    typeof countOrIds === 'number' ? Array.from({ length: countOrIds }, (_, index) => `n${index + 1}`) : countOrIds;
  return Object.fromEntries(ids.map((id) => [id, factory]));
}

/** Sorts ids so that `n2` comes before `n10`. */
export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
