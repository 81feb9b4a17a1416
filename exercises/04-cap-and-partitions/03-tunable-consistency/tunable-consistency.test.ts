/**
 * Tests for exercise 4.3: tunable consistency (Cassandra's ONE, QUORUM and ALL). See README.md for
 * what each group checks.
 *
 * Three layers: stories, the spec section by section (with the CAP table, printed and drawn), and
 * sweeps over seeds and fault schedules with the stale-read checker watching every read whose level
 * overlaps the writes before it (R + W > N).
 */
import { describe, test } from 'vitest';
import type { NodeId } from '#harness';
import { checkStaleReads } from '#harness/check';
import {
  check,
  cluster,
  expectRecovered,
  forEachSwarmSeed,
  messagesPerOperation,
  scenario,
  simulate,
  summarizeLatency,
  sweepSeedCount,
  writeMetricsPage,
  type FaultSchedule,
  type Simulation,
} from '#harness/testing';
import { assertAvailabilityOf, clientOf, side, valueRead, type Exchange } from '../_test-support/register-client.ts';
import {
  capCharts,
  describeVersions,
  formatCapTable,
  leveledOperation,
  leveledWorkload,
  measureCapRow,
  readsOf,
  replicasAgree,
  replicasNeeded,
  staleReadsWhereLevelsOverlap,
  versionsOf,
  writesOf,
  type CapRow,
  type CapRun,
  type LeveledInput,
} from '../_test-support/tunable-client.ts';
import { ANTI_ENTROPY_INTERVAL_MS, CLIENT_TIMEOUT_MS, REQUEST_TIMEOUT_MS, type ConsistencyLevel } from './protocol.ts';
import { createTunableStoreNode } from './tunable-consistency.ts';

// ───────────────────────────── helpers ─────────────────────────────

const OPTIONS = { timeoutMs: CLIENT_TIMEOUT_MS };
const NETWORK = { delayMs: 5 };
/** The messages between the clients and the nodes; the others are between replicas. */
const CLIENT_MESSAGES = ['read', 'write', 'read_ok', 'write_ok', 'error'];

/** One scripted operation: at `atMs`, the client of `node` sends it `input`. */
type Step = readonly [atMs: number, node: NodeId, input: LeveledInput];

/**
 * Starts a client `c<i>` for every node `n<i>` (so that partitions can name it), each running its steps
 * of `steps` in order, and collects the exchanges in `log`.
 */
function script(sim: Simulation, steps: readonly Step[], log: Exchange[]): void {
  for (const node of sim.nodeIds) {
    const mine = steps.filter((step) => step[1] === node);
    sim.client(clientOf(node), async (c) => {
      for (const [atMs, , input] of mine) {
        if (atMs > c.now()) await c.sleep(atMs - c.now());
        await leveledOperation(c, node, input, { ...OPTIONS, log });
      }
    });
  }
}

/** Every node's client runs the read/write mix at the given levels until `untilMs`. */
function workloads(
  sim: Simulation,
  levels: { readonly write: ConsistencyLevel | 'any'; readonly read: ConsistencyLevel | 'any' },
  untilMs: number,
  log?: Exchange[],
): void {
  sim.nodeIds.forEach((node, index) => {
    sim.client(clientOf(node), (c) =>
      leveledWorkload(c, node, {
        untilMs,
        timeoutMs: CLIENT_TIMEOUT_MS,
        clientNumber: index + 1,
        writeLevel: levels.write,
        readLevel: levels.read,
        ...(log === undefined ? {} : { log }),
      }),
    );
  });
}

/** The exchange of `client`'s `index`-th request in `log`. */
function exchangeOf(log: readonly Exchange[], client: NodeId, index = 0): Exchange | undefined {
  return log.filter((exchange) => exchange.client === client)[index];
}

/** `write of 7 at QUORUM`, `read at ONE`. */
function describeInput(input: LeveledInput): string {
  return input.f === 'write' ? `write of ${String(input.value)} at ${input.level}` : `read at ${input.level}`;
}

