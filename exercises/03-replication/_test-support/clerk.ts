/**
 * Test support for chapter 3 (not a learner file): the key-value service's client (a "clerk", as in
 * MIT's labs), and the workload the sweeps run.
 *
 * The clerk asks the view service who the primary is, sends each operation there, and on any refusal
 * or timeout asks the view service again and retries with the SAME `seq`, until it gets an answer or
 * gives up. Each operation is recorded with `c.operation(...)`: one the clerk gave up on is
 * `indeterminate` ("may or may not have happened") for the linearizability checker.
 *
 * @module
 */
import type { ClientContext, NodeId, OperationOutcome } from '#harness';
import type { KvInput, KvOutput } from '#harness/check';
import type { KvReply, KvRequest } from '../_given/kv-protocol.ts';
import { VIEW_SERVICE, type ViewReply } from '../_given/view-service.ts';

/** Options for a {@link Clerk}. */
export interface ClerkOptions {
  /** How long to wait for a server's answer before asking the view service again. Default 400 ms. */
  readonly rpcTimeoutMs?: number;
  /** How long to keep retrying one operation before giving up (indeterminate). Default 4,000 ms. */
  readonly giveUpAfterMs?: number;
}

/** Counters of what a clerk did, for efficiency figures and failure messages. */
export interface ClerkStats {
  attempts: number;
  refusals: number;
  timeouts: number;
  viewLookups: number;
  gaveUp: number;
}

/** How long the clerk waits for the view service, ms. */
const VIEW_TIMEOUT_MS = 100;
/** The pause before a retry after a refusal, ms: a view change takes a few pings. */
const RETRY_PAUSE_MS = 20;

/**
 * What every clerk of the chapter shares: the operations, their sequence numbers, and the retry loop.
 * A subclass says where to send each operation ({@link KvClerk.target}) and what to forget after a
 * refusal or a timeout ({@link KvClerk.forget}).
 */
export abstract class KvClerk {
  readonly stats: ClerkStats = { attempts: 0, refusals: 0, timeouts: 0, viewLookups: 0, gaveUp: 0 };
  protected readonly client: ClientContext;
  readonly #rpcTimeoutMs: number;
  #giveUpAfterMs: number;
  #seq = 0;

  constructor(c: ClientContext, options: ClerkOptions = {}) {
    this.client = c;
    this.#rpcTimeoutMs = options.rpcTimeoutMs ?? 400;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? 4_000;
  }

  /** From now on, keep retrying each operation for `ms` before giving up. */
  patience(ms: number): void {
    this.#giveUpAfterMs = ms;
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
    return `${this.client.id}:${this.#seq + 1};`;
  }

  /** Runs one operation until it is answered or the clerk gives up, and records it in the history. */
  run(op: KvInput): Promise<OperationOutcome<KvOutput>> {
    const seq = ++this.#seq;
    return this.client.operation<KvInput, KvOutput>(op, () => this.#perform(op, seq));
  }

  /** The server to send `op` to, asking whoever knows if need be; '' when no one is known yet. */
  protected abstract target(op: KvInput): Promise<NodeId | ''>;

  /** Called after a refusal or a timeout: what the clerk believed about the servers is stale. */
  protected abstract forget(): void;

  /** Called when the service says operation `seq` is done. */
  protected done(op: KvInput, seq: number): void {
    void [op, seq];
  }

  async #perform(op: KvInput, seq: number): Promise<OperationOutcome<KvOutput>> {
    const c = this.client;
    const deadline = c.now() + this.#giveUpAfterMs;
    const request: KvRequest = { type: 'KvRequest', clientId: c.id, seq, op };
    while (c.now() < deadline) {
      const server = await this.target(op);
      if (server === '') {
        await c.sleep(RETRY_PAUSE_MS);
        continue;
      }
      this.stats.attempts++;
      const result = await c.rpc<KvReply>(server, request, { timeoutMs: this.#rpcTimeoutMs });
      if (result.ok && result.reply.type !== 'KvReply')
        throw new Error(
          `${server} answered ${c.id}'s KvRequest (seq ${seq}) with a message of type ${JSON.stringify(result.reply.type)}: ` +
            "every answer to a KvRequest is a KvReply, { type: 'KvReply', ok, ... }.",
        );
      if (result.ok && result.reply.ok) {
        this.done(op, seq);
        return { status: 'ok', output: result.reply.output };
      }
      if (result.ok) this.stats.refusals++;
      else this.stats.timeouts++;
      this.forget();
      await c.sleep(RETRY_PAUSE_MS);
    }
    this.stats.gaveUp++;
    return { status: 'indeterminate' };
  }
}

/** A client of the primary-backup key-value service. */
export class Clerk extends KvClerk {
  /** The primary as the clerk last heard it from the view service ('' before it asked). */
  #primary: NodeId | '' = '';

  /** The server this clerk will send its next operation to ('' if it will ask the view service first). */
  get primaryGuess(): NodeId | '' {
    return this.#primary;
  }

  /** Makes the clerk send its next operation to `server` without asking the view service (a stale view). */
  tryFirst(server: NodeId): void {
    this.#primary = server;
  }

  protected async target(): Promise<NodeId | ''> {
    if (this.#primary === '') await this.#lookUpPrimary();
    return this.#primary;
  }

  protected forget(): void {
    this.#primary = '';
  }

  async #lookUpPrimary(): Promise<void> {
    this.stats.viewLookups++;
    const result = await this.client.rpc<ViewReply>(VIEW_SERVICE, { type: 'GetView' }, { timeoutMs: VIEW_TIMEOUT_MS });
    if (result.ok && result.reply.type === 'ViewReply') this.#primary = result.reply.view.primary;
  }
}

/**
 * Values that every client may write, so that two clients write the same value: a server that takes
 * an operation for a retry because of what it writes, rather than who asks and which of their
 * operations it is, is caught.
 */
const SHARED_VALUES: readonly string[] = ['v1;', 'v2;', 'v3;'];

/**
 * A client's random mix of gets, puts and appends on a few keys, with short pauses, that repeats
 * itself as real clients do: one write in four writes a shared value, and one write in four is
 * followed at once by the very same operation again (each a new operation, with its own `seq`).
 */
export async function randomWorkload(
  c: ClientContext,
  clerk: KvClerk,
  options: {
    readonly ops: number;
    readonly keys: readonly string[];
    readonly maxPauseMs: number;
    readonly untilMs: number;
  },
): Promise<void> {
  let done = 0;
  while (done < options.ops && c.now() < options.untilMs) {
    const key = options.keys[c.randomInt(0, options.keys.length - 1)]!;
    const roll = c.randomInt(1, 10);
    if (roll <= 4) {
      await clerk.get(key);
      done++;
    } else {
      const f = roll <= 8 ? 'append' : 'put';
      const value = c.randomInt(1, 4) === 1 ? SHARED_VALUES[c.randomInt(0, SHARED_VALUES.length - 1)]! : clerk.token();
      const times = c.randomInt(1, 4) === 1 ? 2 : 1;
      for (let time = 0; time < times && done < options.ops; time++) {
        await clerk.run({ f, key, value });
        done++;
      }
    }
    await c.sleep(c.randomInt(0, options.maxPauseMs));
  }
}
