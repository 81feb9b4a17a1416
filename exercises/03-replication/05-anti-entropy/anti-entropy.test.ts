/**
 * Tests for exercise 3.5: anti-entropy, with hinted handoff and Merkle trees. See README.md for what
 * each group checks.
 *
 * Three layers: stories (a put kept by stand-ins during a partition and handed back after the heal,
 * also when the stand-ins crash or the first hand-off is lost; copies that differ both ways and are
 * repaired by one exchange), checks tagged with the paper's sections (DeCandia et al. 2007, §4.6 and
 * §4.7), with the bytes a Merkle exchange costs against a full-state exchange, and sweeps over swarm
 * worlds with the convergence and set-full checkers watching.
 */
import { describe, test } from 'vitest';
import type { ClientContext, NodeFactory, NodeId, OperationOutcome } from '#harness';
import { assertConvergence, assertSetFull, checkConvergence, type SetAdd, type SetRead } from '#harness/check';
import {
  check,
  cluster,
  expectRecovered,
  forEachSwarmSeed,
  scenario,
  simulate,
  sweepSeedCount,
  type Simulation,
  type TraceEvent,
} from '#harness/testing';
import { delayingReplicas, type DelayPlan } from '../_test-support/replica-delays.ts';
import { createAntiEntropyNode } from './anti-entropy.ts';
import {
  CLIENT_TIMEOUT_MS,
  HANDOFF_INTERVAL_MS,
  QUORUM_TIMEOUT_MS,
  REPLICAS,
  STAND_IN_AFTER_MS,
  SYNC_INTERVAL_MS,
  WRITE_QUORUM,
  compareVersions,
  homesOf,
  rangeOf,
  storeKey,
  treePathOf,
  type Entry,
  type Version,
  type Versioned,
} from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const NETWORK = { delayMs: 5 };
/** The sync messages: what anti-entropy costs. */
const SYNC_TYPES = new Set(['sync_hashes', 'sync_entries']);
/**
 * The recovery bounds (README): a home reachable again holds the hints meant for it within
 * HANDOFF_BOUND_MS; the homes of a range agree within SYNC_BOUND_MS of the heal.
 */
const HANDOFF_BOUND_MS = 3 * HANDOFF_INTERVAL_MS;
const SYNC_BOUND_MS = 1_500;

/** What a client asked: a put of `value` under `version`. */
interface PutInput {
  readonly f: 'put';
  readonly key: string;
  readonly value: string;
  readonly version: Version;
}

/** Sends `node` a put, records it in the history and returns its outcome (an error or no answer is indeterminate). */
function put(
  c: ClientContext,
  node: NodeId,
  key: string,
  value: string,
  version: Version,
): Promise<OperationOutcome<Record<string, never>>> {
  return c.operation<PutInput, Record<string, never>>({ f: 'put', key, value, version }, async () => {
    const result = await c.rpc(node, { type: 'put', key, value, version }, { timeoutMs: CLIENT_TIMEOUT_MS });
    if (!result.ok || result.reply.type === 'error') return { status: 'indeterminate' };
    check(
      result.reply.type === 'put_ok',
      `${node} answered ${c.id}'s put of ${key} with a message of type '${result.reply.type}': the answer is put_ok, or an error (code 0)`,
    );
    return { status: 'ok', output: {} };
  });
}

/** Version `counter` written by `writer`. */
const v = (counter: number, writer = 'c1'): Version => ({ counter, writer });
/** `2 (c1)`: a version for a message. */
const show = (version: Version | undefined): string =>
  version === undefined ? 'nothing' : `version ${version.counter} (${version.writer})`;

/** `node`'s copy of `key`, read from its storage where protocol.ts says a home keeps it. */
function copyOf(sim: Simulation, node: NodeId, key: string): Versioned | undefined {
  return sim.storageOf(node)[storeKey(key)] as Versioned | undefined;
}

/** The first key `<prefix><i>` for which `wanted` holds. */
function keyWhere(prefix: string, wanted: (key: string) => boolean): string {
  for (let i = 1; i < 100_000; i++) if (wanted(`${prefix}${i}`)) return `${prefix}${i}`;
  throw new Error(`no key ${prefix}<i> fits`);
}

