import { describe, it } from 'vitest';
import type { NodeId } from '#harness';
import {
  check,
  checkEqual,
  checkThrows,
  deriveSeed,
  drawSwarmSettings,
  formatLatency,
  forEachSeed,
  latencyPercentileChart,
  loadBalance,
  loadOverTime,
  loadOverTimeChart,
  Rng,
  simulate,
  summarizeLatency,
  swarmDetails,
  swarmFaultSchedule,
  sweepSeedCount,
  writeMetricsPage,
} from '#harness/testing';
import { drawBackendProfiles, healthyProfile, type BackendProfile } from '#harness/http';
import { baselineRoundRobin } from '../_test-support/baseline.ts';
import {
  leastRequestsViolations,
  recordingLeastRequests,
  type LeastRequestsEvent,
} from '../_test-support/least-requests-model.ts';
import { prepareLoadRun, type LoadRun } from '../_test-support/load-run.ts';
import { createLeastRequests } from './least-requests.ts';
import type { BackendOutcome, OutlierEjection, Picker, PickerClock } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** A clock the test moves by hand. */
function manualClock(): PickerClock & { nowMs: number } {
  return {
    nowMs: 0,
    now() {
      return this.nowMs;
    },
  };
}

/** Short ejections, so the stories fit in a few seconds of virtual time. */
const FAST_EJECTION: OutlierEjection = {
  consecutiveFailures: 5,
  baseEjectionMs: 1_000,
  maxEjectionMs: 10_000,
  maxEjectionPercent: 50,
};

/**
 * `count` requests one after the other (each ends before the next is picked), each answered as
 * `answer` says for its backend. Returns the backends picked, in order.
 */
function sequential(picker: Picker, count: number, answer: (backend: string) => BackendOutcome): Array<string | null> {
  const picked: Array<string | null> = [];
  for (let index = 0; index < count; index++) {
    const backend = picker.pick();
    picked.push(backend);
    if (backend !== null) picker.finished?.(backend, answer(backend));
  }
  return picked;
}

const countOf = (picks: ReadonlyArray<string | null>, backend: string) =>
  picks.filter((pick) => pick === backend).length;

const backendIds = (count: number): NodeId[] => Array.from({ length: count }, (_, index) => `b${index + 1}`);

/** Runs `run` to the end in a simulation of `seed` (no trace kept: the seed replays it). */
async function runLoad(seed: number, run: LoadRun, during?: (sim: Parameters<LoadRun['start']>[0]) => void) {
  await simulate(
    { seed, nodes: run.nodes, network: { delayMs: { min: 1, max: 3 } }, recordTrace: false },
    async (sim) => {
      run.start(sim);
      during?.(sim);
      check(
        await sim.runUntilClientsDone({ timeoutMs: run.finishWithinMs }),
        'every client got an answer to every request',
      );
    },
  );
  return run;
}

const latencies = (run: LoadRun) => run.requests.records.map((record) => record.endedAtMs - record.sentAtMs);

// ───────────────────────────── stories ─────────────────────────────

