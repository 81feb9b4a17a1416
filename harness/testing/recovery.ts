/**
 * Recovery bounds: once the last fault heals, how soon the system must be back. An exercise's README
 * states its bounds ("every message delivered within 2,000 ms of the heal"), and its sweeps check them
 * with {@link expectRecovered}. Without a bound, a retransmission back-off that grows without a cap, or
 * an election that takes minutes, passes every test that only waits "long enough".
 *
 * @module
 */
import type { Simulation } from '../sim/index.ts';

/** One recovery bound, as an exercise's README states it. */
export interface RecoveryBound {
  /** What must be back, in words that finish "… within N ms", e.g. `every accepted message delivered`. */
  readonly what: string;
  /** When the last fault healed, ms of virtual time. */
  readonly healedAtMs: number;
  /** The bound: how long after `healedAtMs` it must hold, ms. */
  readonly withinMs: number;
  /** Whether it holds now; checked after every event. */
  readonly holds: () => boolean;
  /** Why it does not hold, in domain words, called once on a miss (e.g. which messages are missing). */
  readonly explain?: () => string;
}

/** A missed recovery bound: its message says what was not back, the bound, and why. */
export class RecoveryBoundMissed extends Error {
  /** The bound that was missed. */
  readonly bound: Pick<RecoveryBound, 'what' | 'healedAtMs' | 'withinMs'>;

  /** Builds the error for `bound`, with the explanation `why`. */
  constructor(bound: Pick<RecoveryBound, 'what' | 'healedAtMs' | 'withinMs'>, why: string) {
    const deadline = bound.healedAtMs + bound.withinMs;
    super(
      `recovery bound missed: ${bound.what} within ${bound.withinMs} ms of the last fault healing ` +
        `(healed at t=${bound.healedAtMs} ms, so by t=${deadline} ms); it still did not hold at t=${deadline} ms.` +
        (why === '' ? '' : `\n  ${why}`),
    );
    this.name = 'RecoveryBoundMissed';
    this.bound = { what: bound.what, healedAtMs: bound.healedAtMs, withinMs: bound.withinMs };
  }
}

/**
 * Runs `sim` until `bound.holds()` or until `bound.withinMs` after `bound.healedAtMs`, and returns how
 * many ms after the heal it was seen to hold. It is checked from the heal on, or from now if the heal
 * is past (then a bound that already holds returns the time since the heal). A miss throws
 * {@link RecoveryBoundMissed} with the bound's explanation.
 *
 * ```ts
 * await expectRecovered(sim, { what: 'a leader that a majority follows', healedAtMs: world.healAtMs,
 *   withinMs: 3_000, holds: () => stableLeader(sim) !== undefined, explain: () => whyNoLeader(sim) });
 * ```
 *
 * @throws RangeError when the deadline has already passed: the bound must be checked before it.
 */
export async function expectRecovered(sim: Simulation, bound: RecoveryBound): Promise<number> {
  const deadline = bound.healedAtMs + bound.withinMs;
  if (sim.nowMs > deadline) {
    throw new RangeError(
      `expectRecovered for "${bound.what}" was called at t=${sim.nowMs} ms, after its deadline t=${deadline} ms: ` +
        'check the bound before running the simulation past it.',
    );
  }
  if (sim.nowMs < bound.healedAtMs) await sim.run({ untilMs: bound.healedAtMs });
  if (await sim.runUntil(bound.holds, { timeoutMs: deadline - sim.nowMs })) {
    return Math.max(0, sim.nowMs - bound.healedAtMs);
  }
  throw new RecoveryBoundMissed(bound, bound.explain?.() ?? '');
}
