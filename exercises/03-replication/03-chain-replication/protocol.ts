/**
 * Given code for exercise 3.3: the messages that travel along the chain, and what the tests read from
 * a server. The stub, the solution and the tests all import them from here. Not yours to edit.
 *
 * ```text
 *   client ──KvRequest (put, append)──▶ head ──Update n──▶ middle ──Update n──▶ tail ──KvReply──▶ client
 *                                       head ◀──Ack n───── middle ◀──Ack n──── tail
 *   client ──KvRequest (get)─────────────────────────────────────────────────▶ tail ──KvReply──▶ client
 * ```
 *
 * The master's messages are in `../_given/chain-master.ts`; the clients' messages and the store in
 * `../_given/kv-protocol.ts`.
 *
 * @module
 */
import type { Message, Node, NodeId, TimerPayload } from '#harness';
import type { KvCommand, KvRequest, KvState } from '../_given/kv-protocol.ts';
import type { ChainConfig } from '../_given/chain-master.ts';

/**
 * One write on its way down the chain: the head numbers every write it accepts 1, 2, 3, ... (`n`),
 * and every server applies them in that order. Sent with `ctx.send` to the sender's successor.
 */
export interface Update extends Message {
  readonly type: 'Update';
  /** The configuration in which the sender sent it: the receiver accepts it only in the same one, from its predecessor. */
  readonly config: number;
  /** The write's place in the order of all writes, given by the head. */
  readonly n: number;
  readonly command: KvCommand;
  /** The client that asked, and its request: the tail answers it with `ctx.reply(client, request, ...)`. */
  readonly client: NodeId;
  readonly request: KvRequest;
}

/**
 * Sent up the chain, successor → predecessor: "the tail has applied every update up to `n`". A server
 * that gets it may forget those updates: no later crash can lose them. Sent with `ctx.send`.
 */
export interface Ack extends Message {
  readonly type: 'Ack';
  /** The configuration in which the sender sent it. */
  readonly config: number;
  readonly n: number;
}

/** What the tests read from each server (the node instance your factory returns). */
export interface ChainServer<Timer extends TimerPayload = TimerPayload> extends Node<Timer> {
  /** The latest configuration this server has heard of from the master. */
  readonly config: ChainConfig;
  /** This server's copy of the store and the client sessions. */
  readonly state: KvState;
}
