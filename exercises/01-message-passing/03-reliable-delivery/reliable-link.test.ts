import { describe, it } from 'vitest';
import type { ClientContext, NodeId } from '#harness';
import { assertExactlyOnce, type DeliveryRecord, type SentRecord } from '#harness/check';
import {
  cluster,
  describeSchedule,
  expectRecovered,
  forEachSwarmSeed,
  type NetworkSettingsInput,
  scenario,
  simulate,
  type Simulation,
  sweepSeedCount,
  check,
  checkEqual,
} from '#harness/testing';
import { INBOX_KEY, type DeliveredEntry, type Inbox } from './protocol.ts';
import { createReliableLinkNode } from './reliable-link.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** One `send` request a client made: to which node, for whom, and whether the node said send_ok. */
interface ClientSend {
  readonly client: NodeId;
  readonly sender: NodeId;
  readonly to: NodeId;
  readonly id: string;
  readonly atMs: number;
  /** `true` once send_ok came back; `false` while waiting or after a timeout (then the node may or may not have it). */
  accepted: boolean;
}

/**
 * Asks `sender` to deliver message `id` to `to`, noting the request in `sends` before it leaves. Tries up
 * to `attempts` times: asking again with the same id is safe, because the receiver de-duplicates by id.
 */
async function send(
  c: ClientContext,
  sends: ClientSend[],
  sender: NodeId,
  to: NodeId,
  id: string,
  {
    timeoutMs = 500,
    attempts = 1,
    payload = `payload of ${id}`,
  }: { timeoutMs?: number; attempts?: number; payload?: string } = {},
): Promise<boolean> {
  const record: ClientSend = { client: c.id, sender, to, id, atMs: c.now(), accepted: false };
  sends.push(record);
  for (let attempt = 1; attempt <= attempts && !record.accepted; attempt++) {
    const result = await c.rpc(sender, { type: 'send', to, id, payload }, { timeoutMs });
    record.accepted = result.ok;
  }
  return record.accepted;
}

/** What `node`'s application received: the log in its durable inbox. */
function applicationLog(sim: Simulation, node: NodeId): readonly DeliveredEntry[] {
  const inbox = sim.storageOf(node)[INBOX_KEY] as Inbox | undefined;
  return inbox?.delivered ?? [];
}

/** What each node's application received, read from its durable inbox. */
function deliveries(sim: Simulation): DeliveryRecord[] {
  return sim.nodeIds.flatMap((node) =>
    applicationLog(sim, node).map((entry) => ({ node, messageId: entry.id, from: entry.from, atMs: entry.atMs })),
  );
}

/**
 * The exactly-once check: no message delivered twice, none invented, and every message a node
 * accepted (send_ok) delivered to its receiver. A send that timed out may or may not have reached its
 * node, so it may be delivered (once) or not at all.
 */
function assertDeliveredExactlyOnce(sim: Simulation, sends: readonly ClientSend[], healedAtMs?: number): void {
  const sent: SentRecord[] = sends.map((s) => ({ node: s.sender, messageId: s.id, atMs: s.atMs }));
  const receiverOf = new Map(sends.filter((s) => s.accepted).map((s) => [s.id, s.to]));
  assertExactlyOnce({
    sent,
    delivered: deliveries(sim),
    expectedReceivers: (messageId) => (receiverOf.has(messageId) ? [receiverOf.get(messageId)!] : []),
    healedAtMs,
  });
}

/** Runs `check`; if it throws, adds what `explain` says about its message (the scenario's likely cause). */
function withLikelyCause(check: () => void, explain: (problem: string) => string): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw new Error(`${error.message}\n${explain(error.message)}`, { cause: error });
  }
}

function assertAllAccepted(sends: readonly ClientSend[]): void {
  for (const s of sends) {
    check(
      s.accepted,
      `${s.client} asked ${s.sender} to send ${s.id} to ${s.to} at t=${s.atMs} ms and got no send_ok: ` +
        `${s.sender} must answer send_ok as soon as the message is safe in its storage`,
    );
  }
}

/** Messages of the link itself (data, acks, retransmissions): everything but the clients' requests and their answers. */
function linkMessages(sim: Simulation): number {
  const { messagesSent, byType } = sim.stats();
  return messagesSent - (byType['send']?.messages ?? 0) - (byType['send_ok']?.messages ?? 0);
}

/** The recovery bound (see README): every message accepted for sending is delivered within this long after the heal. */
const DELIVERED_WITHIN_MS = 2_000;

