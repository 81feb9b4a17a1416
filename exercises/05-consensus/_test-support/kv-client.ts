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

/**
 * Values that every client may write, so that two clients write the same value: a server that takes
 * an operation for a retry because of what it writes, rather than who asks (clientId) and which of
 * their operations it is (seq), is caught.
 */
export const SHARED_VALUES: readonly string[] = ['v1;', 'v2;', 'v3;'];

/**
 * A client's random mix of gets, puts and appends on a few keys, with short pauses, that repeats
 * itself as real clients do: one write in four uses a value of {@link SHARED_VALUES} (the same
 * value from several clients), and one write in four is followed at once by the very same operation
 * again (the same put of the same value, which changes nothing the second time; the same append,
 * which must take effect twice). Each repetition is a new operation with its own `seq`.
 */
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
  let done = 0;
  while (done < options.ops) {
    if (options.untilMs !== undefined && c.now() >= options.untilMs) return;
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
    await c.sleep(c.randomInt(0, options.maxPauseMs ?? 30));
  }
}

interface KvServerView {
  readonly store?: Readonly<Record<string, string>>;
}

/** The parts of a stored value: `"c1:7;v1;"` holds `c1:7` and `v1`. */
function tokensOf(value: string): string[] {
  return value.split(';').filter((part) => part !== '');
}

/** What the clients' history says was written: per key and token, the appends and puts that carried it. */
function writesByKeyAndToken(sim: Simulation): Map<string, { appends: number; puts: number; clients: Set<string> }> {
  const writes = new Map<string, { appends: number; puts: number; clients: Set<string> }>();
  for (const op of sim.history<KvInput, KvOutput>()) {
    if (op.input.f === 'get') continue;
    for (const token of tokensOf(op.input.value)) {
      const key = `${op.input.key}\u0000${token}`;
      const entry = writes.get(key) ?? { appends: 0, puts: 0, clients: new Set<string>() };
      if (op.input.f === 'append') entry.appends++;
      else entry.puts++;
      entry.clients.add(op.clientId);
      writes.set(key, entry);
    }
  }
  return writes;
}

/**
 * No operation took effect twice: in every up server's store, a value appears in a key at most as
 * often as the clients wrote it there (each append of it, and once for any number of puts of it, as a
 * put replaces the value). A value no recorded operation wrote (a test's own request) may appear once.
 * Clients write unique tokens (`c1:7;`) and shared values (`v1;`), and repeat operations, so both a
 * retry executed twice and a repeated append are counted right.
 */
export function assertNoWriteTookEffectTwice(sim: Simulation): void {
  const writes = writesByKeyAndToken(sim);
  for (const node of sim.nodeIds) {
    const store = (sim.nodeInstance(node) as unknown as KvServerView | undefined)?.store;
    if (store === undefined) continue;
    for (const [key, value] of Object.entries(store)) {
      const seen = new Map<string, number>();
      for (const token of tokensOf(value)) seen.set(token, (seen.get(token) ?? 0) + 1);
      for (const [token, count] of seen) {
        const written = writes.get(`${key}\u0000${token}`);
        const allowed = written === undefined ? 1 : written.appends + (written.puts > 0 ? 1 : 0);
        if (count <= allowed) continue;
        const how =
          written === undefined
            ? 'once'
            : `${written.appends} append(s)${written.puts > 0 ? ` and ${written.puts} put(s)` : ''} by ${[...written.clients].sort().join(', ')}`;
        throw new Error(
          `an operation took effect twice: on ${node}, key "${key}" holds "${token};" ${count} times ("${value}"), ` +
            `but the clients wrote it there ${allowed === 1 ? 'once' : `${allowed} times`} (${how}). ` +
            'A retried request (same clientId and seq) must not be executed again: remember, in the replicated state machine, ' +
            'the last seq applied for each client and its result.',
        );
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
