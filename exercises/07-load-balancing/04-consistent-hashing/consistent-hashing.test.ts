import { describe, it } from 'vitest';
import type { NodeId } from '#harness';
import {
  check,
  checkEqual,
  checkThrows,
  deriveSeed,
  expectRecovered,
  forEachSeed,
  forEachSwarmSeed,
  formatLatency,
  loadOverTime,
  loadOverTimeChart,
  plural,
  Rng,
  scenario,
  simulate,
  summarizeLatency,
  sweepSeedCount,
  writeMetricsPage,
  type FaultSchedule,
} from '#harness/testing';
import { healthyProfile } from '#harness/http';
import { prepareLoadRun, scheduleMembership, type LoadRun, type ScheduledChange } from '../_test-support/load-run.ts';
import {
  boundedLoadViolations,
  modNOwner,
  recordingKeyedPicker,
  RingModel,
  zipfKeys,
  type KeyedPick,
  type ZipfKeys,
} from '../_test-support/ring-model.ts';
import { baselineRoundRobin } from '../_test-support/baseline.ts';
import { createBoundedLoadPicker, createHashRing } from './consistent-hashing.ts';
import {
  ringHash,
  virtualNodeLabel,
  type BackendId,
  type BoundedLoadOptions,
  type HashRing,
  type Picker,
  type PickerContext,
} from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const backendIds = (count: number): NodeId[] => Array.from({ length: count }, (_, index) => `b${index + 1}`);
const keyNames = (count: number): string[] => Array.from({ length: count }, (_, index) => `key-${index + 1}`);
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

/** The README's settings: 100 points per backend, balance factor 1.25. */
const V = 100;
const OPTIONS: BoundedLoadOptions = { virtualNodes: V, balanceFactor: 1.25 };

/**
 * Runs `body` (checks on a ring or a picker, no traffic) inside a simulation of `seed`, so that a
 * failure prints the seed and the command that replays it, as every run of the course does.
 */
async function onTheRing(seed: number, what: string, body: () => void): Promise<void> {
  await simulate({ seed, nodes: { lb: () => ({ onMessage() {} }) }, recordTrace: false, details: { ring: what } }, () =>
    body(),
  );
}

/** A picker's context with loads the test sets by hand. */
function handContext(loads: Record<BackendId, number>): PickerContext & { loads: Record<BackendId, number> } {
  const context = {
    loads,
    now: () => 0,
    random: () => 0.5,
    load: { inFlight: (backend: BackendId) => context.loads[backend] ?? 0 },
  };
  return context;
}

/** Requests per backend when each of `keys` goes where `owner` says. */
function keysPerBackend(keys: readonly string[], owner: (key: string) => BackendId | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) {
    const backend = owner(key) ?? 'none';
    counts.set(backend, (counts.get(backend) ?? 0) + 1);
  }
  return counts;
}

/** `max / mean` of `counts` over `backends` (a backend with no key counts 0). */
function maxOverMean(counts: ReadonlyMap<string, number>, backends: readonly BackendId[]): number {
  const values = backends.map((backend) => counts.get(backend) ?? 0);
  return Math.max(...values) / (values.reduce((sum, value) => sum + value, 0) / values.length);
}

/** The plain ring as a picker: every key to its own backend, loads ignored. */
function plainRingPicker(ids: readonly BackendId[]): Picker {
  const ring = createHashRing(ids, V);
  return { pick: (key = '') => ring.lookup(key), add: (b) => ring.add(b), remove: (b) => ring.remove(b) };
}

/** The share of picks whose backend had already served that key before: a cache hit. */
function cacheHitRate(picks: readonly KeyedPick[]): number {
  const served = new Set<string>();
  let hits = 0;
  for (const { key, picked } of picks) {
    const entry = `${picked} ${key}`;
    if (served.has(entry)) hits++;
    served.add(entry);
  }
  return picks.length === 0 ? 0 : hits / picks.length;
}

/** Fails with the first breaches of bounded loads in `picks`. */
function checkBounded(picks: readonly KeyedPick[], options: BoundedLoadOptions = OPTIONS): void {
  const found = boundedLoadViolations(picks, options);
  check(found.length === 0, found.join('\n'));
}

/** The Zipf workload of the stories: 1,000 keys, exponent 1.1 (key-1 takes about 17% of requests). */
const ZIPF = zipfKeys(1_000, 1.1);
/** The affinity story's keys: 100 keys, exponent 0.8, so that most keys come back often. */
const AFFINITY_KEYS = zipfKeys(100, 0.8);

// ───────────────────────────── stories ─────────────────────────────

