/**
 * The router of `kata cluster`: one OS process per node, and every message between nodes and clients
 * passing through here, where it can be delayed, dropped or cut by a partition, and is recorded in the
 * trace. Nodes speak Maelstrom's protocol on stdin and stdout (pipes: no socket is opened at all).
 *
 * @module
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TraceEvent } from '../../../harness/trace/index.ts';
import { deriveSeed, Rng } from '../../../harness/random.ts';
import { parseEnvelope, type MaelstromBody, type MaelstromEnvelope } from '#harness/maelstrom';

/** The network the router plays. */
export interface RouterFaults {
  /** Every message waits a delay drawn from this range, in ms. */
  readonly delayMs: { readonly min: number; readonly max: number };
  /** The probability that a message between two nodes is lost (client messages always arrive). */
  readonly dropRate: number;
}

/** What a client's request came back with. */
export type ClientAnswer = { readonly ok: true; readonly body: MaelstromBody } | { readonly ok: false };

interface PendingRequest {
  readonly resolve: (answer: ClientAnswer) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** How long a node process may take to start and answer `init` (it loads TypeScript first). */
const START_TIMEOUT_MS = 60_000;

/** Starts node processes and carries their messages. */
export class Router {
  readonly nodeIds: readonly string[];
  readonly events: TraceEvent[] = [];
  readonly #children = new Map<string, ChildProcessWithoutNullStreams>();
  readonly #rng: Rng;
  readonly #faults: RouterFaults;
  readonly #startMs = performance.now();
  readonly #pending = new Map<string, PendingRequest>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #cut = new Set<string>();
  #nextMessageId = 1;
  #nextClientMsgId = 1;
  #stopping = false;

  constructor(nodeIds: readonly string[], seed: number, faults: RouterFaults) {
    this.nodeIds = nodeIds;
    this.#rng = new Rng(deriveSeed(seed, 'router'));
    this.#faults = faults;
  }

