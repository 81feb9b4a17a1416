/**
 * Tests for exercise 4.1: a CP register on a majority quorum. See README.md for what each group checks.
 *
 * Three layers: stories, the spec section by section, and sweeps over seeds and fault schedules (with
 * partitions, crashes and process pauses) with the linearizability checker watching.
 */
import { describe, test } from 'vitest';
import type { NodeId } from '#harness';
import type { RegisterInput } from '#harness/check';
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
  assertAvailabilityOf,
  assertRegisterLinearizable,
  clientOf,
  registerOperation,
  registerWorkload,
  side,
  valueRead,
  type Exchange,
} from '../_test-support/register-client.ts';
import { createCpRegisterNode } from './cp-register.ts';
import { CLIENT_TIMEOUT_MS, QUORUM_TIMEOUT_MS } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const OPTIONS = { timeoutMs: CLIENT_TIMEOUT_MS };
const NETWORK = { delayMs: 5 };
/** The messages between the clients and the nodes; the others are between replicas. */
const CLIENT_MESSAGES = ['read', 'write', 'read_ok', 'write_ok', 'error'];

/** One scripted operation: at `atMs`, the client of `node` sends it `input`. */
type Step = readonly [atMs: number, node: NodeId, input: RegisterInput];

/**
 * Starts a client `c<i>` for every node `n<i>` (so that partitions can name it), each running its
 * steps of `steps` in order, and collects the exchanges in `log`.
 */
function script(sim: Simulation, steps: readonly Step[], log: Exchange[]): void {
  for (const node of sim.nodeIds) {
    sim.client(clientOf(node), async (c) => {
      for (const [atMs, , input] of steps.filter((step) => step[1] === node)) {
        if (atMs > c.now()) await c.sleep(atMs - c.now());
        await registerOperation(c, node, input, { ...OPTIONS, log });
      }
    });
  }
}

/** Each node's client runs the read/write mix from `fromMs` until `untilMs`. */
function workloads(sim: Simulation, nodes: readonly NodeId[], untilMs: number, log?: Exchange[]): void {
  nodes.forEach((node, index) => {
    sim.client(clientOf(node), (c) =>
      registerWorkload(c, node, {
        untilMs,
        timeoutMs: CLIENT_TIMEOUT_MS,
        clientNumber: index + 1,
        ...(log === undefined ? {} : { log }),
      }),
    );
  });
}

/**
 * c1 writes 1 through n1, c2 writes 2 through n2 at t=500 ms, and at t=1000 ms c1 sends n1 the very
 * message of its first write again (as a network's late copy would arrive). `judge` is given what c3 then
 * reads through n3 at t=1500 ms, inside the run (so that a failure names the seed and the replay); the
 * history must be linearizable too.
 */
