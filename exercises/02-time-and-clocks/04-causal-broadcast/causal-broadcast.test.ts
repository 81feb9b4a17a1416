/**
 * Tests for exercise 2.4: causal broadcast. See README.md for what each group checks.
 *
 * What each node's application received is read from the trace (the `deliver <id> from <node>` lines
 * that `deliverToApplication` writes); when each message was broadcast is the moment its node first
 * handled the client's `broadcast` command. The delivery checkers of `harness/check/delivery` judge them.
 */
import { describe, expect, it } from 'vitest';
import type { NodeId } from '#harness';
import {
  assertCausalOrder,
  assertExactlyOnce,
  type BroadcastEvent,
  causalDependencies,
  type DeliveryRecord,
  type SentRecord,
} from '#harness/check';
import {
  cluster,
  deriveSeed,
  describeSchedule,
  forEachSeed,
  type NetworkSettingsInput,
  randomFaultSchedule,
  Rng,
  scenario,
  simulate,
  type Simulation,
  sweepSeedCount,
} from '#harness/testing';
import { createCausalBroadcastNode } from './causal-broadcast.ts';
import type { BroadcastCommand } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/**
 * "Ask `node` to broadcast `id`": at `atMs`, or as soon as node `after.node` has delivered message
 * `after.id` (to script an answer that follows its question).
 */
interface Command {
  readonly node: NodeId;
  readonly id: string;
  readonly atMs?: number;
  readonly after?: { readonly node: NodeId; readonly id: string };
  /** Change the network to this just before sending the command (stories use it to make effects overtake causes). */
  readonly network?: NetworkSettingsInput;
}