  /** Milliseconds since the router started: the trace's and the history's clock. */
  nowMs(): number {
    return Math.round((performance.now() - this.#startMs) * 1000) / 1000;
  }

  /** Starts one process per node and waits until each has answered `init`. */
  async start(executable: string, seed: number): Promise<void> {
    for (const nodeId of this.nodeIds) {
      const child = spawn(executable, ['--seed', String(deriveSeed(seed, `node:${nodeId}`))], { stdio: 'pipe' });
      this.#children.set(nodeId, child);
      createInterface({ input: child.stdout }).on('line', (line) => this.#fromNode(nodeId, line));
      createInterface({ input: child.stderr }).on('line', (text) =>
        this.events.push({ t: this.nowMs(), kind: 'log', node: nodeId, text }),
      );
      child.on('exit', (code, signal) => {
        if (!this.#stopping)
          this.events.push({ t: this.nowMs(), kind: 'log', node: nodeId, text: `exited (${signal ?? code})` });
      });
      this.events.push({ t: this.nowMs(), kind: 'start', node: nodeId, restart: false });
    }
    await Promise.all(
      this.nodeIds.map(async (nodeId) => {
        const answer = await this.request(
          'c0',
          nodeId,
          { type: 'init', node_id: nodeId, node_ids: this.nodeIds },
          START_TIMEOUT_MS,
        );
        if (!answer.ok || answer.body.type !== 'init_ok') throw new Error(`${nodeId} did not answer init with init_ok`);
      }),
    );
  }

  /** A fresh `msg_id` for a client's request. */
  newMessageId(): number {
    return this.#nextClientMsgId++;
  }

  /**
   * Sends a client's request to a node and resolves with its answer, or `{ ok: false }` after
   * `timeoutMs`. A retry of one operation passes the same `msgId` (the node's translation may name the
   * operation by it, so the retry is recognised).
   */
  request(
    client: string,
    nodeId: string,
    body: Omit<MaelstromBody, 'msg_id'>,
    timeoutMs: number,
    msgId = this.newMessageId(),
  ): Promise<ClientAnswer> {
    return new Promise((resolve) => {
      const key = `${client}#${msgId}`;
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        resolve({ ok: false });
      }, timeoutMs);
      this.#pending.set(key, { resolve, timer });
      this.#route({ src: client, dest: nodeId, body: { ...body, msg_id: msgId } as MaelstromBody });
    });
  }

  /** Cuts every link between the groups (both ways), as in `partition {n1} | {n2, n3}`. */
  partition(groups: readonly (readonly string[])[]): void {
    const cut = new Set<string>();
    for (const group of groups)
      for (const other of groups)
        if (group !== other) for (const from of group) for (const to of other) cut.add(`${from}>${to}`);
    this.#cut = cut;
    const change = `partition ${groups.map((group) => `{${group.join(', ')}}`).join(' | ')}`;
    this.#recordLinks(change);
  }

  /** Mends every cut link. */
  heal(): void {
    this.#cut = new Set();
    this.#recordLinks('heal');
  }

  /** Stops every node process (SIGTERM, then SIGKILL after a second) and every pending timer. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const { timer, resolve } of this.#pending.values()) {
      clearTimeout(timer);
      resolve({ ok: false });
    }
    this.#pending.clear();
    await Promise.all(
      [...this.#children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 1_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.stdin.end();
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  /** Whether every node process has exited. */
  allStopped(): boolean {
    return [...this.#children.values()].every((child) => child.exitCode !== null || child.signalCode !== null);
  }

  #recordLinks(change: string): void {
    const cut = [...this.#cut].map((link) => link.split('>') as [string, string]);
    this.events.push({ t: this.nowMs(), kind: 'links', change, cut });
  }

  #fromNode(nodeId: string, line: string): void {
    const parsed = parseEnvelope(line);
    if (!parsed.ok) {
      this.events.push({
        t: this.nowMs(),
        kind: 'log',
        node: nodeId,
        text: `unreadable line on stdout: ${parsed.problem}`,
      });
      return;
    }
    this.#route({ ...parsed.envelope, src: nodeId });
  }

  #route(envelope: MaelstromEnvelope): void {
    const { src: from, dest: to, body } = envelope;
    const id = this.#nextMessageId++;
    const sentAtMs = this.nowMs();
    const bytes = JSON.stringify(body).length;
    this.events.push({ t: sentAtMs, kind: 'send', id, from, to, type: body.type, bytes, message: body });
    const betweenNodes = this.nodeIds.includes(from) && this.nodeIds.includes(to);
    if (this.#cut.has(`${from}>${to}`)) {
      this.events.push({ t: sentAtMs, kind: 'drop', id, from, to, type: body.type, reason: 'partition' });
      return;
    }
    if (betweenNodes && this.#rng.chance(this.#faults.dropRate)) {
      this.events.push({ t: sentAtMs, kind: 'drop', id, from, to, type: body.type, reason: 'network' });
      return;
    }
    const delayMs = this.#rng.int(this.#faults.delayMs.min, this.#faults.delayMs.max);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopping) return;
      this.events.push({ t: this.nowMs(), kind: 'deliver', id, from, to, type: body.type, sentAtMs });
      this.#deliver(envelope);
    }, delayMs);
    this.#timers.add(timer);
  }

  #deliver(envelope: MaelstromEnvelope): void {
    const child = this.#children.get(envelope.dest);
    if (child !== undefined) {
      if (child.stdin.writable) child.stdin.write(`${JSON.stringify(envelope)}\n`);
      return;
    }
    const key = `${envelope.dest}#${envelope.body.in_reply_to}`;
    const pending = this.#pending.get(key);
    if (pending === undefined) return; // a late answer: the client gave up
    this.#pending.delete(key);
    clearTimeout(pending.timer);
    pending.resolve({ ok: true, body: envelope.body });
  }
}
