/**
 * Exercise 3.2: state transfer and ordering at the backup. The spec is in README.md, next to this file.
 *
 * This file starts as the reference solution of exercise 3.1: a primary that handles one operation at
 * a time. Change it so that:
 * - the **primary** forwards each operation as it comes, without waiting for the answer to the one
 *   before (several Forwards on their way at once), and answers each client once the backup
 *   acknowledged its operation;
 * - the **backup** applies Transfers and Forwards in the order of their numbers `n`, whatever order
 *   they arrive in: a Forward that arrives early waits for the ones before it, and a new backup applies
 *   nothing before the Transfer of the whole state.
 *
 * @module
 */
import { type Message, type NodeContext, type NodeFactory, type NodeId, type TimerPayload, todo } from '#harness';
import { emptyKvState, execute, type KvReply, type KvRequest, type KvState } from '../_given/kv-protocol.ts';
import { PING_INTERVAL_MS, VIEW_SERVICE, type Ping, type View, type ViewReply } from '../_given/view-service.ts';
import type { Forward, ForwardReply, PrimaryBackupServer, Transfer, TransferReply } from './protocol.ts';

const README = 'exercises/03-replication/02-ordered-backup/README.md';

/** How long the primary waits for its backup's answer before it gives up on that attempt, ms. */
const BACKUP_TIMEOUT_MS = 100;

/** The ping timer, every {@link PING_INTERVAL_MS}. */
interface PingTimer extends TimerPayload {
  readonly type: 'ping';
}

type Context = NodeContext<PingTimer>;

class Server implements PrimaryBackupServer<PingTimer> {
  view: View = { viewnum: 0, primary: '', backup: '' };
  state: KvState = emptyKvState();

  /**
   * As primary: the view in which the backup holds exactly this server's state. Equal to
   * `view.viewnum` means every operation this server applied, its backup applied too (or there is no
   * backup). Only then does it acknowledge the view, or answer a client.
   */
  #inSyncIn = 0;
  /** As primary: the number of the last Transfer or Forward sent to the backup in view {@link #numberedIn}. */
  #sent = 0;
  #numberedIn = 0;
  /** As backup: the view and number of the last Transfer or Forward accepted, so that a late copy is refused. */
  #acceptedIn = 0;
  #accepted = 0;
  /**
   * The primary's work, one task at a time: a client's operation, or bringing the backup in sync. Two
   * at once could forward two operations that the backup applies in the other order.
   */
  #queue: Promise<void> = Promise.resolve();

  onStart(ctx: Context): void {
    this.#ping(ctx);
    ctx.setTimer(PING_INTERVAL_MS, { type: 'ping' });
  }

  onTimer(ctx: Context): void {
    this.#ping(ctx);
    ctx.setTimer(PING_INTERVAL_MS, { type: 'ping' });
    if (this.#isPrimary(ctx) && this.#inSyncIn !== this.view.viewnum)
      this.#serially(() => this.#bringBackupInSync(ctx));
  }

  onMessage(ctx: Context, from: NodeId, message: Message): void {
    switch (message.type) {
      case 'ViewReply':
        if (from === VIEW_SERVICE) this.#learn(ctx, (message as ViewReply).view);
        return;
      case 'KvRequest':
        // 👉 Serve each request as it comes: number it, apply it, forward it, and answer when the backup
        //    acknowledged it. Do not wait for the operations before it (the queue below does).
        todo('forward operations without waiting for the answer to the one before', README);
        this.#serially(() => this.#serve(ctx, from, message as KvRequest));
        return;
      case 'Transfer':
        this.#acceptTransfer(ctx, from, message as Transfer);
        return;
      case 'Forward':
        // 👉 Apply Forward n only right after message n - 1 of the view (a Forward or the Transfer); hold one
        //    that arrives early, and apply nothing in a view before its Transfer.
        todo("apply Forwards in the primary's order, whatever order they arrive in", README);
        this.#acceptForward(ctx, from, message as Forward);
        return;
    }
  }

  // ───────────────────────── the view ─────────────────────────

  /**
   * Tells the view service this server is alive, and which view it has taken in. The primary
   * acknowledges its view only once its backup holds its state: the view service may then promote
   * that backup, and it must have everything. Until then it pings with the view before (never 0: that
   * would say it restarted).
   */
  #ping(ctx: Context): void {
    const ready = !this.#isPrimary(ctx) || this.#inSyncIn === this.view.viewnum;
    const ping: Ping = { type: 'Ping', viewnum: ready ? this.view.viewnum : this.view.viewnum - 1 };
    ctx.send(VIEW_SERVICE, ping);
  }

