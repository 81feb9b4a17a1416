import { describe, it } from 'vitest';
import type { NodeId } from '#harness';
import {
  check,
  checkEqual,
  checkThrows,
  deriveSeed,
  formatLatency,
  forEachSeed,
  loadBalance,
  latencyPercentileChart,
  loadOverTime,
  loadOverTimeChart,
  writeMetricsPage,
  type NetworkSettingsInput,
  Rng,
  simulate,
  summarizeLatency,
  sweepSeedCount,
} from '#harness/testing';
import { drawBackendProfiles, healthyProfile, type BackendProfile } from '#harness/http';
import { prepareLoadRun, scheduleMembership, type LoadRun, type ScheduledChange } from '../_test-support/load-run.ts';
import {
  type Member,
  type PickEvent,
  recordingPicker,
  roundRobinViolations,
  smoothWeightedViolations,
} from '../_test-support/picks.ts';
import type { Picker } from './protocol.ts';
import { createRoundRobin, createSmoothWeightedRoundRobin } from './round-robin.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** `count` picks of `picker`, as a list. */
function picksOf(picker: Picker, count: number): Array<string | null> {
  return Array.from({ length: count }, () => picker.pick());
}

/** Says which promise `events` break, or nothing. */
function checkPicks(events: readonly PickEvent[], violations: (events: readonly PickEvent[]) => string[]): void {
  const found = violations(events);
  check(found.length === 0, found.slice(0, 3).join('\n'));
}

const backendIds = (count: number): NodeId[] => Array.from({ length: count }, (_, index) => `b${index + 1}`);

/**
 * Runs `run` to the end in a simulation of `seed` and returns it. The trace is not kept: a run of
 * thousands of requests is measured, not read event by event (replaying its seed gives it back).
 */
async function runLoad(seed: number, run: LoadRun): Promise<LoadRun> {
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
  return run;
}

// ───────────────────────────── stories ─────────────────────────────