describe('stories', () => {
  it('b1 and b2 are busy with one request each: the next one goes to the idle b3, then b2 finishes and gets the one after', () => {
    const picker = createLeastRequests(['b1', 'b2', 'b3'], manualClock(), null);
    const first = [picker.pick(), picker.pick(), picker.pick()];
    checkEqual(
      [...first].sort(),
      ['b1', 'b2', 'b3'],
      `three requests in flight went to ${first.join(', ')}: each should go to a backend with nothing in flight`,
    );
    picker.finished!('b2', 'success');
    checkEqual(picker.pick(), 'b2', 'b2 finished its request: it is the only backend with nothing in flight');
  });

  it('six backends, two at a third of their speed: least requests keeps p99 far below round robin', async () => {
    // Mean service time 20 ms. Capacity: 4 × 50 + 2 × 16.7 = 233 requests a second; clients send 160
    // (70%). Round robin sends each slow backend a sixth, 27 a second, more than the 16.7 it can serve.
    const ids = backendIds(6);
    const backends = Object.fromEntries(
      ids.map((id) => [id, () => ({ ...healthyProfile(20), speed: id === 'b5' || id === 'b6' ? 1 / 3 : 1 })]),
    );
    const load = { backends, arrivalsPerSecond: 160, durationMs: 4_000 };
    const seed = 11;
    const roundRobin = await runLoad(seed, prepareLoadRun({ ...load, createPicker: () => baselineRoundRobin(ids) }));
    const leastRequests = await runLoad(
      seed,
      prepareLoadRun({ ...load, createPicker: (clock) => createLeastRequests(ids, clock, null) }),
    );
    const figures = {
      'round robin': summarizeLatency(latencies(roundRobin)),
      'least requests': summarizeLatency(latencies(leastRequests)),
    };
    const page = writeMetricsPage(
      `.kata/charts/least-requests-latency-seed-${seed}.html`,
      `Least requests, seed ${seed}`,
      [
        latencyPercentileChart('Latency percentiles (6 backends, 2 at 1/3 speed, 70% load)', {
          'round robin': latencies(roundRobin),
          'least requests': latencies(leastRequests),
        }),
        loadOverTimeChart(
          'Round robin: requests in hand per backend',
          loadOverTime(roundRobin.backendLog.spans, ids, { bucketMs: 250, untilMs: load.durationMs }),
        ),
        loadOverTimeChart(
          'Least requests: requests in hand per backend',
          loadOverTime(leastRequests.backendLog.spans, ids, { bucketMs: 250, untilMs: load.durationMs }),
        ),
      ],
    );
    console.info(
      `Latency (seed ${seed}, 6 backends with b5 and b6 at 1/3 speed, 70% load, 20 ms mean service time):\n` +
        Object.entries(figures)
          .map(([name, summary]) => `  ${name.padEnd(16)} ${formatLatency(summary)}`)
          .join('\n') +
        `\n  charts: ${page} (open it in a browser)`,
    );
    const { p99Ms: roundRobinP99 } = figures['round robin'];
    const { p99Ms: leastP99 } = figures['least requests'];
    check(
      leastP99 * 4 < roundRobinP99,
      `least requests has p99 ${leastP99} ms against round robin's ${roundRobinP99} ms (seed ${seed}): it should be ` +
        'at least four times lower, because it sends less to a backend that is still busy',
    );
    const shares = loadBalance(leastRequests.backendLog.spans, ids).requests;
    check(
      shares.b1! > 2 * shares.b5!,
      `least requests sent ${shares.b1} requests to b1 and ${shares.b5} to the slow b5 (seed ${seed}): the fast ` +
        'backends finish sooner, so they should get more',
    );
  });

  it('the sinkhole: b1 answers 503 at once, so it looks idle and takes most requests; outlier ejection takes it out', async () => {
    const ids = backendIds(4);
    const backends: Record<string, () => BackendProfile> = Object.fromEntries(
      ids.map((id) => [id, () => ({ ...healthyProfile(20), errorRate: id === 'b1' ? 1 : 0 })]),
    );
    const load = { backends, arrivalsPerSecond: 120, durationMs: 3_000 };
    const seed = 5;
    const without = await runLoad(
      seed,
      prepareLoadRun({ ...load, createPicker: (clock) => createLeastRequests(ids, clock, null) }),
    );
    const withEjection = await runLoad(
      seed,
      prepareLoadRun({ ...load, createPicker: (clock) => createLeastRequests(ids, clock, FAST_EJECTION) }),
    );
    const share = (run: LoadRun) => loadBalance(run.backendLog.spans, ids).requests.b1! / run.backendLog.spans.length;
    const percent = (value: number) => `${Math.round(100 * value)}%`;
    console.info(
      `The sinkhole (seed ${seed}, 4 backends, b1 answers 503 at once, 120 requests a second):\n` +
        `  without ejection: b1 took ${percent(share(without))} of the requests, ${percent(without.requests.errorRate())} failed\n` +
        `  with ejection:    b1 took ${percent(share(withEjection))} of the requests, ${percent(withEjection.requests.errorRate())} failed`,
    );
    check(
      share(without) > 0.3,
      `without ejection b1 took only ${percent(share(without))} of the requests (seed ${seed}): a backend that fails ` +
        'fast has nothing in flight, so least requests should choose it more than its fair quarter',
    );
    check(
      share(withEjection) < 0.05 && withEjection.requests.errorRate() < 0.05,
      `with ejection b1 still took ${percent(share(withEjection))} of the requests and ${percent(withEjection.requests.errorRate())} ` +
        `failed (seed ${seed}): after 5 failures in a row b1 should be ejected, for 1 s, then 2 s, then 3 s. ` +
        'A timeout or a network error is a failure too; each ejection must last longer than the one before',
    );
  });

  it('each ejection lasts longer: 1 s, then 2 s, then 3 s, and never more than the maximum', () => {
    const clock = manualClock();
    const picker = createLeastRequests(['b1', 'b2', 'b3', 'b4'], clock, { ...FAST_EJECTION, maxEjectionMs: 2_500 });
    const b1Fails = (backend: string): BackendOutcome => (backend === 'b1' ? '5xx' : 'success');
    const expected = [1_000, 2_000, 2_500, 2_500];
    for (const [index, durationMs] of expected.entries()) {
      // b1 fails until it is ejected (its five failures are among the next 40 requests, whatever the tie-break).
      sequential(picker, 40, b1Fails);
      const ejectedAtMs = clock.nowMs;
      clock.nowMs = ejectedAtMs + durationMs - 1;
      check(
        countOf(sequential(picker, 8, b1Fails), 'b1') === 0,
        `ejection ${index + 1} of b1 (5 failures in a row at t=${ejectedAtMs} ms) should last ${durationMs} ms, ` +
          `but b1 got a request at t=${clock.nowMs} ms: each ejection must last longer than the one before ` +
          '(base ejection time × the number of ejections, at most the maximum)',
      );
      clock.nowMs = ejectedAtMs + durationMs;
      check(
        countOf(
          sequential(picker, 8, () => 'success'),
          'b1',
        ) > 0,
        `ejection ${index + 1} of b1 (from t=${ejectedAtMs} ms) should be over at t=${clock.nowMs} ms, but b1 got ` +
          'no request among the next 8: an ejection must end when its time is over',
      );
    }
  });

  it('an ejected backend comes back: b1 fails for 2 s, then heals, and serves its share again', async () => {
    const ids = backendIds(4);
    let healed = false;
    const backends: Record<string, () => BackendProfile> = Object.fromEntries(
      ids.map((id) => [id, () => ({ ...healthyProfile(20), errorRate: id === 'b1' && !healed ? 1 : 0 })]),
    );
    const seed = 3;
    const run = prepareLoadRun({
      backends,
      arrivalsPerSecond: 100,
      durationMs: 6_000,
      createPicker: (clock) => createLeastRequests(ids, clock, { ...FAST_EJECTION, baseEjectionMs: 500 }),
    });
    await runLoad(seed, run, (sim) =>
      sim.client('operator', async (operator) => {
        await operator.sleep(2_000);
        healed = true;
      }),
    );
    // Ejections of 0.5, 1 and 1.5 s: b1 is back by t=3.5 s at the latest, and from then on it succeeds.
    const late = run.backendLog.spans.filter((span) => span.arrivedAtMs >= 4_000);
    const b1Share = late.filter((span) => span.backend === 'b1').length / late.length;
    check(
      b1Share > 0.15,
      `after b1 healed at t=2 s it served ${Math.round(100 * b1Share)}% of the requests that came after t=4 s ` +
        `(seed ${seed}): its ejection must end when its time is over, and then it gets its share again`,
    );
  });
});

