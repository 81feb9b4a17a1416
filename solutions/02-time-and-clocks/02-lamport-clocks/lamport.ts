/**
 * Reference solution for exercise 2.2: Lamport clocks.
 *
 * @module
 */
import type { Node } from '#harness';
import { logEvent, type BroadcastCommand, type Chat, type Stamp, type TranscriptOk } from './protocol.ts';

/**
 * Lamport's total order (⇒): by timestamp, ties broken by node id (compared as strings). Negative when
 * `a` comes first, positive when `b` does, 0 only for equal stamps.
 */
export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport;
  if (a.node === b.node) return 0;
  return a.node < b.node ? -1 : 1;
}

/** A chat node: broadcasts chats on command, stamps every event with its Lamport clock, answers `transcript`. */
export function createLamportNode(): Node {
  // Invariant: `clock` is the timestamp of this node's latest event (0 before any).
  let clock = 0;
  const known: Array<{ readonly id: string; readonly stamp: Stamp }> = [];

  return {
    onMessage(ctx, from, message) {
      switch (message.type) {
        case 'broadcast': {
          const { id, text } = message as BroadcastCommand;
          clock += 1; // IR1: tick before every event; the broadcast is one event
          const chat: Chat = { type: 'chat', id, text, lamport: clock };
          for (const peer of ctx.nodeIds) if (peer !== ctx.id) ctx.send(peer, chat);
          logEvent(ctx, 'send', id, clock);
          known.push({ id, stamp: { lamport: clock, node: ctx.id } });
          return;
        }
        case 'chat': {
          const chat = message as Chat;
          clock = Math.max(clock, chat.lamport) + 1; // IR2: later than both my past and the message
          logEvent(ctx, 'deliver', chat.id, clock);
          known.push({ id: chat.id, stamp: { lamport: chat.lamport, node: from } });
          return;
        }
        case 'transcript': {
          const ids = [...known].sort((a, b) => compareStamps(a.stamp, b.stamp)).map((entry) => entry.id);
          const reply: TranscriptOk = { type: 'transcript_ok', ids };
          ctx.reply(from, message, reply);
          return;
        }
      }
    },
  };
}
