/**
 * Tests for exercise 4.2: an AP register (last-writer-wins with hybrid logical clocks) and a PN-counter.
 * See README.md for what each group checks.
 *
 * Three layers: stories, the spec section by section, and sweeps over seeds and fault schedules (with
 * partitions, crashes, process pauses and clock jumps) with the convergence and counter-bounds
 * checkers watching.
 */
import { describe, test } from 'vitest';
import type { ClientContext, NodeFactory, NodeId } from '#harness';
import { checkConcurrentOverwrites, checkConvergence, type CounterRead, type Write } from '#harness/check';
import {
  check,
  checkEqual,
  cluster,
  forEachSwarmSeed,
  scenario,
  simulate,
  sweepSeedCount,
  type Simulation,
} from '#harness/testing';
import { counterOperation, counterWorkload, assertFinalReadsInBounds } from '../_test-support/counter-client.ts';
import {
  assertAvailabilityOf,
  clientOf,
  registerOperation,
  registerWorkload,
  side,
  valueRead,
  type Exchange,
} from '../_test-support/register-client.ts';
import { createLwwRegisterNode, createPnCounterNode } from './ap-register.ts';
import { CLIENT_TIMEOUT_MS, GOSSIP_INTERVAL_MS } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

const OPTIONS = { timeoutMs: CLIENT_TIMEOUT_MS };
const NETWORK = { delayMs: 5 };
/** Long enough for a few rounds of gossip on a reliable network. */
const SETTLE_MS = 10 * GOSSIP_INTERVAL_MS;

/** Runs `body` as client `id` from `atMs`. */
function clientAt(sim: Simulation, id: NodeId, atMs: number, body: (c: ClientContext) => Promise<void>): void {
  sim.client(id, async (c) => {
    if (atMs > c.now()) await c.sleep(atMs - c.now());
    await body(c);
  });
}

/** What one node answered a read with, at the time it answered. */
interface NodeRead {
  readonly node: NodeId;
  readonly value: number | null;
  readonly atMs: number;
}

/**
 * At `atMs`, a reader `r<node>` per node reads it (trying up to three times), and the run goes on
 * until they are done. Fails naming a node that never answered. Returns each node's answer.
 */
async function readEveryNodeAt(sim: Simulation, atMs: number): Promise<NodeRead[]> {
  const reads = new Map<NodeId, NodeRead>();
  for (const node of sim.nodeIds) {
    clientAt(sim, `r${node}`, atMs, async (c) => {
      for (let attempt = 0; attempt < 3 && !reads.has(node); attempt++) {
        const result = await c.rpc(node, { type: 'read' }, { timeoutMs: 100 });
        const reply = result.ok ? (result.reply as { type: string; value?: unknown }) : undefined;
        if (reply?.type === 'read_ok') reads.set(node, { node, value: reply.value as number | null, atMs: c.now() });
      }
    });
  }
  await sim.run({ untilMs: atMs + 400 });
  const silent = sim.nodeIds.filter((node) => !reads.has(node));
  check(
    silent.length === 0,
    `${silent.join(', ')} did not answer a read at t=${atMs} ms, with every node up and reachable: any replica answers`,
  );
  return sim.nodeIds.map((node) => reads.get(node)!);
}

/**
 * Fails unless every read has the same value, saying who holds what (the convergence checker's
 * sentence); `when` says when they were read, e.g. `2000 ms after t=6000 ms`.
 */
function assertConverged(reads: readonly NodeRead[], what: string, when: string): void {
  const verdict = checkConvergence({ replicas: Object.fromEntries(reads.map((read) => [read.node, read.value])) });
  check(
    verdict.ok,
    `convergence: ${verdict.ok ? '' : verdict.violations[0]!.message}, read ${when}: the replicas of the ${what} ` +
      `must have converged by then. Each replica sends its state to every other one every ${GOSSIP_INTERVAL_MS} ms ` +
      'and merges what it receives',
  );
}

/** Reads every node at `fromMs + withinMs` and fails unless they all read the same value. Returns the reads. */
async function expectConverged(sim: Simulation, what: string, fromMs: number, withinMs: number): Promise<NodeRead[]> {
  const reads = await readEveryNodeAt(sim, fromMs + withinMs);
  assertConverged(reads, what, `${withinMs} ms after t=${fromMs} ms`);
  return reads;
}

