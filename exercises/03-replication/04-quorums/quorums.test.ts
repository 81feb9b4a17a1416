/**
 * Tests for exercise 3.4: quorums with versions, then the write-back. See README.md for what each group
 * checks.
 *
 * Three layers: stories (the overlapping read that R + W > N alone gets wrong, and the write-back that
 * fixes it), checks tagged with the papers' sections (DeCandia et al. 2007, Bailis et al. 2012, Attiya,
 * Bar-Noy and Dolev 1995), and sweeps over swarm worlds with the linearizability checker watching.
 */
import { describe, test } from 'vitest';
import type { NodeFactory, NodeId } from '#harness';
import {
  check,
  cluster,
  expectRecovered,
  forEachSwarmSeed,
  messagesPerOperation,
  scenario,
  simulate,
  sweepSeedCount,
  type FaultSchedule,
  type Simulation,
} from '#harness/testing';
import {
  assertQuorumHistoryLinearizable,
  checkQuorumHistory,
  describeAnswer,
  describeInput,
  quorumOperation,
  quorumWorkload,
  type Exchange,
  type QuorumInput,
} from '../_test-support/quorum-client.ts';
import { delayingReplicas, planOf, type DelayPlan, type DelayRule } from '../_test-support/replica-delays.ts';
import { CLIENT_TIMEOUT_MS, QUORUM_TIMEOUT_MS, type QuorumConfig } from './protocol.ts';
import { createQuorumNode } from './quorum-store.ts';

// ───────────────────────────── helpers ─────────────────────────────

const NETWORK = { delayMs: 5 };
const OPTIONS = { timeoutMs: CLIENT_TIMEOUT_MS };
/** The messages between the clients and the nodes; the others are between replicas. */
const CLIENT_MESSAGES = ['get', 'put', 'get_ok', 'put_ok', 'error'];
const PART_ONE: QuorumConfig = { r: 2, w: 2, writeBack: false };
const PART_TWO: QuorumConfig = { r: 2, w: 2, writeBack: true };

/** `size` nodes of the store with `config`, each message to them held or lost as `rules` say. */
function store(
  size: number,
  config: QuorumConfig,
  rules: readonly DelayRule[] | DelayPlan = [],
): Record<NodeId, NodeFactory> {
  const plan = typeof rules === 'function' ? rules : planOf(rules);
  return cluster(size, delayingReplicas(createQuorumNode(config), plan));
}

/** One scripted operation: at `atMs`, `client` sends `node` the operation `input`. */
type Step = readonly [atMs: number, client: NodeId, node: NodeId, input: QuorumInput];

/** Starts each client of `steps`, running its steps in order, and collects the exchanges in `log`. */
function script(sim: Simulation, steps: readonly Step[], log: Exchange[]): void {
  for (const client of new Set(steps.map((step) => step[1]))) {
    sim.client(client, async (c) => {
      for (const [atMs, , node, input] of steps.filter((step) => step[1] === client)) {
        if (atMs > c.now()) await c.sleep(atMs - c.now());
        await quorumOperation(c, node, input, { ...OPTIONS, log });
      }
    });
  }
}

/** The exchange of `client`'s operation sent at `atMs`; fails if it was never sent. */
function exchangeAt(log: readonly Exchange[], client: NodeId, atMs: number): Exchange {
  const exchange = log.find((entry) => entry.client === client && entry.sentAtMs === atMs);
  check(exchange !== undefined, `${client}'s operation of t=${atMs} ms was never sent`);
  return exchange;
}

/** The value a get returned; fails, saying what the node answered instead, unless it was a get_ok. */
function valueGot(exchange: Exchange): string {
  check(
    exchange.answer?.type === 'get_ok',
    `${exchange.node} answered ${exchange.client}'s ${describeInput(exchange.input)} (sent t=${exchange.sentAtMs} ms) with ` +
      `${describeAnswer(exchange.answer)} instead of get_ok, with every replica it needed up and reachable`,
  );
  return exchange.answer.value as string;
}

/** Fails unless `exchange` was answered with `type` (put_ok, get_ok). */
function expectAnswered(exchange: Exchange, type: string): void {
  check(
    exchange.answer?.type === type,
    `${exchange.node} answered ${exchange.client}'s ${describeInput(exchange.input)} (sent t=${exchange.sentAtMs} ms) with ` +
      `${describeAnswer(exchange.answer)} instead of ${type}, with enough replicas up and reachable`,
  );
}

