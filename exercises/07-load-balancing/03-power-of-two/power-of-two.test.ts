import { describe, it } from 'vitest';
import type { NodeId } from '#harness';
import {
  check,
  checkEqual,
  checkThrows,
  deriveSeed,
  drawSwarmSettings,
  forEachSeed,
  latencyPercentileChart,
  loadOverTime,
  loadOverTimeChart,
  Rng,
  simulate,
  summarizeLatency,
  swarmDetails,
  swarmFaultSchedule,
  sweepSeedCount,
  writeMetricsPage,
  type LatencySummary,
} from '#harness/testing';
import { drawBackendProfiles, healthyProfile } from '#harness/http';
import { leastLoaded, randomChoice } from '../_test-support/choice-baselines.ts';
import { baselineRoundRobin } from '../_test-support/baseline.ts';
import { prepareLoadRun } from '../_test-support/load-run.ts';
import { runQueueModel, type QueueModelRun } from '../_test-support/queue-model.ts';
import { createPowerOfTwoChoices } from './power-of-two.ts';
import type { BackendId, LoadInformation, Picker, PickerContext } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const backendIds = (count: number): NodeId[] => Array.from({ length: count }, (_, index) => `b${index + 1}`);

/**
 * A picker's context with loads the test sets by hand (`loads`, changed at will) and random numbers
 * from `seed`. `draws` counts the random numbers the picker took.
 */
function handContext(
  loads: Record<BackendId, number>,
  seed = 1,
): PickerContext & { draws: number; loads: Record<BackendId, number> } {
  const rng = new Rng(deriveSeed(seed, 'power-of-two:hand'));
  const context = {
    draws: 0,
    loads,
    now: () => 0,
    random() {
      context.draws++;
      return rng.next();
    },
    load: { inFlight: (backend: BackendId) => context.loads[backend] ?? 0 },
  };
  return context;
}

/** `count` picks, counted per backend (`null` under the key `none`). */
function pickCounts(picker: Picker, count: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let index = 0; index < count; index++) {
    const backend = picker.pick() ?? 'none';
    counts.set(backend, (counts.get(backend) ?? 0) + 1);
  }
  return counts;
}

const shares = (counts: Map<string, number>, total: number) =>
  [...counts]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([id, count]) => `${id} ${Math.round((100 * count) / total)}%`)
    .join(', ');

/** The pickers compared, by name. */
const POLICIES = {
  random: (ids: readonly BackendId[], context: PickerContext) => randomChoice(ids, context),
  'round robin': (ids: readonly BackendId[]) => baselineRoundRobin(ids),
  'power of two': (ids: readonly BackendId[], context: PickerContext) => createPowerOfTwoChoices(ids, context),
  'least loaded': (ids: readonly BackendId[], context: PickerContext) => leastLoaded(ids, context),
} as const;
type Policy = keyof typeof POLICIES;

/** The model's set-up of the stories: 10 backends at 90% load, 100 ms mean service time. */
const MODEL = { backends: backendIds(10), utilisation: 0.9, meanServiceMs: 100, requests: 12_000 } as const;
const MODEL_SEED = 1;
/** Stale: a load report every 10 mean service times. */
const STALE: LoadInformation = { kind: 'snapshot', refreshEveryMs: 10 * MODEL.meanServiceMs };
const FRESH: LoadInformation = { kind: 'fresh' };

/** Runs `policy` through the queueing model with `information`, at seed {@link MODEL_SEED}. */
function modelRun(policy: Policy, information: LoadInformation): QueueModelRun {
  return runQueueModel({
    ...MODEL,
    seed: MODEL_SEED,
    loadInformation: information,
    createPicker: (context) => POLICIES[policy](MODEL.backends, context),
  });
}

/** p99 in mean service times, one decimal. */
const inServiceTimes = (ms: number) => (ms / MODEL.meanServiceMs).toFixed(1);

