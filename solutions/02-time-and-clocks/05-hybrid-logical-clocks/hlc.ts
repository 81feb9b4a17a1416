/**
 * Reference solution for exercise 2.5: hybrid logical clocks (Kulkarni, Demirbas, Madappa, Avva and
 * Leone, "Logical Physical Clocks", 2014).
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeId } from '#harness';

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
