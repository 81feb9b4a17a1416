/**
 * Exercise 4.3, reference solution: a register replicated on every node, with Cassandra's tunable
 * consistency. Every request names a level, ONE, QUORUM or ALL: how many replicas must answer before
 * the coordinator (the node the client asked) answers the client.
 *
 * - **write**: the coordinator stamps the value with its hybrid logical clock, keeps it itself (that
 *   is one acknowledgement), sends it to every other replica, and answers `write_ok` once the level's
 *   number of replicas, itself included, keep it.
 * - **read**: the coordinator's own version is one answer; it asks every other replica for theirs and,
 *   once the level's number of replicas answered, answers the newest version among them.
 * - **replica**: keeps a version only when its stamp is newer than its own, in storage first.
 * - **anti-entropy**: every `ANTI_ENTROPY_INTERVAL_MS`, each replica sends its version to every other
 *   one, so that replicas a write missed catch up once the partition heals.
 *
 * Why QUORUM writes and QUORUM reads never return a stale value: a write acknowledged at QUORUM is
 * kept by a majority, and a read at QUORUM hears a majority; any two majorities share a replica, and a
 * replica only ever replaces its version by a newer one. So the read hears the write's stamp (or a
 * newer one) and answers the newest it heard. The same holds whenever R + W > N (ALL writes and ONE
 * reads, ONE writes and ALL reads). With synchronised clocks, a write that begins after another was
 * acknowledged gets a larger stamp, so "newest stamp" means "latest write".
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeFactory, NodeId, RpcRequest, TimerId, TimerPayload } from '#harness';
import { hlcObserve, hlcTick, INITIAL_HLC, type Hlc } from '../_given/hlc.ts';
import {
  ANTI_ENTROPY_INTERVAL_MS,
  compareStamps,
  NEVER_WRITTEN,
  REQUEST_TIMEOUT_MS,
  TEMPORARILY_UNAVAILABLE,
  TIMEOUT,
  VERSION_KEY,
  type ConsistencyLevel,
  type ErrorReply,
  type StoreRequest,
  type Version,
} from './protocol.ts';

/** Coordinator → replica: keep this version if it is newer than yours. */
interface ReplicaWrite extends Message {
  readonly type: 'replica_write';
  readonly op: string;
  readonly version: Version;
}

/** Replica → coordinator: I hold that version or a newer one. */
interface ReplicaWriteOk extends Message {
  readonly type: 'replica_write_ok';
  readonly op: string;
}

/** Coordinator → replica: what do you hold? */
interface ReplicaRead extends Message {
  readonly type: 'replica_read';
  readonly op: string;
}

/** Replica → coordinator: what I hold. */
interface ReplicaReadOk extends Message {
  readonly type: 'replica_read_ok';
  readonly op: string;
  readonly version: Version;
}

/** Replica → replica, every ANTI_ENTROPY_INTERVAL_MS: my version, for you to keep if it is newer. */
interface AntiEntropy extends Message {
  readonly type: 'anti_entropy';
  readonly version: Version;
}

type ReplicaMessage = ReplicaWrite | ReplicaWriteOk | ReplicaRead | ReplicaReadOk | AntiEntropy;

/** The coordinator gives up on operation `op` if too few replicas answered in time. */
interface GiveUpTimer extends TimerPayload {
  readonly type: 'give-up';
  readonly op: string;
}

/** Time to send this replica's version to the others. */
interface AntiEntropyTimer extends TimerPayload {
  readonly type: 'anti-entropy';
}

type Timer = GiveUpTimer | AntiEntropyTimer;

/** An operation this node coordinates, from the client's request to the answer. */
interface Operation {
  readonly client: NodeId;
  readonly request: StoreRequest;
  readonly timer: TimerId;
  /** Replicas that answered, this node included (a duplicate answer counts once). */
  readonly answered: Set<NodeId>;
  /** For a read, the newest version among the answers. */
  newest: Version;
}

/** How many times this node has booted. */
const BOOTS_KEY = 'boots';
/** The newest request id (`rpcId`) this node took from each client. */
const TAKEN_KEY = 'taken';

/** How many replicas of `n` must answer at `level`. A quorum is more than half: any two share a replica. */
function replicasFor(level: ConsistencyLevel, n: number): number {
  switch (level) {
    case 'ONE':
      return 1;
    case 'QUORUM':
      return Math.floor(n / 2) + 1;
    case 'ALL':
      return n;
  }
}

