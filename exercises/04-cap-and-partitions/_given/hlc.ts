/**
 * A hybrid logical clock, given to chapter 4 (you wrote one in exercise 2.5; here it is a tool). The
 * timestamp type and its order are exercise 2.5's, imported from its `protocol.ts`; the two update
 * rules of Kulkarni et al.'s Figure 5 are written here in one function.
 *
 * An HLC timestamp `(l, c)` is close to physical time (`l` is the largest clock reading heard of, in
 * ms) and still respects causality: a timestamp taken after hearing of another is larger than it, even
 * when the clock that took it is behind.
 *
 * @module
 */
import { compareHlc, INITIAL_HLC, type Hlc } from '../../02-time-and-clocks/05-hybrid-logical-clocks/protocol.ts';

export { compareHlc, INITIAL_HLC, type Hlc };

/**
 * The clock after a local event or a send (Figure 5, first rule): take a timestamp for something the
 * node does now, such as a write. The result is larger than `clock`.
 *
 * @param clock - the node's HLC so far.
 * @param ptMs - the node's physical clock, `ctx.now()`.
 */
export function hlcTick(clock: Hlc, ptMs: number): Hlc {
  return advance(clock, undefined, ptMs);
}

/**
 * The clock after hearing of timestamp `received` (Figure 5, second rule): call it for every timestamp
 * a message brings. The result is larger than both `clock` and `received`.
 *
 * @param clock - the node's HLC so far.
 * @param received - a timestamp from another node.
 * @param ptMs - the node's physical clock, `ctx.now()`.
 */
export function hlcObserve(clock: Hlc, received: Hlc, ptMs: number): Hlc {
  return advance(clock, received, ptMs);
}

/**
 * Both rules at once: `l` is the largest time in sight; `c` goes one above the counter of every
 * timestamp that shares that `l`, and starts at 0 when only the physical clock has it.
 */
function advance(clock: Hlc, received: Hlc | undefined, ptMs: number): Hlc {
  const l = Math.max(clock.l, received?.l ?? clock.l, ptMs);
  const above = [clock, received].filter((stamp) => stamp !== undefined && stamp.l === l).map((stamp) => stamp!.c + 1);
  return { l, c: Math.max(0, ...above) };
}
