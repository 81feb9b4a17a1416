/**
 * Exercise 2.5: hybrid logical clocks. The spec is in README.md, next to this file.
 *
 * Write the two update rules of Figure 5 of the paper (`hlcSendOrLocal`, `hlcReceive`) and
 * `createHlcNode`, a node that stamps every event with its HLC.
 *
 * @module
 */
import { type Node, todo } from '#harness';
import type { Hlc } from './protocol.ts';
// 💡 protocol.ts also holds INITIAL_HLC, compareHlc, the messages (LocalCommand, SendCommand, Note) and logEvent:
//    import them as you need them.

const README = 'exercises/02-time-and-clocks/05-hybrid-logical-clocks/README.md';

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