/** Checks the recovery bound: once the faults healed at `healedAtMs`, every accepted message arrives within it. */
async function expectAllDeliveredAfterHeal(
  sim: Simulation,
  sends: readonly ClientSend[],
  healedAtMs: number,
): Promise<void> {
  await expectRecovered(sim, {
    what: 'every message accepted for sending (send_ok) delivered to its receiver',
    healedAtMs,
    withinMs: DELIVERED_WITHIN_MS,
    holds: () =>
      sim.clientsDone && sends.every((s) => !s.accepted || applicationLog(sim, s.to).some((e) => e.id === s.id)),
    explain: () => whyNotDelivered(sim, sends),
  });
}

/** When `sender` put copies of message `id` on the wire (any link message that names the id), in order. */
function copyTimesMs(sim: Simulation, sender: NodeId, id: string): number[] {
  return sim.trace.flatMap((event) =>
    event.kind === 'send' &&
    event.from === sender &&
    event.type !== 'send_ok' &&
    event.type !== 'send' &&
    (event.message as { id?: unknown }).id === id
      ? [event.t]
      : [],
  );
}

/** Why not every accepted message has been delivered: which are missing, and when each was last sent. */
function whyNotDelivered(sim: Simulation, sends: readonly ClientSend[]): string {
  const missing = sends.filter((s) => s.accepted && !applicationLog(sim, s.to).some((e) => e.id === s.id));
  if (missing.length === 0) return 'every accepted message was delivered, but the clients were still sending';
  const neverSent = missing.filter((s) => copyTimesMs(sim, s.sender, s.id).length === 0);
  const lines = missing.slice(0, 4).map((s) => {
    const copies = copyTimesMs(sim, s.sender, s.id);
    const sent =
      copies.length === 0
        ? `${s.sender} never sent a copy`
        : `${s.sender} sent its last copies at t=${copies.slice(-3).join(', ')} ms, the last ${sim.nowMs - copies.at(-1)!} ms ago`;
    return `no-loss: ${s.id} from ${s.sender} to ${s.to} (accepted; the client asked at t=${s.atMs} ms) is still missing: ${sent}`;
  });
  if (missing.length > 4) lines.push(`… and ${missing.length - 4} more`);
  const advice =
    neverSent.length > 0
      ? `${neverSent[0]!.sender} answered send_ok for ${neverSent[0]!.id} and never sent it: it forgot a message it had ` +
        'promised. Did it crash between its send_ok and saving the message? Save the message in storage before you ' +
        'answer send_ok.'
      : 'Once the network heals, a message still in the outbox must get through within one retransmission interval: ' +
        'back off after each retransmission, but cap the wait (say 800 ms), or a long partition leaves it waiting for seconds.';
  return `${lines.join('\n  ')}\n  ${advice}`;
}

