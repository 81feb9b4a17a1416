/**
 * Given code for exercise 3.3: the chain's master, the one node that decides which servers form the
 * chain and in which order (the "master" of van Renesse and Schneider's chain replication, section 3).
 * Your servers ping it, clients ask it for the chain, and the tests read the configurations it made.
 * Not yours to edit.
 *
 * ```text
 *   server ──ChainPing { num }──▶ master ──ChainReply { config }──▶ server   (the answer to each ping)
 *   client ──GetChain────────────▶ master ──ChainReply { config }──▶ client
 *                                  master ──ChainReply { config }──▶ every member, when the chain changes
 * ```
 *
 * The rules it follows, each time a ping arrives and every {@link CHAIN_PING_INTERVAL_MS}:
 *
 * 1. Configuration 1 is every server, in the order the test names them: the first is the **head**,
 *    the last the **tail**.
 * 2. A member that has not pinged for {@link CHAIN_DEAD_AFTER_MS} is removed from the chain. A ping
 *    that arrives after a newer one from the same server (a lower `rpcId`: it was sent earlier and
 *    delayed) is answered but does not count: a crashed server's late pings do not keep it in. The
 *    others keep their order: removing the head makes its successor the head, removing the tail
 *    makes its predecessor the tail, removing a middle server links its neighbours.
 * 3. The chain never becomes empty: when every member is silent, no one is removed, and the master
 *    waits for one of them to ping again (no one else has the data).
 * 4. A removed server never comes back. (Extending a chain with a new tail, the paper's section 3,
 *    needs a state transfer; exercise 3.1 did that for a backup.) Servers are fail-stop, as in the
 *    paper: one that crashed does not restart.
 *
 * Each change makes a configuration with the next number, and the master sends it to every member of
 * the new chain at once, as well as in the answer to each ping.
 *
 * **Leases.** The master takes a server for dead only after {@link CHAIN_DEAD_AFTER_MS} without a ping,
 * counted from the moment a ping arrived. So a server whose ping, sent at time `t`, was answered knows
 * that it is still a member until `t + CHAIN_LEASE_MS`, even if it hears nothing more: the master
 * cannot have removed it before then. A tail that answers reads only within its lease is never an old
 * tail that was replaced behind its back.
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeFactory, NodeId, RpcRequest, TimerPayload } from '#harness';

/** The master's node id. Servers send it their pings; clients ask it for the chain. */
export const CHAIN_MASTER: NodeId = 'master';

/** How often a server pings the master, and how often the master looks for dead members, ms. */
export const CHAIN_PING_INTERVAL_MS = 100;

/** How long without a ping before the master removes a member from the chain, ms. */
export const CHAIN_DEAD_AFTER_MS = 500;

/**
 * How long after sending a ping that the master answered a server may take itself for a member of
 * the chain the answer named, ms. Shorter than {@link CHAIN_DEAD_AFTER_MS}, so the lease ends before
 * the master can remove the server.
 */
export const CHAIN_LEASE_MS = 400;

/** A configuration: the chain in order, head first, tail last, under a number (1, 2, 3, ...; 0 is "none yet"). */
export interface ChainConfig {
  readonly num: number;
  readonly chain: readonly NodeId[];
}

/** Server → master, every {@link CHAIN_PING_INTERVAL_MS}, with `ctx.rpc`: "I am alive; the latest configuration I know is `num`". */
export interface ChainPing extends RpcRequest {
  readonly type: 'ChainPing';
  /** The number of the latest configuration this server has taken in (`0` before the first); it shows in the trace. */
  readonly num: number;
}

/** Client → master, with `ctx.rpc`: "what is the chain?". */
export interface GetChain extends RpcRequest {
  readonly type: 'GetChain';
}

/**
 * Master → server or client: the current configuration. The answer to a {@link ChainPing} or a
 * {@link GetChain} (with `ctx.reply`), and sent with `ctx.send` to every member when the chain
 * changes (then it reaches your `onMessage`).
 */
export interface ChainReply extends Message {
  readonly type: 'ChainReply';
  readonly config: ChainConfig;
}

