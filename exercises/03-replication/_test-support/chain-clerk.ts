/**
 * Test support for exercise 3.3 (not a learner file): the chain's client. It asks the master for the
 * chain, sends writes to the head and reads to the tail, and on any refusal or timeout asks the master
 * again and retries with the SAME `seq`, until it gets an answer or gives up. Each operation is
 * recorded with `c.operation(...)`: one the clerk gave up on is `indeterminate` for the checker.
 *
 * @module
 */
import type { ClientContext, NodeId } from '#harness';
import type { KvInput } from '#harness/check';
import { CHAIN_MASTER, type ChainConfig, type ChainReply, headOf, tailOf } from '../_given/chain-master.ts';
import { type ClerkOptions, KvClerk } from './clerk.ts';

/** Options for a {@link ChainClerk}: a {@link Clerk}'s, and who hears of each write that is done. */
export interface ChainClerkOptions extends ClerkOptions {
  /** Called with the seq of each put or append the service says is done. */
  readonly onAcknowledged?: (seq: number) => void;
}

/** How long the clerk waits for the master, ms. */
const MASTER_TIMEOUT_MS = 100;

/** A client of the chain-replicated key-value service: writes to the head, gets to the tail. */
export class ChainClerk extends KvClerk {
  readonly #onAcknowledged: (seq: number) => void;
  /** The chain as the clerk last heard it (num 0 before it asked). */
  #config: ChainConfig = { num: 0, chain: [] };
  /** A server to try for the next operation instead of the one the chain names (a stale client). */
  #pinned: NodeId | '' = '';

  constructor(c: ClientContext, options: ChainClerkOptions = {}) {
    super(c, options);
    this.#onAcknowledged = options.onAcknowledged ?? (() => {});
  }

  /** Makes the clerk send its next operation to `server` first, whatever the chain says. */
  tryFirst(server: NodeId): void {
    this.#pinned = server;
  }

  protected async target(op: KvInput): Promise<NodeId | ''> {
    const pinned = this.#pinned;
    this.#pinned = '';
    if (pinned !== '') return pinned;
    if (this.#config.num === 0) await this.#lookUpChain();
    return op.f === 'get' ? tailOf(this.#config) : headOf(this.#config);
  }

  protected forget(): void {
    this.#config = { num: 0, chain: [] };
  }

  protected override done(op: KvInput, seq: number): void {
    if (op.f !== 'get') this.#onAcknowledged(seq);
  }

  async #lookUpChain(): Promise<void> {
    this.stats.viewLookups++;
    const result = await this.client.rpc<ChainReply>(
      CHAIN_MASTER,
      { type: 'GetChain' },
      { timeoutMs: MASTER_TIMEOUT_MS },
    );
    if (result.ok && result.reply.type === 'ChainReply') this.#config = result.reply.config;
  }
}
