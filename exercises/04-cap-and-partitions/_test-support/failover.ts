/**
 * Test support for chapter 4 (not a learner file): exercise 4.4's client of a failover key-value
 * service, the naive failover pair the exercise starts from, and what the tests read from a run: the
 * acts of primaries (each `KvReply` with `ok: true` names the epoch it was served in) and each node's
 * epoch, role and store.
 *
 * The client is chapter 3's clerk (the same operations, sequence numbers and retries): it sends each
 * operation to the node it believes is the primary, and after a refusal or a timeout tries the next
 * node in turn.
 *
 * @module
 */
import type { ClientContext, NodeContext, NodeFactory, NodeId, TimerPayload } from '#harness';
import { checkOnePrimaryPerEpoch, type OnePrimaryVerdict, type PrimaryAct } from '#harness/check';
import type { Simulation } from '#harness/testing';
import {
  emptyKvState,
  execute,
  type KvReply,
  type KvRequest,
  type KvState,
} from '../../03-replication/_given/kv-protocol.ts';
import { KvClerk, type ClerkOptions } from '../../03-replication/_test-support/clerk.ts';

/** A clerk that finds the primary by trying the nodes in turn, starting with the first. */
export class FailoverClerk extends KvClerk {
  readonly #nodes: readonly NodeId[];
  #next = 0;

  constructor(c: ClientContext, nodes: readonly NodeId[], options: ClerkOptions = {}) {
    super(c, options);
    this.#nodes = nodes;
  }

  /** The node the next operation goes to first. */
  get guess(): NodeId {
    return this.#nodes[this.#next]!;
  }

  /** Makes the clerk send its next operation to `node` first (a client with an old belief about the primary). */
  tryFirst(node: NodeId): void {
    this.#next = this.#nodes.indexOf(node);
  }

  protected target(): Promise<NodeId | ''> {
    return Promise.resolve(this.guess);
  }

  protected forget(): void {
    this.#next = (this.#next + 1) % this.#nodes.length;
  }
}

/** What a test reads from a node of exercise 4.4 (the fields of `FailoverNode`). */
interface NodeView {
  readonly epoch: number;
  readonly role: string;
  readonly version: { readonly epoch: number; readonly n: number };
  readonly state: KvState;
}

/** Node `node`'s epoch, role, version and store, as the node says them; `undefined` while it is down. */
export function nodeView(sim: Simulation, node: NodeId): NodeView | undefined {
  return sim.nodeInstance(node) as unknown as NodeView | undefined;
}

/** One line per node: `n1: epoch 2, backup, version 2.5, store {"k":"x;"}` (or `down`, or `paused`). */
export function describeNodes(sim: Simulation): string {
  return sim.nodeIds
    .map((node) => {
      const view = nodeView(sim, node);
      if (view === undefined || !sim.isUp(node)) return `${node}: down`;
      const paused = sim.isPaused(node) ? ' (paused)' : '';
      return `${node}: epoch ${view.epoch}, ${view.role}${paused}, version ${view.version.epoch}.${view.version.n}, store ${JSON.stringify(view.state.store)}`;
    })
    .join('\n  ');
}

/** Every answer with `ok: true` a node sent a client: an act of a primary, in the epoch the answer names. */
export function primaryActs(sim: Simulation): PrimaryAct[] {
  const requests = new Map<string, KvRequest>();
  const acts: PrimaryAct[] = [];
  for (const event of sim.trace) {
    if (event.kind !== 'send') continue;
    if (event.type === 'KvRequest') {
      const request = event.message as KvRequest & { rpcId?: number };
      requests.set(`${event.from} ${String(request.rpcId)}`, request);
    }
    if (event.type !== 'KvReply' || !sim.nodeIds.includes(event.from)) continue;
    const reply = event.message as KvReply & { inReplyTo?: number };
    if (!reply.ok) continue;
    const request = requests.get(`${event.to} ${String(reply.inReplyTo)}`);
    const op = request === undefined ? 'request' : describeOp(request);
    acts.push({ node: event.from, epoch: reply.viewnum, atMs: event.t, what: `answered ${event.to}'s ${op}` });
  }
  return acts;
}

/** `append("k", "c1:3;")`, `get("k")`. */
export function describeOp(request: KvRequest): string {
  const { op } = request;
  return op.f === 'get'
    ? `get(${JSON.stringify(op.key)})`
    : `${op.f}(${JSON.stringify(op.key)}, ${JSON.stringify(op.value)})`;
}

/** The one-primary-per-epoch checker over the run's answers. */
export function checkPrimaries(sim: Simulation): OnePrimaryVerdict {
  return checkOnePrimaryPerEpoch({ acts: primaryActs(sim) });
}

