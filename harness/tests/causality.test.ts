import { describe, expect, test } from 'vitest';
import { causalHistory, cluster, Simulation, type CausalEvent } from '#harness/testing';
import { chattyNode, nodeOf } from './helpers.ts';

describe('ground-truth happened-before', () => {
  test('a story: n1 logs, sends to n2; n2 logs before and after the delivery; n3 is concurrent with all', async () => {
    const sim = new Simulation({
      seed: 1,
      network: { delayMs: 10 },
      nodes: {
        n1: nodeOf({
          onStart: (ctx) => {
            ctx.log('a');
            ctx.send('n2', { type: 'm' });
          },
        }),
        n2: nodeOf({ onStart: (ctx) => ctx.log('b'), onMessage: (ctx) => ctx.log('c') }),
        n3: nodeOf({ onStart: (ctx) => ctx.log('d') }),
      },
    });
    await sim.run();
    const history = causalHistory(sim.trace);
    const log = (text: string) =>
      history.events.find((event) => event.event.kind === 'log' && event.event.text === text)!;
    expect(history.relation(log('a'), log('c'))).toBe('before');
    expect(history.relation(log('c'), log('a'))).toBe('after');
    expect(history.relation(log('b'), log('c'))).toBe('before');
    expect(history.relation(log('a'), log('b'))).toBe('concurrent');
    expect(history.relation(log('d'), log('c'))).toBe('concurrent');
    const { send, deliveries } = history.message(1);
    expect(history.happenedBefore(send!, deliveries[0]!)).toBe(true);
  });

  test('agrees with the definition (transitive closure of local order and send→deliver) on a busy run', async () => {
    const sim = new Simulation({
      seed: 3,
      nodes: cluster(3, chattyNode()),
      network: { delayMs: { min: 1, max: 30 }, duplicateRate: 0.2 },
    });
    await sim.run({ untilMs: 80 });
    const history = causalHistory(sim.trace);
    const events = history.events;
    // Reachability by search over direct edges: the definition itself.
    const successors = new Map<CausalEvent, CausalEvent[]>(events.map((event) => [event, []]));
    const lastAt = new Map<string, CausalEvent>();
    for (const event of events) {
      const previous = lastAt.get(event.node);
      if (previous !== undefined) successors.get(previous)!.push(event);
      lastAt.set(event.node, event);
      if (event.event.kind === 'deliver') successors.get(history.message(event.event.id).send!)!.push(event);
    }
    const reachable = (from: CausalEvent) => {
      const seen = new Set<CausalEvent>();
      const stack = [...successors.get(from)!];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...successors.get(next)!);
      }
      return seen;
    };
    expect(events.length).toBeGreaterThan(50);
    for (const a of events) {
      const after = reachable(a);
      for (const b of events)
        expect(history.happenedBefore(a, b), `${a.traceIndex} → ${b.traceIndex}`).toBe(after.has(b));
    }
  });
});