/** The master's tick, every {@link CHAIN_PING_INTERVAL_MS}. */
interface TickTimer extends TimerPayload {
  readonly type: 'tick';
}

/** What the tests read from the master: every configuration it made. */
export interface ChainMaster extends Node<TickTimer> {
  /** The current configuration. */
  readonly current: ChainConfig;
  /** Every configuration made so far, in order: `configs[num - 1]` is configuration `num`. */
  readonly configs: readonly ChainConfig[];
}

/** The head of `config` ('' for an empty chain). */
export function headOf(config: ChainConfig): NodeId | '' {
  return config.chain[0] ?? '';
}

/** The tail of `config` ('' for an empty chain). */
export function tailOf(config: ChainConfig): NodeId | '' {
  return config.chain[config.chain.length - 1] ?? '';
}

/** The server just before `server` in `config` ('' for the head, or a server not in the chain). */
export function predecessorOf(config: ChainConfig, server: NodeId): NodeId | '' {
  const index = config.chain.indexOf(server);
  return index > 0 ? config.chain[index - 1]! : '';
}

/** The server just after `server` in `config` ('' for the tail, or a server not in the chain). */
export function successorOf(config: ChainConfig, server: NodeId): NodeId | '' {
  const index = config.chain.indexOf(server);
  return index >= 0 && index < config.chain.length - 1 ? config.chain[index + 1]! : '';
}

/** A master whose first chain is `servers`, in that order: run it under the id {@link CHAIN_MASTER}. */
export function createChainMaster(servers: readonly NodeId[]): NodeFactory<TickTimer> {
  return (): ChainMaster => {
    let current: ChainConfig = { num: 1, chain: [...servers] };
    const configs: ChainConfig[] = [current];
    /** When each server last pinged; every member starts with a full grace period. */
    const lastPingMs = new Map<NodeId, number>(servers.map((server) => [server, 0]));
    /** The rpcId of each server's newest ping: its sender never reuses one, so a lower one is a late copy. */
    const newestPing = new Map<NodeId, number>();

    const change = (ctx: NodeContext<TickTimer>, chain: readonly NodeId[]): void => {
      current = { num: current.num + 1, chain };
      configs.push(current);
      ctx.log(`configuration ${current.num}: ${chain.join(' → ')}`);
      for (const member of chain) {
        const push: ChainReply = { type: 'ChainReply', config: current };
        ctx.send(member, push);
      }
    };

    const removeDead = (ctx: NodeContext<TickTimer>): void => {
      // Only silence removes a member, never a message: a ping can arrive late, or twice, and the
      // leases count on no member being removed before CHAIN_DEAD_AFTER_MS without a ping.
      const dead = (server: NodeId): boolean =>
        ctx.now() - (lastPingMs.get(server) ?? -Infinity) >= CHAIN_DEAD_AFTER_MS;
      const alive = current.chain.filter((server) => !dead(server));
      // The last member is never removed: when every member is silent, the master waits for one to return.
      if (alive.length === current.chain.length || alive.length === 0) return;
      change(ctx, alive);
    };

    return {
      get current() {
        return current;
      },
      get configs() {
        return configs;
      },
      onStart(ctx) {
        ctx.setTimer(CHAIN_PING_INTERVAL_MS, { type: 'tick' });
      },
      onMessage(ctx, from, message) {
        if (message.type === 'ChainPing') {
          const { rpcId } = message as ChainPing;
          if (rpcId === undefined || rpcId > (newestPing.get(from) ?? -Infinity)) {
            if (rpcId !== undefined) newestPing.set(from, rpcId);
            lastPingMs.set(from, ctx.now());
          }
          removeDead(ctx);
        } else if (message.type !== 'GetChain') {
          return;
        }
        if ((message as RpcRequest).rpcId === undefined) return;
        const reply: ChainReply = { type: 'ChainReply', config: current };
        ctx.reply(from, message, reply);
      },
      onTimer(ctx) {
        removeDead(ctx);
        ctx.setTimer(CHAIN_PING_INTERVAL_MS, { type: 'tick' });
      },
    };
  };
}