/** One line per policy: p50, p99, p99.9 in mean service times, and the herd. */
function figureLines(runs: Partial<Record<Policy, QueueModelRun>>): string {
  return Object.entries(runs)
    .map(([name, run]) => {
      const summary: LatencySummary = summarizeLatency(run.latenciesMs);
      return (
        `  ${name.padEnd(13)} p50 ${inServiceTimes(summary.p50Ms).padStart(5)}, p99 ${inServiceTimes(summary.p99Ms).padStart(5)}, ` +
        `p99.9 ${inServiceTimes(summary.p999Ms).padStart(5)} mean service times; herd (max/mean per report) ${run.herd.toFixed(2)}`
      );
    })
    .join('\n');
}

const p99Of = (run: QueueModelRun) => summarizeLatency(run.latenciesMs).p99Ms;

/**
 * Runs every policy once per test file, fresh and stale: the stories read the same runs. Random choice
 * and round robin never read the loads, so their runs serve both.
 */
const runsOf = (() => {
  let cached: { fresh: Record<Policy, QueueModelRun>; stale: Record<Policy, QueueModelRun> } | undefined;
  return () => {
    if (cached === undefined) {
      const random = modelRun('random', FRESH);
      const roundRobin = modelRun('round robin', FRESH);
      cached = {
        fresh: {
          random,
          'round robin': roundRobin,
          'power of two': modelRun('power of two', FRESH),
          'least loaded': modelRun('least loaded', FRESH),
        },
        stale: {
          random,
          'round robin': roundRobin,
          'power of two': modelRun('power of two', STALE),
          'least loaded': modelRun('least loaded', STALE),
        },
      };
    }
    return cached;
  };
})();

const SETUP =
  `seed ${MODEL_SEED}, ${MODEL.backends.length} backends at ${100 * MODEL.utilisation}% load, exponential service times of ` +
  `${MODEL.meanServiceMs} ms, ${MODEL.requests} requests`;

// ───────────────────────────── stories ─────────────────────────────