describe('stories', () => {
  it('three backends take turns: b1, b2, b3, b1, b2, b3', () => {
    const picker = createRoundRobin(['b1', 'b2', 'b3']);
    checkEqual(
      picksOf(picker, 6),
      ['b1', 'b2', 'b3', 'b1', 'b2', 'b3'],
      'round robin gives each backend its turn, in order',
    );
  });

  it('b2 leaves right after its turn; the rotation goes on with b3, then b4, then b1', () => {
    const picker = createRoundRobin(['b1', 'b2', 'b3', 'b4']);
    checkEqual(picksOf(picker, 2), ['b1', 'b2'], 'the first two turns');
    picker.remove('b2');
    checkEqual(
      picksOf(picker, 4),
      ['b3', 'b4', 'b1', 'b3'],
      'after b2 left, b3 (whose turn was next) is next: removing a backend must not skip the one after it',
    );
  });

  it('b4 joins while b3 is next: b3 keeps its turn, and in the next four picks everyone, b4 too, gets one', () => {
    const picker = createRoundRobin(['b1', 'b2', 'b3']);
    checkEqual(picksOf(picker, 2), ['b1', 'b2'], 'the first two turns');
    picker.add('b4');
    const next = picksOf(picker, 4);
    checkEqual(
      next[0],
      'b3',
      `after b4 joined the picks were ${next.join(' ')}: b3's turn was next and must stay next`,
    );
    checkEqual(
      [...next].sort(),
      ['b1', 'b2', 'b3', 'b4'],
      `after b4 joined the picks were ${next.join(' ')}: a new backend joins the rotation, and each backend gets one turn per round`,
    );
  });

  it("nginx's example: weights a=5, b=1, c=1 give a a b a c a a, not a a a a a b c", () => {
    // nginx, src/http/ngx_http_upstream_round_robin.c, and the commit that made it smooth (2012).
    const picker = createSmoothWeightedRoundRobin([
      { id: 'a', weight: 5 },
      { id: 'b', weight: 1 },
      { id: 'c', weight: 1 },
    ]);
    checkEqual(
      picksOf(picker, 14),
      ['a', 'a', 'b', 'a', 'c', 'a', 'a', 'a', 'a', 'b', 'a', 'c', 'a', 'a'],
      'smooth weighted round robin spreads the heavy backend out, cycle after cycle (ties go to the backend added first)',
    );
  });

  it('two backends slowed to a quarter of their speed: round robin keeps sending them their share, and the tail latency explodes', async () => {
    // Ten backends, one request at a time each, 100 ms of work on average; clients send 70 requests a
    // second, so the healthy cluster is 70% busy. Then b9 and b10 run at a quarter of their speed.
    const ids = backendIds(10);
    const healthy = Object.fromEntries(ids.map((id) => [id, () => healthyProfile(100)]));
    const slowed = Object.fromEntries(
      ids.map((id) => [
        id,
        () => (id === 'b9' || id === 'b10' ? { ...healthyProfile(100), speed: 0.25 } : healthyProfile(100)),
      ]),
    );
    const weights: Member[] = ids.map((id) => ({ id, weight: id === 'b9' || id === 'b10' ? 1 : 4 }));
    const load = { arrivalsPerSecond: 70, durationMs: 20_000 };
    const seed = 7;
    const all = (run: LoadRun) => run.requests.records.map((record) => record.endedAtMs - record.sentAtMs);
    const roundRobinHealthy = await runLoad(
      seed,
      prepareLoadRun({ ...load, backends: healthy, createPicker: () => createRoundRobin(ids) }),
    );
    const roundRobinSlowed = await runLoad(
      seed,
      prepareLoadRun({ ...load, backends: slowed, createPicker: () => createRoundRobin(ids) }),
    );
    const weightedSlowed = await runLoad(
      seed,
      prepareLoadRun({ ...load, backends: slowed, createPicker: () => createSmoothWeightedRoundRobin(weights) }),
    );
    const figures = {
      'round robin, healthy': summarizeLatency(all(roundRobinHealthy)),
      'round robin, b9 and b10 at 1/4 speed': summarizeLatency(all(roundRobinSlowed)),
      'smooth weighted 4:1, same slow backends': summarizeLatency(all(weightedSlowed)),
    };
    const chartsPage = writeMetricsPage(
      `.kata/charts/round-robin-latency-seed-${seed}.html`,
      `Round robin, seed ${seed}`,
      [
        latencyPercentileChart('Latency percentiles (10 backends, 70% load)', {
          'round robin, healthy': all(roundRobinHealthy),
          'round robin, b9 and b10 at 1/4 speed': all(roundRobinSlowed),
          'smooth weighted 4:1, same slow backends': all(weightedSlowed),
        }),
        loadOverTimeChart(
          'Round robin with b9 and b10 at 1/4 speed: requests in hand per backend',
          loadOverTime(roundRobinSlowed.backendLog.spans, ids, { bucketMs: 500, untilMs: load.durationMs }),
        ),
        loadOverTimeChart(
          'Smooth weighted 4:1, same slow backends: requests in hand per backend',
          loadOverTime(weightedSlowed.backendLog.spans, ids, { bucketMs: 500, untilMs: load.durationMs }),
        ),
      ],
    );
    console.info(
      `Latency (seed ${seed}, 10 backends, 70% load, 100 ms mean service time):\n` +
        Object.entries(figures)
          .map(([name, summary]) => `  ${name.padEnd(42)} ${formatLatency(summary)}`)
          .join('\n') +
        `\n  charts: ${chartsPage} (open it in a browser)`,
    );
    const healthyP99 = figures['round robin, healthy'].p99Ms;
    check(
      healthyP99 < 1_500,
      `round robin on healthy backends has p99 ${healthyP99} ms: it should be under 1.5 s (15 service times)`,
    );
    const slowedP99 = figures['round robin, b9 and b10 at 1/4 speed'].p99Ms;
    check(
      slowedP99 > 5 * healthyP99,
      `with b9 and b10 slowed, round robin's p99 is ${slowedP99} ms, not much above the healthy ${healthyP99} ms: ` +
        'round robin should keep sending the slow backends a tenth of the requests each, more than they can serve',
    );
    const weightedP99 = figures['smooth weighted 4:1, same slow backends'].p99Ms;
    check(
      weightedP99 < slowedP99 / 3,
      `weights 4:1 that match the backends' speeds should bring p99 well down, but it is ${weightedP99} ms ` +
        `against plain round robin's ${slowedP99} ms`,
    );
    const shares = loadBalance(weightedSlowed.backendLog.spans, ids).requests;
    check(
      shares.b1! > 3 * shares.b9!,
      `with weights 4:1, b1 served ${shares.b1} requests and the slow b9 ${shares.b9}: b1 should get about four times as many`,
    );
  });
});

// ───────────────────────────── the spec, section by section ─────────────────────────────

