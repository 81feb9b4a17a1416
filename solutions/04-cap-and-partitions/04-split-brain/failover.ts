/**
 * Exercise 4.4, reference solution: failover without split brain. A primary serves the clients and
 * copies every operation to the other nodes; when it falls silent, another node takes over, but only
 * for a **new epoch** that a **majority** granted it, and a primary answers a client only once a
 * majority accepted the operation **in its epoch**.
 *
 * Why at most one primary commits in an epoch: each node votes at most once per epoch (the vote is in
 * storage before it is sent), and two majorities share a node, so two candidates never both win one
 * epoch. Why an old primary cannot commit after a newer epoch began: the nodes that voted for the new
 * epoch promised to accept nothing older, and the old primary needs one of them for its majority.
 * Why no acknowledged write is lost: it is held by a majority, the new primary hears from a majority
 * before it serves, and it starts from the newest state it heard (versions are ordered by epoch, then
 * by operation number).
 *
 * @module
 */
import type { NodeContext, NodeFactory, NodeId } from '#harness';
import {
  emptyKvState,
  execute,
  type KvReply,
  type KvRequest,
  type KvState,
} from '../../03-replication/_given/kv-protocol.ts';
import {
  ACCEPT_TIMEOUT_MS,
  ELECTION_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  INITIAL_VERSION,
  type Accept,
  type Accepted,
  type FailoverNode,
  type Heartbeat,
  type NodeMessage,
  type RequestVote,
  type Role,
  type Version,
  type Vote,
} from './protocol.ts';

/** The node's timers: its election timeout, its heartbeat, and the deadline of the operation in flight. */
type FailoverTimer =
  | { readonly type: 'election' }
  | { readonly type: 'heartbeat' }
  | { readonly type: 'accept-timeout'; readonly version: Version };

/** A state and its version, as a node accepted it. */
interface Held {
  readonly version: Version;
  readonly state: KvState;
}

/** The operation a primary is getting accepted: one at a time, in the order the requests came. */
interface InFlight {
  readonly client: NodeId;
  readonly request: KvRequest;
  readonly version: Version;
  readonly output: KvReply & { ok: true };
  /** Nodes that accepted this version in this epoch, the primary itself included. */
  readonly accepted: Set<NodeId>;
  readonly timer: number;
}

/** The newest epoch this node heard of or promised: it accepts nothing older. */
const EPOCH_KEY = 'epoch';
/** Whom this node voted for in that epoch: at most one candidate per epoch, even across a crash. */
const VOTED_FOR_KEY = 'votedFor';
/** The newest state this node accepted, with its version. */
const HELD_KEY = 'held';
/** A primary keeps at most this many requests waiting; it refuses the rest (the client retries). */
const MAX_WAITING = 100;

/** Negative, zero or positive as version `a` is older than, the same as, or newer than `b`. */
function compareVersions(a: Version, b: Version): number {
  return a.epoch !== b.epoch ? a.epoch - b.epoch : a.n - b.n;
}