/** Creates one replica, which also coordinates its clients' requests. */
export const createTunableStoreNode: NodeFactory<Timer> = (boot): Node<Timer> => {
  // The version survives crashes: a replica_write_ok promises that this replica holds it.
  let version: Version = boot.storage.get<Version>(VERSION_KEY) ?? NEVER_WRITTEN;
  let clock: Hlc = version.stamp.hlc.l === 0 ? INITIAL_HLC : version.stamp.hlc;
  const operations = new Map<string, Operation>();
  // Operation ids never repeat, not even after a restart: a late answer to an operation of an earlier
  // life must not count for a new one.
  const bootCount = (boot.storage.get<number>(BOOTS_KEY) ?? 0) + 1;
  boot.storage.set(BOOTS_KEY, bootCount);
  let nextOp = 1;
  // A late copy of a client's write, taken again, would get a new, larger stamp and come back over
  // newer writes. Each client's rpcIds grow: the newest taken from each one tells a copy apart.
  const taken: Record<NodeId, number> = { ...(boot.storage.get<Record<NodeId, number>>(TAKEN_KEY) ?? {}) };

  /** Keeps `candidate` if it is newer, in storage first: an acknowledgement that follows promises it. */
  function keep(ctx: NodeContext<Timer>, candidate: Version): void {
    clock = hlcObserve(clock, candidate.stamp.hlc, ctx.now());
    if (compareStamps(candidate.stamp, version.stamp) <= 0) return;
    ctx.storage.set(VERSION_KEY, candidate);
    version = candidate;
  }

  /** True for a request this node already took (a copy the network delivered again). */
  function alreadyTaken(ctx: NodeContext<Timer>, client: NodeId, request: StoreRequest): boolean {
    const rpcId = (request as RpcRequest).rpcId;
    if (rpcId === undefined) return false;
    if (rpcId <= (taken[client] ?? 0)) return true;
    taken[client] = rpcId;
    ctx.storage.set(TAKEN_KEY, taken);
    return false;
  }

  function start(ctx: NodeContext<Timer>, client: NodeId, request: StoreRequest): void {
    if (alreadyTaken(ctx, client, request)) return;
    const op = `${ctx.id}.${bootCount}.${nextOp++}`;
    const timer = ctx.setTimer(REQUEST_TIMEOUT_MS, { type: 'give-up', op });
    const operation: Operation = { client, request, timer, answered: new Set(), newest: NEVER_WRITTEN };
    operations.set(op, operation);
    const others = ctx.nodeIds.filter((node) => node !== ctx.id);
    if (request.type === 'write') {
      clock = hlcTick(clock, ctx.now());
      const written: Version = { value: request.value, stamp: { hlc: clock, node: ctx.id } };
      for (const replica of others) ctx.send(replica, { type: 'replica_write', op, version: written });
      keep(ctx, written);
    } else {
      for (const replica of others) ctx.send(replica, { type: 'replica_read', op });
    }
    // The coordinator is a replica too: its own copy is the first answer, counted once.
    answer(ctx, op, ctx.id, request.type === 'read' ? version : undefined);
  }

  /** Counts `from`'s answer to `op` (with its version, for a read); answers the client once enough came. */
  function answer(ctx: NodeContext<Timer>, op: string, from: NodeId, replied: Version | undefined): void {
    const operation = operations.get(op);
    if (operation === undefined) return;
    operation.answered.add(from);
    if (replied !== undefined && compareStamps(replied.stamp, operation.newest.stamp) > 0) operation.newest = replied;
    if (operation.answered.size < replicasFor(operation.request.level, ctx.nodeIds.length)) return;
    operations.delete(op);
    ctx.cancelTimer(operation.timer);
    ctx.reply(
      operation.client,
      operation.request,
      operation.request.type === 'write' ? { type: 'write_ok' } : { type: 'read_ok', value: operation.newest.value },
    );
  }

  function giveUp(ctx: NodeContext<Timer>, op: string): void {
    const operation = operations.get(op);
    if (operation === undefined) return;
    operations.delete(op);
    const needed = replicasFor(operation.request.level, ctx.nodeIds.length);
    const heard = `${operation.answered.size} of the ${needed} replicas ${operation.request.level} needs answered within ${REQUEST_TIMEOUT_MS} ms`;
    // A write is kept by this node already, and maybe by others: it may yet take effect everywhere.
    const refusal: ErrorReply =
      operation.request.type === 'write'
        ? { type: 'error', code: TIMEOUT, text: `${heard}; the write may or may not take effect` }
        : { type: 'error', code: TEMPORARILY_UNAVAILABLE, text: heard };
    ctx.reply(operation.client, operation.request, refusal);
  }

  return {
    onStart(ctx) {
      ctx.setTimer(ANTI_ENTROPY_INTERVAL_MS, { type: 'anti-entropy' });
    },

    onMessage(ctx, from, message) {
      const incoming = message as StoreRequest | ReplicaMessage;
      switch (incoming.type) {
        case 'read':
        case 'write':
          return start(ctx, from, incoming);
        case 'replica_write':
          keep(ctx, incoming.version);
          return ctx.send(from, { type: 'replica_write_ok', op: incoming.op });
        case 'replica_write_ok':
          return answer(ctx, incoming.op, from, undefined);
        case 'replica_read':
          return ctx.send(from, { type: 'replica_read_ok', op: incoming.op, version });
        case 'replica_read_ok':
          clock = hlcObserve(clock, incoming.version.stamp.hlc, ctx.now());
          return answer(ctx, incoming.op, from, incoming.version);
        case 'anti_entropy':
          return keep(ctx, incoming.version);
      }
    },

    onTimer(ctx, timer) {
      if (timer.type === 'give-up') return giveUp(ctx, timer.op);
      for (const replica of ctx.nodeIds) {
        if (replica !== ctx.id) ctx.send(replica, { type: 'anti_entropy', version });
      }
      ctx.setTimer(ANTI_ENTROPY_INTERVAL_MS, { type: 'anti-entropy' });
    },
  };
};
