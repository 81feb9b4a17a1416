/**
 * Test support for chapter 5 (not a learner file): the key-value store's client (a "clerk", as in MIT's
 * labs), and the checks run on its history.
 *
 * The clerk sends each operation to the server it believes leads, follows `leaderHint`s, moves on after
 * a timeout, and retries with the SAME `seq` until it gets an answer, so that the servers can recognise
 * a retry. Each operation is recorded with `c.operation(...)`: an operation the clerk gave up on is
 * `indeterminate`, which the linearizability checker treats as "may or may not have happened".
 *
 * @module
 */
import type { ClientContext, NodeId, OperationOutcome } from '#harness';
import { assertLinearizable, type KvInput, kvModel, type KvOutput } from '#harness/check';
import type { Simulation } from '#harness/testing';
import type { KvReply, KvRequest } from '../_given/kv-protocol.ts';

/** Options for a {@link Clerk}. */
export interface ClerkOptions {
  /** How long to wait for one answer before trying another server. Default 100 ms. */
  readonly rpcTimeoutMs?: number;
  /** How long to keep retrying one operation before giving up (indeterminate). Default 4,000 ms. */
  readonly giveUpAfterMs?: number;
}

/** Counters of what a clerk did, for efficiency figures and failure messages. */
export interface ClerkStats {
  attempts: number;
  redirects: number;
  timeouts: number;
  gaveUp: number;
}

/** A client of the replicated key-value store. */
export class Clerk {
  readonly stats: ClerkStats = { attempts: 0, redirects: 0, timeouts: 0, gaveUp: 0 };
  readonly #c: ClientContext;
  readonly #servers: readonly NodeId[];
  readonly #rpcTimeoutMs: number;
  #giveUpAfterMs: number;
  #leader: NodeId;
  #seq = 0;

  constructor(c: ClientContext, servers: readonly NodeId[], options: ClerkOptions = {}) {
    this.#c = c;
    this.#servers = servers;
    this.#rpcTimeoutMs = options.rpcTimeoutMs ?? 100;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? 4_000;
    this.#leader = servers[c.randomInt(0, servers.length - 1)]!;
  }

  /** The server this clerk will try first. */
  get leaderGuess(): NodeId {
    return this.#leader;
  }

  /** From now on, keep retrying each operation for `ms` before giving up. */
  patience(ms: number): void {
    this.#giveUpAfterMs = ms;
  }

  /** Makes the clerk try `server` first (for scripted tests). */
  tryFirst(server: NodeId): void {
    this.#leader = server;
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
      this.stats.attempts++;
      const result = await this.#c.rpc<KvReply>(this.#leader, request, { timeoutMs: this.#rpcTimeoutMs });
      if (!result.ok) {
        this.stats.timeouts++;
        this.#leader = this.#nextServer();
        continue;
      }
      const reply = result.reply;
      if (reply.type !== 'KvReply')
        throw new Error(
          `${this.#leader} answered ${this.#c.id}'s KvRequest (seq ${seq}) with a message of type ${JSON.stringify(reply.type)}: ` +
            "every answer to a KvRequest is a KvReply, { type: 'KvReply', ok, ... }.",
        );
      if (reply.ok) return { status: 'ok', output: reply.output ?? {} };
      this.stats.redirects++;
      if (
        typeof reply.leaderHint === 'string' &&
        reply.leaderHint !== this.#leader &&
        this.#servers.includes(reply.leaderHint)
      ) {
        this.#leader = reply.leaderHint;
      } else {
        // No leader known yet (an election is on): wait a little, then try another server.
        this.#leader = this.#nextServer();
        await this.#c.sleep(20);
      }
    }
    this.stats.gaveUp++;
    return { status: 'indeterminate' };
  }

  #nextServer(): NodeId {
    const index = this.#servers.indexOf(this.#leader);
    return this.#servers[(index + 1) % this.#servers.length]!;
  }
}

/** A client's random mix of gets, puts and appends on a few keys, with short pauses. */
export async function randomWorkload(
  c: ClientContext,
  clerk: Clerk,
  options: {
    readonly ops: number;
    readonly keys: readonly string[];
    readonly maxPauseMs?: number;
    readonly untilMs?: number;
  },
): Promise<void> {
  for (let i = 0; i < options.ops; i++) {
    if (options.untilMs !== undefined && c.now() >= options.untilMs) return;
    const key = options.keys[c.randomInt(0, options.keys.length - 1)]!;
    const roll = c.randomInt(1, 10);
    if (roll <= 4) await clerk.get(key);
    else if (roll <= 8) await clerk.append(key);
    else await clerk.put(key);
    await c.sleep(c.randomInt(0, options.maxPauseMs ?? 30));
  }
}

interface KvServerView {
  readonly store?: Readonly<Record<string, string>>;
}

/**
 * Every value the clients write is a unique token (`c1:7;`), so a token that appears twice in a value
 * means that one operation took effect twice. Checks every server that is up.
 */
export function assertNoWriteTookEffectTwice(sim: Simulation): void {
  for (const node of sim.nodeIds) {
    const store = (sim.nodeInstance(node) as unknown as KvServerView | undefined)?.store;
    if (store === undefined) continue;
    for (const [key, value] of Object.entries(store)) {
      const seen = new Set<string>();
      for (const token of value.split(';').filter((part) => part !== '')) {
        if (seen.has(token)) {
          const [client, seq] = token.split(':');
          throw new Error(
            `${client}'s operation seq ${seq} (value "${token};") took effect twice: on ${node}, key "${key}" holds "${value}". ` +
              'A retried request (same clientId and seq) must not be executed again: remember, in the replicated state machine, ' +
              'the last seq applied for each client and its result.',
          );
        }
        seen.add(token);
      }
    }
  }
}

/** Checks the clients' history with the kv model; `unknown` (budget spent) fails too. */
export function assertKvLinearizable(sim: Simulation): void {
  assertLinearizable(kvModel, sim.history<KvInput, KvOutput>(), { maxSteps: 2_000_000 });
}

/** How many operations completed ok, failed, or were left indeterminate. */
export function historyCounts(sim: Simulation): { ok: number; indeterminate: number; total: number } {
  const history = sim.history();
  const ok = history.filter((op) => op.status === 'ok').length;
  return { ok, indeterminate: history.filter((op) => op.status === 'indeterminate').length, total: history.length };
}