/** Creates one node. Every node runs it; in epoch 1 (the first boot), the first of `nodeIds` is the primary. */
export const createFailoverNode: NodeFactory<FailoverTimer> = (boot): FailoverNode<FailoverTimer> => {
  const firstBoot = boot.storage.get(EPOCH_KEY) === undefined;
  // Invariant: `epoch` and `votedFor` are in storage before any message that depends on them is sent.
  let epoch = boot.storage.get<number>(EPOCH_KEY) ?? 1;
  let votedFor = boot.storage.get<NodeId>(VOTED_FOR_KEY) ?? boot.nodeIds[0]!;
  let held: Held = boot.storage.get<Held>(HELD_KEY) ?? { version: INITIAL_VERSION, state: emptyKvState() };
  if (firstBoot) promise(boot, epoch, votedFor);
  // A node that restarts is never primary: it may have lost what it was doing. It wins a new epoch instead.
  let role: Role = firstBoot && boot.id === boot.nodeIds[0] ? 'primary' : 'backup';
  let electionTimer = -1;
  const votes = new Map<NodeId, Held>();
  const waiting: { client: NodeId; request: KvRequest }[] = [];
  let inFlight: InFlight | undefined;

  const majority = (ctx: NodeContext<FailoverTimer>): number => Math.floor(ctx.nodeIds.length / 2) + 1;
  const others = (ctx: NodeContext<FailoverTimer>): NodeId[] => ctx.nodeIds.filter((node) => node !== ctx.id);

  function promise(ctx: NodeContext<FailoverTimer>, newEpoch: number, candidate: NodeId | ''): void {
    epoch = newEpoch;
    votedFor = candidate;
    ctx.storage.set(EPOCH_KEY, epoch);
    ctx.storage.set(VOTED_FOR_KEY, votedFor);
  }

  function keep(ctx: NodeContext<FailoverTimer>, candidate: Held): void {
    if (compareVersions(candidate.version, held.version) <= 0) return;
    held = candidate;
    ctx.storage.set(HELD_KEY, held);
  }

  function resetElectionTimer(ctx: NodeContext<FailoverTimer>): void {
    ctx.cancelTimer(electionTimer);
    electionTimer = ctx.setTimer(ELECTION_TIMEOUT_MS, { type: 'election' });
  }

  /** A newer epoch is under way (or someone else won ours): stop acting as primary or candidate. */
  function becomeBackup(ctx: NodeContext<FailoverTimer>, newEpoch: number): void {
    if (newEpoch > epoch) promise(ctx, newEpoch, '');
    if (role !== 'backup') refuseAll(ctx);
    role = 'backup';
    votes.clear();
    resetElectionTimer(ctx);
  }

  function refuseAll(ctx: NodeContext<FailoverTimer>): void {
    const refused = inFlight === undefined ? waiting.splice(0) : [inFlight, ...waiting.splice(0)];
    if (inFlight !== undefined) ctx.cancelTimer(inFlight.timer);
    inFlight = undefined;
    for (const { client, request } of refused)
      ctx.reply(client, request, { type: 'KvReply', ok: false, error: 'not_primary' });
  }

  function startElection(ctx: NodeContext<FailoverTimer>): void {
    promise(ctx, epoch + 1, ctx.id);
    role = 'candidate';
    votes.clear();
    votes.set(ctx.id, held);
    for (const node of others(ctx)) ctx.send(node, { type: 'RequestVote', epoch } satisfies RequestVote);
    resetElectionTimer(ctx);
    if (votes.size >= majority(ctx)) becomePrimary(ctx);
  }

  function onRequestVote(ctx: NodeContext<FailoverTimer>, from: NodeId, request: RequestVote): void {
    if (request.epoch > epoch) {
      becomeBackup(ctx, request.epoch);
      promise(ctx, request.epoch, from);
    }
    const granted = request.epoch === epoch && votedFor === from;
    if (granted) resetElectionTimer(ctx);
    const vote: Vote = { type: 'Vote', epoch, granted, version: held.version, state: held.state };
    ctx.send(from, vote);
  }

  function onVote(ctx: NodeContext<FailoverTimer>, from: NodeId, vote: Vote): void {
    if (vote.epoch > epoch) return becomeBackup(ctx, vote.epoch);
    if (role !== 'candidate' || vote.epoch !== epoch || !vote.granted) return;
    votes.set(from, { version: vote.version, state: vote.state });
    if (votes.size >= majority(ctx)) becomePrimary(ctx);
  }

  /** A majority promised this epoch to us: start from the newest state any of them accepted. */
  function becomePrimary(ctx: NodeContext<FailoverTimer>): void {
    for (const vote of votes.values()) keep(ctx, vote);
    votes.clear();
    role = 'primary';
    ctx.cancelTimer(electionTimer);
    sendHeartbeats(ctx);
    startNext(ctx);
  }

  function sendHeartbeats(ctx: NodeContext<FailoverTimer>): void {
    for (const node of others(ctx)) ctx.send(node, { type: 'Heartbeat', epoch } satisfies Heartbeat);
    ctx.setTimer(HEARTBEAT_INTERVAL_MS, { type: 'heartbeat' });
  }

  function onHeartbeat(ctx: NodeContext<FailoverTimer>, heartbeat: Heartbeat): void {
    if (heartbeat.epoch < epoch) return;
    if (heartbeat.epoch > epoch || role === 'candidate') return becomeBackup(ctx, heartbeat.epoch);
    if (role === 'backup') resetElectionTimer(ctx);
  }

  function onClientRequest(ctx: NodeContext<FailoverTimer>, client: NodeId, request: KvRequest): void {
    if (role !== 'primary') return ctx.reply(client, request, { type: 'KvReply', ok: false, error: 'not_primary' });
    if (waiting.length >= MAX_WAITING)
      return ctx.reply(client, request, { type: 'KvReply', ok: false, error: 'unavailable' });
    waiting.push({ client, request });
    startNext(ctx);
  }

  /** Applies the next waiting operation to a copy of the state, keeps it, and asks the others to keep it too. */
  function startNext(ctx: NodeContext<FailoverTimer>): void {
    if (role !== 'primary' || inFlight !== undefined) return;
    const next = waiting.shift();
    if (next === undefined) return;
    const state = { store: { ...held.state.store }, sessions: { ...held.state.sessions } };
    const output = execute(state, next.request);
    const version: Version = { epoch, n: held.version.epoch === epoch ? held.version.n + 1 : 1 };
    keep(ctx, { version, state });
    const timer = ctx.setTimer(ACCEPT_TIMEOUT_MS, { type: 'accept-timeout', version });
    inFlight = {
      ...next,
      version,
      output: { type: 'KvReply', ok: true, output, viewnum: epoch },
      accepted: new Set([ctx.id]),
      timer,
    };
    for (const node of others(ctx)) ctx.send(node, { type: 'Accept', epoch, version, state } satisfies Accept);
    commitIfAccepted(ctx);
  }

  function onAccept(ctx: NodeContext<FailoverTimer>, from: NodeId, accept: Accept): void {
    if (accept.epoch < epoch || (accept.epoch === epoch && role === 'primary')) {
      return ctx.send(from, { type: 'Accepted', epoch, version: accept.version, ok: false } satisfies Accepted);
    }
    if (accept.epoch > epoch || role === 'candidate') becomeBackup(ctx, accept.epoch);
    else resetElectionTimer(ctx);
    keep(ctx, { version: accept.version, state: accept.state });
    ctx.send(from, { type: 'Accepted', epoch, version: accept.version, ok: true } satisfies Accepted);
  }

  function onAccepted(ctx: NodeContext<FailoverTimer>, from: NodeId, reply: Accepted): void {
    if (reply.epoch > epoch) return becomeBackup(ctx, reply.epoch);
    if (!reply.ok || reply.epoch !== epoch || inFlight === undefined) return;
    if (compareVersions(reply.version, inFlight.version) !== 0) return;
    inFlight.accepted.add(from);
    commitIfAccepted(ctx);
  }

  /** A majority holds the operation in this epoch: no later primary can start without it. Answer. */
  function commitIfAccepted(ctx: NodeContext<FailoverTimer>): void {
    if (inFlight === undefined || inFlight.accepted.size < majority(ctx)) return;
    ctx.cancelTimer(inFlight.timer);
    ctx.reply(inFlight.client, inFlight.request, inFlight.output);
    inFlight = undefined;
    startNext(ctx);
  }

  return {
    get epoch() {
      return epoch;
    },
    get role() {
      return role;
    },
    get version() {
      return held.version;
    },
    get state() {
      return held.state;
    },

    onStart(ctx) {
      if (role === 'primary') sendHeartbeats(ctx);
      else resetElectionTimer(ctx);
    },

    onMessage(ctx, from, message) {
      const incoming = message as NodeMessage | KvRequest;
      switch (incoming.type) {
        case 'KvRequest':
          return onClientRequest(ctx, from, incoming);
        case 'Heartbeat':
          return onHeartbeat(ctx, incoming);
        case 'RequestVote':
          return onRequestVote(ctx, from, incoming);
        case 'Vote':
          return onVote(ctx, from, incoming);
        case 'Accept':
          return onAccept(ctx, from, incoming);
        case 'Accepted':
          return onAccepted(ctx, from, incoming);
      }
    },

    onTimer(ctx, timer) {
      switch (timer.type) {
        case 'election':
          if (role !== 'primary') startElection(ctx);
          return;
        case 'heartbeat':
          if (role === 'primary') sendHeartbeats(ctx);
          return;
        case 'accept-timeout':
          // No majority in time: the client hears "unavailable" and retries with the same seq. The
          // operation stays in this node's state: a later Accept carries it, and sessions keep it once.
          if (inFlight === undefined || compareVersions(inFlight.version, timer.version) !== 0) return;
          ctx.reply(inFlight.client, inFlight.request, { type: 'KvReply', ok: false, error: 'unavailable' });
          inFlight = undefined;
          return startNext(ctx);
      }
    },
  };
};