describe('stories', () => {
  it('ten backends, 10,000 keys: b11 joins and about one key in eleven moves, every one of them to b11; hashing mod n moves about 90.9%', async () => {
    await onTheRing(1, 'b1..b10, 100 points each, then b11 joins', () => {
      const ids = backendIds(10);
      const keys = keyNames(10_000);
      const ring = createHashRing(ids, V);
      const before = keys.map((key) => ring.lookup(key));
      ring.add('b11');
      const moved = keys.filter((key, index) => ring.lookup(key) !== before[index]);
      const elsewhere = moved.filter((key) => ring.lookup(key) !== 'b11');
      const modN = keys.filter((key) => modNOwner(ids, key) !== modNOwner([...ids, 'b11'], key)).length;
      const ideal = keys.length / 11;
      console.info(
        `Keys moved when b11 joined 10 backends (10,000 keys, ${V} points per backend): ${moved.length} ` +
          `(${percent(moved.length, keys.length)}; K/(n+1) is ${percent(ideal, keys.length)}); ` +
          `hashing mod n moves ${modN} (${percent(modN, keys.length)}; 1 - 1/(n+1) is 90.9%)`,
      );
      const example = elsewhere[0] ?? '';
      check(
        elsewhere.length === 0,
        `when b11 joined, ${elsewhere.length} keys moved between two backends that were there before (e.g. ` +
          `${example} from ${before[keys.indexOf(example)]} to ${example === '' ? '' : ring.lookup(example)}): keys moved ` +
          'that did not have to. A join may only move keys TO the new backend; a point must depend only on its ' +
          "own backend's id and number, ringHash(virtualNodeLabel(b, i))",
      );
      check(
        moved.length > 0.6 * ideal && moved.length < 1.4 * ideal,
        `when b11 joined ten backends, ${moved.length} of 10,000 keys moved (${percent(moved.length, keys.length)}), ` +
          `where consistent hashing moves about K/(n+1) = ${Math.round(ideal)} (allowed ${Math.round(0.6 * ideal)} ` +
          `to ${Math.round(1.4 * ideal)}): the new backend's ${V} points should take about one key in eleven ` +
          `(hashing mod n would move ${percent(modN, keys.length)})`,
      );
    });
  });

  it('b4 leaves: only its keys move, each to the next backend clockwise; every other key stays put', async () => {
    await onTheRing(2, 'b1..b10, 100 points each, then b4 leaves', () => {
      const ids = backendIds(10);
      const keys = keyNames(10_000);
      const ring = createHashRing(ids, V);
      const before = keys.map((key) => ({ owner: ring.lookup(key), next: ring.successors(key)[1] }));
      ring.remove('b4');
      const problems: string[] = [];
      const heirs = new Map<string, number>();
      keys.forEach((key, index) => {
        const { owner, next } = before[index]!;
        const now = ring.lookup(key);
        if (owner === 'b4') {
          heirs.set(String(now), (heirs.get(String(now)) ?? 0) + 1);
          if (now !== next)
            problems.push(`${key} of b4 went to ${now}, but the next backend clockwise from it was ${next}`);
        } else if (now !== owner) {
          problems.push(
            `${key} moved from ${owner} to ${now} although ${owner} stayed: keys moved that did not have to`,
          );
        }
      });
      const orphans = before.filter(({ owner }) => owner === 'b4').length;
      console.info(
        `b4 left 10 backends: it held ${orphans} of 10,000 keys (${percent(orphans, keys.length)}); they went to ` +
          [...heirs]
            .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
            .map(([id, count]) => `${id} ${count}`)
            .join(', '),
      );
      check(
        problems.length === 0,
        `after b4 left, ${problems.length} keys are in the wrong place, e.g.:\n${problems.slice(0, 3).join('\n')}\n` +
          "When a backend leaves, only its own keys move, each to the backend of the next point clockwise. A point's " +
          'position must not depend on which other backends are there (ringHash(virtualNodeLabel(b, i)))',
      );
      check(
        heirs.size > 3,
        `b4's keys all went to ${[...heirs.keys()].join(', ')}: with ${V} points, b4's keys should spread over many backends`,
      );
    });
  });

  it('virtual nodes even the load out: with 100 points per backend the busiest holds under 1.25 times the mean; with one point, far more', async () => {
    await onTheRing(3, 'b1..b10, 100 points and 1 point per backend', () => {
      const ids = backendIds(10);
      const keys = keyNames(10_000);
      const many = keysPerBackend(keys, (key) => createHashRingOnce(ids, V).lookup(key));
      const one = keysPerBackend(keys, (key) => createHashRingOnce(ids, 1).lookup(key));
      const [manyRatio, oneRatio] = [maxOverMean(many, ids), maxOverMean(one, ids)];
      console.info(
        `Keys per backend (10 backends, 10,000 keys): max/mean ${manyRatio.toFixed(2)} with ${V} points per ` +
          `backend, ${oneRatio.toFixed(2)} with one point (${ids.map((id) => `${id} ${one.get(id) ?? 0}`).join(', ')})`,
      );
      check(
        manyRatio < 1.25,
        `with ${V} points per backend, the busiest of 10 backends holds ${Math.max(...many.values())} of 10,000 keys, ` +
          `${manyRatio.toFixed(2)} times the mean: it should stay under 1.25 times the mean. Put each backend at V ` +
          'points, ringHash(virtualNodeLabel(b, i)) for i from 0 to V - 1, not at one',
      );
      check(
        oneRatio > 1.5,
        `with one point per backend the busiest of 10 backends holds ${oneRatio.toFixed(2)} times the mean: one ` +
          'point each leaves arcs of very different lengths (above 1.5 times the mean). Use virtualNodes as given',
      );
    });
  });

  it('a key that hashes past the last point wraps round to the first point of the ring', async () => {
    await onTheRing(4, 'b1..b5, 100 points each', () => {
      const ids = backendIds(5);
      const model = new RingModel(ids, V);
      const key = keyNames(100_000).find((name) => ringHash(name) > model.lastPosition)!;
      const ring = createHashRing(ids, V);
      const first = model.owner(key);
      checkEqual(
        ring.lookup(key),
        first,
        `${key} hashes to ${ringHash(key)}, past the ring's last point (at ${model.lastPosition}): it belongs to ` +
          `the first point of the ring (the one nearest 0), ${first}'s`,
      );
      checkEqual(
        ring.successors(key)[0],
        first,
        `${key} hashes past the ring's last point: its successors start with the first point's backend, ${first}`,
      );
    });
  });

  it('affinity: a key keeps going to the same backend while loads allow, so its cache stays warm: far more cache hits than round robin', async () => {
    // 5 backends, each serving 4 requests at once, 50 ms of work; clients send 150 requests a second
    // (about 40% of what the five can serve) for 1 s, keys drawn with Zipf's law over 100 keys.
    const ids = backendIds(5);
    const seed = 5;
    const load: KeyedLoad = {
      seed,
      ids,
      meanServiceMs: 50,
      concurrency: 4,
      arrivalsPerSecond: 150,
      durationMs: 1_000,
      keys: AFFINITY_KEYS,
    };
    const { picks: bounded } = await keyedRun(load, (context) => createBoundedLoadPicker(ids, context, OPTIONS));
    const { picks: roundRobin } = await keyedRun(load, () => baselineRoundRobin(ids));
    const { picks: ideal } = await keyedRun(load, () => plainRingPicker(ids));
    const [boundedRate, roundRobinRate, idealRate] = [bounded, roundRobin, ideal].map(cacheHitRate) as [
      number,
      number,
      number,
    ];
    console.info(
      `Cache-hit rate (seed ${seed}, 5 backends, 40% load, Zipf keys): bounded loads ${percent(boundedRate, 1)}, ` +
        `plain ring ${percent(idealRate, 1)} (every key always at home), round robin ${percent(roundRobinRate, 1)}`,
    );
    checkBounded(bounded);
    check(
      boundedRate > 0.75 * idealRate && boundedRate > roundRobinRate + 0.15,
      `with bounded loads ${percent(boundedRate, 1)} of requests found their key in the backend's cache (served ` +
        `there before), against ${percent(idealRate, 1)} for a plain ring and ${percent(roundRobinRate, 1)} for round ` +
        'robin (seed 5): a key should stay on its own backend while that backend is below the cap, so the cache-hit ' +
        "rate stays within 75% of the plain ring's and at least 15 points above round robin's",
    );
  });

  it('one hot key: on a plain ring its backend drowns; with bounded loads it spills to the next backend, cold keys stay put, and p99 falls', async () => {
    // 5 backends, one request at a time each, 20 ms of work (250 requests a second in all); clients
    // send 150 a second (60%). key-1 takes about 17% of them: with its share of the other keys, its
    // backend gets more than it can serve.
    const ids = backendIds(5);
    const seed = 6;
    const load: KeyedLoad = { seed, ids, meanServiceMs: 20, arrivalsPerSecond: 150, durationMs: 2_000, keys: ZIPF };
    const plain = await keyedRun(load, () => plainRingPicker(ids));
    const bounded = await keyedRun(load, (context) => createBoundedLoadPicker(ids, context, OPTIONS));
    const model = new RingModel(ids, V);
    const [home, next] = model.walk(ZIPF.hot);
    const hotPicks = bounded.picks.filter((pick) => pick.key === ZIPF.hot);
    const spilled = hotPicks.filter((pick) => pick.picked !== home);
    const spilledToNext = spilled.filter((pick) => pick.picked === next);
    const cold = bounded.picks.filter((pick) => pick.key !== ZIPF.hot);
    const coldHome = cold.filter((pick) => pick.picked === model.owner(pick.key));
    const plainSummary = summarizeLatency(plain.run.requests.latenciesMs());
    const boundedSummary = summarizeLatency(bounded.run.requests.latenciesMs());
    const page = writeMetricsPage(
      `.kata/charts/consistent-hashing-hot-key-seed-${seed}.html`,
      `Consistent hashing with one hot key, seed ${seed}`,
      [
        loadOverTimeChart(
          `Plain ring: requests in hand per backend (${ZIPF.hot} lives on ${home})`,
          loadOverTime(plain.run.backendLog.spans, ids, { bucketMs: 100, untilMs: 2_000 }),
        ),
        loadOverTimeChart(
          'Bounded loads, c = 1.25: requests in hand per backend',
          loadOverTime(bounded.run.backendLog.spans, ids, { bucketMs: 100, untilMs: 2_000 }),
        ),
      ],
    );
    console.info(
      `One hot key (seed ${seed}, 5 backends, 60% load, ${ZIPF.hot} ${percent(ZIPF.probability(1), 1)} of requests, ` +
        `its backend ${home}, the next ${next}):\n` +
        `  plain ring      ${formatLatency(plainSummary)}\n` +
        `  bounded loads   ${formatLatency(boundedSummary)}\n` +
        `  ${ZIPF.hot}: ${spilled.length} of ${hotPicks.length} requests spilled, ${spilledToNext.length} of them to ${next}; ` +
        `cold keys at home: ${percent(coldHome.length, cold.length)}; cache-hit rate ${percent(cacheHitRate(bounded.picks), 1)}\n` +
        `  charts: ${page} (open it in a browser)`,
    );
    checkBounded(bounded.picks);
    check(
      spilled.length > 0 && spilledToNext.length > spilled.length / 2,
      `${ZIPF.hot} (its backend ${home}, the next clockwise ${next}) spilled ${spilled.length} of ${hotPicks.length} ` +
        `requests, ${spilledToNext.length} of them to ${next}: when ${home} is full the hot key should spill, mostly ` +
        'to the next backend clockwise',
    );
    check(
      boundedSummary.p99Ms * 2 < plainSummary.p99Ms,
      `with bounded loads p99 is ${boundedSummary.p99Ms} ms against the plain ring's ${plainSummary.p99Ms} ms ` +
        `(seed ${seed}): spilling the hot key should at least halve the tail. Send a key on clockwise when its ` +
        'backend holds ceil(c × m / n) requests',
    );
  });

  it('b3 crashes; the admin takes it off the ring: its keys move to their successors, requests keep flowing; it comes back and gets its keys back', async () => {
    const ids = backendIds(5);
    const seed = 7;
    const picks: KeyedPick[] = [];
    const load = prepareLoadRun({
      backends: Object.fromEntries(ids.map((id) => [id, () => healthyProfile(20)])),
      arrivalsPerSecond: 100,
      durationMs: 2_000,
      backendTimeoutMs: 300,
      nextKey: (random) => ZIPF.draw(random),
      createPicker: recordingKeyedPicker((context) => createBoundedLoadPicker(ids, context, OPTIONS), ids, picks),
    });
    const faults = scenario().at(500).crash('b3').at(1_400).restart('b3').build();
    const changes: ScheduledChange[] = [
      { atMs: 600, change: { type: 'remove_backend', backend: 'b3' } },
      { atMs: 1_500, change: { type: 'add_backend', backend: 'b3' } },
    ];
    await simulate({ seed, nodes: load.nodes, faults, network: { delayMs: { min: 1, max: 3 } } }, async (sim) => {
      load.start(sim);
      scheduleMembership(sim, changes);
      check(await sim.runUntilClientsDone({ timeoutMs: load.finishWithinMs }), 'every client got an answer');
      checkBounded(picks);
      const failedAfter = load.requests.records.filter((r) => r.sentAtMs >= 610 && r.outcome !== 'ok');
      const lost = load.requests.records.filter((r) => r.sentAtMs >= 500 && r.sentAtMs < 610 && r.outcome !== 'ok');
      const away = picks.filter((pick) => pick.atMs >= 610 && pick.atMs < 1_500);
      const back = picks.filter((pick) => pick.atMs >= 1_510 && pick.picked === 'b3');
      console.info(
        `b3 crashed at 500 ms and was taken off the ring at 600 ms (seed ${seed}, 100 requests a second): ` +
          `${plural(lost.length, 'request')} failed in between, ${failedAfter.length} after; while it was away ` +
          `${away.filter((pick) => pick.picked === 'b3').length} of ${away.length} picks chose it; back at 1,500 ms, it served ${back.length}`,
      );
      check(
        failedAfter.length === 0,
        `${failedAfter.length} requests sent after b3 left the ring failed (first sent at t=${failedAfter[0]?.sentAtMs} ms): ` +
          'once b3 is off the ring its keys go to their successors and every request is served',
      );
      check(
        back.length > 0,
        'b3 joined again at 1,500 ms but served no request after: its points come back where they were, and its keys with them',
      );
    });
  });
});

