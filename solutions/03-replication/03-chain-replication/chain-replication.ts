/**
 * Exercise 3.3, reference solution: a server of a replication chain (van Renesse and Schneider, OSDI
 * 2004). The head orders the writes, every server applies them in that order and passes them on, the
 * tail answers the client and the reads, and acknowledgements travel back up so that each server can
 * forget what the tail holds. See NOTES.md for why it works.
 *
 * @module
 */
import type { Message, NodeContext, NodeFactory, NodeId, TimerPayload } from '#harness';
import {
  CHAIN_LEASE_MS,
  CHAIN_MASTER,
  CHAIN_PING_INTERVAL_MS,
  type ChainConfig,
  type ChainPing,
  type ChainReply,
  headOf,
  predecessorOf,
  successorOf,
  tailOf,
} from '../_given/chain-master.ts';
import { emptyKvState, execute, type KvReply, type KvRequest, type KvState } from '../_given/kv-protocol.ts';
import type { Ack, ChainServer, Update } from './protocol.ts';

/** An update in Sent that has waited this long for its acknowledgement is sent again, ms. */
const RESEND_AFTER_MS = 100;

/** The tick timer, every {@link CHAIN_PING_INTERVAL_MS}: ping the master, re-send what waits too long. */
interface TickTimer extends TimerPayload {
  readonly type: 'tick';
}

type Context = NodeContext<TickTimer>;

/** An update this server passed on, and when it last sent it. */
interface SentUpdate {
  readonly update: Update;
  sentAtMs: number;
}

class Server implements ChainServer<TickTimer> {
  config: ChainConfig = { num: 0, chain: [] };
  state: KvState = emptyKvState();

  /** The number of the last update applied: every update up to it, none after. */
  #applied = 0;
  /** The number up to which the tail is known to hold every update (the tail's own `#applied`). */
  #acked = 0;
  /** Sent (the paper's Sent_i): updates passed to the successor and not yet acknowledged, oldest first. */
  #sent: SentUpdate[] = [];
  /** Updates that arrived before the one they follow, by number, until the gap is filled. */
  #early = new Map<number, Update>();
  /** Until when this server may take itself for a member of {@link config}: see the master's leases. */
  #leaseUntilMs = -Infinity;

  onStart(ctx: Context): void {
    this.#ping(ctx);
    ctx.setTimer(CHAIN_PING_INTERVAL_MS, { type: 'tick' });
  }

  onTimer(ctx: Context): void {
    this.#ping(ctx);
    ctx.setTimer(CHAIN_PING_INTERVAL_MS, { type: 'tick' });
    this.#resend(ctx, ctx.now() - RESEND_AFTER_MS);
  }

  onMessage(ctx: Context, from: NodeId, message: Message): void {
    switch (message.type) {
      case 'ChainReply':
        if (from === CHAIN_MASTER) this.#learn(ctx, (message as ChainReply).config);
        return;
      case 'KvRequest':
        this.#serve(ctx, from, message as KvRequest);
        return;
      case 'Update':
        this.#receive(ctx, from, message as Update);
        return;
      case 'Ack':
        this.#acknowledged(ctx, from, message as Ack);
        return;
    }
  }

  // ───────────────────────── the configuration ─────────────────────────