describe('stories', () => {
  it('fresh loads, 10 backends at 90% load: power of two has a p99 far below random and close to least loaded', () => {
    const { fresh, stale } = runsOf();
    const page = writeMetricsPage(
      `.kata/charts/power-of-two-latency-seed-${MODEL_SEED}.html`,
      `Power of two choices, seed ${MODEL_SEED}`,
      [
        latencyPercentileChart(
          'Latency percentiles, fresh loads (10 backends, 90% load)',
          Object.fromEntries(Object.entries(fresh).map(([name, run]) => [name, run.latenciesMs])),
        ),
        latencyPercentileChart(
          'Latency percentiles, a load report every 10 service times',
          Object.fromEntries(Object.entries(stale).map(([name, run]) => [name, run.latenciesMs])),
        ),
        loadOverTimeChart(
          'Least loaded, stale reports: requests in hand per backend (the herd)',
          loadOverTime(stale['least loaded'].spans, MODEL.backends, { bucketMs: 250, untilMs: 20_000 }),
        ),
        loadOverTimeChart(
          'Power of two, stale reports: requests in hand per backend',
          loadOverTime(stale['power of two'].spans, MODEL.backends, { bucketMs: 250, untilMs: 20_000 }),
        ),
      ],
    );
    console.info(
      `Latency with fresh loads (${SETUP}):\n${figureLines(fresh)}\n` +
        `Latency with a load report every ${STALE.kind === 'snapshot' ? STALE.refreshEveryMs : 0} ms ` +
        `(10 service times):\n${figureLines(stale)}\n  charts: ${page} (open it in a browser)`,
    );
    const p2c = p99Of(fresh['power of two']);
    const random = p99Of(fresh.random);
    const least = p99Of(fresh['least loaded']);
    check(
      p2c * 2.5 < random,
      `with fresh loads power of two has p99 ${inServiceTimes(p2c)} mean service times against random's ` +
        `${inServiceTimes(random)} (${SETUP}): it should be at least 2.5 times lower. Send the request to the LESS ` +
        'loaded of the two backends drawn, and draw both from context.random()',
    );
    check(
      p2c < 1.6 * least,
      `with fresh loads power of two has p99 ${inServiceTimes(p2c)} mean service times against least loaded's ` +
        `${inServiceTimes(least)} (${SETUP}): two choices should come within 60% of looking at every backend ` +
        '(Mitzenmacher: the second choice brings most of the gain). Send the request to the less loaded of the two',
    );
  });

  it('stale loads (a report every 10 service times): least loaded herds and does worse than random; power of two stays best', () => {
    const { stale } = runsOf();
    const p2c = p99Of(stale['power of two']);
    const random = p99Of(stale.random);
    const least = p99Of(stale['least loaded']);
    const herd = stale['least loaded'].herd;
    console.info(
      `The herd (${SETUP}, a load report every 10 service times): least loaded sent ${herd.toFixed(1)} times the mean ` +
        `to its busiest backend of each report, power of two ${stale['power of two'].herd.toFixed(1)}, random ` +
        `${stale.random.herd.toFixed(1)}; p99 ${inServiceTimes(least)}, ${inServiceTimes(p2c)} and ${inServiceTimes(random)} ` +
        'mean service times',
    );
    check(
      herd > 3 && least > random,
      `with stale loads least loaded's herd is ${herd.toFixed(1)} and its p99 ${inServiceTimes(least)} against ` +
        `random's ${inServiceTimes(random)} (${SETUP}): it should herd (every request of a report to the backend ` +
        "that was idle at the report) and do worse than random. This is the test support's picker: check the load view",
    );
    check(
      p2c * 1.5 < random && p2c < least,
      `with stale loads power of two has p99 ${inServiceTimes(p2c)} mean service times against random's ` +
        `${inServiceTimes(random)} and least loaded's ${inServiceTimes(least)} (${SETUP}): it should stay best, ` +
        'at least 1.5 times below random. Send the request to the less loaded of two DIFFERENT backends, drawn from ' +
        'context.random(), and read the loads from context.load',
    );
    check(
      stale['power of two'].herd < herd / 2,
      `with stale loads power of two sent ${stale['power of two'].herd.toFixed(1)} times the mean to its busiest ` +
        `backend of each report (least loaded: ${herd.toFixed(1)}): two random choices should spread a report's ` +
        'requests over many backends, not herd them onto the least loaded',
    );
  });

  it('two backends: every request goes to the less loaded one, whichever it is', () => {
    const context = handContext({ b1: 3, b2: 0 });
    const picker = createPowerOfTwoChoices(['b1', 'b2'], context);
    const first = pickCounts(picker, 200);
    check(
      first.get('b2') === 200,
      `b1 has 3 requests in flight and b2 none; 200 picks went ${shares(first, 200)}: with two backends, power of ` +
        'two draws two different backends, so both every time, and must always send to the less loaded. Draw the ' +
        'second from the backends other than the first',
    );
    context.loads = { b1: 0, b2: 4 };
    const second = pickCounts(picker, 200);
    check(
      second.get('b1') === 200,
      `now b1 has none in flight and b2 has 4; 200 picks went ${shares(second, 200)}: every request should go to ` +
        'b1, the less loaded of the two different backends. Read the loads from context.load, nothing else',
    );
  });

  it('a removed backend is never picked; one that joins is; with none left, pick returns null', () => {
    const context = handContext({ b1: 0, b2: 0, b3: 0, b4: 0, b5: 0 });
    const picker = createPowerOfTwoChoices(['b1', 'b2', 'b3', 'b4'], context);
    picker.remove('b2');
    picker.add('b5');
    const counts = pickCounts(picker, 400);
    check(
      !counts.has('b2') && (counts.get('b5') ?? 0) > 0 && !counts.has('none'),
      `after b2 left and b5 joined, 400 picks went ${shares(counts, 400)}: b2 must never be picked, b5 must be`,
    );
    for (const backend of ['b1', 'b3', 'b4', 'b5']) picker.remove(backend);
    checkEqual(picker.pick(), null, 'every backend left: pick returns null');
  });

  it('through the balancer on msw backends, with stale reports: power of two keeps p99 below least loaded', async () => {
    // 5 backends with 20 ms mean service time, clients sending 225 requests a second (90% load) for 1.5 s;
    // a load report every 200 ms (10 service times).
    const ids = backendIds(5);
    const seed = 4;
    const p99 = async (policy: 'power of two' | 'least loaded') => {
      const run = prepareLoadRun({
        backends: Object.fromEntries(ids.map((id) => [id, () => healthyProfile(20)])),
        arrivalsPerSecond: 225,
        durationMs: 1_500,
        createPicker: (context) => POLICIES[policy](ids, context),
        loadInformation: { kind: 'snapshot', refreshEveryMs: 200 },
      });
      await simulate(
        { seed, nodes: run.nodes, network: { delayMs: { min: 1, max: 3 } }, recordTrace: false },
        async (sim) => {
          run.start(sim);
          check(
            await sim.runUntilClientsDone({ timeoutMs: run.finishWithinMs }),
            'every client got an answer to every request',
          );
        },
      );
      return summarizeLatency(run.requests.latenciesMs()).p99Ms;
    };
    const p2c = await p99('power of two');
    const least = await p99('least loaded');
    console.info(
      `Through the balancer (seed ${seed}, 5 msw backends, 90% load, 20 ms mean service time, a load report ` +
        `every 200 ms): p99 ${p2c} ms with power of two, ${least} ms with least loaded`,
    );
    check(
      p2c * 1.3 < least,
      `through the balancer with a load report every 200 ms, power of two has p99 ${p2c} ms against least ` +
        `loaded's ${least} ms (seed ${seed}): it should be at least 1.3 times lower (a short run: the queueing ` +
        'model above measures the gap with more requests). Send the request to the less ' +
        'loaded of two DIFFERENT random backends, reading the loads from context.load',
    );
  });
});

