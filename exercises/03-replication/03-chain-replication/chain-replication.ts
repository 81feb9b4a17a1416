/**
 * Exercise 3.3: chain replication (van Renesse and Schneider, OSDI 2004). The spec is in README.md,
 * next to this file.
 *
 * Write the key-value server. Every server runs it; the master (given) names the chain in order,
 * head first, tail last, and tells the servers when it changes. A server:
 * - pings the master every CHAIN_PING_INTERVAL_MS, and takes in each newer configuration it hears of;
 * - as the **head**, takes the clients' writes, numbers them 1, 2, 3, ..., applies them and passes
 *   them down the chain;
 * - in the **middle**, applies each update from its predecessor in order and passes it on;
 * - as the **tail**, applies it, answers the client, and sends an acknowledgement back up; it also
 *   answers the reads, from its own store;
 * - keeps what it passed on (Sent) until the acknowledgement comes back, and sends it again to a new
 *   successor when the chain changes.
 *
 * @module
 */
import { type Message, type NodeContext, type NodeFactory, type NodeId, type TimerPayload, todo } from '#harness';
import type { ChainConfig } from '../_given/chain-master.ts';
import { emptyKvState, type KvState } from '../_given/kv-protocol.ts';
import type { ChainServer } from './protocol.ts';
// 💡 Given, and yours to import as you need them:
//    ../_given/chain-master.ts  CHAIN_MASTER, CHAIN_PING_INTERVAL_MS, CHAIN_LEASE_MS, ChainPing, ChainReply,
//                               headOf, tailOf, predecessorOf, successorOf (and the master's rules)
//    ../_given/kv-protocol.ts   KvRequest, KvReply, execute(state, command): the store and its client sessions
//    ./protocol.ts              Update, Ack: down and up the chain

const README = 'exercises/03-replication/03-chain-replication/README.md';

/** Your tick timer: `ctx.setTimer` takes it, and `onTimer` gets it back. */
interface TickTimer extends TimerPayload {
  readonly type: 'tick';
}

class Server implements ChainServer<TickTimer> {
  /** 👉 The latest configuration you heard of from the master. The tests read it. */
  config: ChainConfig = { num: 0, chain: [] };
  /** 👉 Your copy of the store and the client sessions: change it only through execute(). */
  state: KvState = emptyKvState();

  // 👉 Add what a server must remember: the number of the last update it applied, the updates it passed
  //    on and has not seen acknowledged (Sent), updates that arrived early, and until when its lease runs.

  onStart(ctx: NodeContext<TickTimer>): void {
    // 👉 Ping the master now and every CHAIN_PING_INTERVAL_MS.
    todo('ping the master, now and every CHAIN_PING_INTERVAL_MS', README);
    void ctx;
  }

  onTimer(ctx: NodeContext<TickTimer>, timer: TickTimer): void {
    // 👉 Ping again. Send again the updates of Sent that have waited too long for their acknowledgement.
    todo('ping again, and re-send what waits too long', README);
    void [ctx, timer];
  }

  onMessage(ctx: NodeContext<TickTimer>, from: NodeId, message: Message): void {
    // 👉 Four kinds of message arrive here:
    //    - ChainReply from the master: a newer configuration? take it in. A new successor gets Sent again;
    //      a server that has just become the tail answers and acknowledges everything in its Sent.
    //    - KvRequest from a client: a get is answered by the tail only (within its lease); a put or append is
    //      taken by the head only, which gives it the next number. Anyone else answers not_primary.
    //    - Update from your predecessor, in your configuration: apply it in the order of n, then pass it on
    //      (or, as the tail, answer the client with ctx.reply(update.client, update.request, ...) and send an Ack).
    //    - Ack from your successor: forget the updates up to n, and pass the Ack up.
    todo('handle ChainReply, KvRequest, Update and Ack', README);
    void [ctx, from, message];
  }
}

/** A server of the replication chain. */
export const createChainServer: NodeFactory<TickTimer> = () => new Server();