// ───────────────────────────── the spec, section by section ─────────────────────────────

describe('spec: least outstanding requests', () => {
  it('every outcome ends a request: a 5xx, a network error and a timeout free the backend as a success does', () => {
    for (const outcome of ['5xx', 'network-error', 'timeout'] as const) {
      const picker = createLeastRequests(['b1', 'b2'], manualClock(), null);
      const picks = [picker.pick()!, picker.pick()!, picker.pick()!];
      // One backend has two requests in flight, the other one.
      const busy = countOf(picks, 'b1') === 2 ? 'b1' : 'b2';
      const other = busy === 'b1' ? 'b2' : 'b1';
      picker.finished!(busy, outcome);
      picker.finished!(busy, outcome);
      checkEqual(
        picker.pick(),
        busy,
        `${busy}'s two requests ended with ${outcome} while ${other}'s one is in flight: ${busy} has nothing in ` +
          'flight and must get the next request. A request that failed must still be counted as finished',
      );
    }
  });

  it('no backend at all: pick returns null; adding a backend twice is an error', () => {
    const picker = createLeastRequests([], manualClock(), null);
    checkEqual(picker.pick(), null, 'with no backend, pick returns null');
    picker.add('b1');
    checkEqual(picker.pick(), 'b1', 'the backend just added');
    checkThrows(() => picker.add('b1'), 'add(b1) when b1 is already a backend must throw');
    picker.remove('b1');
    checkEqual(picker.pick(), null, 'after the last backend left, pick returns null');
  });
});

