/**
 * Exercise 3.1: primary-backup replication with a view service. The spec is in README.md, next to
 * this file.
 *
 * Write the key-value server. Every server runs it; the view service (given) decides, view by view,
 * which one is the primary and which the backup. A server:
 * - pings the view service every PING_INTERVAL_MS, and takes in each new view it hears of;
 * - as **primary**, serves clients: each operation, reads included, goes to the backup first, and the
 *   client is answered only once the backup acknowledged it; a new backup first gets the whole state;
 * - as **backup**, applies what the primary of its view sends, and refuses everything else.
 *
 * @module
 */
import { type Message, type NodeContext, type NodeFactory, type NodeId, type TimerPayload, todo } from '#harness';
import { emptyKvState, type KvState } from '../_given/kv-protocol.ts';
import type { View } from '../_given/view-service.ts';
import type { PrimaryBackupServer } from './protocol.ts';
// 💡 Given, and yours to import as you need them:
//    ../_given/view-service.ts  VIEW_SERVICE, PING_INTERVAL_MS, Ping, ViewReply (and the view service's rules)
//    ../_given/kv-protocol.ts   KvRequest, KvReply, execute(state, command): the store and its client sessions
//    ./protocol.ts              Transfer, TransferReply, Forward, ForwardReply: primary ↔ backup

const README = 'exercises/03-replication/01-primary-backup/README.md';

/** Your ping timer: `ctx.setTimer` takes it, and `onTimer` gets it back. */
interface PingTimer extends TimerPayload {
  readonly type: 'ping';
}

class Server implements PrimaryBackupServer<PingTimer> {
  /** 👉 The latest view you heard of from the view service. The tests read it. */
  view: View = { viewnum: 0, primary: '', backup: '' };
  /** 👉 Your copy of the store and the client sessions: change it only through execute(), or replace it by a Transfer's. */
  state: KvState = emptyKvState();

  // 👉 Add what the primary must remember (has the backup of this view got my state yet? the number of
  //    the last message I sent it) and what the backup must remember (the last message I accepted).

  onStart(ctx: NodeContext<PingTimer>): void {
    // 👉 Ping the view service now and every PING_INTERVAL_MS.
    todo('ping the view service, now and every PING_INTERVAL_MS', README);
    void ctx;
  }

  onTimer(ctx: NodeContext<PingTimer>, timer: PingTimer): void {
    // 👉 Ping again. As primary, the ping's viewnum is your acknowledgement: send the current view's
    //    number only once its backup holds your state (or it has none).
    todo('ping again, acknowledging the view only when ready', README);
    void [ctx, timer];
  }

  onMessage(ctx: NodeContext<PingTimer>, from: NodeId, message: Message): void {
    // 👉 Four kinds of message arrive here:
    //    - ViewReply from the view service: a newer view? take it in. A new backup needs the whole state (Transfer).
    //    - KvRequest from a client: not the primary? answer not_primary. Else Forward it to the backup (reads
    //      too), and answer only after a ForwardReply with ok: true. One operation at a time.
    //    - Transfer and Forward from a primary: accept only from the primary of the view you are the backup
    //      of, and only a message newer than the last you accepted; answer with ctx.reply.
    // 💡 ctx.rpc(to, request, { timeoutMs }) sends a request and waits for its reply (or a timeout). A Forward
    //    that got no answer may or may not have been applied by the backup.
    todo('handle ViewReply, KvRequest, Transfer and Forward', README);
    void [ctx, from, message];
  }
}

/** A key-value server of the primary-backup service. */
export const createPrimaryBackupServer: NodeFactory<PingTimer> = () => new Server();
