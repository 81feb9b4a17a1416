/**
 * Exercise 4.1, reference solution: a register replicated on every node, read and written through a
 * majority, in the two phases of Attiya, Bar-Noy and Dolev's algorithm ("ABD", 1995).
 *
 * Any node coordinates the operations its clients send it:
 * - **query**: ask every replica for its (timestamp, value); wait for a majority;
 * - **store**: send every replica a (timestamp, value), which it keeps if the timestamp is newer than its
 *   own; wait for a majority to confirm.
 *
 * A write stores its value under a timestamp above every one the query saw; a read stores back the
 * newest value it saw (so no later read can see an older one), then answers it.
 *
 * Why it is linearizable: any two majorities of the same cluster share a replica. A write's store
 * reached a majority before it was acknowledged, so every later query sees its timestamp (or a newer
 * one). Why the minority refuses: it can never collect a majority, so each of its operations times out
 * and is refused; a write that had begun storing is refused as indefinite (`TIMEOUT`), since some
 * replica may keep it.
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeFactory, NodeId, RpcRequest, TimerId, TimerPayload } from '#harness';
import {
  QUORUM_TIMEOUT_MS,
  TEMPORARILY_UNAVAILABLE,
  TIMEOUT,
  type ErrorReply,
  type RegisterReply,
  type RegisterRequest,
} from './protocol.ts';

/**
 * A write's place in the order of writes: a counter, ties broken by the id of the write itself (its
 * coordinator, boot and number), so that no two writes ever share a timestamp. Not even two writes of
 * one coordinator: after a pause, it may run several of them at once, and their queries see the same
 * counter.
 */
interface Timestamp {
  readonly counter: number;
  readonly write: string;
}

/** The register as one replica holds it. `counter: 0` is the initial, never-written value. */
interface Stored {
  readonly timestamp: Timestamp;
  readonly value: number | null;
}

/** Coordinator → replica: what do you hold? */
interface Query extends Message {
  readonly type: 'query';
  readonly op: string;
}

/** Replica → coordinator: what I hold. */
interface QueryOk extends Message {
  readonly type: 'query_ok';
  readonly op: string;
  readonly stored: Stored;
}

/** Coordinator → replica: keep this, if it is newer than what you hold. */
interface Store extends Message {
  readonly type: 'store';
  readonly op: string;
  readonly stored: Stored;
}

/** Replica → coordinator: I hold this or something newer. */
interface StoreOk extends Message {
  readonly type: 'store_ok';
  readonly op: string;
}

type ReplicaMessage = Query | QueryOk | Store | StoreOk;

/** The coordinator gives up on operation `op` if no majority answered in time. */
interface GiveUpTimer extends TimerPayload {
  readonly type: 'give-up';
  readonly op: string;
}

/** An operation this node coordinates, from the client's request to the answer. */
interface Operation {
  readonly client: NodeId;
  readonly request: RegisterRequest;
  /** The give-up timer, cancelled when the operation completes. */
  readonly timer: TimerId;
  phase: 'query' | 'store';
  /** Replicas that answered the current phase (a duplicate answer counts once). */
  readonly answered: Set<NodeId>;
  /** The newest (timestamp, value) the query phase saw. */
  newest: Stored;
}

/** Where a replica keeps its copy of the register. */
const STORAGE_KEY = 'register';
/** How many times this node has booted. */
const BOOTS_KEY = 'boots';
/** The newest request id (`rpcId`) this node took from each client. */
const TAKEN_KEY = 'taken';

const NEVER_WRITTEN: Stored = { timestamp: { counter: 0, write: '' }, value: null };

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
function compareTimestamps(a: Timestamp, b: Timestamp): number {
  if (a.counter !== b.counter) return a.counter - b.counter;
  return a.write < b.write ? -1 : a.write > b.write ? 1 : 0;
}