const NODES = ['n1', 'n2', 'n3'];

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  it('the first copy of a message is lost; a retransmission gets it to n2, once', async () => {
    // The link n1 → n2 is cut for 300 ms: every copy sent before then is lost.
    const faults = scenario().at(0).cut('n1', 'n2').at(300).heal().build();
    await simulate({ seed: 1, nodes: cluster(['n1', 'n2'], createReliableLinkNode), faults }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => void (await send(c, sends, 'n1', 'n2', 'm1')));
      await sim.run({ untilMs: 3_000 });
      assertAllAccepted(sends);
      assertDeliveredExactlyOnce(sim, sends, 300);
    });
  });

  it('the network delivers every message twice; n2 hands each to the application once', async () => {
    await simulate(
      { seed: 2, nodes: cluster(['n1', 'n2'], createReliableLinkNode), network: { duplicateRate: 1 } },
      async (sim) => {
        const sends: ClientSend[] = [];
        sim.client('c1', async (c) => {
          for (const id of ['m1', 'm2', 'm3']) await send(c, sends, 'n1', 'n2', id);
        });
        await sim.run({ untilMs: 3_000 });
        assertAllAccepted(sends);
        assertDeliveredExactlyOnce(sim, sends);
      },
    );
  });

  it('messages overtake each other and some are lost; each still arrives once', async () => {
    // Delays from 1 to 150 ms: a message sent later often arrives first.
    const network: NetworkSettingsInput = { delayMs: { min: 1, max: 150 }, dropRate: 0.3 };
    const faults = scenario()
      .at(2_000)
      .network({ dropRate: 0, delayMs: { min: 1, max: 10 } })
      .build();
    await simulate({ seed: 3, nodes: cluster(['n1', 'n2'], createReliableLinkNode), network, faults }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => {
        for (let i = 1; i <= 6; i++) await send(c, sends, 'n1', 'n2', `m${i}`, { timeoutMs: 300, attempts: 10 });
      });
      await sim.run({ untilMs: 8_000 });
      assertAllAccepted(sends);
      assertDeliveredExactlyOnce(sim, sends, 2_000);
    });
  });

  it('n2 crashes after delivering m1 but before its ack gets through; the retransmission is not delivered again', async () => {
    // n2's acks to n1 are lost until t=400. n2 delivers m1 at once, crashes at t=50 and is back at t=200.
    const faults = scenario().at(0).cut('n2', 'n1').at(50).crash('n2').at(200).restart('n2').at(400).heal().build();
    await simulate({ seed: 4, nodes: cluster(['n1', 'n2'], createReliableLinkNode), faults }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => void (await send(c, sends, 'n1', 'n2', 'm1')));
      await sim.run({ untilMs: 3_000 });
      assertAllAccepted(sends);
      assertDeliveredExactlyOnce(sim, sends, 400);
    });
  });

  it('n2 crashes in the middle of handling m1, right after its first effect; after the restart m1 is neither lost nor delivered twice', async () => {
    // At t=1 (after n2's start, before any copy can arrive) a crash is armed: n2 dies during its next
    // step, the first copy of m1, after one effect.
    // A receiver that saves the delivery and its dedup mark in one write, before acking, dies with m1
    // safely delivered and unacked: the retransmission is recognised and acked.
    const faults = scenario().at(1).crash('n2', { afterEffects: 1 }).at(50).restart('n2').build();
    await simulate(
      {
        seed: 6,
        nodes: cluster(['n1', 'n2'], createReliableLinkNode),
        faults,
        details: { faults: describeSchedule(faults) },
      },
      async (sim) => {
        const sends: ClientSend[] = [];
        sim.client('c1', async (c) => void (await send(c, sends, 'n1', 'n2', 'm1')));
        await sim.run({ untilMs: 3_000 });
        assertAllAccepted(sends);
        withLikelyCause(
          () => assertDeliveredExactlyOnce(sim, sends, 50),
          (problem) => {
            const crash =
              'n2 crashed in the middle of handling the first copy of m1, right after its first effect (a send or a ' +
              'storage write): what it did before that point happened, nothing after did.';
            if (problem.startsWith('exactly-once')) {
              return (
                `${crash} After the restart it did not recognise the retransmission. Is the record that m1 was seen ` +
                'saved in storage, in the same ctx.storage.set as the delivery itself?'
              );
            }
            if (problem.startsWith('no-loss')) {
              return (
                `${crash} Did its ack leave before m1 was saved (an ack makes n1 forget m1), or was m1 marked as seen ` +
                'in a write of its own, before the delivery? Save the delivery and its mark in one write, then ack.'
              );
            }
            return crash;
          },
        );
      },
    );
  });

  it('n1 crashes in the middle of handling a send request, right after its first effect; m1 is not lost', async () => {
    // At t=1 a crash is armed: n1 dies during its next step, c1's send request, after one effect.
    // A sender that saves the message before it answers send_ok dies with m1 saved but not promised:
    // c1 asks again, and n1, restarted, answers and retransmits from its storage.
    const faults = scenario().at(1).crash('n1', { afterEffects: 1 }).at(50).restart('n1').build();
    await simulate(
      {
        seed: 7,
        nodes: cluster(['n1', 'n2'], createReliableLinkNode),
        faults,
        details: { faults: describeSchedule(faults) },
      },
      async (sim) => {
        const sends: ClientSend[] = [];
        sim.client('c1', async (c) => void (await send(c, sends, 'n1', 'n2', 'm1', { timeoutMs: 300, attempts: 3 })));
        await sim.run({ untilMs: 3_000 });
        assertAllAccepted(sends);
        withLikelyCause(
          () => assertDeliveredExactlyOnce(sim, sends, 50),
          (problem) =>
            problem.startsWith('no-loss')
              ? 'n1 crashed in the middle of handling the send request for m1, right after its first effect: what it ' +
                'did before that point happened, nothing after did. Did its send_ok leave before m1 was saved? Then ' +
                'c1 was promised a message n1 had forgotten. Save the message first, then answer send_ok.'
              : 'n1 crashed in the middle of handling the send request for m1, right after its first effect.',
        );
      },
    );
  });

  it('n1 crashes after promising m1 (send_ok) but before n2 has it; after its restart m1 still arrives', async () => {
    const faults = scenario().at(0).cut('n1', 'n2').at(50).crash('n1').at(200).restart('n1').heal().build();
    await simulate({ seed: 5, nodes: cluster(['n1', 'n2'], createReliableLinkNode), faults }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => void (await send(c, sends, 'n1', 'n2', 'm1')));
      await sim.run({ untilMs: 3_000 });
      assertAllAccepted(sends);
      assertDeliveredExactlyOnce(sim, sends, 200);
    });
  });
});