/**
 * The schedule of the overlapping read (N = 3, R = 2, W = 2). c1 puts x = 1 everywhere. At t=1000 ms c1
 * puts x = 2 through n1, and n1's writes to n2 and n3 are lost: only n1 holds 2, and the put never
 * completes. At t=1100 ms c2 gets x through n2, which hears n1 (2) and itself (1). At t=1200 ms c3 gets
 * x through n3, which hears n2 and itself, not n1.
 */
const OVERLAPPING_READ: readonly DelayRule[] = [
  { type: 'replica_write', from: ['n1'], to: ['n2', 'n3'], fromMs: 1_000, untilMs: 2_000, hold: 'lose' },
  { type: 'replica_read', from: ['n2'], to: ['n3'], fromMs: 1_100, untilMs: 1_200, hold: 'lose' },
  { type: 'replica_read', from: ['n3'], to: ['n1'], fromMs: 1_200, untilMs: 1_300, hold: 'lose' },
];
const OVERLAPPING_STEPS: readonly Step[] = [
  [0, 'c1', 'n1', { f: 'put', key: 'x', value: '1' }],
  [1_000, 'c1', 'n1', { f: 'put', key: 'x', value: '2' }],
  [1_100, 'c2', 'n2', { f: 'get', key: 'x' }],
  [1_200, 'c3', 'n3', { f: 'get', key: 'x' }],
];

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  test('c1 puts x = 7 through n1; c2 then gets 7 through n3 (N = 3, R = 2, W = 2)', async () => {
    await simulate({ seed: 1, nodes: store(3, PART_TWO), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [0, 'c1', 'n1', { f: 'put', key: 'x', value: '7' }],
          [200, 'c2', 'n3', { f: 'get', key: 'x' }],
        ],
        log,
      );
      await sim.run({ untilMs: 2_000 });
      expectAnswered(exchangeAt(log, 'c1', 0), 'put_ok');
      const got = valueGot(exchangeAt(log, 'c2', 200));
      check(
        got === '7',
        `c2 got ${JSON.stringify(got)} through n3 after c1's put of 7 was acknowledged: R + W > N, so the R replicas n3 ` +
          'hears meet the W that confirmed the put; take the answer with the newest version',
      );
      assertQuorumHistoryLinearizable(sim);
    });
  });

  test('part one, without write-back: a get that overlaps a put returns the new value, a later get the old one, and the checker finds it', async () => {
    await simulate({ seed: 2, nodes: store(3, PART_ONE, OVERLAPPING_READ), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(sim, OVERLAPPING_STEPS, log);
      await sim.run({ untilMs: 3_000 });
      const firstExchange = exchangeAt(log, 'c2', 1_100);
      const first = valueGot(firstExchange);
      check(
        first === '2',
        `c2's get through n2 returned ${JSON.stringify(first)}: n2 heard n1 (x = 2, the newer version) and itself ` +
          '(x = 1), and a get returns the answer with the newest version',
      );
      const secondExchange = exchangeAt(log, 'c3', 1_200);
      const second = valueGot(secondExchange);
      check(
        second === '1',
        `c3's get through n3 returned ${JSON.stringify(second)}: with writeBack off, n2 and n3 still hold x = 1 (only n1 ` +
          'has 2), and part one answers with what the R replicas hold, without writing anything back',
      );
      const verdict = checkQuorumHistory(sim);
      check(
        verdict.verdict === 'illegal',
        `the linearizability checker found this history ${verdict.verdict}: c2 read 2, then c3 read 1 after c2's get had ` +
          'returned, which no order of the operations explains',
      );
      console.log(
        `3.4 part one (N = 3, R = 2, W = 2, no write-back): c2 got 2 at t=${firstExchange.answeredAtMs} ms, then c3 got 1 ` +
          `at t=${secondExchange.answeredAtMs} ms: not linearizable, as the checker says`,
      );
    });
  });

  test('part two, with write-back (ABD): the same schedule, and the later get returns the new value too', async () => {
    await simulate({ seed: 3, nodes: store(3, PART_TWO, OVERLAPPING_READ), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(sim, OVERLAPPING_STEPS, log);
      await sim.run({ untilMs: 3_000 });
      check(
        valueGot(exchangeAt(log, 'c2', 1_100)) === '2',
        "c2's get through n2 must return 2, the newest version it heard",
      );
      const second = valueGot(exchangeAt(log, 'c3', 1_200));
      check(
        second === '2',
        `not linearizable: c3's get returned ${JSON.stringify(second)} after c2's get had returned 2. With writeBack on, n2 ` +
          'must write 2 back and wait for W replicas to confirm before it answers c2, so that every later read quorum meets one of them',
      );
      assertQuorumHistoryLinearizable(sim);
    });
  });

  test('part two: a get waits for its write-back to be confirmed by W replicas before it answers', async () => {
    // As above, and n2's write-back reaches only n1 (which holds 2 already) before t=1400 ms: n2 and n3
    // hear of it late. Answered at once, c2's get would return 2 while a quorum without n1 still holds 1.
    const rules: DelayRule[] = [
      { type: 'replica_write', from: ['n2'], to: ['n2', 'n3'], fromMs: 1_100, untilMs: 1_200, hold: 300 },
      ...OVERLAPPING_READ,
    ];
    await simulate({ seed: 4, nodes: store(3, PART_TWO, rules), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(sim, OVERLAPPING_STEPS, log);
      await sim.run({ untilMs: 3_000 });
      const first = exchangeAt(log, 'c2', 1_100);
      const second = exchangeAt(log, 'c3', 1_200);
      const verdict = checkQuorumHistory(sim);
      check(
        verdict.verdict === 'ok',
        `not linearizable: c2's get answered ${describeAnswer(first.answer)} at t=${first.answeredAtMs} ms, and c3's later get ` +
          `${describeAnswer(second.answer)} at t=${second.answeredAtMs} ms. n2's write-back of 2 had reached only n1 when ` +
          'c2 was answered: a get may answer only once W replicas confirmed its write-back',
      );
    });
  });

  test('two puts at once take the same counter; the writers break the tie, and every get agrees on the winner', async () => {
    // c1 puts "a" through n1 and c2 puts "b" through n2 at the same instant: both read counter 0 and
    // write counter 1. n1 hears "a" first; n2 and n3 hear "b" first.
    const rules: DelayRule[] = [
      { type: 'replica_write', from: ['n2'], to: ['n1'], fromMs: 1_000, untilMs: 1_100, hold: 20 },
      { type: 'replica_write', from: ['n1'], to: ['n2', 'n3'], fromMs: 1_000, untilMs: 1_100, hold: 20 },
      // c3's get through n2 hears n2 and n3; c4's through n1 hears n1 first, then n2.
      { type: 'replica_read', from: ['n2'], to: ['n1'], fromMs: 1_200, untilMs: 1_300, hold: 'lose' },
      { type: 'replica_read', from: ['n1'], to: ['n3'], fromMs: 1_300, untilMs: 1_400, hold: 'lose' },
      { type: 'replica_read_ok', from: ['n2'], to: ['n1'], fromMs: 1_300, untilMs: 1_400, hold: 10 },
    ];
    await simulate({ seed: 5, nodes: store(3, PART_TWO, rules), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [1_000, 'c1', 'n1', { f: 'put', key: 'x', value: 'a' }],
          [1_000, 'c2', 'n2', { f: 'put', key: 'x', value: 'b' }],
          [1_200, 'c3', 'n2', { f: 'get', key: 'x' }],
          [1_300, 'c4', 'n1', { f: 'get', key: 'x' }],
        ],
        log,
      );
      await sim.run({ untilMs: 3_000 });
      expectAnswered(exchangeAt(log, 'c1', 1_000), 'put_ok');
      expectAnswered(exchangeAt(log, 'c2', 1_000), 'put_ok');
      const third = valueGot(exchangeAt(log, 'c3', 1_200));
      const fourth = valueGot(exchangeAt(log, 'c4', 1_300));
      check(
        third === fourth,
        `c3 got ${JSON.stringify(third)} and then c4 got ${JSON.stringify(fourth)}, after both puts were acknowledged and with ` +
          'no put since: the two puts had the same counter, and replicas that keep whichever came first disagree. Ties ' +
          "between writers must be broken by the version's writer, the same way on every replica",
      );
      assertQuorumHistoryLinearizable(sim);
    });
  });

  test('n3 has crashed: with N - W = 1, puts and gets through n1 and n2 still complete', async () => {
    const faults = scenario().at(500).crash('n3').build();
    await simulate({ seed: 6, nodes: store(3, PART_TWO), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [1_000, 'c1', 'n1', { f: 'put', key: 'x', value: '1' }],
          [1_100, 'c2', 'n2', { f: 'get', key: 'x' }],
          [1_200, 'c2', 'n2', { f: 'put', key: 'x', value: '2' }],
          [1_300, 'c1', 'n1', { f: 'get', key: 'x' }],
        ],
        log,
      );
      await sim.run({ untilMs: 3_000 });
      expectAnswered(exchangeAt(log, 'c1', 1_000), 'put_ok');
      expectAnswered(exchangeAt(log, 'c2', 1_200), 'put_ok');
      check(valueGot(exchangeAt(log, 'c2', 1_100)) === '1', 'c2 must get 1 through n2 after c1 put 1 with n3 down');
      check(valueGot(exchangeAt(log, 'c1', 1_300)) === '2', 'c1 must get 2 through n1 after c2 put 2 with n3 down');
      assertQuorumHistoryLinearizable(sim);
    });
  });

  test("the network duplicates c1's put of x = 1, and the copy reaches n1 after c2 put x = 2: n1 takes it as a copy, and a later get returns 2", async () => {
    // N = 3, R = 2, W = 2. The copy of c1's put (the same rpcId) reaches n1 at t=1500 ms, long after the put was
    // answered and after c2's put of 2 through n2.
    const rules: DelayRule[] = [
      { type: 'put', from: ['c1'], to: ['n1'], fromMs: 0, untilMs: 100, hold: { copyAfterMs: 1_500 } },
    ];
    await simulate({ seed: 11, nodes: store(3, PART_TWO, rules), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [0, 'c1', 'n1', { f: 'put', key: 'x', value: '1' }],
          [1_000, 'c2', 'n2', { f: 'put', key: 'x', value: '2' }],
          [2_000, 'c3', 'n3', { f: 'get', key: 'x' }],
        ],
        log,
      );
      await sim.run({ untilMs: 4_000 });
      expectAnswered(exchangeAt(log, 'c1', 0), 'put_ok');
      expectAnswered(exchangeAt(log, 'c2', 1_000), 'put_ok');
      const got = valueGot(exchangeAt(log, 'c3', 2_000));
      check(
        got === '2',
        `c3 got ${JSON.stringify(got)} at t=2000 ms, after c1's put of 1 was answered and c2's put of 2 came after it: n1 took the ` +
          "network's late copy of c1's put (the same rpcId) for a new put and wrote 1 again. A coordinator takes each client " +
          'request once: RequestFilter tells a copy from a new request',
      );
      assertQuorumHistoryLinearizable(sim);
    });
  });
});

