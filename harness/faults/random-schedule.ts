/**
 * Random fault schedules, as fast-check arbitraries (so a failing schedule shrinks to a small one) and
 * drawn straight from a seed (for plain seed sweeps).
 *
 * Every generated schedule has two phases, as in TigerBeetle's simulator: faults happen until
 * `healAtMs`; at `healAtMs` every link heals, the network becomes reliable and every crashed node
 * restarts, so a test can then check that the system converges (liveness).
 *
 * @module
 */
import fc from 'fast-check';
import type { NodeId } from '../node.ts';
import { deriveSeed } from '../random.ts';
import { sortSchedule, type Fault, type FaultSchedule, type ScheduledFault } from '../sim/index.ts';

/**
 * Which faults a random schedule may contain. A `targeted-crash` aims at a kind of step drawn, at its
 * time, from the kinds its node has taken (`step: 'any-seen'`), so rare steps get crashed too. A
 * `pause` stops a node for a while with its state and timers intact (a long GC pause); it is in no
 * default list: a test that wants pauses asks for them.
 */
export type RandomFaultKind =
  'partition' | 'isolate' | 'cut' | 'crash' | 'network' | 'clock' | 'targeted-crash' | 'pause';

/** Options for {@link faultScheduleArbitrary} and {@link randomFaultSchedule}. */
export interface FaultScheduleOptions {
  /** The nodes faults may hit (usually the servers, not the clients). */
  readonly nodes: readonly NodeId[];
  /** Faults happen between t=0 and this time; at this time everything heals. */
  readonly healAtMs: number;
  /** The kinds of fault to draw from. Default: partition, isolate, cut, crash, network. */
  readonly kinds?: readonly RandomFaultKind[];
  /** Longest a partition, cut, crash or pause lasts before it heals, restarts or wakes, ms. Default `healAtMs / 2`. */
  readonly maxFaultMs?: number;
  /** Shortest a partition, cut, crash or pause lasts, ms (at most `maxFaultMs`). Default 1. */
  readonly minFaultMs?: number;
  /** Most faults in one schedule (each crash counts once, with its restart). Default 6. */
  readonly maxFaults?: number;
  /** Highest drop rate a `network` fault may set. Default 0.3. */
  readonly maxDropRate?: number;
  /** Highest duplicate rate a `network` fault may set. Default 0.3. */
  readonly maxDuplicateRate?: number;
  /** Largest message delay a `network` fault may set, ms. Default 100. */
  readonly maxDelayMs?: number;
  /** The network as it is after healing. Default: no drops, no duplicates, 1–10 ms. */
  readonly healedNetwork?: {
    readonly dropRate?: number;
    readonly duplicateRate?: number;
    readonly delayMs?: { min: number; max: number };
  };
}

const DEFAULT_KINDS: readonly RandomFaultKind[] = ['partition', 'isolate', 'cut', 'crash', 'network'];

/**
 * A fast-check arbitrary of fault schedules. Shrinking removes faults and moves them earlier, so a
 * failing run is reported with the smallest schedule that still fails.
 */
export function faultScheduleArbitrary(options: FaultScheduleOptions): fc.Arbitrary<FaultSchedule> {
  const kinds = options.kinds ?? DEFAULT_KINDS;
  if (options.nodes.length === 0) throw new Error('faultScheduleArbitrary needs at least one node.');
  if (kinds.length === 0) throw new Error('faultScheduleArbitrary needs at least one kind of fault.');
  const time = fc.integer({ min: 0, max: Math.max(0, options.healAtMs - 1) });
  const node = fc.constantFrom(...options.nodes);
  const fault = fc.oneof(...kinds.map((kind) => faultOfKind(kind, options, node, time)));
  return fc.array(fault, { maxLength: options.maxFaults ?? 6 }).map((faults) => withHealing(faults.flat(), options));
}

/**
 * A fault schedule drawn from `seed`: the same seed always gives the same schedule. For sweeps that
 * do not need shrinking.
 */
export function randomFaultSchedule(seed: number, options: FaultScheduleOptions): FaultSchedule {
  // A child seed of its own, so the schedule does not echo the network's or the nodes' random choices.
  const [schedule] = fc.sample(faultScheduleArbitrary(options), { seed: deriveSeed(seed, 'faults'), numRuns: 1 });
  return schedule!;
}

