/**
 * Exercise 3.5, reference solution: a Dynamo-style store (DeCandia et al., SOSP 2007) that keeps writing
 * through a partition and repairs its replicas afterwards.
 *
 * - **Sloppy quorum (section 4.6).** A put goes to the key's N homes. A home that has not confirmed
 *   within `STAND_IN_AFTER_MS` gets a stand-in: the next node on the ring past the homes, sent the write
 *   with a hint naming the home. The put is done once W distinct nodes confirmed.
 * - **Hinted handoff (section 4.6).** A stand-in keeps each hint in storage (a crash must not lose an
 *   acknowledged write) and offers it to its home every `HANDOFF_INTERVAL_MS`. It deletes the hint only
 *   when the home confirmed it holds that version or a newer one.
 * - **Merkle anti-entropy (section 4.7).** Every `SYNC_INTERVAL_MS` a node sends one other home of one
 *   of its ranges the root of that range's tree. Each side answers a differing subtree with its
 *   children's hashes, or, once either side holds at most `LEAF_KEYS` keys there, with its entries; the
 *   newer version of each key wins. Equal subtrees are never opened, so one difference costs about one
 *   pair of hashes per level: log(keys).
 *
 * @module
 */
import type { Node, NodeContext, NodeFactory, NodeId, TimerId } from '#harness';
import {
  HANDOFF_INTERVAL_MS,
  LEAF_KEYS,
  QUORUM_TIMEOUT_MS,
  REPLICAS,
  STAND_IN_AFTER_MS,
  STORE_PREFIX,
  SYNC_INTERVAL_MS,
  TIMEOUT,
  TREE_DEPTH,
  WRITE_QUORUM,
  compareVersions,
  hashString,
  rangeOf,
  rangesOf,
  ringFrom,
  storeKey,
  treePathOf,
  type Entry,
  type PutRequest,
  type ReplicaMessage,
  type SubtreeSummary,
  type SyncEntries,
  type SyncHashes,
  type Versioned,
} from './protocol.ts';

/** The timers of a node: two per put it coordinates, and its two periodic tasks. */
type Timer =
  | { readonly type: 'stand-in'; readonly op: string }
  | { readonly type: 'give-up'; readonly op: string }
  | { readonly type: 'handoff' }
  | { readonly type: 'sync' };

/** A put this node coordinates, until W nodes confirmed it or it gave up. */
interface Operation {
  readonly client: NodeId;
  readonly request: PutRequest;
  readonly versioned: Versioned;
  /** The key's homes, then its stand-ins, in ring order. */
  readonly homes: readonly NodeId[];
  readonly standIns: readonly NodeId[];
  /** Nodes that confirmed: a set, so that a duplicated confirmation counts once. */
  readonly confirmed: Set<NodeId>;
  readonly giveUp: TimerId;
}

/** A hint, as a stand-in keeps it in storage: a write meant for `home`. */
interface Hint {
  readonly home: NodeId;
  readonly key: string;
  readonly versioned: Versioned;
}

/** One key of a range's tree, with its path. */
interface Item extends Entry {
  readonly path: string;
}

const HINT_PREFIX = 'hint:';
const hintKey = (home: NodeId, key: string): string => `${HINT_PREFIX}${home}:${key}`;
/** How many times this node has booted: part of every operation id, so that ids never repeat. */
const BOOTS_KEY = 'boots';

/**
 * One range's Merkle tree over this home's copies, built lazily and memoised: each subtree's keys and
 * summary are computed once, until the next write to the range drops the whole tree.
 */
class RangeTree {
  readonly #items = new Map<string, readonly Item[]>();
  readonly #summaries = new Map<string, SubtreeSummary>();

  constructor(items: readonly Item[]) {
    this.#items.set('', items);
  }

