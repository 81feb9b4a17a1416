/**
 * Real simulations for the viewer's browser tests: a small replicated register with every kind of
 * trouble in it, and a busy gossip cluster that makes a trace of 100,000 events and more.
 *
 * @module
 */
import type { Message, NodeFactory, NodeId } from '#harness';
import { cluster, scenario, Simulation } from '#harness/testing';

/** A payload that would run a script if the viewer ever treated data as HTML. */
export const HOSTILE_VALUE =
  '</script><script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">';

/** A log line that would run a script if treated as HTML. */
export const HOSTILE_LOG = '<img src=x onerror="window.__pwned = true"> and <b>bold</b>';

interface Write extends Message {
  readonly type: 'write';
  readonly value: string;
}
interface Replicate extends Message {
  readonly type: 'replicate';
  readonly value: string;
  readonly version: number;
}

/**
 * A last-writer-wins register: a client writes to any node, which stores the value, answers, and
 * replicates it to its peers on every heartbeat. Crude on purpose; it gives the viewer every kind of
 * event to draw.
 */
function registerNode(): NodeFactory {
  return (ctx) => {
    let value = '';
    let version = 0;
    return {
      onStart(c) {
        c.log(`up, serving from version ${version}`);
        c.setTimer(40, { type: 'heartbeat' });
      },
      onTimer(c) {
        for (const peer of c.nodeIds)
          if (peer !== c.id) c.send(peer, { type: 'replicate', value, version } satisfies Replicate);
        c.setTimer(40, { type: 'heartbeat' });
      },
      onMessage(c, from, message) {
        if (message.type === 'write') {
          version++;
          value = (message as Write).value;
          c.log(`write v${version} from ${from}: ${value}`);
          c.reply(from, message, { type: 'write_ok', version });
        } else if (message.type === 'replicate') {
          const update = message as Replicate;
          if (update.version > version) {
            version = update.version;
            value = update.value;
            c.log(`caught up to v${version} from ${from}`);
          }
        } else if (message.type === 'read') {
          c.reply(from, message, { type: 'read_ok', value, version });
        }
        void ctx;
      },
    };
  };
}

/**
 * Three nodes and two clients on a lossy network (drops and duplicates), with n1 partitioned from the
 * others, n3 crashed and restarted, and a write whose value is {@link HOSTILE_VALUE}.
 */
export async function troubledRegister(seed = 7): Promise<Simulation> {
  const faults = scenario()
    .at(220)
    .partition(['n1'], ['n2', 'n3'])
    .at(420)
    .heal()
    .at(300)
    .crash('n3')
    .at(520)
    .restart('n3')
    .build();
  const sim = new Simulation({
    seed,
    nodes: cluster(3, registerNode()),
    network: { dropRate: 0.12, duplicateRate: 0.08, delayMs: { min: 3, max: 25 } },
    faults,
  });
  const writer = (id: NodeId, target: NodeId, values: readonly string[]) =>
    sim.client(id, async (client) => {
      for (const value of values) {
        await client.operation({ f: 'write', value }, async () => {
          const result = await client.rpc(target, { type: 'write', value }, { timeoutMs: 60 });
          return result.ok ? { status: 'ok', output: result.reply } : { status: 'indeterminate' };
        });
        await client.sleep({ min: 20, max: 60 });
      }
      client.log(HOSTILE_LOG);
      await client.operation({ f: 'read' }, async () => {
        const result = await client.rpc(target, { type: 'read' }, { timeoutMs: 60 });
        return result.ok ? { status: 'ok', output: result.reply } : { status: 'fail' };
      });
    });
  writer('c1', 'n1', ['a', 'b', HOSTILE_VALUE, 'd']);
  writer('c2', 'n2', ['x', 'y', 'z']);
  await sim.run({ untilMs: 700 });
  return sim;
}

/** The first message of the run whose payload holds {@link HOSTILE_VALUE} and that was delivered. */
export function hostileMessageId(sim: Simulation): number {
  const sent = new Set(
    sim.trace.flatMap((event) =>
      event.kind === 'send' && JSON.stringify(event.message).includes('__pwned') ? [event.id] : [],
    ),
  );
  const delivered = sim.trace.find((event) => event.kind === 'deliver' && sent.has(event.id));
  if (delivered === undefined || delivered.kind !== 'deliver')
    throw new Error('the demo run delivered no message carrying the hostile value');
  return delivered.id;
}

/** Five nodes gossiping every few milliseconds until the trace holds at least `events` events. */
export async function busyGossip(events: number, seed = 3): Promise<Simulation> {
  const gossip: NodeFactory = () => {
    let heard = 0;
    return {
      onStart(c) {
        c.setTimer({ min: 2, max: 6 }, { type: 'tick' });
      },
      onTimer(c) {
        const peer = c.nodeIds[c.randomInt(0, c.nodeIds.length - 1)]!;
        if (peer !== c.id) c.send(peer, { type: 'gossip', heard });
        c.setTimer({ min: 2, max: 6 }, { type: 'tick' });
      },
      onMessage(c, from) {
        heard++;
        if (heard % 50 === 0) c.log(`heard ${heard} messages, the last from ${from}`);
      },
    };
  };
  const sim = new Simulation({
    seed,
    nodes: cluster(5, gossip),
    network: { dropRate: 0.02, duplicateRate: 0.01, delayMs: { min: 1, max: 12 } },
    faults: scenario()
      .at(2_000)
      .partition(['n1', 'n2'], ['n3', 'n4', 'n5'])
      .at(3_000)
      .heal()
      .at(4_000)
      .crash('n4')
      .at(5_000)
      .restart('n4')
      .build(),
  });
  await sim.runUntil(() => sim.trace.length >= events, { timeoutMs: 3_600_000 });
  return sim;
}

/**
 * A counter that answers before it persists, on two nodes: n1 crashes partway through its first step
 * (after its reply, before its write), and n2's clock is set 250 ms ahead at t=30.
 */
export async function crashMidStepAndSkewedClock(seed = 11): Promise<Simulation> {
  const counter: NodeFactory = () => ({
    onMessage(c, from, message) {
      const count = (c.storage.get<number>('count') ?? 0) + 1;
      c.reply(from, message, { type: 'inc_ok', count });
      c.storage.set('count', count);
      c.log(`persisted count ${count}`);
    },
  });
  const sim = new Simulation({
    seed,
    nodes: cluster(2, counter),
    faults: scenario()
      .at(0)
      .crash('n1', { afterEffects: 1 })
      .at(30)
      .clock('n2', { skewMs: 250, driftPpm: 100 })
      .build(),
  });
  sim.client('c1', async (client) => {
    await client.rpc('n1', { type: 'inc' }, { timeoutMs: 100 });
    await client.sleep(40);
    await client.rpc('n2', { type: 'inc' }, { timeoutMs: 100 });
  });
  await sim.runUntilClientsDone({ timeoutMs: 1_000 });
  return sim;
}