/** The first key `<prefix><i>` whose homes are exactly `homes`, in ring order. */
function keyHomedAt(prefix: string, homes: readonly NodeId[], nodeIds: readonly NodeId[]): string {
  return keyWhere(prefix, (key) => homesOf(key, nodeIds).join() === homes.join());
}

/**
 * `factory`'s nodes, with `load(node)`'s entries already in storage at the first boot (as if written
 * long ago): a quick way to give the replicas hundreds of keys.
 */
function preloaded(factory: NodeFactory, load: (node: NodeId) => readonly Entry[]): NodeFactory {
  return (ctx) => {
    if (ctx.storage.get('test:preloaded') === undefined) {
      for (const { key, versioned } of load(ctx.id)) ctx.storage.set(storeKey(key), versioned);
      ctx.storage.set('test:preloaded', true);
    }
    return factory(ctx);
  };
}

/** `count` keys `k1`, `k2`, … at version 1, the same on every node. */
function sameKeys(count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `k${i + 1}`,
    versioned: { version: v(1, 'c0'), value: `k${i + 1}:1` },
  }));
}

/** Sends every `send` event's message to `into`, to be judged after the run (never inside a step). */
function collectSends(sim: Simulation, into: Extract<TraceEvent, { kind: 'send' }>[]): void {
  sim.onEvent((event) => {
    if (event.kind === 'send') into.push(event);
  });
}

/** Watches that no home's copy of any of `keys` ever goes back to an older version. */
function watchNoGoingBack(sim: Simulation, keys: readonly string[]): void {
  const newest = new Map<string, Version>();
  // Only a node that took a step can have changed its copies: look at those after each event.
  const stepped = new Set<NodeId>();
  sim.onEvent((event) => {
    if (event.kind === 'deliver') stepped.add(event.to);
  });
  sim.watch('copies never go back', () => {
    const nodes = [...stepped];
    stepped.clear();
    for (const key of keys) {
      for (const node of homesOf(key, sim.nodeIds).filter((home) => nodes.includes(home))) {
        const now = copyOf(sim, node, key)?.version;
        const before = newest.get(`${node}/${key}`);
        if (before !== undefined && (now === undefined || compareVersions(now, before) < 0)) {
          return (
            `${node} went back from ${show(before)} of ${key} to ${show(now)}: an exchange keeps the newer version of ` +
            'each key (counter, then writer), never the older one it was sent'
          );
        }
        if (now !== undefined) newest.set(`${node}/${key}`, now);
      }
    }
    return null;
  });
}

/** Runs until every home of `key` holds at least `version`, or until `byMs`; says which homes lag. */
async function homesLagging(sim: Simulation, key: string, version: Version, byMs: number): Promise<NodeId[]> {
  const lagging = (): NodeId[] =>
    homesOf(key, sim.nodeIds).filter((node) => {
      const copy = copyOf(sim, node, key);
      return copy === undefined || compareVersions(copy.version, version) < 0;
    });
  // Reading every home's storage after every event is slow with many keys: look every 5 ms instead.
  let lookedAtMs = -Infinity;
  const done = (): boolean => {
    if (sim.nowMs - lookedAtMs < 5) return false;
    lookedAtMs = sim.nowMs;
    return lagging().length === 0;
  };
  await sim.runUntil(done, { timeoutMs: Math.max(0, byMs - sim.nowMs) });
  return lagging();
}

// ───────────────────────────── 1. stories ─────────────────────────────

/**
 * The hand-off world: five servers, a key `x` whose homes are n1, n2, n3 (its stand-ins n4, then n5). At
 * t=500 ms the homes are cut off from n4, n5 and c1; at t=1000 ms c1 puts x through n4. No home can
 * confirm: n4 and n5 keep it as hints, and the put is acknowledged on their two confirmations.
 */
