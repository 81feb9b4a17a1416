/**
 * Test support for exercise 3.3 (not a learner file): the chain's client. It asks the master for the
 * chain, sends writes to the head and reads to the tail, and on any refusal or timeout asks the master
 * again and retries with the SAME `seq`, until it gets an answer or gives up. Each operation is
 * recorded with `c.operation(...)`: one the clerk gave up on is `indeterminate` for the checker.
 *
 * @module
 */
import type { ClientContext, NodeId, OperationOutcome } from '#harness';
import type { KvInput, KvOutput } from '#harness/check';
import { CHAIN_MASTER, type ChainConfig, type ChainReply, headOf, tailOf } from '../_given/chain-master.ts';
import type { KvReply, KvRequest } from '../_given/kv-protocol.ts';
import type { ClerkStats } from './clerk.ts';

/** Options for a {@link ChainClerk}. */
export interface ChainClerkOptions {
  /** How long to wait for a server's answer before asking the master again. Default 400 ms. */
  readonly rpcTimeoutMs?: number;
  /** How long to keep retrying one operation before giving up (indeterminate). Default 4,000 ms. */
  readonly giveUpAfterMs?: number;
  /** Called with the seq of each put or append the service says is done. */
  readonly onAcknowledged?: (seq: number) => void;
}

/** How long the clerk waits for the master, ms. */
const MASTER_TIMEOUT_MS = 100;
/** The pause before a retry after a refusal, ms. */
const RETRY_PAUSE_MS = 20;

/** A client of the chain-replicated key-value service. */
export class ChainClerk {
  readonly stats: ClerkStats = { attempts: 0, refusals: 0, timeouts: 0, viewLookups: 0, gaveUp: 0 };
  readonly #c: ClientContext;
  readonly #rpcTimeoutMs: number;
  #giveUpAfterMs: number;
  readonly #onAcknowledged: (seq: number) => void;
  /** The chain as the clerk last heard it (num 0 before it asked). */
  #config: ChainConfig = { num: 0, chain: [] };
  /** A server to try for the next operation instead of the one the chain names (a stale client). */
  #pinned: NodeId | '' = '';
  #seq = 0;

  constructor(c: ClientContext, options: ChainClerkOptions = {}) {
    this.#c = c;
    this.#rpcTimeoutMs = options.rpcTimeoutMs ?? 400;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? 4_000;
    this.#onAcknowledged = options.onAcknowledged ?? (() => {});
  }

  /** From now on, keep retrying each operation for `ms` before giving up. */
  patience(ms: number): void {
    this.#giveUpAfterMs = ms;
  }

  /** Makes the clerk send its next operation to `server` first, whatever the chain says. */
  tryFirst(server: NodeId): void {
    this.#pinned = server;
  }

  get(key: string): Promise<OperationOutcome<KvOutput>> {
    return this.run({ f: 'get', key });
  }

  put(key: string, value = this.token()): Promise<OperationOutcome<KvOutput>> {
    return this.run({ f: 'put', key, value });
  }

  append(key: string, value = this.token()): Promise<OperationOutcome<KvOutput>> {
    return this.run({ f: 'append', key, value });
  }

  /** A value no other operation writes: `c1:7;` (client and sequence number). */
  token(): string {
    return `${this.#c.id}:${this.#seq + 1};`;
  }

  /** Runs one operation until it is answered or the clerk gives up, and records it in the history. */
  run(op: KvInput): Promise<OperationOutcome<KvOutput>> {
    const seq = ++this.#seq;
    return this.#c.operation<KvInput, KvOutput>(op, () => this.#perform(op, seq));
  }

  async #perform(op: KvInput, seq: number): Promise<OperationOutcome<KvOutput>> {
    const deadline = this.#c.now() + this.#giveUpAfterMs;
    const request: KvRequest = { type: 'KvRequest', clientId: this.#c.id, seq, op };
    while (this.#c.now() < deadline) {
      let server = this.#pinned;
      this.#pinned = '';
      if (server === '') {
        if (this.#config.num === 0) await this.#lookUpChain();
        server = op.f === 'get' ? tailOf(this.#config) : headOf(this.#config);
        if (server === '') {
          await this.#c.sleep(RETRY_PAUSE_MS);
          continue;
        }
      }
      this.stats.attempts++;
      const result = await this.#c.rpc<KvReply>(server, request, { timeoutMs: this.#rpcTimeoutMs });
      if (result.ok && result.reply.type !== 'KvReply')
        throw new Error(
          `${server} answered ${this.#c.id}'s KvRequest (seq ${seq}) with a message of type ${JSON.stringify(result.reply.type)}: ` +
            "every answer to a KvRequest is a KvReply, { type: 'KvReply', ok, ... }.",
        );
      if (result.ok && result.reply.ok) {
        if (op.f !== 'get') this.#onAcknowledged(seq);
        return { status: 'ok', output: result.reply.output };
      }
      if (result.ok) this.stats.refusals++;
      else this.stats.timeouts++;
      this.#config = { num: 0, chain: [] };
      await this.#c.sleep(RETRY_PAUSE_MS);
    }
    this.stats.gaveUp++;
    return { status: 'indeterminate' };
  }

  async #lookUpChain(): Promise<void> {
    this.stats.viewLookups++;
    const result = await this.#c.rpc<ChainReply>(CHAIN_MASTER, { type: 'GetChain' }, { timeoutMs: MASTER_TIMEOUT_MS });
    if (result.ok && result.reply.type === 'ChainReply') this.#config = result.reply.config;
  }
}