// ───────────────────────────── 2. the papers ─────────────────────────────

describe('DeCandia et al. 2007, §4.5 (Dynamo: "Execution of get() and put() operations")', () => {
  test('a get answers only after R replicas answered, and a put only after W confirmed', async () => {
    // N = 3, R = 2, W = 2. From t=1000 ms the answers of n2 and n3 to n1 are lost: n1 hears only itself.
    const rules: DelayRule[] = [
      { type: 'replica_read_ok', from: ['n2', 'n3'], to: ['n1'], fromMs: 1_000, hold: 'lose' },
      { type: 'replica_write_ok', from: ['n2', 'n3'], to: ['n1'], fromMs: 1_000, hold: 'lose' },
    ];
    await simulate({ seed: 7, nodes: store(3, PART_ONE, rules), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [0, 'c1', 'n1', { f: 'put', key: 'x', value: '1' }],
          [1_000, 'c1', 'n1', { f: 'get', key: 'x' }],
          [1_000, 'c2', 'n2', { f: 'put', key: 'y', value: '2' }],
          [2_000, 'c2', 'n1', { f: 'put', key: 'y', value: '3' }],
        ],
        log,
      );
      await sim.run({ untilMs: 4_000 });
      const get = exchangeAt(log, 'c1', 1_000);
      check(
        get.answer?.type !== 'get_ok',
        `n1 answered a get with ${describeAnswer(get.answer)} having heard only from itself: a get waits for R = 2 distinct ` +
          'replicas (the coordinator is one of them, counted once)',
      );
      const put = exchangeAt(log, 'c2', 2_000);
      check(
        put.answer?.type !== 'put_ok',
        `n1 answered a put with ${describeAnswer(put.answer)} having heard only from itself: a put waits for W = 2 distinct ` +
          'replicas to confirm (the coordinator is one of them, counted once)',
      );
      // Waiting is not hanging: without its quorum, the coordinator gives the operation up and says so.
      for (const exchange of [get, put]) {
        const waitedMs = exchange.answeredAtMs === null ? null : exchange.answeredAtMs - exchange.sentAtMs;
        check(
          exchange.answer?.type === 'error' && waitedMs !== null && waitedMs <= QUORUM_TIMEOUT_MS + 50,
          `n1 answered ${exchange.client}'s ${describeInput(exchange.input)} (sent t=${exchange.sentAtMs} ms) with ` +
            `${describeAnswer(exchange.answer)}${waitedMs === null ? '' : ` after ${waitedMs} ms`}: without its quorum, a coordinator ` +
            `gives the operation up after QUORUM_TIMEOUT_MS (${QUORUM_TIMEOUT_MS} ms) and answers error, so that no client waits forever`,
        );
      }
    });
  });

  test('the answer with the newest version wins: not the last to arrive, not the largest value', async () => {
    // N = 3, R = 3, W = 1. x = "zebra" everywhere; then "apple" reaches only n1. c2 gets x through n2:
    // n1's answer ("apple", newer) comes first, n2's and n3's ("zebra") 10 ms later.
    const rules: DelayRule[] = [
      { type: 'replica_write', from: ['n1'], to: ['n2', 'n3'], fromMs: 1_000, untilMs: 1_100, hold: 'lose' },
      { type: 'replica_read_ok', from: ['n2', 'n3'], to: ['n2'], fromMs: 1_100, untilMs: 1_200, hold: 10 },
    ];
    await simulate(
      { seed: 8, nodes: store(3, { r: 3, w: 1, writeBack: false }, rules), network: NETWORK },
      async (sim) => {
        const log: Exchange[] = [];
        script(
          sim,
          [
            [0, 'c1', 'n1', { f: 'put', key: 'x', value: 'zebra' }],
            [1_000, 'c1', 'n1', { f: 'put', key: 'x', value: 'apple' }],
            [1_100, 'c2', 'n2', { f: 'get', key: 'x' }],
          ],
          log,
        );
        await sim.run({ untilMs: 3_000 });
        expectAnswered(exchangeAt(log, 'c1', 1_000), 'put_ok');
        const got = valueGot(exchangeAt(log, 'c2', 1_100));
        check(
          got === 'apple',
          `c2 got ${JSON.stringify(got)}, but the put of "apple" (acknowledged, W = 1) has the newer version: a coordinator ` +
            'compares versions (counter, then writer), never values, and never keeps the answer that came last',
        );
        assertQuorumHistoryLinearizable(sim);
      },
    );
  });

  test('replicas exchange at most 4 messages each per operation (two rounds of asking and answering)', async () => {
    for (const size of [3, 5]) {
      const config: QuorumConfig = { r: Math.floor(size / 2) + 1, w: Math.floor(size / 2) + 1, writeBack: true };
      await simulate({ seed: 10 + size, nodes: store(size, config), network: NETWORK }, async (sim) => {
        for (const client of ['c1', 'c2', 'c3']) {
          sim.client(client, (c) =>
            quorumWorkload(c, sim.nodeIds, { untilMs: 2_000, timeoutMs: CLIENT_TIMEOUT_MS, keys: ['x', 'y'] }),
          );
        }
        await sim.run({ untilMs: 4_000 });
        const perOperation = messagesPerOperation(sim.stats(), sim.history().length, CLIENT_MESSAGES);
        console.log(
          `📏 3.4 quorums, N = ${size}, R = W = ${config.r}, write-back on: ${perOperation.toFixed(2)} replica messages per operation (bound ${4 * size})`,
        );
        check(
          perOperation <= 4 * size,
          `the replicas sent ${perOperation.toFixed(1)} messages per client operation on a reliable ${size}-node network; two ` +
            `rounds to every replica and back are ${4 * size}: is something sent again and again?`,
        );
      });
    }
  });
});