/** A ring built once per (backends, V), for the tests that look up many keys. */
const createHashRingOnce = (() => {
  const rings = new Map<string, HashRing>();
  return (ids: readonly BackendId[], virtualNodes: number): HashRing => {
    const name = `${ids.join(',')}/${virtualNodes}`;
    let ring = rings.get(name);
    if (ring === undefined) rings.set(name, (ring = createHashRing(ids, virtualNodes)));
    return ring;
  };
})();

/** A load of keyed requests on healthy backends, for {@link keyedRun}. */
interface KeyedLoad {
  readonly seed: number;
  readonly ids: readonly BackendId[];
  readonly meanServiceMs: number;
  /** Requests each backend serves at once. Default 1. */
  readonly concurrency?: number;
  readonly arrivalsPerSecond: number;
  readonly durationMs: number;
  readonly keys: ZipfKeys;
}

/** Runs `load` through the balancer with the picker `create` builds; returns its picks and the run's logs. */
async function keyedRun(
  load: KeyedLoad,
  create: (context: PickerContext) => Picker,
): Promise<{ picks: KeyedPick[]; run: LoadRun }> {
  const picks: KeyedPick[] = [];
  const run = prepareLoadRun({
    backends: Object.fromEntries(load.ids.map((id) => [id, () => healthyProfile(load.meanServiceMs)])),
    ...(load.concurrency === undefined ? {} : { concurrency: load.concurrency }),
    arrivalsPerSecond: load.arrivalsPerSecond,
    durationMs: load.durationMs,
    nextKey: (random) => load.keys.draw(random),
    createPicker: recordingKeyedPicker(create, load.ids, picks),
  });
  await runToTheEnd(load.seed, run);
  return { picks, run };
}