// ───────────────────────────── the spec ─────────────────────────────

describe('spec: Mitzenmacher 2001, the power of two choices (d = 2 choices, uniform and independent of the loads)', () => {
  it('the two choices are two different backends, every pair equally likely: with loads all different, each backend wins as often as its rank says', () => {
    // Loads in an order unrelated to the list order: b3 is the least loaded, b5 the most.
    const loads = { b1: 2, b2: 1, b3: 0, b4: 3, b5: 4 };
    const picker = createPowerOfTwoChoices(Object.keys(loads), handContext(loads));
    const picks = 10_000;
    const counts = pickCounts(picker, picks);
    // Of the 10 pairs, the backend of rank r (0: least loaded) is the less loaded one in 4 - r.
    const expected = { b3: 0.4, b2: 0.3, b1: 0.2, b4: 0.1, b5: 0 };
    for (const [backend, share] of Object.entries(expected)) {
      const seen = (counts.get(backend) ?? 0) / picks;
      const ok = share === 0 ? seen === 0 : Math.abs(seen - share) < 0.03;
      check(
        ok,
        `loads ${JSON.stringify(loads)}; ${picks} picks went ${shares(counts, picks)}, so ${backend} won ` +
          `${(100 * seen).toFixed(1)}% where two different backends, every pair equally likely, give ` +
          `${100 * share}%. ` +
          (share === 0
            ? 'The most loaded backend can never be the less loaded of two different backends: draw two DIFFERENT ' +
              'backends and send to the less loaded'
            : 'Draw both backends uniformly from context.random() (none of them fixed, every pair equally likely) ' +
              'and send to the less loaded'),
      );
    }
  });

  it('equal loads: every backend gets its share, whichever way ties are broken', () => {
    const loads = { b1: 1, b2: 1, b3: 1, b4: 1 };
    const picker = createPowerOfTwoChoices(Object.keys(loads), handContext(loads));
    const counts = pickCounts(picker, 4_000);
    const uneven = [...Object.keys(loads)].filter((id) => Math.abs((counts.get(id) ?? 0) / 4_000 - 0.25) > 0.04);
    check(
      uneven.length === 0,
      `four backends with the same load; 4,000 picks went ${shares(counts, 4_000)}: each should get about a ` +
        'quarter. Draw both backends uniformly from context.random(), every pair equally likely',
    );
  });

  it('the choices come from context.random(): the same random numbers give the same picks, other numbers other picks', () => {
    const loads = { b1: 0, b2: 0, b3: 0, b4: 0, b5: 0, b6: 0 };
    const sequence = (seed: number) => {
      const context = handContext({ ...loads }, seed);
      const picker = createPowerOfTwoChoices(Object.keys(loads), context);
      return { picks: Array.from({ length: 60 }, () => picker.pick()).join(' '), draws: context.draws };
    };
    const [one, again, other] = [sequence(1), sequence(1), sequence(2)];
    check(
      one.draws > 0 && one.picks === again.picks && one.picks !== other.picks,
      `60 picks among six equally loaded backends took ${one.draws} random numbers; with the same numbers they went ` +
        `${one.picks === again.picks ? 'the same way' : 'differently'}, with other numbers ` +
        `${one.picks === other.picks ? 'the same way' : 'differently'}: every draw must come from context.random() ` +
        "(the balancer's seeded generator, so a run replays from its seed), never a fixed order or Math.random",
    );
  });

  it('the loads come from context.load, and only from there: a picker keeps no count of its own', () => {
    // The load view says b1 is idle and stays so (a report that has not been refreshed): every request
    // goes to b1, however many the picker has just sent there.
    const context = handContext({ b1: 0, b2: 5 });
    const picker = createPowerOfTwoChoices(['b1', 'b2'], context);
    const counts = pickCounts(picker, 50);
    check(
      counts.get('b1') === 50,
      `the load view says b1 has 0 in flight and b2 has 5, and it does not change (no report came); 50 picks went ` +
        `${shares(counts, 50)}: all should go to b1. The picker must read the loads from context.load, the ` +
        "balancer's load report, fresh or stale as it is, not count the requests it sent itself",
    );
  });
});

