/**
 * Exercise 2.5: hybrid logical clocks. The spec is in README.md, next to this file.
 *
 * Write the two update rules of Figure 5 of the paper (`hlcSendOrLocal`, `hlcReceive`) and
 * `createHlcNode`, a node that stamps every event with its HLC.
 *
 * @module
 */
import { todo, type Message, type Node, type NodeContext, type NodeId } from '#harness';

const README = 'exercises/02-time-and-clocks/05-hybrid-logical-clocks/README.md';

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

/** Given: the order of HLC timestamps, `l` first, then `c`. Negative when `a` comes first. */
export function compareHlc(a: Hlc, b: Hlc): number {
  return a.l !== b.l ? a.l - b.l : a.c - b.c;
}

/** Figure 5, "send or local event": the node's new HLC, given its current one and its physical clock `ptMs`. */
export function hlcSendOrLocal(clock: Hlc, ptMs: number): Hlc {
  // 👉 l = the larger of the old l and the physical clock.
  //    If l did not change (the physical clock has not passed it), count one more event: c + 1.
  //    If it did, this is the first event at this l: c = 0.
  todo('update the HLC for a send or local event', README);
  void [clock, ptMs];
}

/** Figure 5, "receive event of message m": the node's new HLC, given its own, the message's, and `ptMs`. */
export function hlcReceive(clock: Hlc, received: Hlc, ptMs: number): Hlc {
  // 👉 l = the largest of the old l, the message's l and the physical clock. Then c depends on where
  //    l came from: from both the old l and the message's, from only one of them, or from neither.
  // 💡 The counter must end up above every counter that goes with this l: that is what keeps the
  //    delivery after the send when both have the same l.
  todo('update the HLC for a receive event', README);
  void [clock, received, ptMs];
}

/** Client → node: "do a local event called `id`". Fire-and-forget. */
export interface LocalCommand extends Message {
  readonly type: 'local';
  readonly id: string;
}

/** Client → node: "send a note called `id` to node `to`". Fire-and-forget. */
export interface SendCommand extends Message {
  readonly type: 'send';
  readonly id: string;
  readonly to: NodeId;
}

/** Node → node: a note, stamped with the HLC of its send. */
export interface Note extends Message {
  readonly type: 'note';
  readonly id: string;
  readonly hlc: Hlc;
}

/** Given: reports one event and its HLC timestamp to the tests, as a line in the trace. */
export function logEvent(ctx: NodeContext, kind: 'local' | 'send' | 'deliver', id: string, hlc: Hlc): void {
  ctx.log(`${kind} ${id} l=${hlc.l} c=${hlc.c}`);
}

/** A node that stamps its local events, sends and deliveries with a hybrid logical clock. */
export function createHlcNode(): Node {
  // 💡 The node's state is one Hlc, starting at INITIAL_HLC. ctx.now() is its physical clock (pt).
  return {
    onMessage(ctx, from, message) {
      // 👉 `local`: hlcSendOrLocal, then logEvent(ctx, 'local', id, hlc).
      //    `send`: hlcSendOrLocal, send { type: 'note', id, hlc } to `to`, then logEvent(ctx, 'send', id, hlc).
      //    `note`: hlcReceive with the note's hlc, then logEvent(ctx, 'deliver', id, hlc).
      todo('stamp local events, sends and deliveries with the HLC', README);
      void [ctx, from, message];
    },
  };
}
