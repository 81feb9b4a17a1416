/**
 * Exercise 3.2, reference solution: a primary-backup key-value server whose primary forwards
 * operations without waiting for the answer to the one before, and whose backup applies them in the
 * primary's order. See NOTES.md for why it works.
 *
 * @module
 */
import type { Message, NodeContext, NodeFactory, NodeId, TimerPayload } from '#harness';
import { emptyKvState, execute, type KvReply, type KvRequest, type KvState } from '../_given/kv-protocol.ts';
import { PING_INTERVAL_MS, VIEW_SERVICE, type Ping, type View, type ViewReply } from '../_given/view-service.ts';
import type { Forward, ForwardReply, PrimaryBackupServer, Transfer, TransferReply } from './protocol.ts';

/** How long the primary waits for its backup's answer before it gives up on that message, ms. */
const BACKUP_TIMEOUT_MS = 100;

/** The ping timer, every {@link PING_INTERVAL_MS}. */
interface PingTimer extends TimerPayload {
  readonly type: 'ping';
}

type Context = NodeContext<PingTimer>;

/** A Forward the backup holds until every message numbered before it has been applied. */
interface Waiting {
  readonly from: NodeId;
  readonly forward: Forward;
}

class Server implements PrimaryBackupServer<PingTimer> {
  view: View = { viewnum: 0, primary: '', backup: '' };
  state: KvState = emptyKvState();

  /** As primary: the number of the last Transfer or Forward sent to the backup in view {@link #numberedIn}. */
  #sent = 0;
  #numberedIn = 0;
  /**
   * As primary: the view in which the stream to the backup is whole: a Transfer was sent, and every
   * message numbered after it is answered or still on its way. Only then are operations forwarded.
   */
  #streamingIn = 0;
  /** As primary: the number of the last Transfer sent in view {@link #streamingIn}. */
  #transferN = 0;
  /** As primary: the view whose backup has acknowledged that Transfer. Only then is the view acknowledged. */
  #inSyncIn = 0;

  /** As backup: the view and number of the last Transfer or Forward applied. */
  #acceptedIn = 0;
  #accepted = 0;
  /** As backup: Forwards of view {@link #waitingIn} that arrived before one numbered below them, by `n`. */
  #waiting = new Map<number, Waiting>();
  #waitingIn = 0;

  onStart(ctx: Context): void {
    this.#ping(ctx);
    ctx.setTimer(PING_INTERVAL_MS, { type: 'ping' });
  }

  onTimer(ctx: Context): void {
    this.#ping(ctx);
    ctx.setTimer(PING_INTERVAL_MS, { type: 'ping' });
    if (this.#isPrimary(ctx) && this.#streamingIn !== this.view.viewnum) this.#startStream(ctx);
  }

  onMessage(ctx: Context, from: NodeId, message: Message): void {
    switch (message.type) {
      case 'ViewReply':
        if (from === VIEW_SERVICE) this.#learn(ctx, (message as ViewReply).view);
        return;
      case 'KvRequest':
        this.#serve(ctx, from, message as KvRequest);
        return;
      case 'Transfer':
        this.#acceptTransfer(ctx, from, message as Transfer);
        return;
      case 'Forward':
        this.#acceptForward(ctx, from, message as Forward);
        return;
    }
  }

  // ───────────────────────── the view ─────────────────────────

  /** Tells the view service this server is alive; the primary acknowledges its view only once its backup holds its state. */
  #ping(ctx: Context): void {
    const ready = !this.#isPrimary(ctx) || this.#inSyncIn === this.view.viewnum;
    const ping: Ping = { type: 'Ping', viewnum: ready ? this.view.viewnum : this.view.viewnum - 1 };
    ctx.send(VIEW_SERVICE, ping);
  }

  #learn(ctx: Context, view: View): void {
    if (view.viewnum <= this.view.viewnum) return; // a late or duplicated reply
    this.view = view;
    if (this.#isPrimary(ctx)) this.#startStream(ctx);
  }

