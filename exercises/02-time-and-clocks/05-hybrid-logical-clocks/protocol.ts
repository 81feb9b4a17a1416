/**
 * Exercise 2.5's HLC timestamp and its order, its messages, and `logEvent`, which reports an event to
 * the tests. This file is given: the stub, the solution and the tests all import it.
 */
import type { Message, NodeContext } from '#harness';

/**
 * A hybrid logical clock timestamp: `l` is the largest physical clock reading this event has heard of
 * (its own or, through messages, another node's), in ms; `c` counts events that share that `l`.
 */
export interface Hlc {
  readonly l: number;
  readonly c: number;
}

/** Every node's HLC before its first event. */
export const INITIAL_HLC: Hlc = { l: 0, c: 0 };

/** The order of HLC timestamps, `l` first, then `c`. Negative when `a` comes first. */
export function compareHlc(a: Hlc, b: Hlc): number {
  return a.l !== b.l ? a.l - b.l : a.c - b.c;
}

// The clients' commands are exercise 2.3's: "do a local event called `id`", "send a note called `id`
// to node `to`". Both fire-and-forget.
export type { LocalCommand, SendCommand } from '../03-vector-clocks/protocol.ts';

/** Node → node: a note, stamped with the HLC of its send. */
export interface Note extends Message {
  readonly type: 'note';
  readonly id: string;
  readonly hlc: Hlc;
}

/** Reports one event and its HLC timestamp to the tests, as a line in the trace. */
export function logEvent(ctx: NodeContext, kind: 'local' | 'send' | 'deliver', id: string, hlc: Hlc): void {
  ctx.log(`${kind} ${id} l=${hlc.l} c=${hlc.c}`);
}
