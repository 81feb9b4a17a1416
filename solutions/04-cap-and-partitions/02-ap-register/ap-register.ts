/**
 * Exercise 4.2, reference solution: two stores that answer every client at once from the replica it
 * talks to, and reconcile by gossip.
 *
 * - **Part one, a last-writer-wins register.** Each write is stamped with the node's hybrid logical
 *   clock, ties broken by the node's id; a replica keeps the version with the larger stamp. Any two
 *   replicas that have heard of the same versions hold the same one, so they converge. What it costs:
 *   of two writes made on either side of a partition, the one with the smaller stamp vanishes.
 * - **Part two, a PN-counter** (Shapiro, Preguiça, Baquero and Zawirski, "Conflict-free replicated data
 *   types", 2011). Each replica counts its own increments and decrements; the state is one pair of
 *   counts per replica, and the merge takes the larger of each. Taking the larger is commutative,
 *   associative and idempotent, so gossip can be late, out of order and repeated: no add is lost, none
 *   is counted twice.
 *
 * @module
 */
import type { Message, Node, NodeContext, NodeFactory, NodeId, RpcRequest, TimerPayload } from '#harness';
import { compareHlc, hlcObserve, hlcTick, INITIAL_HLC, type Hlc } from '../_given/hlc.ts';
import { GOSSIP_INTERVAL_MS, type AddRequest, type ReadRequest, type WriteRequest } from './protocol.ts';

/** The one timer of both stores: time to send this replica's state to the others. */
interface GossipTimer extends TimerPayload {
  readonly type: 'gossip';
}

/** The newest request id (`rpcId`) taken from each client, in storage. */
const TAKEN_KEY = 'taken';

/**
 * Whether `request` from `client` is new. The network may deliver a request twice, the copy seconds
 * later; applied again, a copy adds its delta twice, or brings an old write back over newer ones. A
 * client's rpcIds grow, so the newest one taken from it tells a copy apart; it is kept in storage (before
 * the answer), so that a copy delayed past a restart is refused too.
 */
function takeOnce(ctx: NodeContext<GossipTimer>, client: NodeId, request: Message): boolean {
  const rpcId = (request as RpcRequest).rpcId;
  if (rpcId === undefined) return true;
  const taken = (ctx.storage.get(TAKEN_KEY) as Record<NodeId, number> | undefined) ?? {};
  if (rpcId <= (taken[client] ?? 0)) return false;
  ctx.storage.set(TAKEN_KEY, { ...taken, [client]: rpcId });
  return true;
}

/** Sends `message` to every replica but this one, and sets the timer for the next round. */
function gossip(ctx: NodeContext<GossipTimer>, message: RegisterState | CounterState): void {
  for (const peer of ctx.nodeIds) if (peer !== ctx.id) ctx.send(peer, message);
  ctx.setTimer(GOSSIP_INTERVAL_MS, { type: 'gossip' });
}

// ───────────────────────────── part one: the LWW register ─────────────────────────────

/** A write's place in the order of all writes: its HLC timestamp, ties broken by the writing node. */
interface Stamp {
  readonly hlc: Hlc;
  readonly node: NodeId;
}

/** The register as one replica holds it. */
interface Version {
  readonly value: number | null;
  readonly stamp: Stamp;
}

/** Replica → replica: the version I hold. */
interface RegisterState extends Message {
  readonly type: 'register_state';
  readonly version: Version;
}

const REGISTER_KEY = 'register';
const NEVER_WRITTEN: Version = { value: null, stamp: { hlc: INITIAL_HLC, node: '' } };

/** Negative, zero or positive as stamp `a` is older than, the same as, or newer than `b`. */
function compareStamps(a: Stamp, b: Stamp): number {
  return compareHlc(a.hlc, b.hlc) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
}