describe("spec: the picker's API", () => {
  it('no backend: null; one backend: that one; adding one twice is an error; removing an unknown one does nothing', () => {
    const picker = createPowerOfTwoChoices([], handContext({}));
    checkEqual(picker.pick(), null, 'with no backend, pick returns null');
    picker.add('b1');
    checkEqual(picker.pick(), 'b1', 'with one backend, pick returns it (there is no second one to draw)');
    checkThrows(() => picker.add('b1'), 'add(b1) when b1 is already a backend must throw');
    picker.remove('b9');
    checkEqual(picker.pick(), 'b1', 'removing a backend that is not there changes nothing');
  });
});

describe("spec: Envoy LEAST_REQUEST with choice_count = 2 (the balancer's in-flight counts as the load)", () => {
  it('with fresh loads through the balancer, the busiest backend is never chosen while another is less busy', async () => {
    await balancerSweepRun(3, FRESH);
  });
});

// ───────────────────────────── sweeps over seeds ─────────────────────────────

/** What each pick of a picker saw: the backends, their loads in the view, and the answer. */
interface SeenPick {
  readonly atMs: number;
  readonly loads: ReadonlyMap<BackendId, number>;
  readonly picked: BackendId | null;
}

/**
 * What breaks the power of two's promises in `picks`: a pick of no backend or of one not there; a pick
 * of a backend more loaded than every other (the less loaded of two different backends never is); with
 * two backends, a pick of the more loaded one.
 */
function powerOfTwoViolations(picks: readonly SeenPick[]): string[] {
  const found: string[] = [];
  picks.forEach(({ atMs, loads, picked }, index) => {
    if (found.length >= 3) return;
    const where = `pick ${index + 1} (t=${atMs} ms; loads in the view: ${[...loads].map(([id, load]) => `${id} ${load}`).join(', ') || 'no backend'})`;
    if (picked === null) {
      if (loads.size > 0) found.push(`${where} returned null although there were backends`);
      return;
    }
    const load = loads.get(picked);
    if (load === undefined) {
      found.push(`${where} chose ${picked}, which is not a backend of the picker (it left, or never joined)`);
      return;
    }
    const others = [...loads].filter(([id]) => id !== picked).map(([, other]) => other);
    if (others.length > 0 && others.every((other) => other < load)) {
      found.push(
        `${where} chose ${picked}, more loaded than every other backend: the less loaded of two DIFFERENT ` +
          'backends never is. Draw the second from the backends other than the first, and send to the less loaded',
      );
    }
  });
  return found;
}

/** `create`, noting into `seen` what each pick saw in the load view (every backend present) and chose. */
function watchingPicks(
  create: (context: PickerContext) => Picker,
  initial: readonly BackendId[],
  seen: SeenPick[],
): (context: PickerContext) => Picker {
  return (context) => {
    const picker = create(context);
    const present = [...initial];
    return {
      pick() {
        const loads = new Map(present.map((id) => [id, context.load.inFlight(id)]));
        const picked = picker.pick();
        seen.push({ atMs: context.now(), loads, picked });
        return picked;
      },
      add(backend) {
        picker.add(backend);
        present.push(backend);
      },
      remove(backend) {
        picker.remove(backend);
        if (present.includes(backend)) present.splice(present.indexOf(backend), 1);
      },
    };
  };
}