describe('spec: round robin', () => {
  it('no backend at all: pick returns null', () => {
    checkEqual(createRoundRobin([]).pick(), null, 'with no backend, pick returns null');
    const picker = createRoundRobin(['b1']);
    picker.remove('b1');
    checkEqual(picker.pick(), null, 'after the last backend left, pick returns null');
    picker.add('b2');
    checkEqual(picksOf(picker, 2), ['b2', 'b2'], 'a backend added to an empty rotation gets every turn');
  });

  it('removing the backend whose turn is next gives the turn to the one after it', () => {
    const picker = createRoundRobin(['b1', 'b2', 'b3', 'b4']);
    checkEqual(picksOf(picker, 1), ['b1'], 'the first turn');
    picker.remove('b2');
    checkEqual(picksOf(picker, 3), ['b3', 'b4', 'b1'], 'b2 was next and left: b3 is next');
  });

  it('removing a backend whose turn already came this round, or that comes later, changes nothing else', () => {
    const picker = createRoundRobin(['b1', 'b2', 'b3', 'b4']);
    checkEqual(picksOf(picker, 3), ['b1', 'b2', 'b3'], 'three turns');
    picker.remove('b1');
    checkEqual(picksOf(picker, 2), ['b4', 'b2'], 'b4 keeps its turn after b1 left');
    picker.remove('b4');
    checkEqual(picksOf(picker, 3), ['b3', 'b2', 'b3'], 'b3 keeps its turn after b4 left');
    picker.remove('b9');
    checkEqual(picksOf(picker, 1), ['b2'], 'removing a backend that is not there does nothing');
  });

  it('removing the last backend in the list when its turn is next wraps to the first', () => {
    const picker = createRoundRobin(['b1', 'b2', 'b3']);
    checkEqual(picksOf(picker, 2), ['b1', 'b2'], 'two turns');
    picker.remove('b3');
    checkEqual(picksOf(picker, 3), ['b1', 'b2', 'b1'], 'b3 was next and left: back to b1');
  });

  it('adding a backend that is already there is an error', () => {
    const picker = createRoundRobin(['b1', 'b2']);
    checkEqual(picksOf(picker, 1), ['b1'], 'the first turn');
    checkThrows(
      () => picker.add('b1'),
      'add(b1) when b1 is already a backend must throw, not put b1 in the rotation twice',
    );
    checkEqual(picksOf(picker, 3), ['b2', 'b1', 'b2'], 'after the refused add, b1 still has one turn per round');
  });
});

describe('spec: smooth weighted round robin (nginx)', () => {
  it('over each cycle of W picks (W the total weight), a backend of weight w gets exactly w', () => {
    const members = [
      { id: 'b1', weight: 4 },
      { id: 'b2', weight: 2 },
      { id: 'b3', weight: 1 },
    ];
    const picker = createSmoothWeightedRoundRobin(members);
    for (let cycle = 1; cycle <= 3; cycle++) {
      const picks = picksOf(picker, 7);
      const counts = members.map(({ id }) => picks.filter((backend) => backend === id).length);
      checkEqual(counts, [4, 2, 1], `cycle ${cycle} (${picks.join(' ')}): b1, b2, b3 get 4, 2 and 1 of 7 picks`);
    }
  });

  it('equal weights behave as plain round robin', () => {
    const picker = createSmoothWeightedRoundRobin(['b1', 'b2', 'b3'].map((id) => ({ id, weight: 2 })));
    checkEqual(picksOf(picker, 6), ['b1', 'b2', 'b3', 'b1', 'b2', 'b3'], 'weights 2, 2, 2 take turns in order');
  });

  it('a change of backends starts a new cycle from current weights of 0: c joins a and b, then c b a c b c', () => {
    const picker = createSmoothWeightedRoundRobin([
      { id: 'a', weight: 1 },
      { id: 'b', weight: 2 },
    ]);
    checkEqual(picksOf(picker, 1), ['b'], 'the first pick of weights a=1, b=2');
    picker.add('c', 3);
    checkEqual(
      picksOf(picker, 6),
      ['c', 'b', 'a', 'c', 'b', 'c'],
      'the cycle after c joined, from current weights 0, 0, 0 (weights 1, 2, 3; ties go to the backend added first)',
    );
    picker.remove('a');
    picker.remove('c');
    checkEqual(picksOf(picker, 2), ['b', 'b'], 'a and c left: only b');
    picker.remove('b');
    checkEqual(picker.pick(), null, 'no backend left: pick returns null');
  });

  it('a weight that is not a whole number of 1 or more is refused', () => {
    for (const weight of [0, -1, 1.5]) {
      checkThrows(
        () => createSmoothWeightedRoundRobin([{ id: 'b1', weight }]),
        `a backend of weight ${weight} must be refused (throw), not given a share`,
      );
    }
  });
});

// ───────────────────────────── sweeps over seeds ─────────────────────────────

/** Backends and weights drawn from `rng`: two to six of b1..b8, weights 1 to 10. */
function drawMembers(rng: Rng): Member[] {
  return backendIds(rng.int(2, 6)).map((id) => ({ id, weight: rng.int(1, 10) }));
}

