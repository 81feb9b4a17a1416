import { describe, expect, test } from 'vitest';
import type { NodeFactory } from '#harness';
import { cluster, Simulation, traceHash, type TraceEvent } from '#harness/testing';

/**
 * A node that does a little of everything the trace records: sends (small and large messages, odd
 * payloads), timers set, fired and cancelled, log lines; the network drops and duplicates.
 */
const busyNode: NodeFactory = (ctx) => {
  let round = 0;
  return {
    onStart() {
      ctx.setTimer(5, { type: 'tick' });
      const doomed = ctx.setTimer(50, { type: 'never' });
      ctx.cancelTimer(doomed);
    },
    onMessage(_ctx, from, message) {
      if (message.type === 'big') return;
      // A receiver may change what it got: neither the trace nor a listener may see the change.
      (message as { round?: unknown }).round = 'changed by the receiver';
      if (round % 7 === 0) ctx.log(`round ${round} from ${from}`);
    },
    onTimer() {
      round++;
      for (const peer of ctx.nodeIds) {
        if (peer === ctx.id) continue;
        ctx.send(peer, { type: 'hop', round, text: 'é ☃ \u2028 "quoted" \\', nested: { list: [1, -0, null, 2.5] } });
        if (round % 5 === 0) ctx.send(peer, { type: 'big', text: 'x'.repeat(10_000) });
      }
      if (round < 40) ctx.setTimer(ctx.randomInt(1, 9), { type: 'tick' });
    },
  };
};

function run(recordTrace: boolean, listen: boolean): Promise<{ sim: Simulation; heard: TraceEvent[] }> {
  const sim = new Simulation({
    seed: 7,
    nodes: cluster(3, busyNode),
    recordTrace,
    network: { dropRate: 0.1, duplicateRate: 0.1, delayMs: { min: 1, max: 20 } },
  });
  const heard: TraceEvent[] = [];
  if (listen) sim.onEvent((event) => heard.push(event));
  sim.at(100, () => sim.crash('n2'));
  sim.at(150, () => sim.restart('n2'));
  return sim.run({ untilMs: 1_000 }).then(() => ({ sim, heard }));
}

describe('the compact trace', () => {
  test('its events, rebuilt as objects, are what the simulator recorded, and its hash is theirs', async () => {
    const { sim, heard } = await run(true, true);
    const kinds = new Set(sim.trace.map((event) => event.kind));
    for (const kind of [
      'start',
      'send',
      'deliver',
      'drop',
      'duplicate',
      'timer-set',
      'timer-fire',
      'timer-cancel',
      'log',
    ])
      expect(kinds, `the run has ${kind} events`).toContain(kind);
    expect(sim.trace).toEqual(heard);
    expect(JSON.stringify(sim.trace)).toBe(JSON.stringify(heard));
    expect(sim.traceHash()).toBe(traceHash(heard));
  });

  test('the hash asked for midway and again at the end is the hash of the whole trace', async () => {
    const sim = new Simulation({ seed: 3, nodes: cluster(3, busyNode) });
    await sim.run({ untilMs: 60 });
    const midway = sim.traceHash();
    expect(midway).toBe(traceHash(sim.trace));
    await sim.run({ untilMs: 1_000 });
    expect(sim.traceHash()).toBe(traceHash(sim.trace));
    expect(sim.traceHash()).not.toBe(midway);
  });

  test('a listener hears every event with the trace off, and a receiver changing a message changes nothing it heard', async () => {
    const { sim, heard } = await run(false, true);
    const { heard: recorded } = await run(true, true);
    expect(sim.trace).toEqual([]);
    expect(heard).toEqual(recorded);
  });
});