  /** The items inside subtree `path`, in key order. */
  itemsUnder(path: string): readonly Item[] {
    const known = this.#items.get(path);
    if (known !== undefined) return known;
    const bit = path[path.length - 1];
    const inside = this.itemsUnder(path.slice(0, -1)).filter((item) => item.path[path.length - 1] === bit);
    this.#items.set(path, inside);
    return inside;
  }

  /** This home's summary of subtree `path`: a leaf hashes its keys and versions, any other subtree its two children. */
  summary(path: string): SubtreeSummary {
    const known = this.#summaries.get(path);
    if (known !== undefined) return known;
    const items = this.itemsUnder(path);
    let hash = 0;
    if (items.length > 0 && path.length === TREE_DEPTH) {
      // The version is part of the leaf: a stale copy of a key must not look like the current one.
      hash = hashString(
        items
          .map(({ key, versioned: { version } }) => `${key}\u0000${version.counter}\u0000${version.writer}`)
          .join('\u0001'),
      );
    } else if (items.length > 0) {
      hash = hashString(`${this.summary(`${path}0`).hash}.${this.summary(`${path}1`).hash}`);
    }
    const summary = { path, hash, keys: items.length };
    this.#summaries.set(path, summary);
    return summary;
  }
}

/** Creates a node: a home of some ranges, a stand-in for others, and a coordinator of the puts sent to it. */
export const createAntiEntropyNode: NodeFactory<Timer> = (boot): Node<Timer> => {
  const operations = new Map<string, Operation>();
  const bootCount = (boot.storage.get<number>(BOOTS_KEY) ?? 0) + 1;
  boot.storage.set(BOOTS_KEY, bootCount);
  let nextOp = 1;
  let nextPeer = 0;
  // Each range's tree, rebuilt from storage after a restart and dropped at every write to the range.
  const trees = new Map<number, RangeTree>();

  const held = (ctx: NodeContext<Timer>, key: string): Versioned | undefined =>
    ctx.storage.get<Versioned>(storeKey(key));

  /** Keeps `versioned` as this home's copy of `key` if it is newer than the copy it holds. */
  function keep(ctx: NodeContext<Timer>, key: string, versioned: Versioned): void {
    const mine = held(ctx, key);
    if (mine !== undefined && compareVersions(versioned.version, mine.version) <= 0) return;
    ctx.storage.set(storeKey(key), versioned);
    trees.delete(rangeOf(key, ctx.nodeIds));
  }

  /** The tree of this home's copies of the keys of `range`. */
  function treeOf(ctx: NodeContext<Timer>, range: number): RangeTree {
    const cached = trees.get(range);
    if (cached !== undefined) return cached;
    const items: Item[] = [];
    for (const name of ctx.storage.keys()) {
      if (!name.startsWith(STORE_PREFIX)) continue;
      const key = name.slice(STORE_PREFIX.length);
      if (rangeOf(key, ctx.nodeIds) !== range) continue;
      items.push({ key, versioned: ctx.storage.get<Versioned>(name)!, path: treePathOf(key) });
    }
    const tree = new RangeTree(items);
    trees.set(range, tree);
    return tree;
  }

  const isHomeOf = (ctx: NodeContext<Timer>, range: number, node: NodeId): boolean =>
    ringFrom(range, ctx.nodeIds).slice(0, REPLICAS).includes(node);

  // ── the coordinator ──

  function start(ctx: NodeContext<Timer>, client: NodeId, request: PutRequest): void {
    const op = `${ctx.id}.${bootCount}.${nextOp++}`;
    const ring = ringFrom(rangeOf(request.key, ctx.nodeIds), ctx.nodeIds);
    const operation: Operation = {
      client,
      request,
      versioned: { version: request.version, value: request.value },
      homes: ring.slice(0, REPLICAS),
      standIns: ring.slice(REPLICAS),
      confirmed: new Set(),
      giveUp: ctx.setTimer(QUORUM_TIMEOUT_MS, { type: 'give-up', op }),
    };
    operations.set(op, operation);
    for (const home of operation.homes) {
      ctx.send(home, { type: 'replica_write', op, key: request.key, versioned: operation.versioned });
    }
    ctx.setTimer(STAND_IN_AFTER_MS, { type: 'stand-in', op });
  }

  /** Each home that has not confirmed gets the next stand-in on the ring, sent the write with a hint naming it. */
  function callStandIns(ctx: NodeContext<Timer>, op: string): void {
    const operation = operations.get(op);
    if (operation === undefined) return;
    const missing = operation.homes.filter((home) => !operation.confirmed.has(home));
    missing.forEach((home, index) => {
      const standIn = operation.standIns[index];
      if (standIn === undefined) return;
      const { key } = operation.request;
      ctx.send(standIn, { type: 'replica_write', op, key, versioned: operation.versioned, hint: home });
    });
  }

  function onConfirmed(ctx: NodeContext<Timer>, from: NodeId, op: string): void {
    const operation = operations.get(op);
    if (operation === undefined) return;
    operation.confirmed.add(from);
    if (operation.confirmed.size < WRITE_QUORUM) return;
    operations.delete(op);
    ctx.cancelTimer(operation.giveUp);
    ctx.reply(operation.client, operation.request, { type: 'put_ok' });
  }

  function giveUp(ctx: NodeContext<Timer>, op: string): void {
    const operation = operations.get(op);
    if (operation === undefined) return;
    operations.delete(op);
    ctx.reply(operation.client, operation.request, {
      type: 'error',
      code: TIMEOUT,
      text: `${operation.confirmed.size} of the ${WRITE_QUORUM} confirmations needed came within ${QUORUM_TIMEOUT_MS} ms`,
    });
  }

  // ── hinted handoff ──

  /** Keeps a write meant for `home` as a hint, in storage: the put may be acknowledged on the strength of it. */
  function keepHint(ctx: NodeContext<Timer>, home: NodeId, key: string, versioned: Versioned): void {
    const hint = ctx.storage.get<Hint>(hintKey(home, key));
    if (hint !== undefined && compareVersions(versioned.version, hint.versioned.version) <= 0) return;
    ctx.storage.set(hintKey(home, key), { home, key, versioned } satisfies Hint);
  }

  function offerHints(ctx: NodeContext<Timer>): void {
    for (const name of ctx.storage.keys()) {
      if (!name.startsWith(HINT_PREFIX)) continue;
      const { home, key, versioned } = ctx.storage.get<Hint>(name)!;
      ctx.send(home, { type: 'handoff', key, versioned });
    }
  }

  /** The home confirmed: the hint may go, unless a newer write for that home arrived meanwhile. */
  function onHandoffOk(ctx: NodeContext<Timer>, home: NodeId, key: string, version: Versioned['version']): void {
    const hint = ctx.storage.get<Hint>(hintKey(home, key));
    if (hint !== undefined && compareVersions(hint.versioned.version, version) <= 0) {
      ctx.storage.delete(hintKey(home, key));
    }
  }

  // ── Merkle anti-entropy ──

  /** Sends one other home of one of this node's ranges the root of that range's tree, round robin. */
  function startSync(ctx: NodeContext<Timer>): void {
    const pairs = rangesOf(ctx.id, ctx.nodeIds).flatMap((range) =>
      ringFrom(range, ctx.nodeIds)
        .slice(0, REPLICAS)
        .filter((peer) => peer !== ctx.id)
        .map((peer) => [range, peer] as const),
    );
    if (pairs.length === 0) return;
    const [range, peer] = pairs[nextPeer++ % pairs.length]!;
    ctx.send(peer, { type: 'sync_hashes', range, subtrees: [treeOf(ctx, range).summary('')] });
  }

  /** Answers each subtree that differs: with its children's hashes, or, once it is small, with its entries. */
  function onSyncHashes(ctx: NodeContext<Timer>, from: NodeId, message: SyncHashes): void {
    const { range } = message;
    if (!isHomeOf(ctx, range, ctx.id) || !isHomeOf(ctx, range, from)) return;
    const tree = treeOf(ctx, range);
    const leaves: string[] = [];
    const children: SubtreeSummary[] = [];
    for (const theirs of message.subtrees) {
      const mine = tree.summary(theirs.path);
      if (mine.hash === theirs.hash) continue;
      if (theirs.path.length >= TREE_DEPTH || theirs.keys <= LEAF_KEYS || mine.keys <= LEAF_KEYS) {
        leaves.push(theirs.path);
      } else {
        children.push(tree.summary(`${theirs.path}0`), tree.summary(`${theirs.path}1`));
      }
    }
    if (leaves.length > 0) {
      const entries = leaves.flatMap((path) => tree.itemsUnder(path)).map(({ key, versioned }) => ({ key, versioned }));
      ctx.send(from, { type: 'sync_entries', range, paths: leaves, entries, reply: true });
    }
    if (children.length > 0) ctx.send(from, { type: 'sync_hashes', range, subtrees: children });
  }

  /** Keeps the newer of each entry; to a request, answers with the copies the sender lacks or holds older. */
  function onSyncEntries(ctx: NodeContext<Timer>, from: NodeId, message: SyncEntries): void {
    const { range } = message;
    if (!isHomeOf(ctx, range, ctx.id) || !isHomeOf(ctx, range, from)) return;
    const theirs = new Map(message.entries.map((entry) => [entry.key, entry.versioned]));
    for (const { key, versioned } of message.entries) keep(ctx, key, versioned);
    if (!message.reply) return;
    const tree = treeOf(ctx, range);
    const newer = message.paths
      .flatMap((path) => tree.itemsUnder(path))
      .filter(({ key, versioned }) => {
        const other = theirs.get(key);
        return other === undefined || compareVersions(versioned.version, other.version) > 0;
      })
      .map(({ key, versioned }) => ({ key, versioned }));
    if (newer.length > 0)
      ctx.send(from, { type: 'sync_entries', range, paths: message.paths, entries: newer, reply: false });
  }

  return {
    onStart(ctx) {
      ctx.setTimer(HANDOFF_INTERVAL_MS, { type: 'handoff' });
      ctx.setTimer(SYNC_INTERVAL_MS, { type: 'sync' });
    },

    onMessage(ctx, from, message) {
      const incoming = message as PutRequest | ReplicaMessage;
      switch (incoming.type) {
        case 'put':
          return start(ctx, from, incoming);
        case 'replica_write':
          // Durable before the confirmation that promises it: the put may be acknowledged on it.
          if (incoming.hint === undefined) keep(ctx, incoming.key, incoming.versioned);
          else keepHint(ctx, incoming.hint, incoming.key, incoming.versioned);
          return ctx.send(from, { type: 'replica_write_ok', op: incoming.op, key: incoming.key });
        case 'replica_write_ok':
          return onConfirmed(ctx, from, incoming.op);
        case 'handoff':
          keep(ctx, incoming.key, incoming.versioned);
          return ctx.send(from, { type: 'handoff_ok', key: incoming.key, version: held(ctx, incoming.key)!.version });
        case 'handoff_ok':
          return onHandoffOk(ctx, from, incoming.key, incoming.version);
        case 'sync_hashes':
          return onSyncHashes(ctx, from, incoming);
        case 'sync_entries':
          return onSyncEntries(ctx, from, incoming);
      }
    },

    onTimer(ctx, timer) {
      switch (timer.type) {
        case 'stand-in':
          return callStandIns(ctx, timer.op);
        case 'give-up':
          return giveUp(ctx, timer.op);
        case 'handoff':
          offerHints(ctx);
          ctx.setTimer(HANDOFF_INTERVAL_MS, { type: 'handoff' });
          return;
        case 'sync':
          startSync(ctx);
          ctx.setTimer(SYNC_INTERVAL_MS, { type: 'sync' });
          return;
      }
    },
  };
};
