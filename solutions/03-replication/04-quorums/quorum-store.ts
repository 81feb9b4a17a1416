/**
 * Exercise 3.4, reference solution: a key-value store replicated on every node, read from R replicas
 * and written to W, Dynamo-style (DeCandia et al., SOSP 2007, section 4.5), with versioned values and,
 * in part two, the write-back of Attiya, Bar-Noy and Dolev ("ABD", JACM 1995).
 *
 * Any node coordinates the operations its clients send it, in rounds. A round sends one message to
 * every replica (itself included) and is done once enough distinct replicas answered:
 * - **get**: read R replicas; take the answer with the newest version; with `writeBack`, write it to
 *   the replicas and wait for W confirmations; then answer.
 * - **put**: read R replicas for the newest version; write the value under a newer one (counter + 1,
 *   this write's own id as the tie-breaker); wait for W confirmations; then answer.
 *
 * Why R + W > N alone is not linearizable: a read can see a write that has reached only some replicas
 * and return it, and a later read quorum can miss those replicas. Why the write-back fixes it: a get
 * answers only once W replicas hold what it returns, so every later read quorum (R + W > N) meets one of
 * them, exactly as it meets a completed put.
 *
 * @module
 */
import type { Node, NodeContext, NodeFactory, NodeId, TimerId, TimerPayload } from '#harness';
import {
  NEVER_WRITTEN,
  QUORUM_TIMEOUT_MS,
  RequestFilter,
  TIMEOUT,
  type ClientReply,
  type ClientRequest,
  type QuorumConfig,
  type ReplicaMessage,
  type ReplicaReadOk,
  type ReplicaWriteOk,
  type Version,
  type Versioned,
} from './protocol.ts';

/** The coordinator gives up on operation `op` when its quorum did not answer in time. */
interface GiveUpTimer extends TimerPayload {
  readonly type: 'give-up';
  readonly op: string;
}

/** An operation this node coordinates, from the client's request to the answer. */
interface Operation {
  readonly client: NodeId;
  readonly request: ClientRequest;
  readonly timer: TimerId;
  /** `read`: asking R replicas what they hold; `write`: waiting for W to confirm `newest`. */
  phase: 'read' | 'write';
  /** Replicas that answered the current phase: a set, so that a duplicated answer counts once. */
  readonly answered: Set<NodeId>;
  /** The newest value the read phase saw; in the write phase, the value being written. */
  newest: Versioned;
}