const FIVE = ['n1', 'n2', 'n3', 'n4', 'n5'];
const X = keyHomedAt('x', ['n1', 'n2', 'n3'], FIVE);
/** The faults of the hand-off world, to which each story adds its own. */
const homesApart = (): ReturnType<typeof scenario> =>
  scenario().at(500).partition(['n1', 'n2', 'n3'], ['n4', 'n5', 'c1']);
const HEAL_MS = 2_000;

/** c1's put of X through n4 at t=1000 ms; fails unless it was acknowledged. */
function putThroughStandIns(sim: Simulation): { acknowledgedAtMs: number | null } {
  const outcome = { acknowledgedAtMs: null as number | null };
  sim.client('c1', async (c) => {
    await c.sleep(1_000);
    const result = await put(c, 'n4', X, 'during-partition', v(1));
    if (result.status === 'ok') outcome.acknowledgedAtMs = c.now();
  });
  return outcome;
}

describe('stories', () => {
  test('during a partition the stand-ins n4 and n5 take a put for n1, n2, n3, and hand it back after the heal', async () => {
    const faults = homesApart().at(HEAL_MS).heal().build();
    await simulate({ seed: 1, nodes: cluster(FIVE, createAntiEntropyNode), network: NETWORK, faults }, async (sim) => {
      const sends: Extract<TraceEvent, { kind: 'send' }>[] = [];
      collectSends(sim, sends);
      const outcome = putThroughStandIns(sim);
      await sim.run({ untilMs: HEAL_MS });
      check(
        outcome.acknowledgedAtMs !== null,
        `c1's put of ${X} through n4 was not acknowledged, with n4 and n5 up: a home that has not confirmed after ` +
          `${STAND_IN_AFTER_MS} ms gets a stand-in, the next node on the ring, and ${WRITE_QUORUM} confirmations are enough (a sloppy quorum)`,
      );
      const lagging = await homesLagging(sim, X, v(1), HEAL_MS + HANDOFF_BOUND_MS + SYNC_BOUND_MS);
      check(
        lagging.length < REPLICAS,
        `no home of ${X} holds c1's put (acknowledged at t=${outcome.acknowledgedAtMs} ms) at t=${sim.nowMs} ms, ` +
          `${sim.nowMs - HEAL_MS} ms after the heal: a stand-in must hand the hint back to its home once the home is reachable`,
      );
      check(
        lagging.length === 0,
        `${lagging.join(' and ')} still lack${lagging.length === 1 ? 's' : ''} ${X} at t=${sim.nowMs} ms, ${sim.nowMs - HEAL_MS} ms after ` +
          "the heal, though another home holds it: the homes' Merkle exchange must bring it",
      );
      // Once a home confirmed a hand-off, its stand-in stops offering that hint.
      await sim.run({ untilMs: sim.nowMs + 4 * HANDOFF_INTERVAL_MS });
      const confirmed = sends.filter((send) => send.type === 'handoff_ok');
      for (const ok of confirmed) {
        const later = sends.find(
          (send) =>
            send.type === 'handoff' &&
            send.from === ok.to &&
            send.to === ok.from &&
            send.t > ok.t + HANDOFF_INTERVAL_MS + 2 * NETWORK.delayMs,
        );
        check(
          later === undefined,
          `${later?.from} still offered ${X} to ${later?.to} at t=${later?.t} ms, though ${ok.from} confirmed it at t=${ok.t} ms: ` +
            'delete a hint once its home confirmed it',
        );
      }
    });
  });

  test('the stand-ins crash after the put was acknowledged; their hints survive, and the homes get the put', async () => {
    const faults = homesApart()
      .at(1_500)
      .crash('n4')
      .crash('n5')
      .at(1_800)
      .restart('n4')
      .restart('n5')
      .at(HEAL_MS)
      .heal()
      .build();
    await simulate({ seed: 2, nodes: cluster(FIVE, createAntiEntropyNode), network: NETWORK, faults }, async (sim) => {
      const outcome = putThroughStandIns(sim);
      await sim.run({ untilMs: HEAL_MS });
      check(
        outcome.acknowledgedAtMs !== null,
        `c1's put of ${X} through n4 (n4 and n5 up until t=1500 ms) was not acknowledged`,
      );
      const lagging = await homesLagging(sim, X, v(1), HEAL_MS + HANDOFF_BOUND_MS + SYNC_BOUND_MS);
      check(
        lagging.length === 0,
        `c1's put of ${X} was acknowledged at t=${outcome.acknowledgedAtMs} ms on the stand-ins n4 and n5, which crashed at ` +
          `t=1500 ms and restarted; at t=${sim.nowMs} ms ${lagging.join(', ')} still lack it: a stand-in must keep its hints in storage, ` +
          'which survives a crash, not only in memory',
      );
    });
  });

  test('the first hand-off to each home is lost; the stand-ins offer the hints again until the homes confirm', async () => {
    const lost = new Set<NodeId>();
    const plan: DelayPlan = ({ node, message }) => {
      if (message.type !== 'handoff' || lost.has(node)) return 0;
      lost.add(node);
      return 'lose';
    };
    const faults = homesApart().at(HEAL_MS).heal().build();
    const nodes = cluster(FIVE, delayingReplicas(createAntiEntropyNode, plan));
    await simulate({ seed: 3, nodes, network: NETWORK, faults }, async (sim) => {
      const outcome = putThroughStandIns(sim);
      await sim.run({ untilMs: HEAL_MS });
      check(outcome.acknowledgedAtMs !== null, `c1's put of ${X} through n4 was not acknowledged`);
      const lagging = await homesLagging(
        sim,
        X,
        v(1),
        HEAL_MS + HANDOFF_BOUND_MS + HANDOFF_INTERVAL_MS + SYNC_BOUND_MS,
      );
      check(
        lagging.length === 0,
        `the first hand-off of ${X} to each home was lost, and at t=${sim.nowMs} ms ${lagging.join(', ')} still lack it: ` +
          'a stand-in must delete a hint only after its home confirmed it (handoff_ok), and offer it again until then',
      );
    });
  });

  test('x is newer on n1 and n2, y is newer on n3; after the heal each home gets the newer copies, and no copy goes back', async () => {
    // Three servers: every node is a home of every key, and there is no stand-in. x and y share a range
    // and the first bits of their tree paths, so the same exchange finds both.
    const three = ['n1', 'n2', 'n3'];
    const x = 'x';
    const y = keyWhere(
      'y',
      (key) => rangeOf(key, three) === rangeOf(x, three) && treePathOf(key).slice(0, 4) === treePathOf(x).slice(0, 4),
    );
    const load = (): Entry[] => [
      ...sameKeys(20),
      { key: x, versioned: { version: v(1, 'c0'), value: 'x:1' } },
      { key: y, versioned: { version: v(1, 'c0'), value: 'y:1' } },
    ];
    const faults = scenario().at(1_000).partition(['n1', 'n2', 'c1'], ['n3', 'c2']).at(HEAL_MS).heal().build();
    await simulate(
      { seed: 4, nodes: cluster(three, preloaded(createAntiEntropyNode, load)), network: NETWORK, faults },
      async (sim) => {
        watchNoGoingBack(sim, [x, y]);
        sim.client('c1', async (c) => {
          await c.sleep(1_100);
          await put(c, 'n1', x, 'x:2', v(2));
        });
        // n3 alone cannot gather W = 2 confirmations: the put is not acknowledged, but n3 keeps it.
        sim.client('c2', async (c) => {
          await c.sleep(1_100);
          await put(c, 'n3', y, 'y:2', v(2, 'c2'));
        });
        await sim.run({ untilMs: HEAL_MS });
        check(
          copyOf(sim, 'n3', y)?.version.counter === 2,
          `n3 does not hold c2's put of ${y} (version 2): a home keeps a write it confirms`,
        );
        const laggingX = await homesLagging(sim, x, v(2), HEAL_MS + SYNC_BOUND_MS);
        check(
          laggingX.length === 0,
          `${laggingX.join(' and ')} still hold${laggingX.length === 1 ? 's' : ''} ${x} at an older version at ` +
            `t=${sim.nowMs} ms, ${sim.nowMs - HEAL_MS} ms after the heal, while n1 holds version 2: the tree's leaves must hash each key's version too, ` +
            'or a stale copy of a key looks the same as the current one',
        );
        const laggingY = await homesLagging(sim, y, v(2, 'c2'), HEAL_MS + SYNC_BOUND_MS);
        check(
          laggingY.length === 0,
          `${laggingY.join(' and ')} still lack${laggingY.length === 1 ? 's' : ''} n3's newer copy of ${y} at t=${sim.nowMs} ms: an exchange ` +
            'goes both ways: answer a request (reply: true) with the copies the sender lacks or holds older',
        );
      },
    );
  });
});

