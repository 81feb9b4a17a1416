/**
 * Faults as data: what goes wrong, and when. The simulator applies them (`Simulation.apply`, or the
 * `faults` option of a simulation); `harness/faults` writes schedules by hand (`scenario()`) or draws them at random.
 *
 * A fault schedule is a plain array of {@link ScheduledFault}s.
 *
 * @module
 */
import type { ClockSettings } from './clock.ts';
import type { NetworkSettingsInput } from './network.ts';
import type { NodeId } from '../node.ts';

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
  /**
   * Crash a node partway through its next step of one kind (see {@link TargetedCrash}): a rare step,
   * such as installing a snapshot or recovering in `onStart`, is hit as surely as a common one.
   */
  | TargetedCrash
  /**
   * Pause a node for `durationMs` (a long GC pause, a VM migration): it takes no step, but keeps its
   * state and timers; messages to it wait, and its clock has jumped ahead when it wakes.
   */
  | { readonly kind: 'pause'; readonly node: NodeId; readonly durationMs: number }
  /** Restart a crashed node: a fresh instance runs `onStart` with its durable storage. */
  | { readonly kind: 'restart'; readonly node: NodeId }
  /** Change the network's drop, duplicate and delay settings. */
  | { readonly kind: 'network'; readonly settings: NetworkSettingsInput }
  /** Change a node's clock skew and drift. */
  | { readonly kind: 'clock'; readonly node: NodeId; readonly clock: Partial<ClockSettings> };

/**
 * A kind of step a node takes: handling a message of one `type`, handling a timer of one `type`, or
 * its `onStart` (at boot, and the recovery after every restart).
 */
export type StepKind = { readonly message: string } | { readonly timer: string } | { readonly start: true };

/**
 * A crash aimed at one kind of step. From the fault's time on it waits for `node`'s next step of
 * kind `step`, lets that step perform `afterEffects` effects (sends, replies, timers, storage writes)
 * and crashes the node before the next one. With `step: 'any-seen'` the kind is drawn from the
 * seed at the fault's time, uniformly among the distinct kinds of step the node has taken so far, so
 * a step it took once is as likely a target as one it takes every millisecond.
 *
 * It stays armed through other crashes and restarts (so `{ start: true }` hits the recovery of the
 * next restart). If no such step comes before `untilMs`, it never strikes, and the trace says so.
 */
export interface TargetedCrash {
  readonly kind: 'targeted-crash';
  readonly node: NodeId;
  /** The kind of step to crash in, or `'any-seen'` to draw one of the kinds the node has taken. */
  readonly step: StepKind | 'any-seen';
  /** Effects the step performs before the crash; if the step has fewer, it crashes at the step's end. */
  readonly afterEffects: number;
  /** When set, the node restarts this long after the crash struck, ms. Default: it stays down. */
  readonly restartAfterMs?: number;
  /** When set, the crash is disarmed at this time if it has not struck, ms. Default: armed to the end. */
  readonly untilMs?: number;
  /**
   * When the step aimed at is `onStart` (given or drawn) and the node is up at the fault's time, crash
   * it at once, so that a recovery comes: the restart `restartAfterMs` later runs the `onStart` this
   * crash strikes in. Random schedules set it; without it, an `onStart` target waits for a restart
   * that some other fault brings about.
   */
  readonly provokeStart?: boolean;
}

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
    case 'targeted-crash':
      return describeTargetedCrash(fault);
    case 'pause':
      return `pause ${fault.node} for ${fault.durationMs} ms`;
    case 'restart':
      return `restart ${fault.node}`;
    case 'network':
      return `network ${JSON.stringify(fault.settings)}`;
    case 'clock':
      return `clock ${fault.node} ${JSON.stringify(fault.clock)}`;
  }
}

/** A kind of step in words: `InstallSnapshot message`, `election timer`, `onStart`. */
export function describeStep(step: StepKind): string {
  if ('message' in step) return `${step.message} message`;
  if ('timer' in step) return `${step.timer} timer`;
  return 'onStart';
}

function describeTargetedCrash(fault: TargetedCrash): string {
  const step =
    fault.step === 'any-seen'
      ? 'its next step of a kind drawn from those it has taken'
      : `its next ${describeStep(fault.step)}`;
  const restart = fault.restartAfterMs === undefined ? '' : `, restart ${fault.restartAfterMs} ms later`;
  const until = fault.untilMs === undefined ? '' : ` (armed until t=${fault.untilMs}ms)`;
  const provoke = fault.provokeStart === true ? '; for onStart, crash it now so that it recovers' : '';
  return `crash ${fault.node} during ${step}, after ${fault.afterEffects} effect(s)${restart}${until}${provoke}`;
}

/** Describes a schedule, one fault per line: `t=3000ms partition {n1} | {n2, n3}`. */
export function describeSchedule(schedule: FaultSchedule): string {
  if (schedule.length === 0) return '(no faults)';
  return schedule.map((fault) => `t=${fault.atMs}ms ${describeFault(fault)}`).join('\n');
}

/** Sorts a schedule by time; faults at the same time keep their order. */
export function sortSchedule(schedule: readonly ScheduledFault[]): FaultSchedule {
  return schedule
    .map((fault, index) => ({ fault, index }))
    .sort((a, b) => a.fault.atMs - b.fault.atMs || a.index - b.index)
    .map(({ fault }) => fault);
}