/** Runs `load` to its end in a simulation of `seed` on a quiet network (no trace kept: the seed replays it). */
async function runToTheEnd(seed: number, load: LoadRun): Promise<void> {
  await simulate(
    { seed, nodes: load.nodes, network: { delayMs: { min: 1, max: 3 } }, recordTrace: false },
    async (sim) => {
      load.start(sim);
      check(
        await sim.runUntilClientsDone({ timeoutMs: load.finishWithinMs }),
        'every client got an answer to every request',
      );
    },
  );
}

// ───────────────────────────── the spec ─────────────────────────────

describe('spec: the ring (Karger et al. 1997, §4; Dynamo 2007, §4.2 virtual nodes)', () => {
  it('lookup is the backend of the first point at or clockwise after the key, on rings of 1 to 12 backends with 1 to 200 points each', async () => {
    await onTheRing(10, 'rings of 1 to 12 backends, 1 to 200 points each', () => {
      const rng = new Rng(deriveSeed(10, 'ring-shapes'));
      for (let shape = 0; shape < 12; shape++) {
        const ids = backendIds(rng.int(1, 12));
        const points = rng.chance(0.3) ? rng.int(1, 5) : rng.int(6, 200);
        const ring = createHashRing(ids, points);
        const model = new RingModel(ids, points);
        for (const key of keyNames(400)) {
          const expected = model.owner(key);
          const found = ring.lookup(key);
          check(
            found === expected,
            `on a ring of ${ids.length} backends with ${points} points each, ${key} hashes to ${ringHash(key)}; the ` +
              `first point clockwise (at or after it) is ${expected}'s, but lookup returned ${found}. Search the sorted ` +
              'points for the first position >= ringHash(key), and wrap to the first point past the end',
          );
        }
      }
    });
  });

  it("a key that hashes exactly onto a point belongs to that point's backend", async () => {
    await onTheRing(11, 'b1..b6, 100 points each', () => {
      const ids = backendIds(6);
      const ring = createHashRing(ids, V);
      for (const [backend, index] of [
        ['b2', 0],
        ['b5', 17],
        ['b6', 99],
        ['b1', 42],
      ] as const) {
        const label = virtualNodeLabel(backend, index);
        checkEqual(
          ring.lookup(label),
          backend,
          `the key ${JSON.stringify(label)} hashes to ${ringHash(label)}, exactly where ${backend}'s point ${index} ` +
            `stands: it belongs to ${backend} (the first point AT or after the key)`,
        );
      }
    });
  });

  it('successors: every backend once, in the order the walk clockwise from the key first meets them, its own first', async () => {
    await onTheRing(12, 'b1..b8, 3 and 100 points each', () => {
      for (const points of [3, V]) {
        const ids = backendIds(8);
        const ring = createHashRing(ids, points);
        const model = new RingModel(ids, points);
        for (const key of keyNames(200)) {
          checkEqual(
            ring.successors(key),
            model.walk(key),
            `with ${points} points per backend, the backends clockwise from ${key} (each once, the first time the walk ` +
              'meets one of its points) are these',
          );
        }
      }
    });
  });

  it('the ring depends only on who is on it: leaving and joining again, or joining in another order, gives every key the same backend', async () => {
    await onTheRing(13, 'b1..b8 in two orders, with b2 leaving and joining again', () => {
      const ids = backendIds(8);
      const straight = createHashRing(ids, V);
      const reversed = createHashRing([...ids].reverse(), V);
      const churned = createHashRing(ids, V);
      churned.remove('b2');
      churned.remove('b5');
      churned.add('b2');
      churned.add('b5');
      for (const key of keyNames(2_000)) {
        const [a, b, c] = [straight.lookup(key), reversed.lookup(key), churned.lookup(key)];
        check(
          a === b && a === c,
          `${key} belongs to ${a} on b1..b8 added in order, to ${b} when they are added in reverse, and to ${c} after ` +
            'b2 and b5 left and joined again: the same backends must give the same ring, whatever the order, or keys ' +
            "move that did not have to. A point's position depends only on its backend's id and its number",
        );
      }
    });
  });

  it('an empty ring has no owner; adding a backend twice is an error; removing an unknown one does nothing; V must be at least 1', async () => {
    await onTheRing(14, 'the API', () => {
      const ring = createHashRing([], V);
      checkEqual(ring.lookup('key-1'), null, 'on an empty ring lookup returns null');
      checkEqual(ring.successors('key-1'), [], 'on an empty ring successors returns []');
      ring.add('b1');
      checkEqual(ring.lookup('key-1'), 'b1', 'with one backend, every key belongs to it');
      checkThrows(() => ring.add('b1'), 'add(b1) when b1 is already on the ring must throw');
      ring.remove('b9');
      checkEqual(ring.successors('key-1'), ['b1'], 'removing a backend that is not there changes nothing');
      ring.remove('b1');
      checkEqual(ring.lookup('key-1'), null, 'after the last backend left, lookup returns null');
      checkThrows(() => createHashRing(['b1'], 0), 'a ring with 0 points per backend must be refused (throw)');
    });
  });
});