// ───────────────────────────── 2. the paper ─────────────────────────────

describe('DeCandia et al. 2007, §4.6 (Dynamo: "Handling Temporary Failures: Hinted Handoff")', () => {
  test(`a put is acknowledged only once W = ${WRITE_QUORUM} distinct nodes confirmed it`, async () => {
    // Three servers (no stand-in): n1 and c1 are cut off from n2 and n3, and the network copies messages.
    const faults = scenario().at(500).partition(['n1', 'c1'], ['n2', 'n3']).build();
    const network = { ...NETWORK, duplicateRate: 0.5 };
    await simulate({ seed: 5, nodes: cluster(3, createAntiEntropyNode), network, faults }, async (sim) => {
      let outcome: string | null = null;
      sim.client('c1', async (c) => {
        await c.sleep(1_000);
        outcome = (await put(c, 'n1', 'x', 'alone', v(1))).status;
      });
      await sim.run({ untilMs: 1_000 + CLIENT_TIMEOUT_MS + 100 });
      check(
        outcome !== 'ok',
        `n1 answered put_ok with only itself reachable (its own confirmation, perhaps duplicated): a put needs ${WRITE_QUORUM} ` +
          'distinct nodes to confirm it',
      );
    });
  });

  test('the stand-in for a home that does not confirm is the next node on the ring past the homes, and the write names the home', async () => {
    // Five servers; X's homes are n1, n2, n3. n3 is cut off; c1 puts X through n1.
    const faults = scenario().at(500).isolate('n3').build();
    await simulate({ seed: 6, nodes: cluster(FIVE, createAntiEntropyNode), network: NETWORK, faults }, async (sim) => {
      const sends: Extract<TraceEvent, { kind: 'send' }>[] = [];
      collectSends(sim, sends);
      let status: string | null = null;
      sim.client('c1', async (c) => {
        await c.sleep(1_000);
        status = (await put(c, 'n1', X, 'one-home-down', v(1))).status;
      });
      await sim.run({ untilMs: 1_000 + QUORUM_TIMEOUT_MS + 100 });
      check(status === 'ok', `c1's put of ${X} through n1 was not acknowledged, with two of its three homes up`);
      await sim.run({ untilMs: 1_000 + QUORUM_TIMEOUT_MS + 200 });
      const hinted = sends.filter(
        (send) => send.type === 'replica_write' && (send.message as { hint?: string }).hint !== undefined,
      );
      for (const send of hinted) {
        const hint = (send.message as { hint: string }).hint;
        check(
          hint === 'n3' && send.to === 'n4',
          `n1 sent a hinted write of ${X} to ${send.to} naming ${hint}: only n3 failed to confirm, and its stand-in is the first node ` +
            'on the ring past the homes (n4), sent the write with hint: n3',
        );
      }
    });
  });
});