describe('spec: outlier ejection (Envoy, consecutive_5xx)', () => {
  it('five failures in a row eject a backend; four, then a success, do not', () => {
    const picker = createLeastRequests(['b1', 'b2'], manualClock(), FAST_EJECTION);
    let b1Failures = 0;
    // b1 fails four times, succeeds once, fails four times: never five in a row.
    const answer = (backend: string): BackendOutcome => {
      if (backend !== 'b1') return 'success';
      b1Failures++;
      return b1Failures === 5 ? 'success' : '5xx';
    };
    for (let request = 0; request < 100 && b1Failures < 9; request++) sequential(picker, 1, answer);
    check(
      b1Failures === 9,
      `in 100 requests one after the other, b1 got only ${b1Failures} of them: with nothing in flight on ` +
        'either backend, b1 should be picked again. A request that failed must still be counted as finished',
    );
    check(
      countOf(
        sequential(picker, 6, () => 'success'),
        'b1',
      ) > 0,
      'b1 failed 4 times, succeeded, then failed 4 times: a success starts the count again, so b1 is not ejected',
    );
    sequential(picker, 20, (backend) => (backend === 'b1' ? '5xx' : 'success'));
    check(
      countOf(
        sequential(picker, 10, () => 'success'),
        'b1',
      ) === 0,
      'b1 failed 5 times in a row: it must be ejected (no request for it during the base ejection time)',
    );
  });

  for (const outcome of ['timeout', 'network-error'] as const) {
    it(`a ${outcome} is a failure: five of them in a row eject the backend`, () => {
      const picker = createLeastRequests(['b1', 'b2'], manualClock(), FAST_EJECTION);
      sequential(picker, 20, (backend) => (backend === 'b1' ? outcome : 'success'));
      check(
        countOf(
          sequential(picker, 10, () => 'success'),
          'b1',
        ) === 0,
        `b1 answered 5 requests in a row with a ${outcome}, and was not ejected: a timeout or a network error is ` +
          'a failure, not a success (Envoy counts them with the 5xx)',
      );
    });
  }

  it('at most max ejection percent of the backends are ejected at once: when all four fail, two stay in', () => {
    const picker = createLeastRequests(['b1', 'b2', 'b3', 'b4'], manualClock(), FAST_EJECTION);
    sequential(picker, 200, () => '5xx');
    // Four requests in flight at once spread over every backend still in the rotation.
    const last = [picker.pick(), picker.pick(), picker.pick(), picker.pick()];
    const inRotation = new Set(last.filter((pick) => pick !== null));
    check(
      !last.includes(null) && inRotation.size === 2,
      `every backend answers 503; then four requests in flight at once went to ${last.join(', ')}: with max ` +
        'ejection percent 50, two of the four backends are ejected and two stay in. ' +
        'Never eject so many backends that none is left (max ejection percent)',
    );
  });
});

// ───────────────────────────── sweeps over seeds ─────────────────────────────

const OUTCOMES: readonly BackendOutcome[] = ['5xx', 'network-error', 'timeout'];