/** The next join or leave drawn from `rng`, given who is `present` now (changed in place). */
function drawChange(rng: Rng, present: string[]): ScheduledChange['change'] {
  const spare = backendIds(8).filter((id) => !present.includes(id));
  if (present.length > 1 && (spare.length === 0 || rng.chance(0.5))) {
    const backend = present.splice(rng.int(0, present.length - 1), 1)[0]!;
    return { type: 'remove_backend', backend };
  }
  const backend = spare[rng.int(0, spare.length - 1)]!;
  present.push(backend);
  return { type: 'add_backend', backend, weight: rng.int(1, 10) };
}

/** 400 steps drawn from `seed`, picks mostly, joins and leaves now and then, straight on the picker. */
function sweepPicker(
  seed: number,
  createPicker: (members: Member[]) => Picker,
  violations: (events: readonly PickEvent[]) => string[],
): void {
  const rng = new Rng(deriveSeed(seed, 'picker-steps'));
  const members = drawMembers(rng);
  const events: PickEvent[] = [];
  const picker = recordingPicker(() => createPicker(members), members, events)();
  const present = members.map((member) => member.id);
  for (let step = 0; step < 400; step++) {
    if (!rng.chance(0.04)) {
      picker.pick();
      continue;
    }
    const change = drawChange(rng, present);
    if (change.type === 'remove_backend') picker.remove(change.backend);
    else picker.add(change.backend, change.weight);
  }
  const found = violations(events);
  check(
    found.length === 0,
    `seed ${seed} (backends ${members.map((member) => `${member.id}:${member.weight}`).join(', ')}; KATA_SEED=${seed} replays it):\n` +
      found.slice(0, 3).join('\n'),
  );
}

/** A short load through the balancer: backends joining and leaving, network and backends drawn from `seed`. */
async function sweepBalancer(
  seed: number,
  createPicker: (members: Member[]) => Picker,
  violations: (events: readonly PickEvent[]) => string[],
) {
  const rng = new Rng(deriveSeed(seed, 'balancer-world'));
  const members = drawMembers(rng);
  const present = members.map((member) => member.id);
  const changes: ScheduledChange[] = [];
  for (let index = 0, atMs = 0; index < rng.int(2, 5); index++) {
    atMs += rng.int(50, 250);
    changes.push({ atMs, change: drawChange(rng, present) });
  }
  const network: NetworkSettingsInput = {
    delayMs: { min: 1, max: rng.int(2, 40) },
    dropRate: rng.chance(0.5) ? 0 : rng.int(1, 5) / 100,
  };
  const events: PickEvent[] = [];
  const all = backendIds(8);
  const profiles: Record<NodeId, BackendProfile> = drawBackendProfiles(seed, all, {
    meanServiceMs: 20,
    minSpeed: 0.25,
    maxErrorRate: 0.1,
  });
  const run = prepareLoadRun({
    backends: Object.fromEntries(all.map((id) => [id, () => profiles[id]!])),
    createPicker: recordingPicker(() => createPicker(members), members, events),
    arrivalsPerSecond: 40,
    durationMs: 1_200,
    backendTimeoutMs: 1_000,
  });
  await simulate(
    { seed, nodes: run.nodes, network, details: { world: JSON.stringify({ members, changes }) } },
    async (sim) => {
      run.start(sim);
      scheduleMembership(sim, changes);
      check(
        await sim.runUntilClientsDone({ timeoutMs: run.finishWithinMs }),
        'every client got an answer to every request',
      );
      checkPicks(events, violations);
    },
  );
}

const roundRobin = (members: Member[]) => createRoundRobin(members.map((member) => member.id));

describe('sweeps: backends join and leave between picks', () => {
  it(`round robin gives every backend its turn, and skips none when one leaves (${sweepSeedCount(300)} seeds)`, async () => {
    await forEachSeed({ count: 300 }, async (seed) => sweepPicker(seed, roundRobin, roundRobinViolations));
  });

  it(`smooth weighted round robin gives every backend its weight over each cycle, spread out (${sweepSeedCount(300)} seeds)`, async () => {
    await forEachSeed({ count: 300 }, async (seed) =>
      sweepPicker(seed, createSmoothWeightedRoundRobin, smoothWeightedViolations),
    );
  });
});

describe('sweeps: through the balancer, while requests flow on a network that delays and drops', () => {
  it(`round robin (${sweepSeedCount(20)} seeds)`, async () => {
    await forEachSeed({ count: 20 }, (seed) => sweepBalancer(seed, roundRobin, roundRobinViolations));
  });

  it(`smooth weighted round robin (${sweepSeedCount(20)} seeds)`, async () => {
    await forEachSeed({ count: 20 }, (seed) =>
      sweepBalancer(seed, createSmoothWeightedRoundRobin, smoothWeightedViolations),
    );
  });
});