/** Every write of the register the clients attempted, for the lost-write count. */
function writesOf(sim: Simulation): Write[] {
  return sim.history<{ f: string; value?: number }>().flatMap((operation) =>
    operation.input.f === 'write'
      ? [
          {
            element: operation.input.value!,
            status: operation.status,
            callMs: operation.callMs,
            returnMs: operation.returnMs,
            client: operation.clientId,
          },
        ]
      : [],
  );
}

/** Each node's client runs the register's read/write mix until `untilMs`. */
function registerWorkloads(sim: Simulation, untilMs: number): void {
  sim.nodeIds.forEach((node, index) => {
    sim.client(clientOf(node), (c) =>
      registerWorkload(c, node, { untilMs, timeoutMs: CLIENT_TIMEOUT_MS, clientNumber: index + 1 }),
    );
  });
}

/** Each node's client runs the counter's add/read mix until `untilMs`. */
function counterWorkloads(sim: Simulation, untilMs: number, decrements = true): void {
  for (const node of sim.nodeIds) {
    sim.client(clientOf(node), (c) => counterWorkload(c, node, { untilMs, timeoutMs: CLIENT_TIMEOUT_MS, decrements }));
  }
}

/** The final reads as the counter-bounds checker takes them. */
function counterReads(reads: readonly NodeRead[]): CounterRead[] {
  return reads.map((read) => ({ node: read.node, value: read.value ?? Number.NaN, atMs: read.atMs }));
}

/**
 * Every operation called in the partition window was answered ok, on both sides: what an AP store
 * promises. Returns the measurement's sentence, for the test to print.
 */
function assertBothSidesAnswer(
  sim: Simulation,
  minority: readonly NodeId[],
  majority: readonly NodeId[],
  partition: { readonly fromMs: number; readonly toMs: number },
): string {
  const window = { name: 'during the partition', ...partition };
  const sides = [side('minority', minority), side('majority', majority)];
  return assertAvailabilityOf(
    sim,
    sides,
    [window],
    sides.map((s) => ({ side: s.name, window: window.name, atLeast: 1 })),
  ).sentence;
}

// ───────────────────────────── 1. stories: the LWW register ─────────────────────────────

