/**
 * Fault schedules written by hand, that read like a story.
 *
 * ```ts
 * const faults = scenario()
 *   .at(3_000).partition(['n1'], ['n2', 'n3'])
 *   .at(5_000).heal()
 *   .at(6_000).crash('n2')
 *   .at(7_000).restart('n2')
 *   .at(8_000).pause('n3', 2_000)
 *   .build();
 * ```
 *
 * @module
 */
import type { NodeId } from '../node.ts';
import {
  sortSchedule,
  type ClockSettings,
  type Fault,
  type FaultSchedule,
  type NetworkSettingsInput,
  type ScheduledFault,
  type TargetedCrash,
} from '../sim/index.ts';

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
    return this.#add(
      options.afterEffects === undefined
        ? { kind: 'crash', node }
        : { kind: 'crash', node, afterEffects: options.afterEffects },
    );
  }

  /**
   * Crashes `node` partway through its next step of kind `step` (a message type, a timer type,
   * `onStart`, or `'any-seen'` for one drawn from those it has taken), after `afterEffects` of that
   * step's effects (default 0). See `TargetedCrash` for `restartAfterMs`, `untilMs` and `provokeStart`.
   */
  targetedCrash(
    node: NodeId,
    step: TargetedCrash['step'],
    options: Partial<Pick<TargetedCrash, 'afterEffects' | 'restartAfterMs' | 'untilMs' | 'provokeStart'>> = {},
  ): this {
    return this.#add({ kind: 'targeted-crash', node, step, ...options, afterEffects: options.afterEffects ?? 0 });
  }

  /**
   * Pauses `node` for `durationMs` (a long GC pause, a VM migration): it takes no step meanwhile, but
   * keeps its state and timers; messages to it wait, and it wakes with its clock moved on.
   */
  pause(node: NodeId, durationMs: number): this {
    return this.#add({ kind: 'pause', node, durationMs });
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