/** C(n, k), the number of ways to choose k of n. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/** PBS measurement: how many seeds, trials per seed, and how far the measured rate may be from the formula. */
const PBS_SEEDS = 8;
const PBS_TRIALS = 40;
const PBS_TOLERANCE = 0.08;
/** How long the replicas outside a trial's write (or read) quorum hear of it late, ms. */
const PBS_LATE_MS = 200;

/** `count` of `nodes`, drawn uniformly at random. */
function drawSubset(
  c: { randomInt(min: number, max: number): number },
  nodes: readonly NodeId[],
  count: number,
): Set<NodeId> {
  const pool = [...nodes];
  const chosen = new Set<NodeId>();
  while (chosen.size < count) chosen.add(pool.splice(c.randomInt(0, pool.length - 1), 1)[0]!);
  return chosen;
}

describe('Bailis et al. 2012, §3 (PBS k-staleness, k = 1): partial quorums, R + W ≤ N', () => {
  test(`the stale-read rate matches C(N-W, R) / C(N, R) within ${PBS_TOLERANCE} (${PBS_SEEDS} seeds × ${PBS_TRIALS} trials each)`, async () => {
    // Each trial puts a fresh key, which reaches exactly W replicas drawn at random before the put is
    // acknowledged (the others hear of it PBS_LATE_MS later); then a get through a random node hears
    // exactly R replicas drawn at random. PBS's model: the read is stale when the two sets miss each other.
    const configs: ReadonlyArray<readonly [n: number, r: number, w: number]> = [
      [3, 1, 1],
      [5, 1, 2],
      [5, 2, 2],
      [3, 2, 2],
    ];
    const lines: string[] = [];
    for (const [n, r, w] of configs) {
      let stale = 0;
      let trials = 0;
      for (let seed = 1; seed <= PBS_SEEDS; seed++) {
        const quorums: { writeTo: Set<NodeId> | null; readFrom: Set<NodeId> | null } = {
          writeTo: null,
          readFrom: null,
        };
        const plan: DelayPlan = ({ node, message }) => {
          if (message.type === 'replica_write' && quorums.writeTo !== null && !quorums.writeTo.has(node))
            return PBS_LATE_MS;
          if (message.type === 'replica_read' && quorums.readFrom !== null && !quorums.readFrom.has(node))
            return PBS_LATE_MS;
          return 0;
        };
        await simulate(
          {
            seed,
            nodes: store(n, { r, w, writeBack: false }, plan),
            network: NETWORK,
            details: { quorums: `N = ${n}, R = ${r}, W = ${w}` },
          },
          async (sim) => {
            sim.client('c1', async (c) => {
              for (let trial = 1; trial <= PBS_TRIALS; trial++) {
                const key = `k${trial}`;
                quorums.writeTo = drawSubset(c, sim.nodeIds, w);
                const put = await quorumOperation(
                  c,
                  sim.nodeIds[c.randomInt(0, n - 1)]!,
                  { f: 'put', key, value: 'new' },
                  OPTIONS,
                );
                quorums.writeTo = null;
                quorums.readFrom = drawSubset(c, sim.nodeIds, r);
                const get = await quorumOperation(c, sim.nodeIds[c.randomInt(0, n - 1)]!, { f: 'get', key }, OPTIONS);
                quorums.readFrom = null;
                check(
                  put.status === 'ok' && get.status === 'ok',
                  `trial ${trial} (t=${c.now()} ms): the put was ${put.status} and the get ${get.status}, with W = ${w} and R = ${r} ` +
                    'replicas answering at once: a coordinator answers as soon as its quorum did',
                );
                trials++;
                if (get.output.value !== 'new') stale++;
                await c.sleep(2 * PBS_LATE_MS);
              }
            });
            await sim.runUntilClientsDone({ timeoutMs: PBS_TRIALS * 4 * PBS_LATE_MS });
          },
        );
      }
      const measured = stale / trials;
      const predicted = choose(n - w, r) / choose(n, r);
      lines.push(
        `N = ${n}, R = ${r}, W = ${w}: ${stale} stale of ${trials} reads = ${measured.toFixed(3)}; C(N-W, R) / C(N, R) = ${predicted.toFixed(3)}`,
      );
      check(
        Math.abs(measured - predicted) <= PBS_TOLERANCE,
        `with N = ${n}, R = ${r}, W = ${w}, ${stale} of ${trials} gets were stale (${measured.toFixed(3)}), but PBS predicts ` +
          `${predicted.toFixed(3)}: a get is stale exactly when none of the R replicas it heard is one of the W the put reached. ` +
          'More stale reads than that: the get returned before R replicas answered, or not the newest version among them',
      );
    }
    console.log(`📏 3.4 stale reads of partial quorums, measured and predicted (PBS):\n  ${lines.join('\n  ')}`);
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

const HEAL_AT_MS = 5_000;
/** The recovery bound (README): after the heal, every node answers a put and a get ok within this. */
const RECOVERED_WITHIN_MS = 2_000;

/** Quorums with R + W > N for a world of `size` nodes, drawn from the seed: W from 1 to N, R from N - W + 1. */
function quorumsFor(seed: number, size: number): QuorumConfig {
  const w = 1 + (seed % size);
  const r = Math.min(size, size - w + 1 + (Math.floor(seed / size) % 2));
  return { r, w, writeBack: true };
}

describe('Attiya, Bar-Noy and Dolev 1995 (ABD, the read that writes back): sweeps', () => {
  test(`R + W > N with write-back is linearizable under partitions, crashes and pauses, and serves again after the heal (${sweepSeedCount(40)} swarm seeds, 3 to 5 nodes)`, async () => {
    await forEachSwarmSeed(
      {
        count: 40,
        swarm: {
          timeoutMs: QUORUM_TIMEOUT_MS,
          clusterSizes: { min: 3, max: 5 },
          kinds: ['partition', 'isolate', 'cut', 'crash', 'network', 'targeted-crash', 'pause'],
          maxPartitionMs: 3_000,
        },
        nodes: (size) => Object.keys(cluster(size!, createQuorumNode(PART_TWO))),
        healAtMs: HEAL_AT_MS,
      },
      async (seed, world) => {
        const config = quorumsFor(seed, world.nodes.length);
        const faults: FaultSchedule = world.faults;
        const details = {
          ...world.details,
          quorums: `N = ${world.nodes.length}, R = ${config.r}, W = ${config.w}, write-back on`,
        };
        await simulate(
          { seed, nodes: cluster(world.nodes, createQuorumNode(config)), faults, details },
          async (sim) => {
            for (const client of ['c1', 'c2', 'c3']) {
              sim.client(client, (c) =>
                quorumWorkload(c, sim.nodeIds, { untilMs: HEAL_AT_MS, timeoutMs: CLIENT_TIMEOUT_MS, keys: ['x', 'y'] }),
              );
            }
            const served = new Map<NodeId, boolean>();
            sim.at(HEAL_AT_MS + CLIENT_TIMEOUT_MS, () => {
              for (const node of sim.nodeIds) {
                sim.client(`r${node}`, async (c) => {
                  for (let attempt = 1; attempt <= 4 && served.get(node) !== true; attempt++) {
                    const put = await quorumOperation(
                      c,
                      node,
                      { f: 'put', key: 'x', value: `${c.id}:${attempt}` },
                      OPTIONS,
                    );
                    const get = await quorumOperation(c, node, { f: 'get', key: 'x' }, OPTIONS);
                    served.set(node, put.status === 'ok' && get.status === 'ok');
                  }
                });
              }
            });
            await expectRecovered(sim, {
              what: 'every node answering a put and a get ok',
              healedAtMs: world.healAtMs,
              withinMs: CLIENT_TIMEOUT_MS + RECOVERED_WITHIN_MS,
              holds: () => sim.nodeIds.every((node) => served.get(node) === true),
              explain: () =>
                `no put and get ok yet through ${sim.nodeIds.filter((node) => served.get(node) !== true).join(', ')}: once every ` +
                `node is up and reachable, R = ${config.r} and W = ${config.w} replicas answer each operation`,
            });
            assertQuorumHistoryLinearizable(sim);
          },
        );
      },
    );
  });
});