/** Where a replica keeps its copy of `key`. */
const keyOf = (key: string): string => `kv:${key}`;
/** How many times this node has booted: part of every operation id, so that ids never repeat. */
const BOOTS_KEY = 'boots';

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`: counter, then writer. */
function compareVersions(a: Version, b: Version): number {
  if (a.counter !== b.counter) return a.counter - b.counter;
  return a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

/** Creates a node of a store with quorums `config`: a replica of every key, and a coordinator. */
export function createQuorumNode(config: QuorumConfig): NodeFactory<GiveUpTimer> {
  return (boot): Node<GiveUpTimer> => {
    const operations = new Map<string, Operation>();
    // Operation ids never repeat, not even after a restart: a late answer to an operation of the last
    // incarnation must not count for a new one, and a put's id is its version's tie-breaker.
    const bootCount = (boot.storage.get<number>(BOOTS_KEY) ?? 0) + 1;
    boot.storage.set(BOOTS_KEY, bootCount);
    let nextOp = 1;
    const requests = new RequestFilter(boot.storage);

    /** What this replica holds for `key`: from storage, because what it confirmed must survive a crash. */
    const held = (ctx: NodeContext<GiveUpTimer>, key: string): Versioned =>
      ctx.storage.get<Versioned>(keyOf(key)) ?? NEVER_WRITTEN;

    /** Sends every replica (this node too) one message of a new round of `operation`. */
    function round(ctx: NodeContext<GiveUpTimer>, op: string, operation: Operation, phase: Operation['phase']): void {
      operation.phase = phase;
      operation.answered.clear();
      const key = operation.request.key;
      for (const replica of ctx.nodeIds) {
        ctx.send(
          replica,
          phase === 'read'
            ? { type: 'replica_read', op, key }
            : { type: 'replica_write', op, key, versioned: operation.newest },
        );
      }
    }

    function start(ctx: NodeContext<GiveUpTimer>, client: NodeId, request: ClientRequest): void {
      if (!requests.take(client, request)) return;
      const op = `${ctx.id}.${bootCount}.${nextOp++}`;
      const timer = ctx.setTimer(QUORUM_TIMEOUT_MS, { type: 'give-up', op });
      const operation: Operation = {
        client,
        request,
        timer,
        phase: 'read',
        answered: new Set(),
        newest: NEVER_WRITTEN,
      };
      operations.set(op, operation);
      round(ctx, op, operation, 'read');
    }

    function finish(ctx: NodeContext<GiveUpTimer>, op: string, operation: Operation): void {
      operations.delete(op);
      ctx.cancelTimer(operation.timer);
      const answer: ClientReply =
        operation.request.type === 'put' ? { type: 'put_ok' } : { type: 'get_ok', value: operation.newest.value };
      ctx.reply(operation.client, operation.request, answer);
    }

    function onReadOk(ctx: NodeContext<GiveUpTimer>, from: NodeId, reply: ReplicaReadOk): void {
      const operation = operations.get(reply.op);
      if (operation === undefined || operation.phase !== 'read') return;
      operation.answered.add(from);
      if (compareVersions(reply.versioned.version, operation.newest.version) > 0) operation.newest = reply.versioned;
      if (operation.answered.size < config.r) return;
      const request = operation.request;
      if (request.type === 'put') {
        // A version above every one R replicas hold; this operation's id breaks a tie with a concurrent put.
        operation.newest = {
          version: { counter: operation.newest.version.counter + 1, writer: reply.op },
          value: request.value,
        };
        return round(ctx, reply.op, operation, 'write');
      }
      // Part two: what this get returns must be on W replicas first, or a later read could miss it.
      if (config.writeBack) return round(ctx, reply.op, operation, 'write');
      finish(ctx, reply.op, operation);
    }

    function onWriteOk(ctx: NodeContext<GiveUpTimer>, from: NodeId, reply: ReplicaWriteOk): void {
      const operation = operations.get(reply.op);
      if (operation === undefined || operation.phase !== 'write') return;
      operation.answered.add(from);
      if (operation.answered.size >= config.w) finish(ctx, reply.op, operation);
    }

    return {
      onMessage(ctx, from, message) {
        const incoming = message as ClientRequest | ReplicaMessage;
        switch (incoming.type) {
          case 'get':
          case 'put':
            return start(ctx, from, incoming);
          case 'replica_read':
            return ctx.send(from, {
              type: 'replica_read_ok',
              op: incoming.op,
              key: incoming.key,
              versioned: held(ctx, incoming.key),
            });
          case 'replica_write':
            // Keep only a newer version, in storage before the confirmation that promises it.
            if (compareVersions(incoming.versioned.version, held(ctx, incoming.key).version) > 0) {
              ctx.storage.set(keyOf(incoming.key), incoming.versioned);
            }
            return ctx.send(from, { type: 'replica_write_ok', op: incoming.op, key: incoming.key });
          case 'replica_read_ok':
            return onReadOk(ctx, from, incoming);
          case 'replica_write_ok':
            return onWriteOk(ctx, from, incoming);
        }
      },

      onTimer(ctx, timer) {
        const operation = operations.get(timer.op);
        if (operation === undefined) return;
        operations.delete(timer.op);
        const needed = operation.phase === 'read' ? config.r : config.w;
        ctx.reply(operation.client, operation.request, {
          type: 'error',
          code: TIMEOUT,
          text: `${operation.answered.size} of the ${needed} replicas needed answered within ${QUORUM_TIMEOUT_MS} ms`,
        });
      },
    };
  };
}