/** Creates one replica of the register, which also coordinates its clients' operations. */
export const createCpRegisterNode: NodeFactory<GiveUpTimer> = (boot): Node<GiveUpTimer> => {
  // The replica's copy survives crashes: a store_ok promises that this replica holds the value.
  let stored: Stored = (boot.storage.get(STORAGE_KEY) as Stored | undefined) ?? NEVER_WRITTEN;
  const operations = new Map<string, Operation>();
  // Operation ids never repeat, not even after a restart: a late answer to an operation of the last
  // incarnation must not count for a new one. So each boot counts itself in storage.
  const bootCount = ((boot.storage.get(BOOTS_KEY) as number | undefined) ?? 0) + 1;
  boot.storage.set(BOOTS_KEY, bootCount);
  let nextOp = 1;
  // The network can deliver a client's request twice. Running the copy would run the operation again,
  // later: a write acknowledged long ago would come back over newer ones. Each client's rpcIds grow, so
  // the newest one taken from it tells a copy apart; it is kept in storage, so that a copy delayed past
  // a restart is refused too.
  const taken: Record<NodeId, number> = {
    ...((boot.storage.get(TAKEN_KEY) as Record<NodeId, number> | undefined) ?? {}),
  };

  /** More than half of all replicas: any two such sets share a replica. */
  const majority = (ctx: NodeContext<GiveUpTimer>): number => Math.floor(ctx.nodeIds.length / 2) + 1;

  /** Keeps `candidate` if it is newer, in storage first: the store_ok that follows promises it. */
  function keep(ctx: NodeContext<GiveUpTimer>, candidate: Stored): void {
    if (compareTimestamps(candidate.timestamp, stored.timestamp) <= 0) return;
    ctx.storage.set(STORAGE_KEY, candidate);
    stored = candidate;
  }

  function start(ctx: NodeContext<GiveUpTimer>, client: NodeId, request: RegisterRequest): void {
    const rpcId = (request as RpcRequest).rpcId;
    if (rpcId !== undefined) {
      if (rpcId <= (taken[client] ?? 0)) return;
      taken[client] = rpcId;
      ctx.storage.set(TAKEN_KEY, taken);
    }
    const op = `${ctx.id}.${bootCount}.${nextOp++}`;
    const timer = ctx.setTimer(QUORUM_TIMEOUT_MS, { type: 'give-up', op });
    operations.set(op, { client, request, timer, phase: 'query', answered: new Set(), newest: NEVER_WRITTEN });
    for (const replica of ctx.nodeIds) ctx.send(replica, { type: 'query', op });
  }

  function onQueryOk(ctx: NodeContext<GiveUpTimer>, from: NodeId, reply: QueryOk): void {
    const operation = operations.get(reply.op);
    if (operation === undefined || operation.phase !== 'query') return;
    operation.answered.add(from);
    if (compareTimestamps(reply.stored.timestamp, operation.newest.timestamp) > 0) operation.newest = reply.stored;
    if (operation.answered.size < majority(ctx)) return;
    // A majority answered: the newest timestamp of any acknowledged write is among the answers.
    const request = operation.request;
    const toStore: Stored =
      request.type === 'write'
        ? { timestamp: { counter: operation.newest.timestamp.counter + 1, write: reply.op }, value: request.value }
        : operation.newest;
    operation.phase = 'store';
    operation.answered.clear();
    operation.newest = toStore;
    for (const replica of ctx.nodeIds) ctx.send(replica, { type: 'store', op: reply.op, stored: toStore });
  }

  function onStoreOk(ctx: NodeContext<GiveUpTimer>, from: NodeId, reply: StoreOk): void {
    const operation = operations.get(reply.op);
    if (operation === undefined || operation.phase !== 'store') return;
    operation.answered.add(from);
    if (operation.answered.size < majority(ctx)) return;
    // A majority holds the value: every later query will see it.
    operations.delete(reply.op);
    ctx.cancelTimer(operation.timer);
    const answer: RegisterReply =
      operation.request.type === 'write' ? { type: 'write_ok' } : { type: 'read_ok', value: operation.newest.value };
    ctx.reply(operation.client, operation.request, answer);
  }

  return {
    onMessage(ctx, from, message) {
      const incoming = message as RegisterRequest | ReplicaMessage;
      switch (incoming.type) {
        case 'read':
        case 'write':
          return start(ctx, from, incoming);
        case 'query':
          return ctx.send(from, { type: 'query_ok', op: incoming.op, stored });
        case 'query_ok':
          return onQueryOk(ctx, from, incoming);
        case 'store':
          keep(ctx, incoming.stored);
          return ctx.send(from, { type: 'store_ok', op: incoming.op });
        case 'store_ok':
          return onStoreOk(ctx, from, incoming);
      }
    },

    onTimer(ctx, timer) {
      const operation = operations.get(timer.op);
      if (operation === undefined) return;
      operations.delete(timer.op);
      // A write that began storing may be kept by some replica: the client must not be told it failed.
      const mayHaveHappened = operation.request.type === 'write' && operation.phase === 'store';
      const refusal: ErrorReply = mayHaveHappened
        ? {
            type: 'error',
            code: TIMEOUT,
            text: `the write reached fewer than a majority within ${QUORUM_TIMEOUT_MS} ms; it may or may not take effect`,
          }
        : { type: 'error', code: TEMPORARILY_UNAVAILABLE, text: `no majority answered within ${QUORUM_TIMEOUT_MS} ms` };
      ctx.reply(operation.client, operation.request, refusal);
    },
  };
};