/** The application's view, read from the trace as the run goes. */
class Observer {
  readonly #sim: Simulation;
  #seen = 0;
  /** Every originate and deliver step, in trace order (each node's steps in its own order). */
  readonly events: BroadcastEvent[] = [];
  readonly sent: SentRecord[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  readonly #delivered = new Set<string>();
  /** Trace message id of each client command → the broadcast id it carries. */
  readonly #commandIds = new Map<number, string>();
  readonly #originated = new Set<string>();

  constructor(sim: Simulation) {
    this.#sim = sim;
  }

  /** Reads the trace events added since the last call. */
  update(): void {
    const trace = this.#sim.trace;
    const servers = new Set(this.#sim.nodeIds);
    for (; this.#seen < trace.length; this.#seen++) {
      const event = trace[this.#seen]!;
      if (event.kind === 'send' && event.type === 'broadcast' && !servers.has(event.from)) {
        this.#commandIds.set(event.id, String((event.message as BroadcastCommand).id));
      }
      if (event.kind === 'deliver' && event.type === 'broadcast' && servers.has(event.to) && !servers.has(event.from)) {
        const id = this.#commandIds.get(event.id);
        if (id !== undefined && !this.#originated.has(id)) {
          this.#originated.add(id);
          this.sent.push({ node: event.to, messageId: id, atMs: event.t });
          this.events.push({ node: event.to, kind: 'send', messageId: id, atMs: event.t });
        }
      }
      if (event.kind === 'log') {
        const match = /^deliver (\S+) from (\S+)$/.exec(event.text);
        if (match === null) continue;
        const [, messageId, from] = match as unknown as [string, string, string];
        this.deliveries.push({ node: event.node, messageId, from, atMs: event.t });
        this.events.push({ node: event.node, kind: 'deliver', messageId, atMs: event.t });
        this.#delivered.add(`${event.node} ${messageId}`);
      }
    }
  }

  hasDelivered(node: NodeId, id: string): boolean {
    this.update();
    return this.#delivered.has(`${node} ${id}`);
  }
}

/**
 * Client c1 sends the commands in order: each at its time, or once the delivery it waits for has happened
 * (checked every `pollMs`, for at most 2 s). It never receives anything, so it adds no causal paths.
 */
function sendCommands(sim: Simulation, observer: Observer, commands: readonly Command[], pollMs = 5): void {
  sim.client('c1', async (c) => {
    for (const { node, id, atMs, after, network } of commands) {
      if (after !== undefined) {
        for (let waitedMs = 0; waitedMs < 2_000 && !observer.hasDelivered(after.node, after.id); waitedMs += pollMs)
          await c.sleep(pollMs);
      } else {
        await c.sleep(Math.max(0, (atMs ?? 0) - c.now()));
      }
      if (network !== undefined) sim.setNetwork(network);
      const command: BroadcastCommand = { type: 'broadcast', id, text: `text of ${id}` };
      c.send(node, command);
    }
  });
}

/** Runs until the client is done and the network has had time to deliver everything. */
async function runToQuiet(sim: Simulation, observer: Observer, quietMs = 2_000): Promise<void> {
  const done = await sim.runUntilClientsDone({ timeoutMs: 20_000 });
  if (!done) throw new Error('the client did not finish sending its commands within 20 s of virtual time');
  await sim.run({ untilMs: sim.nowMs + quietMs });
  observer.update();
}

/** Causal order on everything delivered so far (a safety property: no healing needed). */
function assertCausal(observer: Observer): void {
  observer.update();
  assertCausalOrder({
    deliveries: observer.deliveries,
    sent: observer.sent,
    happenedBefore: causalDependencies(observer.events),
  });
}

/** Every broadcast delivered exactly once at every node, the sender included, nothing invented. */
function assertAllDeliveredOnce(sim: Simulation, observer: Observer): void {
  observer.update();
  assertExactlyOnce({ sent: observer.sent, delivered: observer.deliveries, expectedReceivers: sim.nodeIds });
}

/**
 * A story about holding back is only a story if the network really brought some message before one of
 * its causes. This checks that it did (a copy's arrival, not its delivery).
 */
function assertSomethingArrivedEarly(sim: Simulation, observer: Observer): void {
  const causes = causalDependencies(observer.events);
  const arrivedAt = new Map<string, number>(); // `${node} ${id}` → trace index of first arrival
  const idOf = new Map<number, string>();
  sim.trace.forEach((event, index) => {
    if (event.kind === 'send') idOf.set(event.id, String((event.message as { id?: unknown }).id));
    if (event.kind === 'deliver' && sim.nodeIds.includes(event.from) && sim.nodeIds.includes(event.to)) {
      const key = `${event.to} ${idOf.get(event.id)}`;
      if (!arrivedAt.has(key)) arrivedAt.set(key, index);
    }
  });
  for (const [key, index] of arrivedAt) {
    const [node, id] = key.split(' ') as [string, string];
    for (const cause of causes.get(id) ?? []) {
      const causeArrival = arrivedAt.get(`${node} ${cause}`);
      if (causeArrival !== undefined && causeArrival > index) return;
    }
  }
  throw new Error(
    '(test set-up) in this run the network never brought a message before one of its causes, so the story does not test holding back; please report it',
  );
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  // Causes travel on a slow network (100–500 ms), and the network turns fast (1–5 ms) before their effects
  // are sent: so effects often reach a node before their causes, whatever order the copies are sent in.
  const SLOW: NetworkSettingsInput = { delayMs: { min: 100, max: 500 } };
  const FAST: NetworkSettingsInput = { delayMs: { min: 1, max: 5 } };

  it('n1 posts twice; its second post overtakes the first on the way to other nodes; nobody delivers them out of order', async () => {
    const commands: Command[] = [];
    for (let round = 1; round <= 4; round++) {
      commands.push({ node: 'n1', id: `first-${round}`, atMs: (round - 1) * 1_500, network: SLOW });
      commands.push({ node: 'n1', id: `second-${round}`, after: { node: 'n1', id: `first-${round}` }, network: FAST });
    }
    await simulate({ seed: 1, nodes: cluster(4, createCausalBroadcastNode) }, async (sim) => {
      const observer = new Observer(sim);
      sendCommands(sim, observer, commands, 1);
      await runToQuiet(sim, observer);
      assertCausal(observer);
      assertAllDeliveredOnce(sim, observer);
      assertSomethingArrivedEarly(sim, observer);
    });
  });

  it('n1 asks, n2 answers as soon as it reads the question; n3 and n4 hear the answer first and hold it back', async () => {
    const commands: Command[] = [];
    for (let round = 1; round <= 4; round++) {
      commands.push({ node: 'n1', id: `question-${round}`, atMs: (round - 1) * 1_500, network: SLOW });
      commands.push({
        node: 'n2',
        id: `answer-${round}`,
        after: { node: 'n2', id: `question-${round}` },
        network: FAST,
      });
    }
    await simulate({ seed: 2, nodes: cluster(4, createCausalBroadcastNode) }, async (sim) => {
      const observer = new Observer(sim);
      sendCommands(sim, observer, commands, 1);
      await runToQuiet(sim, observer);
      assertCausal(observer);
      assertAllDeliveredOnce(sim, observer);
      assertSomethingArrivedEarly(sim, observer);
    });
  });

  it('a thread: n1 posts, n2 replies, n3 replies to the reply; a node that gets the last reply first waits for the whole thread', async () => {
    const commands: Command[] = [
      { node: 'n1', id: 'post', atMs: 0, network: SLOW },
      { node: 'n2', id: 'reply', after: { node: 'n2', id: 'post' }, network: FAST },
      { node: 'n3', id: 'reply-to-reply', after: { node: 'n3', id: 'reply' } },
    ];
    await simulate({ seed: 3, nodes: cluster(4, createCausalBroadcastNode) }, async (sim) => {
      const observer = new Observer(sim);
      sendCommands(sim, observer, commands, 1);
      await runToQuiet(sim, observer);
      assertCausal(observer);
      assertAllDeliveredOnce(sim, observer);
    });
  });
});

// ───────────────────────────── 2. spec ─────────────────────────────

describe('Your own messages', () => {
  it('a node delivers its own message at once, when it broadcasts it', async () => {
    const commands: Command[] = [
      { node: 'n1', id: 'mine', atMs: 0 },
      { node: 'n2', id: 'theirs', atMs: 50 },
    ];
    await simulate({ seed: 11, nodes: cluster(3, createCausalBroadcastNode) }, async (sim) => {
      const observer = new Observer(sim);
      sendCommands(sim, observer, commands);
      await runToQuiet(sim, observer);
      for (const sent of observer.sent) {
        const own = observer.deliveries.find((d) => d.node === sent.node && d.messageId === sent.messageId);
        expect(
          own?.atMs,
          `${sent.node} broadcast ${sent.messageId} at t=${sent.atMs} ms but ${own === undefined ? 'never delivered it' : `delivered it only at t=${own.atMs} ms`}: ` +
            'a node delivers its own message at once, when it broadcasts it',
        ).toBe(sent.atMs);
      }
      assertAllDeliveredOnce(sim, observer);
    });
  });
});

describe('Exactly once', () => {
  it('a network that delivers every copy twice: each message is delivered once at every node', async () => {
    const commands: Command[] = ['n1', 'n2', 'n3', 'n1', 'n2'].map((node, i) => ({
      node,
      id: `m${i + 1}`,
      atMs: i * 30,
    }));
    await simulate(
      {
        seed: 21,
        nodes: cluster(3, createCausalBroadcastNode),
        network: { duplicateRate: 1, delayMs: { min: 1, max: 100 } },
      },
      async (sim) => {
        const observer = new Observer(sim);
        sendCommands(sim, observer, commands);
        await runToQuiet(sim, observer);
        assertCausal(observer);
        assertAllDeliveredOnce(sim, observer);
      },
    );
  });

  it('the same broadcast command arrives twice: the message is broadcast once', async () => {
    const commands: Command[] = [
      { node: 'n1', id: 'twice', atMs: 0 },
      { node: 'n1', id: 'twice', atMs: 40 },
      { node: 'n2', id: 'other', atMs: 80 },
    ];
    await simulate({ seed: 22, nodes: cluster(3, createCausalBroadcastNode) }, async (sim) => {
      const observer = new Observer(sim);
      sendCommands(sim, observer, commands);
      await runToQuiet(sim, observer);
      assertAllDeliveredOnce(sim, observer);
    });
  });
});

describe('Concurrent messages', () => {
  it('four nodes broadcast before hearing from anyone: the messages are concurrent, nobody waits for another, all are delivered', async () => {
    const commands: Command[] = ['n1', 'n2', 'n3', 'n4'].map((node) => ({ node, id: `from-${node}`, atMs: 0 }));
    // The commands arrive within 5 ms; from t=1 ms on, copies take 100–300 ms: no node hears from another before it broadcasts.
    const faults = scenario()
      .at(1)
      .network({ delayMs: { min: 100, max: 300 } })
      .build();
    await simulate(
      { seed: 31, nodes: cluster(4, createCausalBroadcastNode), network: { delayMs: { min: 1, max: 5 } }, faults },
      async (sim) => {
        const observer = new Observer(sim);
        sendCommands(sim, observer, commands);
        await runToQuiet(sim, observer);
        assertCausal(observer);
        assertAllDeliveredOnce(sim, observer);
      },
    );
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('sweeps', () => {
  const HEAL_AT_MS = 1_500;

  /**
   * 3–5 nodes, 10–20 broadcasts spread over the faulty phase, about a third of them answers (sent as soon
   * as their node has delivered an earlier broadcast): all drawn from the seed.
   */
  function workload(seed: number): { nodes: NodeId[]; commands: Command[]; network: NetworkSettingsInput } {
    const rng = new Rng(deriveSeed(seed, 'workload'));
    const nodes = Array.from({ length: rng.int(3, 5) }, (_, i) => `n${i + 1}`);
    const commands: Command[] = [];
    const count = rng.int(10, 20);
    let atMs = 0;
    for (let i = 1; i <= count; i++) {
      const node = nodes[rng.int(0, nodes.length - 1)]!;
      const earlier = commands.length === 0 ? undefined : commands[rng.int(0, commands.length - 1)]!;
      atMs += rng.int(0, Math.floor(HEAL_AT_MS / count));
      commands.push(
        earlier !== undefined && rng.chance(1 / 3)
          ? { node, id: `m${i}`, after: { node, id: earlier.id } }
          : { node, id: `m${i}`, atMs },
      );
    }
    return {
      nodes,
      commands,
      network: { delayMs: { min: 1, max: rng.int(10, 300) }, duplicateRate: rng.int(0, 3) / 10 },
    };
  }

  function describeCommands(commands: readonly Command[]): string {
    return commands
      .map((c) =>
        c.after === undefined
          ? `t=${c.atMs}ms ${c.node} broadcasts ${c.id}`
          : `${c.node} broadcasts ${c.id} once it has delivered ${c.after.id}`,
      )
      .join('\n');
  }

  it(`${sweepSeedCount(150)} seeds of broadcasts over networks that reorder, delay and duplicate: causal order, and exactly once everywhere once it is calm`, async () => {
    await forEachSeed({ count: 150 }, async (seed) => {
      const { nodes, commands, network } = workload(seed);
      const faults = randomFaultSchedule(seed, {
        nodes,
        healAtMs: HEAL_AT_MS,
        kinds: ['network'],
        maxDropRate: 0,
        maxDuplicateRate: 0.5,
        maxDelayMs: 300,
      });
      const details = {
        workload: describeCommands(commands),
        network: JSON.stringify(network),
        'fault schedule': describeSchedule(faults),
      };
      await simulate(
        { seed, nodes: cluster(nodes, createCausalBroadcastNode), network, faults, details },
        async (sim) => {
          const observer = new Observer(sim);
          sendCommands(sim, observer, commands);
          await runToQuiet(sim, observer);
          assertCausal(observer);
          assertAllDeliveredOnce(sim, observer);
        },
      );
    });
  });
});