/** One run of the bytes measurement: `count` keys, one of them stale on n3; returns the sync bytes and the full-state bytes. */
async function measureSync(count: number, seed: number): Promise<{ merkle: number; full: number; converged: boolean }> {
  const three = ['n1', 'n2', 'n3'];
  const stale = 'k1';
  const range = rangeOf(stale, three);
  const load = (node: NodeId): Entry[] =>
    sameKeys(count).map((entry) =>
      entry.key === stale && node !== 'n3' ? { key: stale, versioned: { version: v(2), value: 'k1:2' } } : entry,
    );
  let result = { merkle: 0, full: 0, converged: false };
  await simulate(
    { seed, nodes: cluster(three, preloaded(createAntiEntropyNode, load)), network: NETWORK },
    async (sim) => {
      const sends: Extract<TraceEvent, { kind: 'send' }>[] = [];
      collectSends(sim, sends);
      const converged = (await homesLagging(sim, stale, v(2), 4_000)).length === 0;
      const merkle = sends
        .filter((send) => SYNC_TYPES.has(send.type) && (send.message as { range?: number }).range === range)
        .reduce((sum, send) => sum + send.bytes, 0);
      // The baseline: one home sends another every entry of the range, as a full-state exchange would.
      const entries = load('n1').filter(({ key }) => rangeOf(key, three) === range);
      const full = JSON.stringify({ type: 'sync_entries', range, paths: [''], entries, reply: true }).length;
      result = { merkle, full, converged };
    },
  );
  return result;
}