async function lateCopyStory(
  seed: number,
  faults: FaultSchedule | undefined,
  judge: (read: number | null) => void,
): Promise<void> {
  const options = { seed, nodes: cluster(3, createCpRegisterNode), network: NETWORK, ...(faults ? { faults } : {}) };
  await simulate(options, async (sim) => {
    const log: Exchange[] = [];
    let firstWrite: Record<string, unknown> | undefined;
    sim.onEvent((event) => {
      if (event.kind === 'send' && event.from === 'c1' && event.type === 'write' && firstWrite === undefined) {
        firstWrite = event.message as Record<string, unknown>;
      }
    });
    sim.client('c2', async (c) => {
      await c.sleep(500);
      await registerOperation(c, 'n2', { f: 'write', value: 2 }, { ...OPTIONS, log });
    });
    sim.client('c3', async (c) => {
      await c.sleep(1_500);
      await registerOperation(c, 'n3', { f: 'read' }, { ...OPTIONS, log });
    });
    sim.client('c1', async (c) => {
      await registerOperation(c, 'n1', { f: 'write', value: 1 }, { ...OPTIONS, log });
      await c.sleep(1_000 - c.now());
      check(firstWrite !== undefined, "c1's write of 1 was never sent");
      c.send('n1', firstWrite as { type: string });
      await c.sleep(1_000);
    });
    await sim.run({ untilMs: 3_000 });
    judge(
      valueRead(
        log.find((exchange) => exchange.client === 'c3'),
        'c3 read through n3 at t=1500 ms',
      ),
    );
    assertRegisterLinearizable(sim);
  });
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  test('c1 writes 7 through n1; c3 then reads 7 through n3', async () => {
    await simulate({ seed: 1, nodes: cluster(3, createCpRegisterNode), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [0, 'n1', { f: 'write', value: 7 }],
          [200, 'n3', { f: 'read' }],
        ],
        log,
      );
      await sim.run({ untilMs: 2_000 });
      check(
        log[0]?.answer?.type === 'write_ok',
        `n1 answered c1's write of 7 with ${JSON.stringify(log[0]?.answer)} instead of write_ok`,
      );
      const read = valueRead(log[1], 'c3 read through n3 after the write of 7 was acknowledged');
      check(
        read === 7,
        `c3 read ${JSON.stringify(read)} through n3 after c1's write of 7 was acknowledged: a read must see every acknowledged write`,
      );
      assertRegisterLinearizable(sim);
    });
  });

  test('n1 is cut off: its client is refused, while n2 and n3 go on serving theirs (the figures are printed)', async () => {
    const faults = scenario().at(1_000).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(6_000).heal().build();
    await simulate({ seed: 2, nodes: cluster(3, createCpRegisterNode), network: NETWORK, faults }, async (sim) => {
      workloads(sim, sim.nodeIds, 9_000);
      await sim.run({ untilMs: 11_000 });
      // Operations called in this window ended (answered or given up) before the heal.
      const partition = { name: 'during the partition', fromMs: 1_000, toMs: 6_000 - CLIENT_TIMEOUT_MS };
      const healed = { name: 'after the heal', fromMs: 6_000 + CLIENT_TIMEOUT_MS, toMs: 9_000 };
      const minority = side('minority', ['n1']);
      const majority = side('majority', ['n2', 'n3']);
      const { sentence } = assertAvailabilityOf(
        sim,
        [minority, majority],
        [partition, healed],
        [
          { side: minority.name, window: partition.name, atMost: 0 },
          { side: majority.name, window: partition.name, atLeast: 0.95 },
          { side: minority.name, window: healed.name, atLeast: 0.95 },
          { side: majority.name, window: healed.name, atLeast: 0.95 },
        ],
      );
      console.log(`4.1 CP register, seed 2, partition {n1} | {n2, n3} from t=1000 ms to t=6000 ms:\n${sentence}`);
      assertRegisterLinearizable(sim);
    });
  });

  test('while n1 is cut off it does not answer a read with the value it holds', async () => {
    const faults = scenario().at(1_000).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(4_000).heal().build();
    await simulate({ seed: 3, nodes: cluster(3, createCpRegisterNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [0, 'n1', { f: 'write', value: 1 }],
          [1_500, 'n2', { f: 'write', value: 2 }],
          [2_000, 'n1', { f: 'read' }],
        ],
        log,
      );
      await sim.run({ untilMs: 5_000 });
      const read = log.find((exchange) => exchange.client === 'c1' && exchange.input.f === 'read');
      check(
        read?.answer?.type !== 'read_ok',
        `n1 answered a read with ${JSON.stringify(read?.answer)} while it was cut off from the majority: ` +
          'a replica that cannot reach a majority cannot know whether its copy is still the latest (here c2 had written 2 ' +
          'through n2 since); it must refuse (error code 11) or stay silent',
      );
      assertRegisterLinearizable(sim);
    });
  });

  test('a write acknowledged while n1 was cut off wins over the write n1 takes after the heal only if it came later', async () => {
    // c2 writes 2 while n1 cannot hear of it; after the heal, c1 writes 3 through n1. 3 is the later
    // write: a read must return it, although n1 never saw 2 and might guess a timestamp below it.
    const faults = scenario().at(500).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(2_000).heal().build();
    await simulate({ seed: 4, nodes: cluster(3, createCpRegisterNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [1_000, 'n2', { f: 'write', value: 2 }],
          [2_500, 'n1', { f: 'write', value: 3 }],
          [3_000, 'n3', { f: 'read' }],
        ],
        log,
      );
      await sim.run({ untilMs: 5_000 });
      const read = valueRead(
        log.find((exchange) => exchange.client === 'c3'),
        'c3 read through n3 at t=3000 ms',
      );
      check(
        read === 3,
        `not linearizable: c3 read ${JSON.stringify(read)} at t=3000 ms, after c1's write of 3 (t=2500 ms) was acknowledged ` +
          "following c2's write of 2: a write must take a timestamp above every one a majority holds, so ask them first",
      );
      assertRegisterLinearizable(sim);
    });
  });

  test('n2 crashes and restarts after acknowledging a write; the write survives', async () => {
    // c1's write of 5 reaches n1 and n2 (n3 is cut off). n2 crashes and comes back; then n1 is cut off
    // and c3 reads through n3 from {n2, n3}: only n2 can tell it about 5, from its storage.
    const faults = scenario()
      .at(500)
      .partition(['n3', 'c3'], ['n1', 'n2', 'c1', 'c2'])
      .at(1_500)
      .crash('n2')
      .at(1_600)
      .restart('n2')
      .at(2_000)
      .heal()
      .partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3'])
      .build();
    await simulate({ seed: 5, nodes: cluster(3, createCpRegisterNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [1_000, 'n1', { f: 'write', value: 5 }],
          [2_500, 'n3', { f: 'read' }],
        ],
        log,
      );
      await sim.run({ untilMs: 4_000 });
      check(
        log[0]?.answer?.type === 'write_ok',
        `n1 answered c1's write of 5 with ${JSON.stringify(log[0]?.answer)} instead of write_ok`,
      );
      const read = valueRead(log[1], 'c3 read through n3 at t=2500 ms');
      check(
        read === 5,
        `not linearizable: c3 read ${JSON.stringify(read)} after the write of 5 was acknowledged by n1 and n2, because n2 ` +
          'forgot it in its crash: a replica must keep what it acknowledged in ctx.storage, before it says store ok',
      );
      assertRegisterLinearizable(sim);
    });
  });

  test("a copy of c1's old write arrives long after c2's newer one; the register keeps the newer value", async () => {
    // The network may deliver a request twice, and the copy late. Here the copy of c1's write of 1 (the
    // very message, with its rpcId) reaches n1 again at t=1000 ms, after c2's write of 2 was acknowledged.
    await lateCopyStory(6, undefined, (read) =>
      check(
        read === 2,
        `not linearizable: c3 read ${JSON.stringify(read)} at t=1500 ms, after c2's write of 2 was acknowledged; ` +
          "a late copy of c1's write of 1 (acknowledged at the start) was run again and came back over it: keep the newest " +
          'rpcId taken from each client, in ctx.storage, and drop a request at or below it',
      ),
    );
  });

  test("the copy of c1's old write arrives after n1 restarted; n1 still refuses to run it again", async () => {
    // As above, but n1 crashes and comes back between c2's write and the copy: what n1 knew about c1's
    // requests must survive the crash, or the copy runs again.
    const faults = scenario().at(800).crash('n1').at(850).restart('n1').build();
    await lateCopyStory(16, faults, (read) =>
      check(
        read === 2,
        `not linearizable: c3 read ${JSON.stringify(read)} at t=1500 ms, after c2's write of 2 was acknowledged; n1 ` +
          "restarted at t=850 ms and then ran a late copy of c1's old write of 1 again: the newest rpcId taken from each " +
          'client must be read back from ctx.storage when the node starts',
      ),
    );
  });

  test("n3's answer to n1's first round arrives after n1 began storing; it does not count as n3 storing the value", async () => {
    // n3 pauses while n1's question is on its way, so it answers late. Meanwhile n1 heard n2, began
    // storing 4, and its stores to n2 and n3 are lost: only n1 holds 4. Then n1 is cut off, and c2 reads
    // through n2 from {n2, n3}.
    const faults = scenario()
      .at(1_008)
      .pause('n3', 30)
      .at(1_012)
      .cut('n1', 'n2')
      .cut('n1', 'n3')
      .at(1_100)
      .heal()
      .partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3'])
      .build();
    await simulate({ seed: 17, nodes: cluster(3, createCpRegisterNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [1_000, 'n1', { f: 'write', value: 4 }],
          [2_000, 'n2', { f: 'read' }],
        ],
        log,
      );
      await sim.run({ untilMs: 3_500 });
      const write = log.find((exchange) => exchange.client === 'c1');
      if (write?.answer?.type === 'write_ok') {
        const read = valueRead(
          log.find((exchange) => exchange.client === 'c2'),
          'c2 read through n2 at t=2000 ms',
        );
        check(
          read === 4,
          `not linearizable: n1 acknowledged c1's write of 4 at t=${String(write.answeredAtMs)} ms, but only n1 ever stored it ` +
            `(its stores to n2 and n3 were lost), so c2 read ${JSON.stringify(read)} from n2 and n3. The answer n1 counted ` +
            "was n3's late reply to the first round: count only replies to the round you are in",
        );
      }
      assertRegisterLinearizable(sim);
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Majorities (README: "Reads and writes need a majority")', () => {
  test('five nodes split 2 | 3: the two refuse, the three serve', async () => {
    const faults = scenario()
      .at(1_000)
      .partition(['n1', 'n2', 'c1', 'c2'], ['n3', 'n4', 'n5', 'c3', 'c4', 'c5'])
      .at(5_000)
      .heal()
      .build();
    await simulate({ seed: 6, nodes: cluster(5, createCpRegisterNode), network: NETWORK, faults }, async (sim) => {
      workloads(sim, sim.nodeIds, 7_000);
      await sim.run({ untilMs: 9_000 });
      const partition = { name: 'during the partition', fromMs: 1_000, toMs: 5_000 - CLIENT_TIMEOUT_MS };
      const minority = side('minority', ['n1', 'n2']);
      const majority = side('majority', ['n3', 'n4', 'n5']);
      const { sentence } = assertAvailabilityOf(
        sim,
        [minority, majority],
        [partition],
        [
          { side: minority.name, window: partition.name, atMost: 0 },
          { side: majority.name, window: partition.name, atLeast: 0.95 },
        ],
      );
      console.log(`4.1 CP register, seed 6, five nodes split 2 | 3:\n${sentence}`);
      assertRegisterLinearizable(sim);
    });
  });

  test('four nodes split 2 | 2: neither half is a majority, so both refuse', async () => {
    const faults = scenario()
      .at(1_000)
      .partition(['n1', 'n2', 'c1', 'c2'], ['n3', 'n4', 'c3', 'c4'])
      .at(5_000)
      .heal()
      .build();
    await simulate({ seed: 7, nodes: cluster(4, createCpRegisterNode), network: NETWORK, faults }, async (sim) => {
      workloads(sim, sim.nodeIds, 7_000);
      await sim.run({ untilMs: 9_000 });
      const partition = { name: 'during the partition', fromMs: 1_000, toMs: 5_000 - CLIENT_TIMEOUT_MS };
      const left = side('half', ['n1', 'n2']);
      const right = side('half', ['n3', 'n4']);
      assertAvailabilityOf(
        sim,
        [left, right],
        [partition],
        [
          { side: left.name, window: partition.name, atMost: 0 },
          { side: right.name, window: partition.name, atMost: 0 },
        ],
      );
      assertRegisterLinearizable(sim);
    });
  });
});

describe('Answers (README: "Refusing")', () => {
  test('on a reliable network without faults, every operation is answered ok within the quorum timeout', async () => {
    await simulate(
      { seed: 8, nodes: cluster(3, createCpRegisterNode), network: { delayMs: { min: 1, max: 20 } } },
      async (sim) => {
        const log: Exchange[] = [];
        workloads(sim, sim.nodeIds, 3_000, log);
        await sim.run({ untilMs: 5_000 });
        for (const exchange of log) {
          const took = exchange.answeredAtMs === null ? null : exchange.answeredAtMs - exchange.sentAtMs;
          check(
            took !== null && took <= QUORUM_TIMEOUT_MS && exchange.answer?.type !== 'error',
            `${exchange.node} answered ${exchange.client}'s ${exchange.input.f} (sent t=${exchange.sentAtMs} ms) with ` +
              `${JSON.stringify(exchange.answer)}${took === null ? ' (no answer)' : ` after ${took} ms`}: with every node up and ` +
              `reachable, a majority answers within a few round trips, well inside ${QUORUM_TIMEOUT_MS} ms`,
          );
        }
        assertRegisterLinearizable(sim);
      },
    );
  });

  test('a write cut off after it began storing is not refused as if it never happened', async () => {
    // n1 asks every replica, hears back, sends its stores, and is cut off before they arrive: only n1
    // may hold 9 now. Told "definitely not written", c1 would be wrong as soon as a read sees 9.
    const faults = scenario().at(1_013).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(3_000).heal().build();
    await simulate({ seed: 9, nodes: cluster(3, createCpRegisterNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      script(
        sim,
        [
          [995, 'n1', { f: 'write', value: 9 }],
          [3_500, 'n1', { f: 'read' }],
          [4_000, 'n2', { f: 'read' }],
        ],
        log,
      );
      await sim.run({ untilMs: 6_000 });
      assertRegisterLinearizable(sim);
    });
  });

  test('replicas exchange at most 4 messages each per operation (two rounds of asking and answering)', async () => {
    for (const size of [3, 5]) {
      await simulate({ seed: 10 + size, nodes: cluster(size, createCpRegisterNode), network: NETWORK }, async (sim) => {
        workloads(sim, sim.nodeIds, 2_000);
        await sim.run({ untilMs: 4_000 });
        const perOperation = messagesPerOperation(sim.stats(), sim.history().length, CLIENT_MESSAGES);
        console.log(
          `4.1 CP register, ${size} nodes: ${perOperation.toFixed(2)} replica messages per operation (bound ${4 * size})`,
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

// ───────────────────────────── 3. sweeps ─────────────────────────────

const HEAL_AT_MS = 6_000;
/** The recovery bound (README): after the heal, every node answers a read ok within this. */
const RECOVERED_WITHIN_MS = 2_000;

describe('sweeps', () => {
  test(`linearizable under partitions, crashes and process pauses, and serving again after the heal (${sweepSeedCount(40)} swarm seeds, 3 to 5 nodes)`, async () => {
    await forEachSwarmSeed(
      {
        count: 40,
        swarm: {
          timeoutMs: QUORUM_TIMEOUT_MS,
          clusterSizes: { min: 3, max: 5 },
          kinds: ['partition', 'isolate', 'cut', 'crash', 'network', 'targeted-crash', 'pause'],
          maxPartitionMs: 4_000,
        },
        nodes: (size) => Object.keys(cluster(size!, createCpRegisterNode)),
        healAtMs: HEAL_AT_MS,
      },
      async (seed, world) => {
        const faults: FaultSchedule = world.faults;
        await simulate(
          { seed, nodes: cluster(world.nodes, createCpRegisterNode), faults, details: world.details },
          async (sim) => {
            workloads(sim, sim.nodeIds, HEAL_AT_MS);
            const reads = new Map<NodeId, boolean>();
            sim.at(HEAL_AT_MS + CLIENT_TIMEOUT_MS, () => {
              for (const node of sim.nodeIds) {
                sim.client(`r${node}`, async (c) => {
                  for (let attempt = 0; attempt < 4 && reads.get(node) !== true; attempt++) {
                    const outcome = await registerOperation(c, node, { f: 'read' }, OPTIONS);
                    reads.set(node, outcome.status === 'ok');
                  }
                });
              }
            });
            await expectRecovered(sim, {
              what: 'every node answering a read ok',
              healedAtMs: world.healAtMs,
              withinMs: CLIENT_TIMEOUT_MS + RECOVERED_WITHIN_MS,
              holds: () => sim.nodeIds.every((node) => reads.get(node) === true),
              explain: () =>
                `no read ok yet through ${sim.nodeIds.filter((node) => reads.get(node) !== true).join(', ')}: once every node is up and ` +
                'reachable, a majority answers each operation',
            });
            assertRegisterLinearizable(sim);
          },
        );
      },
    );
  });
});