// ───────────────────────────── 2. spec ─────────────────────────────

describe('The send request', () => {
  it('n2 hands the message to its application with its sender, id and payload', async () => {
    await simulate({ seed: 11, nodes: cluster(['n1', 'n2'], createReliableLinkNode) }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => void (await send(c, sends, 'n1', 'n2', 'hello-1')));
      await sim.run({ untilMs: 1_000 });
      assertAllAccepted(sends);
      const log = applicationLog(sim, 'n2');
      const entry = log.find((e) => e.id === 'hello-1');
      checkEqual(
        entry === undefined ? undefined : { from: entry.from, id: entry.id, payload: entry.payload },
        { from: 'n1', id: 'hello-1', payload: 'payload of hello-1' },
        `n2's application log (\`delivered\` in storage key "${INBOX_KEY}") should hold message hello-1 from n1 with its payload; it holds ${JSON.stringify(log)}`,
      );
    });
  });

  it('n1 answers send_ok while n2 is still unreachable: it promises delivery, it does not wait for it', async () => {
    const faults = scenario().at(0).cut('n1', 'n2').at(1_000).heal().build();
    await simulate({ seed: 12, nodes: cluster(['n1', 'n2'], createReliableLinkNode), faults }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => void (await send(c, sends, 'n1', 'n2', 'm1', { timeoutMs: 300 })));
      await sim.run({ untilMs: 3_000 });
      assertAllAccepted(sends);
      assertDeliveredExactlyOnce(sim, sends, 1_000);
    });
  });
});

describe('Retransmission', () => {
  it('keeps retransmitting through a 3-second partition, then delivers everything', async () => {
    const faults = scenario().at(0).partition(['n1'], ['n2']).at(3_000).heal().build();
    await simulate({ seed: 21, nodes: cluster(['n1', 'n2'], createReliableLinkNode), faults }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => {
        for (let i = 1; i <= 4; i++) await send(c, sends, 'n1', 'n2', `m${i}`);
      });
      await sim.run({ untilMs: 8_000 });
      assertAllAccepted(sends);
      assertDeliveredExactlyOnce(sim, sends, 3_000);
    });
  });
  it(`a 20-second partition heals, and every message the sender accepted arrives within ${DELIVERED_WITHIN_MS} ms (the recovery bound)`, async () => {
    // A back-off that doubles without a cap would wait seconds for its next copy after a long outage.
    const faults = scenario().at(0).partition(['n1'], ['n2']).at(20_000).heal().build();
    await simulate({ seed: 22, nodes: cluster(['n1', 'n2'], createReliableLinkNode), faults }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => {
        for (let i = 1; i <= 3; i++) await send(c, sends, 'n1', 'n2', `m${i}`);
      });
      await expectAllDeliveredAfterHeal(sim, sends, 20_000);
      assertAllAccepted(sends);
      await sim.run({ untilMs: sim.nowMs + 1_000 });
      assertDeliveredExactlyOnce(sim, sends, 20_000);
    });
  });
});

describe('De-duplication', () => {
  it('n2 receives from two senders, over a network that duplicates, and delivers each message once', async () => {
    await simulate(
      {
        seed: 31,
        nodes: cluster(NODES, createReliableLinkNode),
        network: { duplicateRate: 0.5, delayMs: { min: 1, max: 60 } },
      },
      async (sim) => {
        const sends: ClientSend[] = [];
        sim.client('c1', async (c) => {
          for (let i = 1; i <= 4; i++) await send(c, sends, 'n1', 'n2', `c1-${i}`);
        });
        sim.client('c3', async (c) => {
          for (let i = 1; i <= 4; i++) await send(c, sends, 'n3', 'n2', `c3-${i}`);
        });
        await sim.run({ untilMs: 4_000 });
        assertAllAccepted(sends);
        assertDeliveredExactlyOnce(sim, sends);
      },
    );
  });
});