function faultOfKind(
  kind: RandomFaultKind,
  options: FaultScheduleOptions,
  node: fc.Arbitrary<NodeId>,
  time: fc.Arbitrary<number>,
): fc.Arbitrary<ScheduledFault[]> {
  const longestMs = Math.max(1, options.maxFaultMs ?? Math.floor(options.healAtMs / 2));
  const durationMs = fc.integer({ min: Math.min(Math.max(1, options.minFaultMs ?? 1), longestMs), max: longestMs });
  const until = (atMs: number, duration: number) => Math.min(atMs + duration, options.healAtMs);
  switch (kind) {
    case 'partition':
      return fc
        .tuple(time, durationMs, fc.shuffledSubarray([...options.nodes], { minLength: 1 }))
        .map(([atMs, duration, side]) => {
          const other = options.nodes.filter((id) => !side.includes(id));
          // With every node on one side there is no other group: cut the first off from everyone instead
          // (clients included), so the fault still does something.
          const start: ScheduledFault =
            other.length === 0
              ? { atMs, kind: 'isolate', node: side[0]! }
              : { atMs, kind: 'partition', groups: [side, other] };
          return [start, { atMs: until(atMs, duration), kind: 'heal' }];
        });
    case 'isolate':
      return fc.tuple(time, durationMs, node).map(([atMs, duration, id]) => [
        { atMs, kind: 'isolate', node: id },
        { atMs: until(atMs, duration), kind: 'heal' },
      ]);
    case 'cut':
      return fc.tuple(time, durationMs, node, node).map(([atMs, duration, from, to]) => [
        { atMs, kind: 'cut', from, to },
        { atMs: until(atMs, duration), kind: 'heal' },
      ]);
    case 'crash':
      // Half the crashes strike partway through a step, after 0–3 effects: that is where
      // "reply before persisting" mistakes show.
      return fc
        .tuple(time, durationMs, node, fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }))
        .map(([atMs, duration, id, afterEffects]): ScheduledFault[] => [
          afterEffects === undefined
            ? { atMs, kind: 'crash', node: id }
            : { atMs, kind: 'crash', node: id, afterEffects },
          { atMs: until(atMs, duration), kind: 'restart', node: id },
        ]);
    case 'targeted-crash':
      // Armed until the healing, which restarts the node anyway; a step of the kind drawn may never come.
      // A recovery comes only after a crash: one aimed at onStart crashes the node first (provokeStart).
      return fc
        .tuple(time, durationMs, node, fc.integer({ min: 0, max: 3 }))
        .map(([atMs, restartAfterMs, id, afterEffects]): ScheduledFault[] => [
          {
            atMs,
            kind: 'targeted-crash',
            node: id,
            step: 'any-seen',
            afterEffects,
            restartAfterMs,
            untilMs: options.healAtMs,
            provokeStart: true,
          },
        ]);
    case 'pause':
      // Cut short at the healing, like a partition: the node is awake for the liveness phase.
      return fc
        .tuple(time, durationMs, node)
        .map(([atMs, duration, id]): ScheduledFault[] => [
          { atMs, kind: 'pause', node: id, durationMs: Math.max(1, until(atMs, duration) - atMs) },
        ]);
    case 'network':
      return fc
        .tuple(
          time,
          fc.double({ min: 0, max: options.maxDropRate ?? 0.3, noNaN: true }),
          fc.double({ min: 0, max: options.maxDuplicateRate ?? 0.3, noNaN: true }),
          fc.integer({ min: 1, max: options.maxDelayMs ?? 100 }),
        )
        .map(([atMs, dropRate, duplicateRate, maxDelay]) => [
          {
            atMs,
            kind: 'network',
            settings: {
              dropRate: round(dropRate),
              duplicateRate: round(duplicateRate),
              delayMs: { min: 1, max: maxDelay },
            },
          },
        ]);
    case 'clock':
      return fc
        .tuple(time, node, fc.integer({ min: -500, max: 500 }), fc.integer({ min: -200, max: 200 }))
        .map(([atMs, id, skewMs, driftPpm]) => [{ atMs, kind: 'clock', node: id, clock: { skewMs, driftPpm } }]);
  }
}

/**
 * Adds the healing phase: at `healAtMs` every link heals, the network is reliable, and every node a
 * crash or targeted crash may have brought down restarts.
 */
export function withHealing(faults: readonly ScheduledFault[], options: FaultScheduleOptions): FaultSchedule {
  const healed = options.healedNetwork ?? {};
  const healing: Fault[] = [
    { kind: 'heal' },
    {
      kind: 'network',
      settings: {
        dropRate: healed.dropRate ?? 0,
        duplicateRate: healed.duplicateRate ?? 0,
        delayMs: healed.delayMs ?? { min: 1, max: 10 },
      },
    },
  ];
  const crashed = new Set(
    faults
      .filter((fault) => fault.kind === 'crash' || fault.kind === 'targeted-crash')
      .map((fault) => (fault as { node: NodeId }).node),
  );
  for (const node of [...crashed].sort()) healing.push({ kind: 'restart', node });
  return sortSchedule([...faults, ...healing.map((fault) => ({ ...fault, atMs: options.healAtMs }))]);
}

function round(probability: number): number {
  return Math.round(probability * 1000) / 1000;
}
