/**
 * Given code for chapter 3: the view service, the one node that decides which server is the primary
 * and which the backup (after the view service of MIT 6.824's primary-backup lab). Your servers ping
 * it, clients ask it who the primary is, and the tests read the views it made. Not yours to edit.
 *
 * ```text
 *   server ──Ping { viewnum }──▶ view service ──ViewReply { view }──▶ server
 *   client ──GetView────────────▶ view service ──ViewReply { view }──▶ client
 * ```
 *
 * The rules it follows, in order, each time a ping arrives and every {@link PING_INTERVAL_MS}:
 *
 * 1. The first server to ping becomes the primary of view 1, without a backup.
 * 2. It never moves past view `v` until the primary of `v` has **acknowledged** `v`: pinged with
 *    `viewnum: v`. So a primary that never learned of a view cannot be replaced behind its back, and
 *    the backup of an acknowledged view is the only server that may be promoted.
 * 3. A server is dead when it has not pinged for {@link DEAD_PINGS} intervals, or when it pings with
 *    `viewnum: 0` after pinging with a higher number, while it is the primary or the backup (it
 *    restarted and lost its state).
 * 4. If the primary is dead and the backup alive, the backup becomes the primary of the next view, and
 *    an idle server (alive, in no role) its backup. If the primary is dead and there is no backup,
 *    nothing can be done: no one else has the data. The view service waits for the primary to return.
 * 5. If the backup is dead, or there is none and an idle server is alive, the next view keeps the
 *    primary and takes that idle server as backup (or none).
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeId, RpcRequest, TimerPayload } from '#harness';

/** The view service's node id. Servers and clients send it their pings and view requests. */
export const VIEW_SERVICE: NodeId = 'vs';

/** How often a server pings the view service, and how often the view service looks for dead servers, ms. */
export const PING_INTERVAL_MS = 100;

/** A server that has not pinged for this many intervals is dead to the view service. */
export const DEAD_PINGS = 5;

/** How long without a ping before the view service takes a server for dead, ms. */
export const DEAD_AFTER_MS = PING_INTERVAL_MS * DEAD_PINGS;

/**
 * A view: who is the primary and who the backup, under a number. `primary` and `backup` are `''`
 * when there is none. Views are numbered 1, 2, 3, ...; view 0 is "no view yet".
 */
export interface View {
  readonly viewnum: number;
  readonly primary: NodeId | '';
  readonly backup: NodeId | '';
}

/** Server → view service, every {@link PING_INTERVAL_MS}: "I am alive, and I have taken in view `viewnum`". */
export interface Ping extends RpcRequest {
  readonly type: 'Ping';
  /**
   * The latest view this server has taken in. For the primary this is its acknowledgement: send the
   * number of the current view only once you are ready to serve in it. `0` after a (re)start.
   */
  readonly viewnum: number;
}

/** Client → view service: "who is the primary?". Sent with `ctx.rpc`. */
export interface GetView extends RpcRequest {
  readonly type: 'GetView';
}

/**
 * View service → server or client: the current view. The answer to a {@link Ping} or a
 * {@link GetView}: with `ctx.reply` when the request came with `ctx.rpc`, with `ctx.send` otherwise
 * (then it reaches your `onMessage`).
 */
export interface ViewReply extends Message {
  readonly type: 'ViewReply';
  readonly view: View;
}

/** The view service's tick, every {@link PING_INTERVAL_MS}. */
interface TickTimer extends TimerPayload {
  readonly type: 'tick';
}

/** What the tests read from the view service: every view it made, and when it made each. */
export interface ViewService extends Node<TickTimer> {
  /** The current view. */
  readonly current: View;
  /** Every view made so far, in order: `views[v - 1]` is view `v`. */
  readonly views: readonly View[];
  /** Whether the primary of the current view has acknowledged it. */
  readonly acknowledged: boolean;
}

const NO_VIEW: View = { viewnum: 0, primary: '', backup: '' };

/** The view service node: run it under the id {@link VIEW_SERVICE}. */
export function createViewService(): ViewService {
  let current = NO_VIEW;
  let acknowledged = false;
  const views: View[] = [];
  const lastPingMs = new Map<NodeId, number>();
  /** The viewnum of each server's last ping: a server that goes from more than 0 back to 0 restarted. */
  const lastViewnum = new Map<NodeId, number>();
  /** Servers that restarted while primary or backup of the current view: they lost their state. */
  const restarted = new Set<NodeId>();

  const alive = (ctx: NodeContext, server: NodeId): boolean =>
    !restarted.has(server) && ctx.now() - (lastPingMs.get(server) ?? -Infinity) < DEAD_AFTER_MS;

  /** The alive server in no role with the lowest id, or '' (the lowest id, so that runs are easy to follow). */
  const idleServer = (ctx: NodeContext, primary: NodeId | '', backup: NodeId | ''): NodeId | '' =>
    [...lastPingMs.keys()]
      .filter((server) => server !== primary && server !== backup && alive(ctx, server))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))[0] ?? '';

  const moveTo = (ctx: NodeContext, primary: NodeId | '', backup: NodeId | ''): void => {
    current = { viewnum: current.viewnum + 1, primary, backup };
    acknowledged = false;
    views.push(current);
    restarted.clear();
    ctx.log(`view ${current.viewnum}: primary ${primary || 'none'}, backup ${backup || 'none'}`);
  };

  const decide = (ctx: NodeContext): void => {
    if (current.viewnum === 0) {
      const first = idleServer(ctx, '', '');
      if (first !== '') moveTo(ctx, first, '');
      return;
    }
    if (!acknowledged) return;
    const { primary, backup } = current;
    if (!alive(ctx, primary)) {
      if (backup !== '' && alive(ctx, backup)) moveTo(ctx, backup, idleServer(ctx, backup, ''));
      return;
    }
    if (backup !== '' && !alive(ctx, backup)) {
      moveTo(ctx, primary, idleServer(ctx, primary, ''));
      return;
    }
    if (backup === '') {
      const idle = idleServer(ctx, primary, '');
      if (idle !== '') moveTo(ctx, primary, idle);
    }
  };

  const answer = (ctx: NodeContext, from: NodeId, request: Message): void => {
    const reply: ViewReply = { type: 'ViewReply', view: current };
    if ((request as RpcRequest).rpcId === undefined) ctx.send(from, reply);
    else ctx.reply(from, request, reply);
  };

  return {
    get current() {
      return current;
    },
    get views() {
      return views;
    },
    get acknowledged() {
      return acknowledged;
    },
    onStart(ctx) {
      ctx.setTimer(PING_INTERVAL_MS, { type: 'tick' });
    },
    onMessage(ctx, from, message) {
      if (message.type === 'Ping') {
        const { viewnum } = message as Ping;
        const before = lastViewnum.get(from) ?? 0;
        lastPingMs.set(from, ctx.now());
        lastViewnum.set(from, viewnum);
        if (viewnum === 0 && before > 0 && (from === current.primary || from === current.backup)) restarted.add(from);
        if (from === current.primary && viewnum === current.viewnum) acknowledged = true;
        decide(ctx);
        answer(ctx, from, message);
      } else if (message.type === 'GetView') {
        answer(ctx, from, message);
      }
    },
    onTimer(ctx) {
      decide(ctx);
      ctx.setTimer(PING_INTERVAL_MS, { type: 'tick' });
    },
  };
}