/** 600 steps drawn from `seed` straight on the picker: picks, endings, time passing, joins and leaves. */
function sweepPicker(seed: number): void {
  const rng = new Rng(deriveSeed(seed, 'least-requests-steps'));
  const ids = backendIds(rng.int(2, 6));
  const failureRate = Object.fromEntries(backendIds(8).map((id) => [id, rng.chance(0.4) ? rng.next() : 0]));
  const ejection: OutlierEjection = {
    consecutiveFailures: rng.int(1, 5),
    baseEjectionMs: rng.int(10, 200),
    maxEjectionMs: rng.int(200, 1_000),
    maxEjectionPercent: rng.int(0, 100),
  };
  const clock = manualClock();
  const events: LeastRequestsEvent[] = [];
  const picker = recordingLeastRequests((c) => createLeastRequests(ids, c, ejection), ids, events)(clock);
  const present = [...ids];
  const inFlight: string[] = [];
  for (let step = 0; step < 600; step++) {
    clock.nowMs += rng.int(0, 10);
    const roll = rng.next();
    if (roll < 0.02) {
      const spare = backendIds(8).filter((id) => !present.includes(id));
      if (spare.length > 0 && rng.chance(0.5)) {
        const backend = spare[rng.int(0, spare.length - 1)]!;
        present.push(backend);
        picker.add(backend);
      } else if (present.length > 1) {
        picker.remove(present.splice(rng.int(0, present.length - 1), 1)[0]!);
      }
    } else if (roll < 0.5 || inFlight.length === 0) {
      const backend = picker.pick();
      if (backend !== null) inFlight.push(backend);
    } else {
      const backend = inFlight.splice(rng.int(0, inFlight.length - 1), 1)[0]!;
      const failed = rng.chance(failureRate[backend] ?? 0);
      picker.finished!(backend, failed ? OUTCOMES[rng.int(0, 2)]! : 'success');
    }
  }
  const found = leastRequestsViolations(events, ejection);
  check(
    found.length === 0,
    `seed ${seed} (backends ${ids.join(', ')}, ejection ${JSON.stringify(ejection)}; KATA_SEED=${seed} replays it):\n` +
      found.join('\n'),
  );
}

/** A short load through the balancer with swarm faults (crashes, partitions, drops, delays) drawn from `seed`. */
async function sweepBalancer(seed: number): Promise<void> {
  const ids = backendIds(5);
  const settings = drawSwarmSettings(seed, { timeoutMs: 300, maxPartitionMs: 800 });
  const profiles = drawBackendProfiles(seed, ids, {
    meanServiceMs: 20,
    minSpeed: 0.25,
    maxErrorRate: 0.5,
    maxHangRate: 0.05,
  });
  const events: LeastRequestsEvent[] = [];
  const ejection: OutlierEjection = { ...FAST_EJECTION, baseEjectionMs: 100, maxEjectionMs: 500 };
  const run = prepareLoadRun({
    backends: Object.fromEntries(ids.map((id) => [id, () => profiles[id]!])),
    createPicker: recordingLeastRequests((clock) => createLeastRequests(ids, clock, ejection), ids, events),
    arrivalsPerSecond: 60,
    durationMs: 1_500,
    backendTimeoutMs: 300,
  });
  await simulate(
    {
      seed,
      nodes: run.nodes,
      network: settings.network,
      faults: swarmFaultSchedule(seed, settings, { nodes: ids, healAtMs: 1_200 }),
      details: { ...swarmDetails(settings), profiles: JSON.stringify(profiles) },
    },
    async (sim) => {
      run.start(sim);
      await sim.runUntilClientsDone({ timeoutMs: run.finishWithinMs });
      const found = leastRequestsViolations(events, ejection);
      check(found.length === 0, found.join('\n'));
    },
  );
}

describe('sweeps', () => {
  it(`straight on the picker: every pick is a least loaded backend not ejected (${sweepSeedCount(300)} seeds)`, async () => {
    await forEachSeed({ count: 300 }, async (seed) => sweepPicker(seed));
  });

  it(`through the balancer, with swarm faults on backends that fail, hang and slow down (${sweepSeedCount(20)} seeds)`, async () => {
    await forEachSeed({ count: 20 }, (seed) => sweepBalancer(seed));
  });
});