describe('spec: bounded loads (Mirrokni, Thorup and Zadimoghaddam 2016, §3: capacity ceil(c × m / n))', () => {
  /**
   * A key whose walk on b1..b`count` (100 points each) starts with `owner`; with `nextPointSame`, one
   * whose next point is the owner's too.
   */
  function keyOwnedBy(owner: BackendId, nextPointSame = false, count = 4): { key: string; walk: BackendId[] } {
    const model = new RingModel(backendIds(count), V);
    const key = keyNames(20_000).find(
      (name) => model.owner(name) === owner && (!nextPointSame || model.nextPointBackend(name) === owner),
    )!;
    return { key, walk: model.walk(key) };
  }

  it('the first request on idle backends goes to its own backend, and so does every request while loads allow', async () => {
    await onTheRing(20, 'b1..b4, idle', () => {
      const ids = backendIds(4);
      const model = new RingModel(ids, V);
      const picker = createBoundedLoadPicker(ids, handContext({}), OPTIONS);
      for (const key of keyNames(300)) {
        checkEqual(
          picker.pick(key),
          model.owner(key),
          `no request is in flight, so m = 1 (this request) and the cap is ceil(1.25 × 1 / 4) = 1: ${key} goes to ` +
            'its own backend, the first point clockwise from it',
        );
      }
    });
  });

  it('m counts the request being placed: with 3 in flight on 4 backends the cap is ceil(1.25 × 4 / 4) = 2, so a key whose backend holds 1 stays put', async () => {
    await onTheRing(21, 'b1..b4, loads 1, 1, 1, 0', () => {
      const { key, walk } = keyOwnedBy('b2');
      const idle = walk.at(-1)!;
      const loads = Object.fromEntries(walk.map((id) => [id, id === idle ? 0 : 1]));
      const picker = createBoundedLoadPicker(backendIds(4), handContext(loads), OPTIONS);
      checkEqual(
        picker.pick(key),
        'b2',
        `loads ${JSON.stringify(loads)}; ${key} belongs to b2, which holds 1. m counts this request too, m = 4, so ` +
          'the cap is ceil(1.25 × 4 / 4) = 2 and b2 is below it: the key stays put (m counts this request; without it the cap would be 1)',
      );
    });
  });

  it('the cap rounds up: with 4 in flight on 4 backends it is ceil(1.25 × 5 / 4) = ceil(1.5625) = 2, so a backend holding 1 keeps its key', async () => {
    await onTheRing(22, 'b1..b4, loads 1, 2, 1, 0', () => {
      const { key, walk } = keyOwnedBy('b3');
      const [, second, third, fourth] = walk as [string, string, string, string];
      const loads = { b3: 1, [second]: 2, [third]: 1, [fourth]: 0 };
      const picker = createBoundedLoadPicker(backendIds(4), handContext(loads), OPTIONS);
      checkEqual(
        picker.pick(key),
        'b3',
        `loads ${JSON.stringify(loads)}; ${key} belongs to b3, which holds 1. m = 5 with this request, so the cap is ` +
          'ceil(1.25 × 5 / 4) = ceil(1.5625) = 2 (the cap rounds up: Math.ceil, not Math.floor), and b3 is below it: the key stays put',
      );
    });
  });

  it("a full backend passes the key to the next DISTINCT backend clockwise, skipping the full backend's own next points", async () => {
    await onTheRing(23, 'b1 and b2, the key of b2 whose next point is b2 again', () => {
      const { key } = keyOwnedBy('b2', true, 2);
      const loads = { b1: 0, b2: 3 };
      const picker = createBoundedLoadPicker(backendIds(2), handContext(loads), OPTIONS);
      checkEqual(
        picker.pick(key),
        'b1',
        `loads ${JSON.stringify(loads)}; ${key} belongs to b2, and the point after b2's is b2's too. m = 4, the cap ` +
          'is ceil(1.25 × 4 / 2) = 3 and b2 holds 3, so it is full: the key goes on to the next DISTINCT backend ' +
          "clockwise, b1, however many of b2's points come first (b2 again would be above the cap)",
      );
    });
  });

  it('two full backends in a row: the key goes on to the third', async () => {
    await onTheRing(24, 'b1..b4, the two first clockwise full', () => {
      const { key, walk } = keyOwnedBy('b1');
      const [first, second, third, fourth] = walk as [string, string, string, string];
      const loads = { [first]: 3, [second]: 3, [third]: 0, [fourth]: 0 };
      const picker = createBoundedLoadPicker(backendIds(4), handContext(loads), OPTIONS);
      checkEqual(
        picker.pick(key),
        third,
        `loads ${JSON.stringify(loads)}; clockwise from ${key} the backends are ${walk.join(' → ')}. m = 7, the cap is ` +
          `ceil(1.25 × 7 / 4) = 3, so ${first} and ${second} are full and the key goes on to ${third} (${second} ` +
          'would then hold 4, above the cap: keep walking until a backend has room)',
      );
    });
  });

  it('a balance factor below 1 is refused: the caps would not add up to the requests in flight', async () => {
    await onTheRing(25, 'the options', () => {
      checkThrows(
        () => createBoundedLoadPicker(['b1'], handContext({}), { virtualNodes: V, balanceFactor: 0.9 }),
        'a balance factor of 0.9 must be refused (throw): n caps of ceil(0.9 × m / n) can add up to less than m',
      );
    });
  });
});