describe('Acknowledgements', () => {
  it('the link goes quiet once every message is acknowledged, even when the first ack was lost', async () => {
    // n2's first ack is lost (the link n2 → n1 is cut until t=300); the retransmission is a duplicate for n2.
    const faults = scenario().at(0).cut('n2', 'n1').at(300).heal().build();
    await simulate({ seed: 41, nodes: cluster(['n1', 'n2'], createReliableLinkNode), faults }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => void (await send(c, sends, 'n1', 'n2', 'm1')));
      await sim.run({ untilMs: 3_000 });
      assertDeliveredExactlyOnce(sim, sends, 300);
      const before = sim.stats().bySender['n1']?.messages ?? 0;
      await sim.run({ untilMs: 6_000 });
      const after = sim.stats().bySender['n1']?.messages ?? 0;
      checkEqual(
        after - before,
        0,
        `n1 is still retransmitting: it sent ${after - before} messages between t=3000 ms and t=6000 ms, long after n2 ` +
          'delivered m1. Does n2 acknowledge every copy it receives, duplicates included? Does n1 stop once acked?',
      );
    });
  });
});

describe('Efficiency', () => {
  it('on a network that loses nothing, the link sends about one data message and one ack per message', async () => {
    await simulate({ seed: 51, nodes: cluster(NODES, createReliableLinkNode) }, async (sim) => {
      const sends: ClientSend[] = [];
      sim.client('c1', async (c) => {
        for (let i = 1; i <= 10; i++) await send(c, sends, 'n1', 'n2', `c1-${i}`);
      });
      sim.client('c2', async (c) => {
        for (let i = 1; i <= 10; i++) await send(c, sends, 'n2', 'n3', `c2-${i}`);
      });
      await sim.run({ untilMs: 5_000 });
      assertAllAccepted(sends);
      assertDeliveredExactlyOnce(sim, sends);
      const used = linkMessages(sim);
      const budget = 2 * sends.length;
      check(
        used <= budget,
        `retransmission storm: the nodes sent ${used} link messages for ${sends.length} messages on a network that lost ` +
          `nothing and delivered within 10 ms (at most ${budget} expected: one data message and one ack each). ` +
          'Wait longer than a round trip before the first retransmission, and back off after each.',
      );
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('sweeps', () => {
  /** Faults strike until then; then everything heals and crashed nodes restart. */
  const HEAL_AT_MS = 5_000;
  /** The first retransmission timeout the exercise suggests: the swarm's delays reach 10 times past it. */
  const RETRANSMIT_TIMEOUT_MS = 100;
  /** Payloads repeat, within one client and across clients: the same payload sent twice is delivered twice. */
  const PAYLOADS = ['hello', 'hello', 'ping', 'hello'];

  /** Who sends through whom: client, sending node, receiving node, for a cluster of `nodes`. */
  function routes(nodes: readonly NodeId[]): Array<readonly [NodeId, NodeId, NodeId]> {
    return ['c1', 'c2', 'c3'].map((client, i) => [client, nodes[i % nodes.length]!, nodes[(i + 1) % nodes.length]!]);
  }

  it(`${sweepSeedCount(100)} seeds of swarm worlds (2–7 nodes, drops, duplicates, long delays, partitions, crashes): exactly once, everything delivered within ${DELIVERED_WITHIN_MS} ms of the heal`, async () => {
    await forEachSwarmSeed(
      {
        count: 100,
        swarm: { timeoutMs: RETRANSMIT_TIMEOUT_MS, clusterSizes: { min: 2, max: 7 } },
        nodes: (size) => Object.keys(cluster(size!, createReliableLinkNode)),
        healAtMs: HEAL_AT_MS,
      },
      async (seed, world) => {
        const options = { seed, nodes: cluster(world.nodes, createReliableLinkNode), faults: world.faults };
        await simulate({ ...options, details: world.details }, async (sim) => {
          const sends: ClientSend[] = [];
          for (const [client, sender, to] of routes(world.nodes)) {
            sim.client(client, async (c) => {
              // Sends spread over the faulty phase, so they meet the faults; the last ones just before the heal.
              for (let i = 1; c.now() < HEAL_AT_MS - 500; i++) {
                await c.sleep({ min: 0, max: 600 });
                const payload = PAYLOADS[i % PAYLOADS.length]!;
                await send(c, sends, sender, to, `${client}-${i}`, { timeoutMs: 300, attempts: 2, payload });
              }
            });
          }
          await expectAllDeliveredAfterHeal(sim, sends, world.healAtMs);
          // Let late copies and duplicates arrive: they must change nothing.
          await sim.run({ untilMs: sim.nowMs + 2_000 });
          assertDeliveredExactlyOnce(sim, sends, HEAL_AT_MS);
        });
      },
    );
  });
});