  /**
   * Pings the master; its answer names the chain and renews the lease from the moment the ping left.
   * An answer later than the lease itself would renew nothing, so that is how long it waits.
   */
  #ping(ctx: Context): void {
    const sentAtMs = ctx.now();
    const ping: ChainPing = { type: 'ChainPing', num: this.config.num };
    void ctx.rpc<ChainReply>(CHAIN_MASTER, ping, { timeoutMs: CHAIN_LEASE_MS }).then((result) => {
      if (!result.ok || result.reply.type !== 'ChainReply') return;
      if (result.reply.config.num >= this.config.num)
        this.#leaseUntilMs = Math.max(this.#leaseUntilMs, sentAtMs + CHAIN_LEASE_MS);
      this.#learn(ctx, result.reply.config);
    });
  }

  /** Takes in a newer configuration: a new successor gets Sent again; a new tail commits what it holds. */
  #learn(ctx: Context, config: ChainConfig): void {
    if (config.num <= this.config.num) return; // a late or duplicated answer
    const before = this.config;
    this.config = config;
    this.#early.clear(); // they came in an older configuration; their sender sends them again
    if (!config.chain.includes(ctx.id)) {
      this.#sent = [];
      return;
    }
    const successor = successorOf(config, ctx.id);
    if (successor === '') {
      // Now the tail: everything this server holds is at the tail, so it is committed.
      for (const { update } of this.#sent) this.#answer(ctx, update);
      this.#sent = [];
      this.#acked = this.#applied;
      this.#sendAck(ctx);
    } else if (successor !== successorOf(before, ctx.id)) {
      // Section 3, "failure of other servers": the new successor may lack what the old one had.
      this.#resend(ctx, Infinity);
    }
  }

  #isHead(ctx: Context): boolean {
    return headOf(this.config) === ctx.id;
  }

  #isTail(ctx: Context): boolean {
    return tailOf(this.config) === ctx.id;
  }

  // ───────────────────────── clients ─────────────────────────

  #serve(ctx: Context, client: NodeId, request: KvRequest): void {
    const refuse = (error: 'not_primary' | 'unavailable'): void =>
      ctx.reply(client, request, { type: 'KvReply', ok: false, error } satisfies KvReply);
    if (request.op.f === 'get') {
      // Section 2: reads go to the tail, which holds exactly the writes that are committed.
      if (!this.#isTail(ctx)) return refuse('not_primary');
      if (ctx.now() >= this.#leaseUntilMs) return refuse('unavailable');
      const reply: KvReply = {
        type: 'KvReply',
        ok: true,
        output: { value: this.state.store[request.op.key] ?? '' },
        viewnum: this.config.num,
      };
      return ctx.reply(client, request, reply);
    }
    // Section 2: writes enter at the head, which gives them their place in the order.
    if (!this.#isHead(ctx)) return refuse('not_primary');
    const command = { clientId: request.clientId, seq: request.seq, op: request.op };
    // A retry (same clientId and seq) becomes a new update too: execute() applies it once, and the tail
    // answers the request the client is waiting on now.
    const update: Update = { type: 'Update', config: this.config.num, n: this.#applied + 1, command, client, request };
    this.#apply(ctx, update);
  }

  /** The tail answers the client of `update`, with the output its copy of the store records. */
  #answer(ctx: Context, update: Update): void {
    const session = this.state.sessions[update.command.clientId];
    const output = session?.seq === update.command.seq ? session.output : {};
    const reply: KvReply = { type: 'KvReply', ok: true, output, viewnum: this.config.num };
    ctx.reply(update.client, update.request, reply);
  }

  // ───────────────────────── down the chain ─────────────────────────

  /** Accepts an update from the predecessor, in the configuration both are in, in the order of `n`. */
  #receive(ctx: Context, from: NodeId, update: Update): void {
    if (update.config !== this.config.num || from !== predecessorOf(this.config, ctx.id)) return;
    if (update.n <= this.#applied) {
      // A copy of one already applied: if the tail has it, say so, so the sender forgets it.
      if (update.n <= this.#acked) this.#sendAck(ctx);
      return;
    }
    if (update.n > this.#applied + 1) {
      this.#early.set(update.n, update);
      return;
    }
    this.#apply(ctx, update);
    for (let next = this.#early.get(this.#applied + 1); next !== undefined; next = this.#early.get(this.#applied + 1)) {
      this.#early.delete(next.n);
      this.#apply(ctx, next);
    }
  }

  /** Applies update `n = applied + 1`, then passes it on (keeping it in Sent), or, as the tail, answers and acknowledges. */
  #apply(ctx: Context, update: Update): void {
    execute(this.state, update.command);
    this.#applied = update.n;
    const successor = successorOf(this.config, ctx.id);
    if (successor === '') {
      this.#answer(ctx, update);
      this.#acked = update.n;
      this.#sendAck(ctx);
      return;
    }
    const passed: Update = { ...update, config: this.config.num };
    this.#sent.push({ update: passed, sentAtMs: ctx.now() });
    ctx.send(successor, passed);
  }

  /** Sends the successor again every update of Sent last sent at or before `sentBeforeMs`. */
  #resend(ctx: Context, sentBeforeMs: number): void {
    const successor = successorOf(this.config, ctx.id);
    if (successor === '') return;
    for (const entry of this.#sent) {
      if (entry.sentAtMs > sentBeforeMs) continue;
      const again: Update = { ...entry.update, config: this.config.num };
      entry.sentAtMs = ctx.now();
      ctx.send(successor, again);
    }
  }

  // ───────────────────────── up the chain ─────────────────────────

  /** Tells the predecessor how far the tail has got. */
  #sendAck(ctx: Context): void {
    const predecessor = predecessorOf(this.config, ctx.id);
    if (predecessor === '' || this.#acked === 0) return;
    const ack: Ack = { type: 'Ack', config: this.config.num, n: this.#acked };
    ctx.send(predecessor, ack);
  }

  /** Takes an acknowledgement from the successor: forgets what the tail holds, and passes it up. */
  #acknowledged(ctx: Context, from: NodeId, ack: Ack): void {
    if (ack.config !== this.config.num || from !== successorOf(this.config, ctx.id)) return;
    if (ack.n <= this.#acked) return;
    this.#acked = ack.n;
    this.#sent = this.#sent.filter(({ update }) => update.n > ack.n);
    this.#sendAck(ctx);
  }
}

/** A server of the replication chain. */
export const createChainServer: NodeFactory<TickTimer> = () => new Server();