/**
 * Fails if two nodes answered clients as primary of one epoch, with the checker's sentence, what each
 * node believes now, and `advice`.
 */
export function assertOnePrimaryPerEpoch(sim: Simulation, advice: string): void {
  const verdict = checkPrimaries(sim);
  if (verdict.ok) return;
  throw new Error(
    `split brain: ${verdict.violations.map((violation) => violation.message).join('; ')}. ${advice}\n  ${describeNodes(sim)}`,
  );
}

// ───────────────────────────── the naive failover pair ─────────────────────────────

/** The naive node's timers. */
type NaiveTimer =
  { readonly type: 'heartbeat' } | { readonly type: 'silence' } | { readonly type: 'alone'; readonly n: number };

/** How long the naive primary waits for its backup before it goes on alone, ms. */
const NAIVE_WAIT_MS = 100;
/** How long the naive backup waits without a heartbeat before it promotes itself, ms. */
const NAIVE_SILENCE_MS = 300;

/**
 * The naive failover pair, as many systems first build it (and as the exercise's first story runs
 * it): `n1` is the primary and copies each operation to the backup `n2`; if the backup does not
 * answer within 100 ms, the primary goes on alone rather than refuse the client. The backup promotes
 * itself when it has heard nothing from the primary for 300 ms, and accepts whatever copy any node
 * sends it. There are no epochs (every answer says epoch 1) and no third node to break the tie.
 * Every message it sends is a `Heartbeat` or an `Accept`, with its whole store.
 */
export const createNaiveFailoverNode: NodeFactory<NaiveTimer> = (boot) => {
  let primary = boot.id === boot.nodeIds[0];
  const state = structuredClone(boot.storage.get<KvState>('state') ?? emptyKvState());
  let n = 0;
  let silence = -1;
  const waiting = new Map<number, { readonly client: NodeId; readonly request: KvRequest; readonly reply: KvReply }>();
  const others = (ctx: NodeContext<NaiveTimer>): NodeId[] => ctx.nodeIds.filter((node) => node !== ctx.id);
  const listen = (ctx: NodeContext<NaiveTimer>): void => {
    ctx.cancelTimer(silence);
    silence = ctx.setTimer(NAIVE_SILENCE_MS, { type: 'silence' });
  };
  const answer = (ctx: NodeContext<NaiveTimer>, id: number): void => {
    const entry = waiting.get(id);
    if (entry === undefined) return;
    waiting.delete(id);
    ctx.reply(entry.client, entry.request, entry.reply);
  };
  const beat = (ctx: NodeContext<NaiveTimer>): void => {
    for (const node of others(ctx)) ctx.send(node, { type: 'Heartbeat', epoch: 1 });
    ctx.setTimer(50, { type: 'heartbeat' });
  };
  return {
    epoch: 1,
    get role() {
      return primary ? 'primary' : 'backup';
    },
    get version() {
      return { epoch: 1, n };
    },
    state,
    onStart(ctx) {
      if (primary) beat(ctx);
      else listen(ctx);
    },
    onMessage(ctx, from, message) {
      if (message.type === 'KvRequest') {
        const request = message as KvRequest;
        if (!primary) return ctx.reply(from, request, { type: 'KvReply', ok: false, error: 'not_primary' });
        const output = execute(state, request);
        ctx.storage.set('state', state);
        const id = ++n;
        waiting.set(id, { client: from, request, reply: { type: 'KvReply', ok: true, output, viewnum: 1 } });
        for (const node of others(ctx))
          ctx.send(node, { type: 'Accept', epoch: 1, version: { epoch: 1, n: id }, state });
        ctx.setTimer(NAIVE_WAIT_MS, { type: 'alone', n: id });
      } else if (message.type === 'Accept') {
        // Whatever a node sends, the backup takes: it has no way to tell an old primary from the current one.
        const accept = message as unknown as { readonly version: { readonly n: number }; readonly state: KvState };
        Object.assign(state, structuredClone(accept.state));
        ctx.storage.set('state', state);
        ctx.send(from, { type: 'Accepted', epoch: 1, version: accept.version, ok: true });
        if (!primary) listen(ctx);
      } else if (message.type === 'Accepted' && primary) {
        answer(ctx, (message as unknown as { readonly version: { readonly n: number } }).version.n);
      } else if (message.type === 'Heartbeat' && !primary) {
        listen(ctx);
      }
    },
    onTimer(ctx, timer: TimerPayload & NaiveTimer) {
      if (timer.type === 'heartbeat' && primary) beat(ctx);
      if (timer.type === 'alone') answer(ctx, timer.n);
      if (timer.type === 'silence' && !primary) {
        primary = true;
        ctx.log('no heartbeat for 300 ms: promoting myself to primary');
        beat(ctx);
      }
    },
  };
};