  #learn(ctx: Context, view: View): void {
    if (view.viewnum <= this.view.viewnum) return; // a late or duplicated reply
    this.view = view;
    if (!this.#isPrimary(ctx)) return;
    if (view.backup === '') this.#inSyncIn = view.viewnum;
    else this.#serially(() => this.#bringBackupInSync(ctx));
  }

  #isPrimary(ctx: Context): boolean {
    return this.view.primary === ctx.id;
  }

  // ───────────────────────── as primary ─────────────────────────

  #serially(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task);
  }

  async #serve(ctx: Context, client: NodeId, request: KvRequest): Promise<void> {
    const answer = (reply: KvReply): void => ctx.reply(client, request, reply);
    if (!this.#isPrimary(ctx)) return answer({ type: 'KvReply', ok: false, error: 'not_primary' });
    await this.#bringBackupInSync(ctx);
    const { viewnum, backup } = this.view;
    if (this.#inSyncIn !== viewnum || !this.#isPrimary(ctx))
      return answer({ type: 'KvReply', ok: false, error: 'unavailable' });
    const command = { clientId: request.clientId, seq: request.seq, op: request.op };
    if (backup !== '') {
      // Reads too: only the backup can tell an old primary that a newer view exists.
      const forward: Forward = { type: 'Forward', viewnum, n: this.#next(viewnum), command };
      const result = await ctx.rpc<ForwardReply>(backup, forward, { timeoutMs: BACKUP_TIMEOUT_MS });
      if (!result.ok || !result.reply.ok) {
        // The backup may or may not have applied it: send it the whole state before the next operation.
        this.#inSyncIn = Math.min(this.#inSyncIn, viewnum - 1);
        return answer({ type: 'KvReply', ok: false, error: 'unavailable' });
      }
    }
    const output = execute(this.state, command);
    answer({ type: 'KvReply', ok: true, output, viewnum });
  }

  /** Sends the backup of the current view the whole state, unless it already holds it. */
  async #bringBackupInSync(ctx: Context): Promise<void> {
    const { viewnum, backup } = this.view;
    if (!this.#isPrimary(ctx) || this.#inSyncIn === viewnum) return;
    if (backup === '') {
      this.#inSyncIn = viewnum;
      return;
    }
    const transfer: Transfer = { type: 'Transfer', viewnum, n: this.#next(viewnum), state: this.state };
    const result = await ctx.rpc<TransferReply>(backup, transfer, { timeoutMs: BACKUP_TIMEOUT_MS });
    if (result.ok && result.reply.ok && this.view.viewnum === viewnum) this.#inSyncIn = viewnum;
  }

  /** The number of the next message to the backup of `viewnum`. */
  #next(viewnum: number): number {
    if (this.#numberedIn !== viewnum) {
      this.#numberedIn = viewnum;
      this.#sent = 0;
    }
    return ++this.#sent;
  }

  // ───────────────────────── as backup ─────────────────────────

  /**
   * Whether `message` comes from the primary of the view this server is the backup of, and is newer
   * than every message accepted from it. A server that has heard of a newer view refuses: that is how
   * an old primary learns it must not answer.
   */
  #accepts(ctx: Context, from: NodeId, message: Transfer | Forward): boolean {
    const { viewnum, primary, backup } = this.view;
    if (message.viewnum !== viewnum || from !== primary || backup !== ctx.id) return false;
    if (this.#acceptedIn === viewnum && message.n <= this.#accepted) return false;
    this.#acceptedIn = viewnum;
    this.#accepted = message.n;
    return true;
  }

  #acceptTransfer(ctx: Context, from: NodeId, transfer: Transfer): void {
    const ok = this.#accepts(ctx, from, transfer);
    if (ok) this.state = transfer.state;
    const reply: TransferReply = { type: 'TransferReply', ok };
    ctx.reply(from, transfer, reply);
  }

  #acceptForward(ctx: Context, from: NodeId, forward: Forward): void {
    const reply: ForwardReply = this.#accepts(ctx, from, forward)
      ? { type: 'ForwardReply', ok: true, output: execute(this.state, forward.command) }
      : { type: 'ForwardReply', ok: false };
    ctx.reply(from, forward, reply);
  }
}

/** A key-value server of the primary-backup service. */
export const createPrimaryBackupServer: NodeFactory<PingTimer> = () => new Server();