/** 500 steps drawn from `seed` straight on the picker: picks, loads that change, joins and leaves. */
function sweepPicker(seed: number): void {
  const rng = new Rng(deriveSeed(seed, 'power-of-two-steps'));
  const ids = backendIds(rng.int(1, 6));
  const loads: Record<BackendId, number> = Object.fromEntries(backendIds(8).map((id) => [id, rng.int(0, 4)]));
  const context = handContext(loads, seed);
  const seen: SeenPick[] = [];
  const picker = watchingPicks((c) => createPowerOfTwoChoices(ids, c), ids, seen)(context);
  const present = [...ids];
  for (let step = 0; step < 500; step++) {
    const roll = rng.next();
    if (roll < 0.03) {
      const spare = backendIds(8).filter((id) => !present.includes(id));
      if (spare.length > 0 && rng.chance(0.5)) {
        const backend = spare[rng.int(0, spare.length - 1)]!;
        present.push(backend);
        picker.add(backend);
      } else if (present.length > 0) {
        picker.remove(present.splice(rng.int(0, present.length - 1), 1)[0]!);
      }
    } else if (roll < 0.3) {
      loads[backendIds(8)[rng.int(0, 7)]!] = rng.int(0, 6);
    } else {
      picker.pick();
    }
  }
  const found = powerOfTwoViolations(seen);
  check(
    found.length === 0,
    `seed ${seed} (backends at first ${ids.join(', ')}; KATA_SEED=${seed} replays it):\n${found.join('\n')}`,
  );
}

/**
 * A short load through the balancer (5 msw backends that slow down, fail and hang, drawn from `seed`)
 * with swarm faults (crashes, partitions, drops, delays) and `information` as the load view.
 */
async function balancerSweepRun(seed: number, information: LoadInformation): Promise<void> {
  const ids = backendIds(5);
  const settings = drawSwarmSettings(seed, { timeoutMs: 300, maxPartitionMs: 800 });
  const profiles = drawBackendProfiles(seed, ids, {
    meanServiceMs: 20,
    minSpeed: 0.25,
    maxErrorRate: 0.3,
    maxHangRate: 0.05,
  });
  const seen: SeenPick[] = [];
  const run = prepareLoadRun({
    backends: Object.fromEntries(ids.map((id) => [id, () => profiles[id]!])),
    createPicker: watchingPicks((context) => createPowerOfTwoChoices(ids, context), ids, seen),
    arrivalsPerSecond: 60,
    durationMs: 1_000,
    backendTimeoutMs: 300,
    loadInformation: information,
  });
  await simulate(
    {
      seed,
      nodes: run.nodes,
      network: settings.network,
      faults: swarmFaultSchedule(seed, settings, { nodes: ids, healAtMs: 800 }),
      details: { ...swarmDetails(settings), profiles: JSON.stringify(profiles), loads: JSON.stringify(information) },
    },
    async (sim) => {
      run.start(sim);
      await sim.runUntilClientsDone({ timeoutMs: run.finishWithinMs });
      const found = powerOfTwoViolations(seen);
      check(found.length === 0, found.join('\n'));
      check(seen.length > 0, 'the balancer picked no backend at all: the clients sent nothing through');
    },
  );
}

describe('sweeps', () => {
  it(`straight on the picker: every pick a backend present, never the busiest of all (${sweepSeedCount(300)} seeds)`, async () => {
    await forEachSeed({ count: 300 }, async (seed) => sweepPicker(seed));
  });

  it(`through the balancer, fresh or stale loads, with swarm faults on backends that fail, hang and slow down (${sweepSeedCount(12)} seeds)`, async () => {
    await forEachSeed({ count: 12 }, async (seed) => {
      const rng = new Rng(deriveSeed(seed, 'power-of-two-loads'));
      const information: LoadInformation = rng.chance(0.5)
        ? FRESH
        : { kind: 'snapshot', refreshEveryMs: rng.int(20, 400) };
      await balancerSweepRun(seed, information);
    });
  });
});