describe('stories: the last-writer-wins register', () => {
  test('c1 writes 7 through n1; a moment later c3 reads 7 through n3', async () => {
    await simulate({ seed: 1, nodes: cluster(3, createLwwRegisterNode), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      clientAt(sim, 'c1', 0, (c) => registerOperation(c, 'n1', { f: 'write', value: 7 }, { ...OPTIONS, log }).then());
      clientAt(sim, 'c3', 500, (c) => registerOperation(c, 'n3', { f: 'read' }, { ...OPTIONS, log }).then());
      await sim.run({ untilMs: 1_000 });
      check(
        log[0]?.answer?.type === 'write_ok',
        `n1 answered c1's write of 7 with ${JSON.stringify(log[0]?.answer)} instead of write_ok`,
      );
      const read = valueRead(log[1], 'c3 read through n3 at t=500 ms');
      check(
        read === 7,
        `c3 read ${JSON.stringify(read)} through n3 at t=500 ms, 500 ms after n1 acknowledged the write of 7: each ` +
          `replica must send its state to the others every ${GOSSIP_INTERVAL_MS} ms, and keep the newer version`,
      );
    });
  });

  test('n1 is cut off: both sides keep answering, they converge after the heal, and the writes lost to concurrent writers are counted (printed)', async () => {
    const faults = scenario().at(1_000).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(6_000).heal().build();
    await simulate({ seed: 2, nodes: cluster(3, createLwwRegisterNode), network: NETWORK, faults }, async (sim) => {
      registerWorkloads(sim, 6_000);
      const reads = await expectConverged(sim, 'register', 6_000, CLIENT_TIMEOUT_MS + SETTLE_MS);
      const availability = assertBothSidesAnswer(sim, ['n1'], ['n2', 'n3'], { fromMs: 1_000, toMs: 6_000 });
      const lost = checkConcurrentOverwrites({ writes: writesOf(sim), final: reads[0]!.value });
      console.log(
        `4.2 LWW register, seed 2, partition {n1} | {n2, n3} from t=1000 ms to t=6000 ms:\n${availability}\n` +
          `after the heal: ${lost.sentence}`,
      );
    });
  });

  test('a write made after hearing of another wins over it, even through a node whose clock is behind', async () => {
    // n1's clock is 2 s ahead. c1 writes 1 through n1; n2 hears of it; then c2 writes 2 through n2, whose
    // clock reads 1500 ms. 2 came later and knew of 1: it must win, or n1's writes win forever.
    await simulate(
      { seed: 3, nodes: cluster(3, createLwwRegisterNode), network: NETWORK, clocks: { n1: { skewMs: 2_000 } } },
      async (sim) => {
        const log: Exchange[] = [];
        clientAt(sim, 'c1', 500, (c) =>
          registerOperation(c, 'n1', { f: 'write', value: 1 }, { ...OPTIONS, log }).then(),
        );
        clientAt(sim, 'c2', 1_500, (c) =>
          registerOperation(c, 'n2', { f: 'write', value: 2 }, { ...OPTIONS, log }).then(),
        );
        clientAt(sim, 'c3', 2_500, (c) => registerOperation(c, 'n3', { f: 'read' }, { ...OPTIONS, log }).then());
        await sim.run({ untilMs: 3_000 });
        const read = valueRead(
          log.find((exchange) => exchange.client === 'c3'),
          'c3 read through n3 at t=2500 ms',
        );
        check(
          read === 2,
          `c3 read ${JSON.stringify(read)} at t=2500 ms, but c2 wrote 2 through n2 at t=1500 ms, after n2 had heard of c1's ` +
            'write of 1: the later write lost to the node whose clock is ahead (n1, by 2 s). Stamp writes with the ' +
            'hybrid logical clock (hlcTick, and hlcObserve on every stamp you receive), not with ctx.now()',
        );
      },
    );
  });

  test('n1 crashes right after acknowledging a write, before it could send it on; after its restart the write reaches everyone', async () => {
    // Gossip goes out every 100 ms (t=1000, t=1100, ...): the write at t=1015 is between two rounds.
    const faults = scenario().at(1_030).crash('n1').at(1_500).restart('n1').build();
    await simulate({ seed: 4, nodes: cluster(3, createLwwRegisterNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      clientAt(sim, 'c1', 1_010, (c) =>
        registerOperation(c, 'n1', { f: 'write', value: 5 }, { ...OPTIONS, log }).then(),
      );
      clientAt(sim, 'c3', 2_500, (c) => registerOperation(c, 'n3', { f: 'read' }, { ...OPTIONS, log }).then());
      await sim.run({ untilMs: 3_000 });
      check(
        log[0]?.answer?.type === 'write_ok',
        `n1 answered c1's write of 5 with ${JSON.stringify(log[0]?.answer)} instead of write_ok`,
      );
      const read = valueRead(log[1], 'c3 read through n3 at t=2500 ms');
      check(
        read === 5,
        `c3 read ${JSON.stringify(read)} through n3 at t=2500 ms: n1 acknowledged the write of 5 and crashed before it ` +
          'gossiped, and forgot it. Keep the version in ctx.storage before you answer write_ok',
      );
    });
  });

  test("a copy of c1's old write arrives long after c2's newer one; the register keeps the newer value", async () => {
    await simulate({ seed: 5, nodes: cluster(3, createLwwRegisterNode), network: NETWORK }, async (sim) => {
      const log: Exchange[] = [];
      const firstWrite = firstRequest(sim, 'c1', 'write');
      clientAt(sim, 'c2', 500, (c) => registerOperation(c, 'n2', { f: 'write', value: 2 }, { ...OPTIONS, log }).then());
      clientAt(sim, 'c3', 2_000, (c) => registerOperation(c, 'n3', { f: 'read' }, { ...OPTIONS, log }).then());
      clientAt(sim, 'c1', 0, async (c) => {
        await registerOperation(c, 'n1', { f: 'write', value: 1 }, { ...OPTIONS, log });
        await c.sleep(1_000 - c.now());
        c.send('n1', firstWrite());
      });
      await sim.run({ untilMs: 2_500 });
      const read = valueRead(
        log.find((exchange) => exchange.client === 'c3'),
        'c3 read through n3 at t=2000 ms',
      );
      check(
        read === 2,
        `c3 read ${JSON.stringify(read)} at t=2000 ms, after c2's write of 2 was acknowledged: a late copy of c1's write of ` +
          '1 (acknowledged at the start) was taken again and came back over it. Keep the newest rpcId taken from each ' +
          'client, in ctx.storage, and drop a request at or below it',
      );
    });
  });
});

/** The first request of `type` that `client` sent, as sent (with its rpcId), to send again later. */
function firstRequest(sim: Simulation, client: NodeId, type: string): () => { type: string } {
  let first: { type: string } | undefined;
  sim.onEvent((event) => {
    if (event.kind === 'send' && event.from === client && event.type === type && first === undefined) {
      first = event.message as { type: string };
    }
  });
  return () => {
    check(first !== undefined, `${client} never sent a ${type}`);
    return first;
  };
}

// ───────────────────────────── 2. stories: the PN-counter ─────────────────────────────

describe('stories: the PN-counter', () => {
  test('c1 adds 3 through n1, c2 adds -1 through n2, c3 adds 5 through n3; soon every replica reads 7', async () => {
    await simulate({ seed: 11, nodes: cluster(3, createPnCounterNode), network: NETWORK }, async (sim) => {
      const deltas: Record<NodeId, number> = { n1: 3, n2: -1, n3: 5 };
      for (const node of sim.nodeIds) {
        clientAt(sim, clientOf(node), 0, (c) =>
          counterOperation(c, node, { f: 'add', delta: deltas[node]! }, CLIENT_TIMEOUT_MS).then(),
        );
      }
      const reads = await expectConverged(sim, 'counter', 0, SETTLE_MS);
      assertFinalReadsInBounds(sim, counterReads(reads));
    });
  });

  test('n1 is cut off: both sides keep adding, and after the heal every replica reads the sum of every add, none lost (printed)', async () => {
    const faults = scenario().at(1_000).partition(['n1', 'c1'], ['n2', 'n3', 'c2', 'c3']).at(6_000).heal().build();
    await simulate({ seed: 12, nodes: cluster(3, createPnCounterNode), network: NETWORK, faults }, async (sim) => {
      counterWorkloads(sim, 6_000, false);
      const reads = await expectConverged(sim, 'counter', 6_000, CLIENT_TIMEOUT_MS + SETTLE_MS);
      const availability = assertBothSidesAnswer(sim, ['n1'], ['n2', 'n3'], { fromMs: 1_000, toMs: 6_000 });
      const bounds = assertFinalReadsInBounds(sim, counterReads(reads));
      console.log(
        `4.2 PN-counter, seed 12, partition {n1} | {n2, n3} from t=1000 ms to t=6000 ms:\n${availability}\n` +
          `after the heal every replica reads ${reads[0]!.value}: ${bounds.sentence}`,
      );
    });
  });

  test('n2 crashes right after acknowledging an add; after its restart the add is still counted', async () => {
    const faults = scenario().at(1_030).crash('n2').at(1_500).restart('n2').build();
    await simulate({ seed: 13, nodes: cluster(3, createPnCounterNode), network: NETWORK, faults }, async (sim) => {
      clientAt(sim, 'c1', 0, (c) => counterOperation(c, 'n1', { f: 'add', delta: 4 }, CLIENT_TIMEOUT_MS).then());
      clientAt(sim, 'c2', 1_010, async (c) => {
        await counterOperation(c, 'n2', { f: 'add', delta: 2 }, CLIENT_TIMEOUT_MS);
        await c.sleep(1_000);
        await counterOperation(c, 'n2', { f: 'add', delta: 1 }, CLIENT_TIMEOUT_MS);
      });
      const reads = await expectConverged(sim, 'counter', 3_000, SETTLE_MS);
      assertFinalReadsInBounds(sim, counterReads(reads));
    });
  });

  test("a copy of c1's add arrives again long after; it is counted once", async () => {
    await simulate({ seed: 14, nodes: cluster(3, createPnCounterNode), network: NETWORK }, async (sim) => {
      const firstAdd = firstRequest(sim, 'c1', 'add');
      clientAt(sim, 'c1', 0, async (c) => {
        await counterOperation(c, 'n1', { f: 'add', delta: 5 }, CLIENT_TIMEOUT_MS);
        await c.sleep(1_000 - c.now());
        c.send('n1', firstAdd());
      });
      const reads = await expectConverged(sim, 'counter', 2_000, SETTLE_MS);
      assertFinalReadsInBounds(sim, counterReads(reads));
    });
  });
});

// ───────────────────────────── 3. the spec ─────────────────────────────

describe('Availability (README: "Any replica answers"; Gilbert and Lynch 2002: every request to a live node is answered)', () => {
  const stores: ReadonlyArray<readonly [string, NodeFactory, (sim: Simulation, untilMs: number) => void]> = [
    ['LWW register', createLwwRegisterNode, registerWorkloads],
    ['PN-counter', createPnCounterNode, (sim, untilMs) => counterWorkloads(sim, untilMs)],
  ];
  for (const [name, factory, workloads] of stores) {
    test(`the ${name} on five nodes split 2 | 3: both sides answer every operation (ok-fraction 1)`, async () => {
      const faults = scenario()
        .at(1_000)
        .partition(['n1', 'n2', 'c1', 'c2'], ['n3', 'n4', 'n5', 'c3', 'c4', 'c5'])
        .at(4_000)
        .heal()
        .build();
      await simulate({ seed: 21, nodes: cluster(5, factory as NodeFactory), network: NETWORK, faults }, async (sim) => {
        workloads(sim, 4_000);
        await sim.run({ untilMs: 5_000 });
        assertBothSidesAnswer(sim, ['n1', 'n2'], ['n3', 'n4', 'n5'], { fromMs: 1_000, toMs: 4_000 });
      });
    });
  }
});

describe('Last writer wins (README: "Part one"; Kulkarni et al. 2014, §3: HLC timestamps respect causality)', () => {
  test('of two writes made at once on either side of a partition, exactly one survives the heal: LWW loses the other', async () => {
    const faults = scenario().at(500).partition(['n1', 'c1'], ['n2', 'n3', 'c2']).at(2_000).heal().build();
    await simulate({ seed: 22, nodes: cluster(3, createLwwRegisterNode), network: NETWORK, faults }, async (sim) => {
      clientAt(sim, 'c1', 1_500, (c) => registerOperation(c, 'n1', { f: 'write', value: 1 }, OPTIONS).then());
      clientAt(sim, 'c2', 1_500, (c) => registerOperation(c, 'n2', { f: 'write', value: 2 }, OPTIONS).then());
      const reads = await expectConverged(sim, 'register', 2_000, SETTLE_MS);
      check(
        reads[0]!.value === 1 || reads[0]!.value === 2,
        `every replica reads ${JSON.stringify(reads[0]!.value)} after the heal, a value no client wrote: the register ` +
          'must keep one of the two versions it was given',
      );
      const lost = checkConcurrentOverwrites({ writes: writesOf(sim), final: reads[0]!.value });
      checkEqual(lost.lost, 1, `writes lost to a concurrent writer (${lost.sentence})`);
    });
  });

  test('a clock that jumps back does not let a later write lose to an earlier one of the same node', async () => {
    // n1's clock is set back 1 s between two writes. The second write must still win: the HLC never goes back.
    const faults = scenario().at(1_600).clock('n1', { skewMs: -1_000 }).build();
    await simulate({ seed: 23, nodes: cluster(3, createLwwRegisterNode), network: NETWORK, faults }, async (sim) => {
      const log: Exchange[] = [];
      clientAt(sim, 'c1', 1_500, async (c) => {
        await registerOperation(c, 'n1', { f: 'write', value: 1 }, { ...OPTIONS, log });
        await c.sleep(200);
        await registerOperation(c, 'n1', { f: 'write', value: 2 }, { ...OPTIONS, log });
      });
      clientAt(sim, 'c3', 2_500, (c) => registerOperation(c, 'n3', { f: 'read' }, { ...OPTIONS, log }).then());
      await sim.run({ untilMs: 3_000 });
      const read = valueRead(
        log.find((exchange) => exchange.client === 'c3'),
        'c3 read through n3 at t=2500 ms',
      );
      check(
        read === 2,
        `c3 read ${JSON.stringify(read)} at t=2500 ms, but c1 wrote 2 through n1 after its write of 1 was acknowledged: ` +
          "n1's clock was set back 1 s between them, and the later write lost to the node whose clock is ahead (n1 before " +
          'the jump). The HLC never goes back: stamp writes with hlcTick, not ctx.now()',
      );
    });
  });
});

describe('State-based CRDT (README: "Part two"; Shapiro et al. 2011, §2.2: merge is commutative, associative, idempotent)', () => {
  test('every message delivered twice and out of order: each add is still counted once', async () => {
    await simulate(
      {
        seed: 24,
        nodes: cluster(3, createPnCounterNode),
        network: { delayMs: { min: 1, max: 150 }, duplicateRate: 1 },
      },
      async (sim) => {
        counterWorkloads(sim, 3_000, false);
        // Each replica's read is checked first: a replica that counts a copy twice reads too much.
        const reads = await readEveryNodeAt(sim, 3_000 + CLIENT_TIMEOUT_MS + 2 * SETTLE_MS);
        assertFinalReadsInBounds(sim, counterReads(reads));
        assertConverged(reads, 'counter', `${CLIENT_TIMEOUT_MS + 2 * SETTLE_MS} ms after the last add`);
      },
    );
  });

  test('the replicas gossip a state of bounded size: at most one entry pair per replica, whatever the number of adds', async () => {
    await simulate({ seed: 25, nodes: cluster(3, createPnCounterNode), network: NETWORK }, async (sim) => {
      counterWorkloads(sim, 3_000);
      await sim.run({ untilMs: 3_500 });
      const adds = sim.history<{ f: string }>().filter((operation) => operation.input.f === 'add').length;
      const { byType, messagesSent } = sim.stats();
      const clientTypes = ['add', 'add_ok', 'read', 'read_ok'];
      const gossip = messagesSent - clientTypes.reduce((sum, type) => sum + (byType[type]?.messages ?? 0), 0);
      const bound = 2 * (3_500 / GOSSIP_INTERVAL_MS + 1) * 3;
      console.log(`4.2 PN-counter, 3 nodes, ${adds} adds in 3 s: ${gossip} replica messages (bound ${bound})`);
      check(
        gossip <= bound,
        `the replicas sent ${gossip} messages for ${adds} adds in 3.5 s: a state-based CRDT sends its state to each ` +
          `other replica once every ${GOSSIP_INTERVAL_MS} ms (${bound} messages at most), not a message per add`,
      );
    });
  });
});

// ───────────────────────────── 4. sweeps ─────────────────────────────

const HEAL_AT_MS = 5_000;
/**
 * The recovery bound (README): by this long after the heal, every replica reads the same value. The
 * slowest message of the faulty phase arrives within 10 gossip intervals (1 s) of its send.
 */
const CONVERGED_WITHIN_MS = 1_500;

const SWARM = {
  timeoutMs: GOSSIP_INTERVAL_MS,
  clusterSizes: { min: 3, max: 5 },
  kinds: ['partition', 'isolate', 'cut', 'crash', 'network', 'targeted-crash', 'pause', 'clock'] as const,
  maxPartitionMs: 4_000,
};

/** One store the sweeps run: its nodes, its clients' workload, and what its converged value must satisfy. */
interface SweptStore {
  readonly name: 'register' | 'counter';
  readonly factory: NodeFactory;
  readonly workloads: (sim: Simulation, untilMs: number) => void;
  readonly checkFinal: (sim: Simulation, reads: readonly NodeRead[]) => void;
}

const SWEPT: readonly SweptStore[] = [
  {
    name: 'register',
    factory: createLwwRegisterNode as NodeFactory,
    workloads: registerWorkloads,
    checkFinal: (sim, reads) => {
      const final = reads[0]!.value;
      check(
        final === null || writesOf(sim).some((write) => write.element === final),
        `every replica reads ${JSON.stringify(final)} after the heal, a value no client wrote`,
      );
    },
  },
  {
    name: 'counter',
    factory: createPnCounterNode as NodeFactory,
    workloads: (sim, untilMs) => counterWorkloads(sim, untilMs),
    checkFinal: (sim, reads) => void assertFinalReadsInBounds(sim, counterReads(reads)),
  },
];

const TITLES: Readonly<Record<SweptStore['name'], string>> = {
  register: `the LWW register converges within ${CONVERGED_WITHIN_MS} ms of the heal, on a value a client wrote`,
  counter: `the PN-counter converges within ${CONVERGED_WITHIN_MS} ms of the heal, on a value within what the adds could have made it`,
};

describe('sweeps', () => {
  for (const store of SWEPT) {
    test(`${TITLES[store.name]} (${sweepSeedCount(40)} swarm seeds, 3 to 5 nodes)`, async () => {
      await forEachSwarmSeed(
        {
          count: 40,
          swarm: SWARM,
          nodes: (size) => Object.keys(cluster(size!, store.factory)),
          healAtMs: HEAL_AT_MS,
        },
        async (seed, world) => {
          await simulate(
            { seed, nodes: cluster(world.nodes, store.factory), faults: world.faults, details: world.details },
            async (sim) => {
              store.workloads(sim, HEAL_AT_MS);
              const reads = await expectConverged(sim, store.name, world.healAtMs, CONVERGED_WITHIN_MS);
              store.checkFinal(sim, reads);
            },
          );
        },
      );
    });
  }
});