  #isPrimary(ctx: Context): boolean {
    return this.view.primary === ctx.id;
  }

  // ───────────────────────── as primary ─────────────────────────

  /**
   * Serves one operation, without waiting for the others in flight: it takes the next number, is
   * applied here at once (so the numbers are the order of this store), is forwarded, and is answered
   * when the backup acknowledged it. The backup acknowledges `n` only after everything numbered
   * before `n`, so an answer never shows the client a write the backup lacks.
   */
  #serve(ctx: Context, client: NodeId, request: KvRequest): void {
    const answer = (reply: KvReply): void => ctx.reply(client, request, reply);
    if (!this.#isPrimary(ctx)) return answer({ type: 'KvReply', ok: false, error: 'not_primary' });
    const { viewnum, backup } = this.view;
    if (this.#streamingIn !== viewnum) {
      this.#startStream(ctx);
      return answer({ type: 'KvReply', ok: false, error: 'unavailable' });
    }
    const command = { clientId: request.clientId, seq: request.seq, op: request.op };
    if (backup === '') return answer({ type: 'KvReply', ok: true, output: execute(this.state, command), viewnum });
    // Reads too: only the backup can tell an old primary that a newer view exists.
    const forward: Forward = { type: 'Forward', viewnum, n: this.#next(viewnum), command };
    const output = execute(this.state, command);
    void ctx.rpc<ForwardReply>(backup, forward, { timeoutMs: BACKUP_TIMEOUT_MS }).then((result) => {
      if (result.ok && result.reply.ok) return answer({ type: 'KvReply', ok: true, output, viewnum });
      this.#broken(viewnum, forward.n);
      answer({ type: 'KvReply', ok: false, error: 'unavailable' });
    });
  }

  /**
   * Starts the stream to the backup of the current view with a Transfer of the whole state. The
   * Transfer takes the next number: it stands for every operation numbered before it, and the
   * operations forwarded after it wait at the backup until it is in.
   */
  #startStream(ctx: Context): void {
    const { viewnum, backup } = this.view;
    if (!this.#isPrimary(ctx) || this.#streamingIn === viewnum) return;
    this.#streamingIn = viewnum;
    if (backup === '') {
      this.#inSyncIn = viewnum;
      return;
    }
    const n = this.#next(viewnum);
    this.#transferN = n;
    const transfer: Transfer = { type: 'Transfer', viewnum, n, state: this.state };
    void ctx.rpc<TransferReply>(backup, transfer, { timeoutMs: BACKUP_TIMEOUT_MS }).then((result) => {
      if (!result.ok || !result.reply.ok) return this.#broken(viewnum, n);
      if (this.#streamingIn === viewnum && this.#transferN === n) this.#inSyncIn = viewnum;
    });
  }

  /**
   * Message `n` of `viewnum` got no acknowledgement: the backup may or may not have applied it, and
   * holds back everything after it. Unless a later Transfer already stands for it, the stream starts
   * over with a new Transfer (on the next ping, or the next client request).
   */
  #broken(viewnum: number, n: number): void {
    if (this.#streamingIn !== viewnum || n < this.#transferN) return;
    this.#streamingIn = 0;
    if (this.#inSyncIn === viewnum) this.#inSyncIn = 0;
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

  /** Whether `message` comes from the primary of the view this server is the backup of. */
  #fromMyPrimary(ctx: Context, from: NodeId, message: Transfer | Forward): boolean {
    const { viewnum, primary, backup } = this.view;
    return message.viewnum === viewnum && from === primary && backup === ctx.id;
  }

  /** Whether message `n` of the current view was applied already (or a later Transfer stands for it): a late copy. */
  #seen(n: number): boolean {
    return this.#acceptedIn === this.view.viewnum && n <= this.#accepted;
  }

  /** A Transfer replaces the state, and so stands for every message numbered before it: they are skipped. */
  #acceptTransfer(ctx: Context, from: NodeId, transfer: Transfer): void {
    const ok = this.#fromMyPrimary(ctx, from, transfer) && !this.#seen(transfer.n);
    if (ok) {
      this.state = transfer.state;
      this.#acceptedIn = transfer.viewnum;
      this.#accepted = transfer.n;
    }
    const reply: TransferReply = { type: 'TransferReply', ok };
    ctx.reply(from, transfer, reply);
    if (ok) this.#applyWaiting(ctx);
  }

  /**
   * A Forward is applied only right after the message numbered before it; one that arrives early
   * waits. In a view where no Transfer has arrived yet, every Forward waits: the new backup's store
   * must first be the primary's.
   */
  #acceptForward(ctx: Context, from: NodeId, forward: Forward): void {
    if (!this.#fromMyPrimary(ctx, from, forward) || this.#seen(forward.n)) {
      const refused: ForwardReply = { type: 'ForwardReply', ok: false };
      return ctx.reply(from, forward, refused);
    }
    if (this.#waitingIn !== forward.viewnum) {
      this.#waiting = new Map();
      this.#waitingIn = forward.viewnum;
    }
    this.#waiting.set(forward.n, { from, forward });
    this.#applyWaiting(ctx);
  }

  /** Applies, in order, the waiting Forwards that come next; refuses those a Transfer stands for. */
  #applyWaiting(ctx: Context): void {
    if (this.#waitingIn !== this.#acceptedIn) return;
    for (const [n, { from, forward }] of this.#waiting) {
      if (n > this.#accepted) continue;
      this.#waiting.delete(n);
      const refused: ForwardReply = { type: 'ForwardReply', ok: false };
      ctx.reply(from, forward, refused);
    }
    for (
      let next = this.#waiting.get(this.#accepted + 1);
      next !== undefined;
      next = this.#waiting.get(this.#accepted + 1)
    ) {
      this.#waiting.delete(next.forward.n);
      this.#accepted = next.forward.n;
      const reply: ForwardReply = { type: 'ForwardReply', ok: true, output: execute(this.state, next.forward.command) };
      ctx.reply(next.from, next.forward, reply);
    }
  }
}

/** A key-value server of the primary-backup service. */
export const createPrimaryBackupServer: NodeFactory<PingTimer> = () => new Server();
