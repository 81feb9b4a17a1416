/**
 * Reference solution for exercise 2.5: hybrid logical clocks (Kulkarni, Demirbas, Madappa, Avva and
 * Leone, "Logical Physical Clocks", 2014).
 *
 * @module
 */
import type { Node } from '#harness';
import { INITIAL_HLC, logEvent, type Hlc, type LocalCommand, type Note, type SendCommand } from './protocol.ts';

/** Figure 5, "send or local event": the node's new HLC, given its current one and its physical clock `ptMs`. */
export function hlcSendOrLocal(clock: Hlc, ptMs: number): Hlc {
  const l = Math.max(clock.l, ptMs);
  return { l, c: l === clock.l ? clock.c + 1 : 0 };
}

/** Figure 5, "receive event of message m": the node's new HLC, given its own, the message's, and `ptMs`. */
export function hlcReceive(clock: Hlc, received: Hlc, ptMs: number): Hlc {
  const l = Math.max(clock.l, received.l, ptMs);
  if (l === clock.l && l === received.l) return { l, c: Math.max(clock.c, received.c) + 1 };
  if (l === clock.l) return { l, c: clock.c + 1 };
  if (l === received.l) return { l, c: received.c + 1 };
  return { l, c: 0 };
}

/** A node that stamps its local events, sends and deliveries with a hybrid logical clock. */
export function createHlcNode(): Node {
  let clock: Hlc = INITIAL_HLC;

  return {
    onMessage(ctx, _from, message) {
      switch (message.type) {
        case 'local': {
          clock = hlcSendOrLocal(clock, ctx.now());
          logEvent(ctx, 'local', (message as LocalCommand).id, clock);
          return;
        }
        case 'send': {
          const { id, to } = message as SendCommand;
          clock = hlcSendOrLocal(clock, ctx.now());
          const note: Note = { type: 'note', id, hlc: clock };
          ctx.send(to, note);
          logEvent(ctx, 'send', id, clock);
          return;
        }
        case 'note': {
          const note = message as Note;
          clock = hlcReceive(clock, note.hlc, ctx.now());
          logEvent(ctx, 'deliver', note.id, clock);
          return;
        }
      }
    },
  };
}