describe("spec: the picker's API", () => {
  it('no backend: null; adding one twice is an error; removing an unknown one does nothing; one that left is never picked', async () => {
    await onTheRing(30, 'the API', () => {
      const picker = createBoundedLoadPicker([], handContext({}), OPTIONS);
      checkEqual(picker.pick('key-1'), null, 'with no backend, pick returns null');
      picker.add('b1');
      picker.add('b2');
      checkThrows(() => picker.add('b1'), 'add(b1) when b1 is already a backend must throw');
      picker.remove('b9');
      picker.remove('b1');
      const picked = new Set(keyNames(200).map((key) => picker.pick(key)));
      checkEqual([...picked], ['b2'], 'after b1 left, every key goes to b2, the only backend');
    });
  });
});

// ───────────────────────────── sweeps over seeds ─────────────────────────────

/** Balance factors exact in binary, so ceil(c × m / n) is the same however it is computed. */
const FACTORS = [1, 1.125, 1.25, 1.5, 2] as const;

/** 300 steps drawn from `seed` straight on the picker: picks of Zipf keys, loads that change, joins and leaves. */
function sweepPicker(seed: number): void {
  const rng = new Rng(deriveSeed(seed, 'consistent-hashing-steps'));
  const ids = backendIds(rng.int(1, 6));
  const options = {
    virtualNodes: rng.chance(0.2) ? rng.int(1, 4) : rng.int(5, 150),
    balanceFactor: FACTORS[rng.int(0, 4)]!,
  };
  const keys = zipfKeys(200, 1);
  const loads: Record<BackendId, number> = Object.fromEntries(backendIds(8).map((id) => [id, rng.int(0, 4)]));
  const picks: KeyedPick[] = [];
  const picker = recordingKeyedPicker((c) => createBoundedLoadPicker(ids, c, options), ids, picks)(handContext(loads));
  const present = [...ids];
  for (let step = 0; step < 300; step++) {
    const roll = rng.next();
    if (roll < 0.03) {
      const change = drawChange(rng, present, { pool: 8, keepAtLeast: 0 });
      if (change?.type === 'add_backend') picker.add(change.backend);
      else if (change !== null) picker.remove(change.backend);
    } else if (roll < 0.4) {
      loads[backendIds(8)[rng.int(0, 7)]!] = rng.int(0, 8);
    } else {
      picker.pick(keys.draw(() => rng.next()));
    }
  }
  const found = boundedLoadViolations(picks, options);
  check(
    found.length === 0,
    `seed ${seed} (backends at first ${ids.join(', ') || 'none'}, ${options.virtualNodes} points each, c = ` +
      `${options.balanceFactor}; KATA_SEED=${seed} replays it):\n${found.join('\n')}`,
  );
}