/** Fails unless no read whose level overlaps a write's level missed that write. */
function assertNoStaleReads(sim: Simulation, why: string): void {
  const verdict = staleReadsWhereLevelsOverlap(sim);
  check(verdict.ok, `${verdict.ok ? '' : verdict.violations[0]!.message}: ${why}`);
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  test('c1 writes 7 at QUORUM through n1; c3 then reads 7 at QUORUM through n3', async () => {
    await simulate({ seed: 1, nodes: cluster(3, createTunableStoreNode), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [0, 'n1', { f: 'write', value: 7, level: 'QUORUM' }],
          [100, 'n3', { f: 'read', level: 'QUORUM' }],
        ],
        log,
      );
      await sim.run({ untilMs: 500 });
      const write = exchangeOf(log, 'c1');
      check(
        write?.answer?.type === 'write_ok',
        `n1 answered c1's write of 7 at QUORUM with ${JSON.stringify(write?.answer)} instead of write_ok: every node is up`,
      );
      const read = valueRead(exchangeOf(log, 'c3'), 'c3 read at QUORUM through n3 at t=100 ms');
      check(
        read === 7,
        `c3 read ${JSON.stringify(read)} at QUORUM through n3 at t=100 ms, after c1's write of 7 at QUORUM was acknowledged: ` +
          'a QUORUM read hears a majority, and some replica of it keeps 7',
      );
    });
  });

  test('n1 is cut off: it acknowledges a write at ONE, and refuses writes and reads at QUORUM and ALL', async () => {
    const faults = scenario().at(500).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(5_000).heal().build();
    await simulate({ seed: 2, nodes: cluster(3, createTunableStoreNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      const inputs: LeveledInput[] = [
        { f: 'write', value: 1, level: 'ONE' },
        { f: 'write', value: 2, level: 'QUORUM' },
        { f: 'write', value: 3, level: 'ALL' },
        { f: 'read', level: 'QUORUM' },
        { f: 'read', level: 'ALL' },
        { f: 'read', level: 'ONE' },
      ];
      script(
        sim,
        inputs.map((input, index) => [1_000 + 600 * index, 'n1', input] as const),
        log,
      );
      await sim.run({ untilMs: 5_000 });
      inputs.forEach((input, index) => {
        const exchange = exchangeOf(log, 'c1', index);
        const sent = `c1's ${describeInput(input)} (sent t=${String(exchange?.sentAtMs)} ms)`;
        if (input.level === 'ONE') {
          check(
            exchange?.answer?.type === `${input.f}_ok`,
            `n1 answered ${sent} with ${JSON.stringify(exchange?.answer)} while cut off from n2 and n3: at ONE, the ` +
              'coordinator alone is enough, so it must answer ok',
          );
          return;
        }
        if (exchange?.answer?.type !== `${input.f}_ok`) return;
        const took = exchange.answeredAtMs! - exchange.sentAtMs;
        const needed = replicasNeeded(input.level, 3);
        check(
          false,
          `n1 answered ${sent} with ${input.f}_ok after ${took} ms while it was cut off from n2 and n3: ${input.level} needs ` +
            `${needed} of 3 replicas, and only n1 could take part (the coordinator counts once, as one replica). ` +
            (took >= REQUEST_TIMEOUT_MS
              ? `It answered when its ${REQUEST_TIMEOUT_MS} ms ran out: a timeout is an error for the client, never a success`
              : 'It answered before any other replica could have'),
        );
      });
    });
  });

  test('n1 missed a write: a QUORUM read through n1 answers the newest version among the replicas, not its own', async () => {
    // n1 and n3 cannot reach each other; n2 reaches both. c3 writes 2 at QUORUM through n3 (kept by n3
    // and n2, never by n1). c1 then reads at QUORUM through n1: n1's own copy (1) and n2's (2) answer.
    const faults = scenario().at(1_100).cut('n1', 'n3').cut('n3', 'n1').at(1_500).heal().build();
    await simulate({ seed: 3, nodes: cluster(3, createTunableStoreNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [1_050, 'n1', { f: 'write', value: 1, level: 'ALL' }],
          [1_200, 'n3', { f: 'write', value: 2, level: 'QUORUM' }],
          [1_300, 'n1', { f: 'read', level: 'QUORUM' }],
        ],
        log,
      );
      await sim.run({ untilMs: 1_450 });
      const write = exchangeOf(log, 'c3');
      check(
        write?.answer?.type === 'write_ok',
        `n3 answered c3's write of 2 at QUORUM with ${JSON.stringify(write?.answer)}: n2 keeps it too`,
      );
      const read = valueRead(exchangeOf(log, 'c1', 1), 'c1 read at QUORUM through n1 at t=1300 ms');
      check(
        read === 2,
        `c1 read ${JSON.stringify(read)} at QUORUM through n1 at t=1300 ms, after c3's write of 2 at QUORUM was acknowledged ` +
          '(n3 and n2 keep 2; n1, cut off from n3, still keeps 1): a QUORUM read must answer the newest version among the ' +
          'replies it waited for (compare their stamps), not its own copy or the first reply',
      );
    });
  });

  test('ONE may be stale: n1, cut off, answers a read at ONE with the value it holds; the test prints it', async () => {
    const faults = scenario().at(500).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(3_000).heal().build();
    await simulate({ seed: 4, nodes: cluster(3, createTunableStoreNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [100, 'n2', { f: 'write', value: 1, level: 'ALL' }],
          [1_000, 'n2', { f: 'write', value: 2, level: 'QUORUM' }],
          [1_500, 'n1', { f: 'read', level: 'ONE' }],
        ],
        log,
      );
      await sim.run({ untilMs: 2_000 });
      const read = valueRead(exchangeOf(log, 'c1'), 'c1 read at ONE through n1 at t=1500 ms');
      check(
        read === 1,
        `c1 read ${JSON.stringify(read)} at ONE through n1 at t=1500 ms, cut off since t=500 ms: n1 holds 1 (written at ALL) ` +
          'and never heard of 2, so a read at ONE answers 1 from its own copy',
      );
      const stale = checkStaleReads({ writes: writesOf(sim), reads: readsOf(sim) });
      console.log(
        `4.3 seed 4: c1's read at ONE through n1, cut off, returned ${read} although c2's write of 2 at QUORUM was ` +
          `acknowledged before it: stale, as ONE allows (R + W = 1 + 2 is not more than N = 3). The stale-read ` +
          `checker: ${stale.sentence}`,
      );
    });
  });

  test('after the heal, anti-entropy brings the replica that missed writes up to date, without any read', async () => {
    const faults = scenario().at(500).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(3_000).heal().build();
    await simulate({ seed: 5, nodes: cluster(3, createTunableStoreNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(sim, [[1_000, 'n2', { f: 'write', value: 2, level: 'QUORUM' }]], log);
      const withinMs = 2 * ANTI_ENTROPY_INTERVAL_MS;
      await expectRecovered(sim, {
        what: 'every replica keeping the newest version',
        healedAtMs: 3_000,
        withinMs,
        holds: () => replicasAgree(sim),
        explain: () =>
          `${describeVersions(sim)}: every ${ANTI_ENTROPY_INTERVAL_MS} ms, each replica must send its version to every other ` +
          'one, which keeps it if it is newer; nobody reads n1 here, so only anti-entropy can repair it',
      });
      check(versionsOf(sim)['n1']!.value === 2, `after the heal, ${describeVersions(sim)}: n1 must end with 2`);
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Consistency levels (README: "ONE, QUORUM and ALL"; Cassandra\'s consistency levels)', () => {
  const partition = { name: 'during the partition', fromMs: 500, toMs: 2_500 - CLIENT_TIMEOUT_MS };
  const levels: ReadonlyArray<readonly [ConsistencyLevel, number, number]> = [
    // level, ok-fraction of the two, of the three (at least; at most 0 when 0)
    ['ONE', 0.95, 0.95],
    ['QUORUM', 0, 0.95],
    ['ALL', 0, 0],
  ];
  for (const [level, two, three] of levels) {
    test(`five nodes split 2 | 3, everything at ${level}: the two ${two > 0 ? 'serve' : 'refuse'}, the three ${three > 0 ? 'serve' : 'refuse'}`, async () => {
      const faults = scenario()
        .at(500)
        .partition(['n1', 'n2', 'c1', 'c2'], ['n3', 'n4', 'n5', 'c3', 'c4', 'c5'])
        .at(2_500)
        .heal()
        .build();
      await simulate({ seed: 6, nodes: cluster(5, createTunableStoreNode), network: NETWORK, faults }, async (sim) => {
        workloads(sim, { write: level, read: level }, 2_500);
        await sim.run({ untilMs: 3_500 });
        const minority = side('minority', ['n1', 'n2']);
        const majority = side('majority', ['n3', 'n4', 'n5']);
        const bound = (s: typeof minority, fraction: number) =>
          fraction > 0
            ? { side: s.name, window: partition.name, atLeast: fraction }
            : { side: s.name, window: partition.name, atMost: 0 };
        const { sentence } = assertAvailabilityOf(
          sim,
          [minority, majority],
          [partition],
          [bound(minority, two), bound(majority, three)],
        );
        console.log(`4.3 everything at ${level}, seed 6, five nodes split 2 | 3:\n${sentence}`);
        assertNoStaleReads(sim, `at ${level}, R + W ${level === 'ONE' ? 'is not' : 'is'} more than N`);
      });
    });
  }

  test('four nodes split 2 | 2: QUORUM is 3 of 4, more than half, so neither half serves at QUORUM', async () => {
    const faults = scenario()
      .at(500)
      .partition(['n1', 'n2', 'c1', 'c2'], ['n3', 'n4', 'c3', 'c4'])
      .at(2_500)
      .heal()
      .build();
    await simulate({ seed: 7, nodes: cluster(4, createTunableStoreNode), network: NETWORK, faults }, async (sim) => {
      workloads(sim, { write: 'QUORUM', read: 'QUORUM' }, 2_500);
      await sim.run({ untilMs: 3_500 });
      const left = side('half', ['n1', 'n2']);
      const right = side('half', ['n3', 'n4']);
      try {
        assertAvailabilityOf(
          sim,
          [left, right],
          [partition],
          [
            { side: left.name, window: partition.name, atMost: 0 },
            { side: right.name, window: partition.name, atMost: 0 },
          ],
        );
      } catch (error) {
        throw new Error(
          `${(error as Error).message}\n  a half of 4 nodes answered at QUORUM: a quorum is more than half of the nodes, ` +
            'floor(N / 2) + 1 = 3 of 4, so that any two quorums share a replica. With 2 of 4, each half writes and reads ' +
            "on its own, and a read misses the other half's writes",
          { cause: error },
        );
      }
    });
  });
});

describe('Overlapping quorums (README: "R + W > N"; Dynamo §4.5, Cassandra\'s QUORUM)', () => {
  const pairs: ReadonlyArray<readonly [ConsistencyLevel, ConsistencyLevel]> = [
    ['QUORUM', 'QUORUM'],
    ['ALL', 'ONE'],
    ['ONE', 'ALL'],
  ];
  for (const [write, read] of pairs) {
    test(`writes at ${write}, reads at ${read}: no read misses a write acknowledged before it, on 3, 4 and 5 nodes, through a partition`, async () => {
      for (const size of [3, 4, 5]) {
        const nodes = Object.keys(cluster(size, createTunableStoreNode));
        const half = nodes.slice(0, Math.floor(size / 2));
        const rest = nodes.filter((node) => !half.includes(node));
        const faults = scenario()
          .at(800)
          .partition([...half, ...half.map(clientOf)], [...rest, ...rest.map(clientOf)])
          .at(2_500)
          .heal()
          .build();
        await simulate(
          {
            seed: 20 + size,
            nodes: cluster(size, createTunableStoreNode),
            network: { delayMs: { min: 1, max: 20 } },
            faults,
          },
          async (sim) => {
            workloads(sim, { write, read }, 4_000);
            await sim.run({ untilMs: 5_500 });
            assertNoStaleReads(
              sim,
              `on ${size} nodes, ${write} (${replicasNeeded(write, size)}) + ${read} (${replicasNeeded(read, size)}) is more ` +
                `than ${size}: every read hears some replica that keeps the write, and must answer the newest version it heard`,
            );
          },
        );
      }
    });
  }
});

describe('Answers and costs (README: "Timeouts" and "What a level costs")', () => {
  test('a write refused on its timeout may have happened (code 0); a read refused did not (code 11)', async () => {
    const faults = scenario().at(500).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(3_000).heal().build();
    await simulate({ seed: 8, nodes: cluster(3, createTunableStoreNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [1_000, 'n1', { f: 'write', value: 5, level: 'QUORUM' }],
          [1_800, 'n1', { f: 'read', level: 'QUORUM' }],
          [4_500, 'n2', { f: 'read', level: 'ONE' }],
        ],
        log,
      );
      await sim.run({ untilMs: 5_000 });
      const [write, read] = [exchangeOf(log, 'c1', 0), exchangeOf(log, 'c1', 1)];
      for (const [exchange, code, meaning] of [
        [write, 0, 'n1 keeps 5 already, and anti-entropy spreads it after the heal: it may take effect'],
        [read, 11, 'a read that changed nothing did not happen'],
      ] as const) {
        const took =
          exchange?.answeredAtMs === null || exchange === undefined ? null : exchange.answeredAtMs - exchange.sentAtMs;
        check(
          exchange?.answer?.type === 'error' &&
            exchange.answer.code === code &&
            took !== null &&
            took <= REQUEST_TIMEOUT_MS + 20,
          `n1 answered c1's ${exchange?.input.f ?? 'request'} at QUORUM, cut off, with ${JSON.stringify(exchange?.answer)}` +
            `${took === null ? ' (no answer)' : ` after ${took} ms`}: expected an error with code ${code} within ` +
            `${REQUEST_TIMEOUT_MS} ms (${meaning})`,
        );
      }
      const later = valueRead(exchangeOf(log, 'c2'), 'c2 read at ONE through n2 at t=4500 ms');
      check(
        later === 5,
        `c2 read ${JSON.stringify(later)} through n2 after the heal: n1 kept the refused write of 5 (the newest), so ` +
          'anti-entropy must have brought it to n2. This is why the refusal said "it may have happened"',
      );
    });
  });

  test('each level costs one round trip to the replicas; the latency grows with the level (printed, with messages per operation)', async () => {
    const figures: string[] = [];
    const p99 = new Map<ConsistencyLevel, number>();
    for (const level of ['ONE', 'QUORUM', 'ALL'] as const) {
      await simulate(
        { seed: 9, nodes: cluster(5, createTunableStoreNode), network: { delayMs: { min: 1, max: 40 } } },
        async (sim) => {
          workloads(sim, { write: level, read: level }, 3_000);
          await sim.run({ untilMs: 4_500 });
          const history = sim.history();
          const latency = summarizeLatency(
            history.map((operation) => (operation.returnMs ?? Number.NaN) - operation.callMs),
          );
          const perOperation = messagesPerOperation(sim.stats(), history.length, CLIENT_MESSAGES);
          // A request to each other replica and its answer, at most one read repair to each, and the
          // anti-entropy rounds shared out among the operations.
          const antiEntropy = 5 * 4 * Math.ceil(4_500 / ANTI_ENTROPY_INTERVAL_MS);
          const bound = 3 * (5 - 1) + antiEntropy / history.length;
          figures.push(
            `  ${level.padEnd(6)} p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, ${perOperation.toFixed(2)} replica messages per operation (bound ${bound.toFixed(2)})`,
          );
          p99.set(level, latency.p99Ms);
          check(
            history.every((operation) => operation.status === 'ok'),
            `with every node up, some operation at ${level} was not answered ok: ${JSON.stringify(history.find((operation) => operation.status !== 'ok'))}`,
          );
          check(
            latency.p99Ms <= 4 * 40 + 5,
            `at ${level}, the p99 latency is ${latency.p99Ms} ms on a network whose messages take 1 to 40 ms: the client's ` +
              'round trip to its node and one round trip from there to the replicas (at most 160 ms) is all any level needs',
          );
          check(
            perOperation <= bound,
            `at ${level}, the replicas sent ${perOperation.toFixed(1)} messages per client operation on 5 nodes: one request ` +
              `to each other replica, its answer and a read repair are ${3 * 4} at most, plus one anti-entropy message to each other replica ` +
              `every ${ANTI_ENTROPY_INTERVAL_MS} ms (${bound.toFixed(2)} in all)`,
          );
        },
      );
    }
    console.log(`4.3 what each level costs, seed 9, 5 nodes, network delays 1 to 40 ms:\n${figures.join('\n')}`);
    await simulate({ seed: 9, nodes: cluster(5, createTunableStoreNode) }, () => {
      check(
        p99.get('ONE')! < p99.get('QUORUM')! && p99.get('QUORUM')! < p99.get('ALL')!,
        `p99 latencies ONE ${p99.get('ONE')} ms, QUORUM ${p99.get('QUORUM')} ms, ALL ${p99.get('ALL')} ms: ONE waits for ` +
          'no other replica, QUORUM for the fastest two of four, ALL for the slowest of four, so each should be slower than the one before',
      );
    });
  });
});

// ───────────────────────────── the CAP table ─────────────────────────────

/** The table's run: 5 nodes, {n1, n2} cut off from {n3, n4, n5} from t=1 s to t=4.5 s. */
const CAP_SEED = 11;
const CAP_RUN: CapRun = {
  minority: side('minority', ['n1', 'n2']),
  majority: side('majority', ['n3', 'n4', 'n5']),
  partition: { fromMs: 1_000, toMs: 4_500 },
  // Operations called in the last second may be answered after the heal: they are not counted.
  measuredUntilMs: 4_500 - CLIENT_TIMEOUT_MS,
  chartWindowMs: 500,
  endMs: 4_500,
};
const CAP_PAIRS: ReadonlyArray<readonly [ConsistencyLevel, ConsistencyLevel]> = [
  ['ONE', 'ONE'],
  ['QUORUM', 'ONE'],
  ['QUORUM', 'QUORUM'],
  ['ALL', 'ONE'],
  ['ONE', 'ALL'],
];
/** After the heal, the replicas must agree within this (the README's recovery bound). */
const CONVERGED_WITHIN_MS = 2 * ANTI_ENTROPY_INTERVAL_MS + 500;

describe('The CAP table (README: "The CAP table"; Brewer 2000, Gilbert and Lynch 2002)', () => {
  test(`the same partition at each pair of levels: ok-fractions, stale reads, linearizability, lost writes, convergence (seed ${CAP_SEED}, printed and charted)`, async () => {
    const rows: CapRow[] = [];
    for (const [write, read] of CAP_PAIRS) {
      const faults = scenario()
        .at(CAP_RUN.partition.fromMs)
        .partition(['n1', 'n2', 'c1', 'c2'], ['n3', 'n4', 'n5', 'c3', 'c4', 'c5'])
        .at(CAP_RUN.partition.toMs)
        .heal()
        .build();
      await simulate(
        { seed: CAP_SEED, nodes: cluster(5, createTunableStoreNode), network: NETWORK, faults },
        async (sim) => {
          // c1 (minority) and c3 (majority) read and write; the others only read, so each side has one writer.
          sim.nodeIds.forEach((node, index) => {
            sim.client(clientOf(node), (c) =>
              leveledWorkload(c, node, {
                untilMs: CAP_RUN.endMs,
                timeoutMs: CLIENT_TIMEOUT_MS,
                clientNumber: index + 1,
                writeLevel: write,
                readLevel: read,
                writes: node === 'n1' || node === 'n3',
              }),
            );
          });
          // No write is taken after the heal: from then on, only anti-entropy changes the replicas.
          await sim.run({ untilMs: CAP_RUN.partition.toMs + 10 });
          const agreed = await sim.runUntil(() => replicasAgree(sim), { timeoutMs: CONVERGED_WITHIN_MS });
          const row = measureCapRow(sim, { write, read }, CAP_RUN, agreed ? sim.nowMs - CAP_RUN.partition.toMs : null);
          rows.push(row);
          const table = `\n\nThe CAP table so far (seed ${CAP_SEED}):\n${formatCapTable(rows)}`;
          check(
            agreed,
            `W=${write}, R=${read}: the replicas did not agree within ${CONVERGED_WITHIN_MS} ms of the heal: ${describeVersions(sim)}${table}`,
          );
          checkCapRow(row, table);
        },
      );
    }
    const page = writeMetricsPage(
      `.kata/charts/tunable-consistency-cap-seed-${CAP_SEED}.html`,
      `4.3 tunable consistency: the CAP table's run, seed ${CAP_SEED}`,
      capCharts(rows, CAP_RUN),
    );
    console.log(
      `4.3 the CAP table, seed ${CAP_SEED}: 5 nodes, {n1, n2} cut off from {n3, n4, n5} from t=1000 ms to t=4500 ms; ` +
        `c1 and c3 read and write, c2, c4 and c5 read:\n${formatCapTable(rows)}\n  chart: ${page} (open it in a browser)`,
    );
  });
});

/** What each level promises, checked on its row of the table. */
function checkCapRow(row: CapRow, table: string): void {
  const pair = `W=${row.write}, R=${row.read}`;
  const checkOkFraction = (
    fraction: number | null,
    level: ConsistencyLevel,
    what: string,
    side: 'minority' | 'majority',
  ) => {
    if (fraction === null) return;
    const serves = level === 'ONE' || (level === 'QUORUM' && side === 'majority');
    check(
      serves ? fraction >= 0.95 : fraction === 0,
      `${pair}: the ${side}'s ${what} at ${level} had an ok-fraction of ${fraction.toFixed(2)} during the partition; ` +
        (serves
          ? `${level === 'ONE' ? 'ONE needs only the coordinator' : 'the three of five are a quorum'}, so nearly all must be ok`
          : `${level} needs ${level === 'ALL' ? 'all five replicas' : 'three of five replicas'}, which the ${side} cannot reach: none may be ok`) +
        table,
    );
  };
  checkOkFraction(row.minorityWrites, row.write, 'writes', 'minority');
  checkOkFraction(row.minorityReads, row.read, 'reads', 'minority');
  checkOkFraction(row.majorityWrites, row.write, 'writes', 'majority');
  checkOkFraction(row.majorityReads, row.read, 'reads', 'majority');
  if (row.overlapping) {
    check(
      row.staleReads === 0,
      `${pair}: ${row.staleReads} stale reads, yet R + W > N: every read must hear a replica that keeps each write ` +
        `acknowledged before it, and answer the newest version${table}`,
    );
  }
}

// ───────────────────────────── 3. sweeps ─────────────────────────────

const HEAL_AT_MS = 5_000;

describe('sweeps', () => {
  test(`levels mixed per request: no read misses a write its level overlaps, and the replicas agree within ${CONVERGED_WITHIN_MS} ms of the heal (${sweepSeedCount(30)} swarm seeds, 3 to 5 nodes)`, async () => {
    await forEachSwarmSeed(
      {
        count: 30,
        swarm: {
          timeoutMs: REQUEST_TIMEOUT_MS,
          clusterSizes: { min: 3, max: 5 },
          kinds: ['partition', 'isolate', 'cut', 'crash', 'network', 'targeted-crash', 'pause'],
          maxPartitionMs: 3_000,
        },
        nodes: (size) => Object.keys(cluster(size!, createTunableStoreNode)),
        healAtMs: HEAL_AT_MS,
      },
      async (seed, world) => {
        const faults: FaultSchedule = world.faults;
        await simulate(
          { seed, nodes: cluster(world.nodes, createTunableStoreNode), faults, details: world.details },
          async (sim) => {
            workloads(sim, { write: 'any', read: 'any' }, HEAL_AT_MS);
            await expectRecovered(sim, {
              what: 'every replica keeping the same version',
              healedAtMs: world.healAtMs,
              withinMs: CLIENT_TIMEOUT_MS + CONVERGED_WITHIN_MS,
              holds: () => sim.nowMs > HEAL_AT_MS + CLIENT_TIMEOUT_MS && replicasAgree(sim),
              explain: () =>
                `${describeVersions(sim)}: once the faults heal, anti-entropy (every ${ANTI_ENTROPY_INTERVAL_MS} ms) must bring ` +
                'every replica the newest version',
            });
            assertNoStaleReads(
              sim,
              'R + W > N: the read hears some replica that keeps the write, and must answer the newest version',
            );
          },
        );
      },
    );
  });
});