/** Part one: a replica of a last-writer-wins register, ordered by hybrid logical clocks. */
export const createLwwRegisterNode: NodeFactory<GossipTimer> = (boot): Node<GossipTimer> => {
  let version: Version = (boot.storage.get(REGISTER_KEY) as Version | undefined) ?? NEVER_WRITTEN;
  // The clock goes on from the stamp this replica holds: every version it has heard of is at most that,
  // so a write after a restart is still stamped above all of them.
  let clock: Hlc = version.stamp.hlc;

  /** Keeps `candidate` if its stamp is newer, in storage first. */
  function keep(ctx: NodeContext<GossipTimer>, candidate: Version): void {
    if (compareStamps(candidate.stamp, version.stamp) <= 0) return;
    ctx.storage.set(REGISTER_KEY, candidate);
    version = candidate;
  }

  return {
    onStart(ctx) {
      ctx.setTimer(GOSSIP_INTERVAL_MS, { type: 'gossip' });
    },

    onMessage(ctx, from, message) {
      const incoming = message as ReadRequest | WriteRequest | RegisterState;
      switch (incoming.type) {
        case 'read':
          return ctx.reply(from, incoming, { type: 'read_ok', value: version.value });
        case 'write': {
          if (!takeOnce(ctx, from, incoming)) return;
          // Stamped above everything this replica has heard of: a write made after seeing another wins over it.
          clock = hlcTick(clock, ctx.now());
          keep(ctx, { value: incoming.value, stamp: { hlc: clock, node: ctx.id } });
          return ctx.reply(from, incoming, { type: 'write_ok' });
        }
        case 'register_state':
          clock = hlcObserve(clock, incoming.version.stamp.hlc, ctx.now());
          return keep(ctx, incoming.version);
      }
    },

    onTimer(ctx) {
      gossip(ctx, { type: 'register_state', version });
    },
  };
};

// ───────────────────────────── part two: the PN-counter ─────────────────────────────

/**
 * A PN-counter's state: for each replica, the sum of the increments (`p`) and of the decrements (`n`)
 * made through it. Only replica `r` adds to `p[r]` and `n[r]`, so each entry only grows, and a larger
 * entry has seen everything a smaller one has.
 */
interface Counts {
  readonly p: Readonly<Record<NodeId, number>>;
  readonly n: Readonly<Record<NodeId, number>>;
}

/** Replica → replica: the counts I hold. */
interface CounterState extends Message {
  readonly type: 'counter_state';
  readonly counts: Counts;
}

const COUNTER_KEY = 'counter';

/** The larger of each entry: commutative, associative and idempotent, so any gossip order gives one state. */
function joinEntries(a: Readonly<Record<NodeId, number>>, b: Readonly<Record<NodeId, number>>): Record<NodeId, number> {
  const joined: Record<NodeId, number> = { ...a };
  for (const [node, count] of Object.entries(b)) joined[node] = Math.max(joined[node] ?? 0, count);
  return joined;
}

function sum(entries: Readonly<Record<NodeId, number>>): number {
  return Object.values(entries).reduce((total, count) => total + count, 0);
}

/** Part two: a replica of a PN-counter, a state-based CRDT. */
export const createPnCounterNode: NodeFactory<GossipTimer> = (boot): Node<GossipTimer> => {
  let counts: Counts = (boot.storage.get(COUNTER_KEY) as Counts | undefined) ?? { p: {}, n: {} };

  /** Replaces the counts, in storage first: an add_ok promises the delta survives a crash. */
  function save(ctx: NodeContext<GossipTimer>, next: Counts): void {
    ctx.storage.set(COUNTER_KEY, next);
    counts = next;
  }

  return {
    onStart(ctx) {
      ctx.setTimer(GOSSIP_INTERVAL_MS, { type: 'gossip' });
    },

    onMessage(ctx, from, message) {
      const incoming = message as ReadRequest | AddRequest | CounterState;
      switch (incoming.type) {
        case 'read':
          return ctx.reply(from, incoming, { type: 'read_ok', value: sum(counts.p) - sum(counts.n) });
        case 'add': {
          if (!takeOnce(ctx, from, incoming)) return;
          const side = incoming.delta >= 0 ? 'p' : 'n';
          const own = { ...counts[side], [ctx.id]: (counts[side][ctx.id] ?? 0) + Math.abs(incoming.delta) };
          save(ctx, { ...counts, [side]: own });
          return ctx.reply(from, incoming, { type: 'add_ok' });
        }
        case 'counter_state':
          return save(ctx, {
            p: joinEntries(counts.p, incoming.counts.p),
            n: joinEntries(counts.n, incoming.counts.n),
          });
      }
    },

    onTimer(ctx) {
      gossip(ctx, { type: 'counter_state', counts });
    },
  };
};