/**
 * A join or a leave drawn from `rng` among b1..b`pool`, given the backends `present` now (changed in
 * place): a leave only while more than `keepAtLeast` remain; `null` when neither is possible.
 */
function drawChange(
  rng: Rng,
  present: BackendId[],
  limits: { readonly pool: number; readonly keepAtLeast: number },
): ScheduledChange['change'] | null {
  const spare = backendIds(limits.pool).filter((id) => !present.includes(id));
  if (present.length > limits.keepAtLeast && (spare.length === 0 || rng.chance(0.5))) {
    return { type: 'remove_backend', backend: present.splice(rng.int(0, present.length - 1), 1)[0]! };
  }
  if (spare.length === 0) return null;
  const backend = spare[rng.int(0, spare.length - 1)]!;
  present.push(backend);
  return { type: 'add_backend', backend };
}

/** Up to four joins and leaves, 100 to 400 ms apart, for a run whose backends are `present` at first. */
function drawChanges(rng: Rng, present: BackendId[]): ScheduledChange[] {
  const changes: ScheduledChange[] = [];
  for (let index = 0, atMs = 0, count = rng.int(0, 4); index < count; index++) {
    atMs += rng.int(100, 400);
    const change = drawChange(rng, present, { pool: 6, keepAtLeast: 2 });
    if (change !== null) changes.push({ atMs, change });
  }
  return changes;
}

