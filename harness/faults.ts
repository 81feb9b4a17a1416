/**
 * Faults as data: what goes wrong, and when.
 *
 * A fault schedule is a plain array of {@link ScheduledFault}s, so it can be written by hand with the
 * {@link scenario} builder, drawn from a seed, or generated (and shrunk) by fast-check with
 * `faultScheduleArbitrary`.
 *
 * ```ts
 * const faults = scenario()
 *   .at(3_000).partition(['n1'], ['n2', 'n3'])
 *   .at(5_000).heal()
 *   .at(6_000).crash('n2')
 *   .at(7_000).restart('n2')
 *   .build();
 * ```
 *
 * @module
 */
import type { ClockSettings } from './clock.ts';
import type { NetworkSettingsInput } from './network.ts';
import type { NodeId } from './node.ts';

/** One thing that goes wrong (or gets better). */
export type Fault =
  /**
   * Split nodes into groups that cannot talk to each other. Nodes in no group keep all their links.
   * Cuts add up: a partition adds its cuts to those already in place, so `heal` first to replace one.
   */
  | { readonly kind: 'partition'; readonly groups: ReadonlyArray<readonly NodeId[]> }
  /** Cut every link to and from one node. */
  | { readonly kind: 'isolate'; readonly node: NodeId }
  /** Cut one direction of one link: `from` can no longer reach `to`, but `to` still reaches `from`. */
  | { readonly kind: 'cut'; readonly from: NodeId; readonly to: NodeId }
  /** Restore every link. */
  | { readonly kind: 'heal' }
  /**
   * Crash a node: volatile state, timers and messages in flight to it are lost; storage survives.
   * With `afterEffects`, the crash strikes partway through the node's next step, after that many
   * effects (sends, replies, timers, storage writes).
   */
  | { readonly kind: 'crash'; readonly node: NodeId; readonly afterEffects?: number }
  /** Restart a crashed node: a fresh instance runs `onStart` with its durable storage. */
  | { readonly kind: 'restart'; readonly node: NodeId }
  /** Change the network's drop, duplicate and delay settings. */
  | { readonly kind: 'network'; readonly settings: NetworkSettingsInput }
  /** Change a node's clock skew and drift. */
  | { readonly kind: 'clock'; readonly node: NodeId; readonly clock: Partial<ClockSettings> };

/** A fault and the virtual time (ms) at which it happens. */
export type ScheduledFault = Fault & { readonly atMs: number };

/** A fault schedule: faults in the order they happen. */
export type FaultSchedule = readonly ScheduledFault[];

/** Describes a fault in a few words, e.g. `partition {n1} | {n2, n3}`. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'partition':
      return `partition ${fault.groups.map((group) => `{${group.join(', ')}}`).join(' | ')}`;
    case 'isolate':
      return `isolate ${fault.node}`;
    case 'cut':
      return `cut ${fault.from} → ${fault.to}`;
    case 'heal':
      return 'heal';
    case 'crash':
      return fault.afterEffects === undefined
        ? `crash ${fault.node}`
        : `crash ${fault.node} during its next step, after ${fault.afterEffects} effect(s)`;
    case 'restart':
      return `restart ${fault.node}`;
    case 'network':
      return `network ${JSON.stringify(fault.settings)}`;
    case 'clock':
      return `clock ${fault.node} ${JSON.stringify(fault.clock)}`;
  }
}

/** Describes a schedule, one fault per line: `t=3000ms partition {n1} | {n2, n3}`. */
export function describeSchedule(schedule: FaultSchedule): string {
  if (schedule.length === 0) return '(no faults)';
  return schedule.map((fault) => `t=${fault.atMs}ms ${describeFault(fault)}`).join('\n');
}

/** Builds a fault schedule that reads like a story. Start one with {@link scenario}. */
export class ScenarioBuilder {
  readonly #faults: ScheduledFault[] = [];
  #atMs = 0;

  /** The faults that follow happen at `atMs` (virtual ms since the start of the run). */
  at(atMs: number): this {
    if (!Number.isInteger(atMs) || atMs < 0) {
      throw new RangeError(`scenario().at() takes whole, non-negative milliseconds; got ${String(atMs)}.`);
    }
    this.#atMs = atMs;
    return this;
  }

  /** Splits nodes into groups that cannot talk to each other. */
  partition(...groups: ReadonlyArray<readonly NodeId[]>): this {
    return this.#add({ kind: 'partition', groups });
  }

  /** Cuts every link to and from `node`. */
  isolate(node: NodeId): this {
    return this.#add({ kind: 'isolate', node });
  }

  /** Cuts the link from `from` to `to`, in that direction only. */
  cut(from: NodeId, to: NodeId): this {
    return this.#add({ kind: 'cut', from, to });
  }

  /** Restores every link. */
  heal(): this {
    return this.#add({ kind: 'heal' });
  }

  /** Crashes `node`; with `afterEffects`, partway through its next step after that many effects. */
  crash(node: NodeId, options: { readonly afterEffects?: number } = {}): this {
    return this.#add(options.afterEffects === undefined ? { kind: 'crash', node } : { kind: 'crash', node, afterEffects: options.afterEffects });
  }

  /** Restarts `node` after a crash. */
  restart(node: NodeId): this {
    return this.#add({ kind: 'restart', node });
  }

  /** Changes the network's fault settings. */
  network(settings: NetworkSettingsInput): this {
    return this.#add({ kind: 'network', settings });
  }

  /** Changes a node's clock. */
  clock(node: NodeId, clock: Partial<ClockSettings>): this {
    return this.#add({ kind: 'clock', node, clock });
  }

  /** The schedule, ordered by time (faults at the same time keep the order they were written in). */
  build(): FaultSchedule {
    return sortSchedule(this.#faults);
  }

  #add(fault: Fault): this {
    this.#faults.push({ ...fault, atMs: this.#atMs });
    return this;
  }
}

/** Starts a scripted fault schedule. */
export function scenario(): ScenarioBuilder {
  return new ScenarioBuilder();
}

/** Sorts a schedule by time; faults at the same time keep their order. */
export function sortSchedule(schedule: readonly ScheduledFault[]): FaultSchedule {
  return schedule
    .map((fault, index) => ({ fault, index }))
    .sort((a, b) => a.fault.atMs - b.fault.atMs || a.index - b.index)
    .map(({ fault }) => fault);
}
