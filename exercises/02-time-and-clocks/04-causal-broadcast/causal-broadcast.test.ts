/**
 * Tests for exercise 2.4: causal broadcast. See README.md for what each group checks.
 *
 * What each node's application received is read from the trace (the `deliver <id> from <node>` lines
 * that `deliverToApplication` writes); when each message was broadcast is the moment its node first
 * handled the client's `broadcast` command. The delivery checkers of `harness/check/delivery` judge them.
 */
import { describe, it } from 'vitest';
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
  expectRecovered,
  type NetworkSettingsInput,
  Rng,
  scenario,
  simulate,
  type Simulation,
  sweepSeedCount,
  checkEqual,
} from '#harness/testing';
import { forEachLosslessSwarmSeed } from '../_test-support/lossless-swarm.ts';
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
  /** What it says. Default `text of <id>`; texts may repeat: the same text broadcast twice is two messages. */
  readonly text?: string;
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
    for (const { node, id, atMs, after, network, text } of commands) {
      if (after !== undefined) {
        for (let waitedMs = 0; waitedMs < 2_000 && !observer.hasDelivered(after.node, after.id); waitedMs += pollMs)
          await c.sleep(pollMs);
      } else {
        await c.sleep(Math.max(0, (atMs ?? 0) - c.now()));
      }
      if (network !== undefined) sim.setNetwork(network);
      const command: BroadcastCommand = { type: 'broadcast', id, text: text ?? `text of ${id}` };
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
        checkEqual(
          own?.atMs,
          sent.atMs,
          `${sent.node} broadcast ${sent.messageId} at t=${sent.atMs} ms but ${own === undefined ? 'never delivered it' : `delivered it only at t=${own.atMs} ms`}: ` +
            'a node delivers its own message at once, when it broadcasts it',
        );
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
  /** No timeout in this protocol: ordinary delays reach 150 ms, the long tail ten times 300 ms. */
  const SWARM_TIMEOUT_MS = 300;
  /** Every broadcast must be delivered everywhere within this long after the heal (see README). */
  const DELIVERED_WITHIN_MS = 4_000;
  /** Texts that come back: the same text broadcast twice is two messages, each delivered once. */
  const COMMON_TEXTS = ['+1', 'thanks!', 'same here'];

  /**
   * 10–20 broadcasts spread over the faulty phase, about a third of them answers (sent as soon as their
   * node has delivered an earlier broadcast), some with a text already used: all drawn from the seed.
   */
  function workload(seed: number, nodes: readonly NodeId[]): Command[] {
    const rng = new Rng(deriveSeed(seed, 'workload'));
    const commands: Command[] = [];
    const count = rng.int(10, 20);
    let atMs = 0;
    for (let i = 1; i <= count; i++) {
      const node = nodes[rng.int(0, nodes.length - 1)]!;
      const earlier = commands.length === 0 ? undefined : commands[rng.int(0, commands.length - 1)]!;
      atMs += rng.int(0, Math.floor(HEAL_AT_MS / count));
      const text = rng.chance(1 / 3) ? { text: COMMON_TEXTS[rng.int(0, COMMON_TEXTS.length - 1)]! } : {};
      commands.push(
        earlier !== undefined && rng.chance(1 / 3)
          ? { node, id: `m${i}`, after: { node, id: earlier.id }, ...text }
          : { node, id: `m${i}`, atMs, ...text },
      );
    }
    return commands;
  }

  function describeCommands(commands: readonly Command[]): string {
    return commands
      .map((c) => {
        const says = c.text === undefined ? '' : ` ("${c.text}")`;
        return c.after === undefined
          ? `t=${c.atMs}ms ${c.node} broadcasts ${c.id}${says}`
          : `${c.node} broadcasts ${c.id}${says} once it has delivered ${c.after.id}`;
      })
      .join('\n');
  }

  /** The broadcasts not yet delivered everywhere, as `[node, id]`; a command not yet handled counts as missing at its node. */
  function missingDeliveries(
    sim: Simulation,
    observer: Observer,
    commands: readonly Command[],
  ): Array<[NodeId, string]> {
    observer.update();
    return commands.flatMap((command) =>
      sim.nodeIds
        .filter((node) => !observer.hasDelivered(node, command.id))
        .map((node): [NodeId, string] => [node, command.id]),
    );
  }

  /** Why not everything is delivered everywhere: for each missing delivery, whether a copy arrived and is held back. */
  function whyNotDelivered(sim: Simulation, observer: Observer, commands: readonly Command[]): string {
    const missing = missingDeliveries(sim, observer, commands);
    const idOf = new Map<number, string>();
    const arrived = new Map<string, number>(); // `${node} ${id}` → when its first copy arrived
    for (const event of sim.trace) {
      if (event.kind === 'send') idOf.set(event.id, String((event.message as { id?: unknown }).id));
      if (event.kind === 'deliver' && sim.nodeIds.includes(event.to)) {
        const key = `${event.to} ${idOf.get(event.id)}`;
        if (!arrived.has(key)) arrived.set(key, event.t);
      }
    }
    const origin = new Map(observer.sent.map((s) => [s.messageId, s.node]));
    const lines = missing.slice(0, 5).map(([node, id]) => {
      const from = origin.get(id);
      if (from === undefined) return `the broadcast command for ${id} has not reached its node yet`;
      const at = arrived.get(`${node} ${id}`);
      return at === undefined
        ? `${id} from ${from} was never delivered to ${node}: no copy has reached ${node}`
        : `${id} from ${from} was never delivered to ${node}: a copy arrived at t=${at} ms and is still held back. ` +
            'Once a message is delivered, look again at everything held back: it may have been waiting for that one';
    });
    if (missing.length > 5) lines.push(`… and ${missing.length - 5} more`);
    return lines.join('\n  ');
  }

  it(`${sweepSeedCount(150)} seeds of swarm worlds (2–7 nodes, reordering, duplicates, long delays), repeated texts: causal order, and exactly once everywhere within ${DELIVERED_WITHIN_MS} ms of the heal`, async () => {
    await forEachLosslessSwarmSeed(
      {
        count: 150,
        swarm: { timeoutMs: SWARM_TIMEOUT_MS, clusterSizes: { min: 2, max: 7 } },
        nodes: (size) => Object.keys(cluster(size!, createCausalBroadcastNode)),
        healAtMs: HEAL_AT_MS,
      },
      async (seed, world) => {
        const commands = workload(seed, world.nodes);
        const details = { ...world.details, workload: describeCommands(commands) };
        const nodes = cluster(world.nodes, createCausalBroadcastNode);
        await simulate({ seed, nodes, faults: world.faults, details }, async (sim) => {
          const observer = new Observer(sim);
          sendCommands(sim, observer, commands);
          await expectRecovered(sim, {
            what: 'every broadcast delivered at every node',
            healedAtMs: world.healAtMs,
            withinMs: DELIVERED_WITHIN_MS,
            holds: () => sim.clientsDone && missingDeliveries(sim, observer, commands).length === 0,
            explain: () => whyNotDelivered(sim, observer, commands),
          });
          // Late duplicates may still arrive: they must change nothing.
          await sim.run({ untilMs: HEAL_AT_MS + 10 * SWARM_TIMEOUT_MS + 500 });
          assertCausal(observer);
          assertAllDeliveredOnce(sim, observer);
        });
      },
    );
  });
});