/** When the sweep's faults heal, and how soon after every backend on the ring must serve its keys again. */
const HEAL_AT_MS = 800;
const RECOVERY_MS = 1_000;

describe('sweeps', () => {
  it(`straight on the picker: every pick the first backend below the cap, clockwise from the key (${sweepSeedCount(200)} seeds)`, async () => {
    await forEachSeed({ count: 200 }, async (seed) => onTheRing(seed, 'a picker sweep', () => sweepPicker(seed)));
  });

  it(`through the balancer, with swarm faults, joins and leaves: bounded loads hold, and every backend serves again within ${RECOVERY_MS} ms of the heal (${sweepSeedCount(8)} seeds)`, async () => {
    const all = backendIds(6);
    await forEachSwarmSeed(
      { count: 8, swarm: { timeoutMs: 300, maxPartitionMs: 800 }, nodes: all, healAtMs: HEAL_AT_MS },
      async (seed, world) => {
        const rng = new Rng(deriveSeed(seed, 'consistent-hashing-world'));
        const initial = backendIds(rng.int(3, 5));
        const changes = drawChanges(rng, [...initial]);
        const options = { virtualNodes: rng.int(50, 150), balanceFactor: FACTORS[rng.int(0, 4)]! };
        const picks: KeyedPick[] = [];
        const load = prepareLoadRun({
          backends: Object.fromEntries(all.map((id) => [id, () => healthyProfile(20)])),
          arrivalsPerSecond: 100,
          durationMs: HEAL_AT_MS + RECOVERY_MS,
          backendTimeoutMs: 300,
          nextKey: (random) => ZIPF.draw(random),
          createPicker: recordingKeyedPicker((c) => createBoundedLoadPicker(initial, c, options), initial, picks),
        });
        const faults: FaultSchedule = world.faults;
        await simulate(
          {
            seed,
            nodes: load.nodes,
            network: world.settings.network,
            faults,
            details: { ...world.details, ring: JSON.stringify({ initial, changes, ...options }) },
          },
          async (sim) => {
            load.start(sim);
            scheduleMembership(sim, changes);
            const ring = () => picks.at(-1)?.members ?? initial;
            const servedSinceHeal = () =>
              new Set(
                load.backendLog.spans
                  .filter((span) => span.arrivedAtMs >= HEAL_AT_MS && span.status === 200)
                  .map((span) => span.backend),
              );
            await expectRecovered(sim, {
              what: 'every backend on the ring serving its keys again',
              healedAtMs: HEAL_AT_MS,
              withinMs: RECOVERY_MS,
              holds: () => ring().every((backend) => servedSinceHeal().has(backend)),
              explain: () =>
                `on the ring: ${ring().join(', ')}; served a request that arrived after the heal: ` +
                `${[...servedSinceHeal()].join(', ') || 'none'}`,
            });
            await sim.runUntilClientsDone({ timeoutMs: load.finishWithinMs });
            checkBounded(picks, options);
            check(picks.length > 0, 'the balancer picked no backend at all: the clients sent nothing through');
          },
        );
      },
    );
  });
});