describe('DeCandia et al. 2007, §4.7 (Dynamo: "Handling permanent failures: Replica synchronization"; Merkle 1987)', () => {
  test('one stale key among 64, 256 and 1,024: the Merkle exchange costs bytes that grow with log(keys), a full-state exchange with keys', async () => {
    const lines: string[] = [];
    const figures: { count: number; merkle: number; full: number }[] = [];
    for (const count of [64, 256, 1_024]) {
      const { merkle, full, converged } = await measureSync(count, 10 + count);
      check(converged, `n3 still held the stale k1 among ${count} keys after 4 s: the homes' exchange must find it`);
      figures.push({ count, merkle, full });
      lines.push(
        `${String(count).padStart(5)} keys: Merkle ${merkle} bytes of sync messages for k1's range until n3 had k1; full state ${full} bytes`,
      );
    }
    console.log(`📏 3.5 bytes to repair one stale key (3 servers, each range on all three):\n  ${lines.join('\n  ')}`);
    const [small, , large] = figures;
    check(
      large!.merkle <= 3 * small!.merkle && large!.merkle * 4 <= large!.full,
      `with 1,024 keys the exchange cost ${large!.merkle} bytes (${small!.merkle} with 64; full state ${large!.full}): a Merkle ` +
        'exchange should grow with log(keys): descend only into the subtrees that differ, and send entries only at the bottom',
    );
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

const HEAL_AT_MS = 5_000;
/** The recovery bound (README): every home of every key agrees, and holds every acknowledged put, within this of the heal. */
const CONVERGED_WITHIN_MS = 3_000;

/** Each key's copies on its homes, by home rank: what the checkers read after the heal. */
function homeCopies(sim: Simulation, keys: readonly string[]): Map<string, Record<NodeId, Versioned | null>> {
  const storages = new Map(sim.nodeIds.map((node) => [node, sim.storageOf(node)]));
  return new Map(
    keys.map((key) => [
      key,
      Object.fromEntries(
        homesOf(key, sim.nodeIds).map((node) => [
          node,
          (storages.get(node)![storeKey(key)] as Versioned | undefined) ?? null,
        ]),
      ),
    ]),
  );
}

describe('sweeps: sloppy quorums, hinted handoff and Merkle anti-entropy under faults', () => {
  test(`every acknowledged put survives, and every key's homes agree within ${CONVERGED_WITHIN_MS} ms of the heal (${sweepSeedCount(30)} swarm seeds, 4 to 6 servers)`, async () => {
    await forEachSwarmSeed(
      {
        count: 30,
        swarm: {
          timeoutMs: QUORUM_TIMEOUT_MS,
          clusterSizes: { min: 4, max: 6 },
          kinds: ['partition', 'isolate', 'cut', 'crash', 'network', 'targeted-crash', 'pause'],
          maxPartitionMs: 3_000,
        },
        nodes: (size) => Object.keys(cluster(size!, createAntiEntropyNode)),
        healAtMs: HEAL_AT_MS,
      },
      async (seed, world) => {
        await simulate(
          { seed, nodes: cluster(world.nodes, createAntiEntropyNode), faults: world.faults, details: world.details },
          async (sim) => {
            // Each put writes a key of its own (for set-full), or one of two shared keys (x, y) that
            // every client overwrites, under versions that grow per client.
            for (const client of ['c1', 'c2', 'c3']) {
              sim.client(client, async (c) => {
                for (let i = 1; c.now() < HEAL_AT_MS; i++) {
                  const shared = c.randomInt(0, 3) === 0;
                  const key = shared ? (c.randomInt(0, 1) === 0 ? 'x' : 'y') : `${c.id}-${i}`;
                  await put(c, sim.nodeIds[c.randomInt(0, sim.nodeIds.length - 1)]!, key, `${c.id}:${i}`, v(i, c.id));
                  await c.sleep(c.randomInt(0, 100));
                }
              });
            }
            await sim.run({ untilMs: HEAL_AT_MS });
            const history = sim.history<PutInput>();
            const keys = [...new Set(history.map((operation) => operation.input.key))];
            /** The newest acknowledged version of each key. */
            const acknowledged = new Map<string, Version>();
            for (const operation of history) {
              if (operation.status !== 'ok') continue;
              const before = acknowledged.get(operation.input.key);
              if (before === undefined || compareVersions(operation.input.version, before) > 0) {
                acknowledged.set(operation.input.key, operation.input.version);
              }
            }
            let lastCheckMs = -Infinity;
            let agreed = false;
            /** Why the homes do not agree yet, or '' when they do (checked every 50 ms, not after every event). */
            const disagreement = (): string => {
              for (const [key, copies] of homeCopies(sim, keys)) {
                const verdict = checkConvergence({ replicas: copies });
                if (!verdict.ok) return `${key}: ${verdict.violations[0]!.message}`;
                const held = Object.values(copies)[0]?.version;
                const newest = acknowledged.get(key);
                if (newest !== undefined && (held === undefined || compareVersions(held, newest) < 0)) {
                  return `${key}: every home holds ${show(held)}, older than the acknowledged ${show(newest)}`;
                }
              }
              return '';
            };
            await expectRecovered(sim, {
              what: "every key's homes holding the same copy, and every acknowledged put",
              healedAtMs: world.healAtMs,
              withinMs: CONVERGED_WITHIN_MS,
              holds: () => {
                if (sim.nowMs - lastCheckMs >= 50) {
                  lastCheckMs = sim.nowMs;
                  agreed = disagreement() === '';
                }
                return agreed;
              },
              explain: () =>
                `${disagreement()}. Hints are handed back every ${HANDOFF_INTERVAL_MS} ms and each node starts an exchange every ` +
                `${SYNC_INTERVAL_MS} ms, so once the network is whole the homes agree quickly`,
            });
            // The same facts through the harness's checkers: every home agrees, and no acknowledged put is lost.
            const copies = homeCopies(sim, keys);
            for (const [key, replicas] of copies)
              assertConvergence({ replicas, describe: (copy) => `${key} at ${show(copy?.version)}` });
            const own = history.filter((operation) => !['x', 'y'].includes(operation.input.key));
            const adds: SetAdd[] = own.map((operation) => ({
              element: `${operation.input.key}=${operation.input.value}`,
              status: operation.status,
              callMs: operation.callMs,
              returnMs: operation.returnMs,
            }));
            const reads: SetRead[] = Array.from({ length: Math.min(REPLICAS, sim.nodeIds.length) }, (_, rank) => ({
              elements: own
                .map((operation) => operation.input.key)
                .map((key) => {
                  const home = homesOf(key, sim.nodeIds)[rank]!;
                  const copy = copies.get(key)![home];
                  return copy === null || copy === undefined ? '' : `${key}=${copy.value}`;
                })
                .filter((element) => element !== ''),
              callMs: sim.nowMs,
              returnMs: sim.nowMs,
              node: `each key's home #${rank + 1}`,
            }));
            assertSetFull({ adds, reads });
          },
        );
      },
    );
  });
});
