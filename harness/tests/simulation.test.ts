import { describe, expect, test } from 'vitest';
import type { Message } from '#harness';
import { cluster, scenario, Simulation, formatTrace, traceHash } from '#harness/testing';
import { chattyNode, echoNode, nodeOf } from './helpers.ts';

describe('a story: one client, one echo node', () => {
  test('the client asks, the node answers, and the trace tells it line by line', async () => {
    const sim = new Simulation({ seed: 1, nodes: cluster(1, echoNode()), network: { delayMs: 5 } });
    let answer: unknown;
    sim.client('c1', async (client) => {
      const result = await client.rpc('n1', { type: 'echo', text: 'hi' }, { timeoutMs: 100 });
      answer = result;
    });
    expect(await sim.runUntilClientsDone({ timeoutMs: 1_000 }), 'the client finished').toBe(true);
    expect(answer).toEqual({ ok: true, reply: { type: 'echo_ok', text: 'hi', inReplyTo: 1 } });
    expect(formatTrace(sim.trace)).toBe(
      [
        't=0ms       n1 start',
        't=0ms       c1 start',
        't=0ms       c1 timer-set #1 rpc-timeout:echo (due t=100ms)',
        't=0ms       c1 → n1 send #1 echo {"type":"echo","text":"hi","rpcId":1}',
        't=5ms       c1 → n1 deliver #1 echo (sent t=0ms)',
        't=5ms       n1 → c1 send #2 echo_ok {"type":"echo_ok","text":"hi","inReplyTo":1}',
        't=10ms      n1 → c1 deliver #2 echo_ok (sent t=5ms)',
        't=10ms      c1 timer-cancel #1',
      ].join('\n'),
    );
  });

  test('an rpc to a node that never answers times out, as a value', async () => {
    const sim = new Simulation({ seed: 1, nodes: cluster(1, nodeOf({})) });
    let answer: unknown;
    sim.client('c1', async (client) => {
      answer = await client.rpc('n1', { type: 'echo' }, { timeoutMs: 250 });
    });
    await sim.runUntilClientsDone({ timeoutMs: 1_000 });
    expect(answer).toEqual({ ok: false, error: 'timeout' });
    expect(sim.nowMs).toBe(250);
  });
});

describe('determinism: one seed reproduces a run exactly', () => {
  async function chattyRun(seed: number): Promise<string> {
    const sim = new Simulation({
      seed,
      nodes: cluster(4, chattyNode()),
      network: { delayMs: { min: 1, max: 40 }, dropRate: 0.1, duplicateRate: 0.1 },
      faults: scenario()
        .at(100)
        .partition(['n1'], ['n2', 'n3', 'n4'])
        .at(200)
        .heal()
        .at(250)
        .crash('n3')
        .at(300)
        .restart('n3')
        .build(),
    });
    await sim.run({ untilMs: 500 });
    return traceHash(sim.trace);
  }

  test('the same seed gives the same trace hash', async () => {
    expect(await chattyRun(42)).toBe(await chattyRun(42));
  });

  test('different seeds give different runs', async () => {
    expect(await chattyRun(42)).not.toBe(await chattyRun(43));
  });

  test('a run can be paused and resumed without changing it', async () => {
    const whole = new Simulation({
      seed: 9,
      nodes: cluster(3, chattyNode()),
      network: { delayMs: { min: 1, max: 30 } },
    });
    await whole.run({ untilMs: 400 });
    const pieces = new Simulation({
      seed: 9,
      nodes: cluster(3, chattyNode()),
      network: { delayMs: { min: 1, max: 30 } },
    });
    for (let untilMs = 50; untilMs <= 400; untilMs += 50) await pieces.run({ untilMs });
    expect(pieces.traceHash()).toBe(whole.traceHash());
  });

  test('async handlers and rpc are exactly as deterministic as plain handlers', async () => {
    const run = async () => {
      const sim = new Simulation({
        seed: 5,
        nodes: cluster(3, (ctx) => ({
          async onStart(c) {
            for (let round = 0; round < 5; round++) {
              const peer = c.nodeIds[c.randomInt(0, c.nodeIds.length - 1)]!;
              const result = await c.rpc(peer, { type: 'ping', round }, { timeoutMs: 30 });
              c.log(`${ctx.id} round ${round}: ${result.ok ? 'pong' : 'timeout'}`);
              await c.sleep({ min: 1, max: 20 });
            }
          },
          onMessage(c, from, message) {
            c.reply(from, message, { type: 'pong' });
          },
        })),
        network: { delayMs: { min: 1, max: 25 }, dropRate: 0.2 },
      });
      await sim.run({ untilMs: 2_000 });
      return sim;
    };
    const first = await run();
    const second = await run();
    expect(first.trace.filter((event) => event.kind === 'log' && event.text.includes('round'))).toHaveLength(15);
    expect(second.traceHash()).toBe(first.traceHash());
  });
});

describe('the network', () => {
  test('messages are copied at send: changing one afterwards does not reach the receiver', async () => {
    const received: Message[] = [];
    const sim = new Simulation({
      seed: 1,
      nodes: {
        n1: nodeOf({
          onStart(ctx) {
            const message = { type: 'note', items: [1, 2] };
            ctx.send('n2', message);
            message.items.push(3);
          },
        }),
        n2: nodeOf({ onMessage: (_ctx, _from, message) => void received.push(message) }),
      },
    });
    await sim.run();
    expect(received).toEqual([{ type: 'note', items: [1, 2] }]);
  });

  test('a duplicate is a separate copy: a receiver changing the first does not change the second', async () => {
    const received: Array<{ items: number[] }> = [];
    const sim = new Simulation({
      seed: 1,
      network: { duplicateRate: 1 },
      nodes: {
        n1: nodeOf({ onStart: (ctx) => ctx.send('n2', { type: 'note', items: [1] }) }),
        n2: nodeOf({
          onMessage(_ctx, _from, message) {
            const note = message as unknown as { items: number[] };
            received.push(note);
            note.items.push(99);
          },
        }),
      },
    });
    await sim.run();
    expect(received.map((note) => note.items)).toEqual([
      [1, 99],
      [1, 99],
    ]);
    expect(sim.trace.filter((event) => event.kind === 'deliver')).toHaveLength(2);
  });

  test('a partition drops messages between groups, and heal restores them', async () => {
    const sim = new Simulation({
      seed: 3,
      nodes: cluster(3, chattyNode()),
      faults: scenario().at(100).partition(['n1'], ['n2', 'n3']).at(200).heal().build(),
    });
    await sim.run({ untilMs: 300 });
    const across = (event: { from: string; to: string }) => (event.from === 'n1') !== (event.to === 'n1');
    const deliveredAcross = sim.trace.filter(
      (event) => event.kind === 'deliver' && across(event) && event.t > 110 && event.t < 200,
    );
    const droppedAcross = sim.trace.filter((event) => event.kind === 'drop' && event.reason === 'partition');
    expect(deliveredAcross, 'no message crossed the partition between t=110 and t=200').toEqual([]);
    expect(droppedAcross.length).toBeGreaterThan(0);
    expect(sim.trace.some((event) => event.kind === 'deliver' && across(event) && event.t > 210)).toBe(true);
  });

  test('a cut link drops one direction only', async () => {
    const sim = new Simulation({
      seed: 3,
      nodes: cluster(2, chattyNode()),
      faults: scenario().at(0).cut('n1', 'n2').build(),
    });
    await sim.run({ untilMs: 200 });
    const delivered = sim.trace.filter((event) => event.kind === 'deliver');
    expect(delivered.some((event) => event.from === 'n1')).toBe(false);
    expect(delivered.some((event) => event.from === 'n2')).toBe(true);
  });

  test('drop and duplicate rates are drawn from the seed and show in the stats', async () => {
    const sim = new Simulation({
      seed: 11,
      nodes: cluster(3, chattyNode()),
      network: { dropRate: 0.25, duplicateRate: 0.1 },
    });
    await sim.run({ untilMs: 2_000 });
    const stats = sim.stats();
    const dropRatio = stats.messagesDropped.network / stats.messagesSent;
    const duplicateRatio = stats.messagesDuplicated / stats.messagesSent;
    expect(dropRatio).toBeGreaterThan(0.2);
    expect(dropRatio).toBeLessThan(0.3);
    expect(duplicateRatio).toBeGreaterThan(0.06);
    expect(duplicateRatio).toBeLessThan(0.14);
    expect(stats.byType['gossip']!.messages).toBe(stats.messagesSent);
    expect(stats.bytesSent).toBeGreaterThan(stats.messagesSent * 20);
  });

  test('delays follow the configured range, so messages overtake each other', async () => {
    const sim = new Simulation({
      seed: 2,
      network: { delayMs: { min: 1, max: 100 } },
      nodes: {
        n1: nodeOf({
          onStart: (ctx) => {
            for (let seq = 0; seq < 20; seq++) ctx.send('n2', { type: 'seq', seq });
          },
        }),
        n2: nodeOf({}),
      },
    });
    await sim.run();
    const order = sim.trace.flatMap((event) => (event.kind === 'deliver' ? [event.id] : []));
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    for (const event of sim.trace)
      if (event.kind === 'deliver') expect(event.t - event.sentAtMs).toBeGreaterThanOrEqual(1);
  });
});

describe('crashes and restarts', () => {
  test('a crash loses volatile state and timers; storage survives; onStart runs again', async () => {
    const starts: Array<{ counter: number; stored: unknown }> = [];
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(1, () => {
        let counter = 0;
        return {
          onStart(ctx) {
            starts.push({ counter, stored: ctx.storage.get('boots') });
            ctx.storage.set('boots', (ctx.storage.get<number>('boots') ?? 0) + 1);
            counter++;
            ctx.setTimer(1_000, { type: 'never-after-crash' });
          },
          onMessage() {},
          onTimer() {
            throw new Error('a timer set before the crash fired after it');
          },
        };
      }),
      faults: scenario().at(100).crash('n1').at(200).restart('n1').build(),
    });
    await sim.run({ untilMs: 1_100 });
    expect(starts).toEqual([
      { counter: 0, stored: undefined },
      { counter: 0, stored: 1 },
    ]);
    expect(sim.storageOf('n1')).toEqual({ boots: 2 });
  });

  test('a reply to a request of the earlier incarnation is not taken for the reply to a new request', async () => {
    // n1 asks n2 at t=0 and crashes at once; the reply arrives after n1's restart, while its new request
    // (sent at t=20) is still on its way. The old reply is late, not the answer to the new request.
    const answers: unknown[] = [];
    const sim = new Simulation({
      seed: 1,
      network: { delayMs: 30 },
      nodes: {
        n1: nodeOf({
          async onStart(ctx) {
            const result = await ctx.rpc('n2', { type: 'echo', text: `asked at ${ctx.now()}` }, { timeoutMs: 500 });
            answers.push(result.ok ? result.reply : result.error);
          },
        }),
        n2: echoNode(),
      },
      faults: scenario().at(1).crash('n1').at(20).restart('n1').build(),
    });
    await sim.run({ untilMs: 200 });
    expect(answers).toEqual([{ type: 'echo_ok', text: 'asked at 20', inReplyTo: 2 }]);
    expect(sim.trace).toContainEqual(
      expect.objectContaining({
        kind: 'log',
        node: 'n1',
        text: expect.stringMatching(/^late reply echo_ok to request 1/),
      }),
    );
  });

  test('messages in flight to a crashed node are lost', async () => {
    const sim = new Simulation({
      seed: 1,
      network: { delayMs: 50 },
      nodes: { n1: nodeOf({ onStart: (ctx) => ctx.send('n2', { type: 'hello' }) }), n2: nodeOf({}) },
      faults: scenario().at(10).crash('n2').at(60).restart('n2').build(),
    });
    await sim.run();
    expect(sim.trace.find((event) => event.kind === 'drop')).toMatchObject({ reason: 'node-down', to: 'n2', t: 50 });
  });
});

describe('clocks', () => {
  test('skew and drift change what a node reads, not when events happen', async () => {
    const readings: number[] = [];
    const sim = new Simulation({
      seed: 1,
      nodes: cluster(
        1,
        nodeOf({
          onStart: (ctx) => void ctx.setTimer(1_000, { type: 'read' }),
          onTimer: (ctx) => void readings.push(ctx.now()),
        }),
      ),
      clocks: { n1: { skewMs: 500, driftPpm: 100_000 } },
    });
    await sim.run();
    // A clock running 10% fast counts 1,000 ms after ~909 ms of true time, and reads 500 ms ahead.
    expect(sim.nowMs).toBe(910);
    expect(readings).toEqual([500 + 1_001]);
  });
});

describe('runUntil', () => {
  test('returns false, not an error, when the condition is not met in time', async () => {
    const sim = new Simulation({ seed: 1, nodes: cluster(2, chattyNode()) });
    expect(await sim.runUntil(() => false, { timeoutMs: 300 })).toBe(false);
    expect(sim.nowMs).toBe(300);
  });
});

describe('invariants watched on every step', () => {
  test('the first violation stops the run at the event that broke it, in domain words', async () => {
    let received = 0;
    const sim = new Simulation({
      seed: 1,
      network: { delayMs: 10 },
      nodes: {
        n1: nodeOf({
          onStart: (ctx) => {
            for (let i = 0; i < 5; i++) ctx.send('n2', { type: 'm' });
          },
        }),
        n2: nodeOf({ onMessage: () => void received++ }),
      },
    });
    sim.watch('at most three messages', () => (received > 3 ? `n2 received ${received} messages` : null));
    await expect(sim.run()).rejects.toThrow('at most three messages: n2 received 4 messages (t=10 ms)');
    expect(received).toBe(4);
  });
});

describe('a crash partway through a step', () => {
  // A node that answers first and persists second: the order a crash mid-step punishes.
  const replyThenPersist = nodeOf({
    onMessage(ctx, from, message) {
      const count = (ctx.storage.get<number>('count') ?? 0) + 1;
      ctx.reply(from, message, { type: 'inc_ok', count });
      ctx.storage.set('count', count);
      ctx.log('persisted');
    },
  });

  test('effects before the crash happen, effects after it do not, and the trace says where it struck', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: { n1: replyThenPersist },
      faults: scenario().at(0).crash('n1', { afterEffects: 1 }).build(),
    });
    let answer: unknown;
    sim.client('c1', async (client) => {
      answer = await client.rpc('n1', { type: 'inc' }, { timeoutMs: 100 });
    });
    await sim.runUntilClientsDone({ timeoutMs: 1_000 });
    expect(answer).toMatchObject({ ok: true, reply: { count: 1 } });
    expect(sim.storageOf('n1'), 'the write after the crash point never happened').toEqual({});
    expect(sim.isUp('n1')).toBe(false);
    expect(sim.trace.some((event) => event.kind === 'log' && event.text === 'persisted')).toBe(false);
    expect(formatTrace(sim.trace.filter((event) => event.kind === 'crash'))).toMatch(
      /n1 CRASH while handling message #1 \(inc\) from c1, after 1 effect\(s\)/,
    );
  });

  test('a crash armed after more effects than the step has strikes at the end of the step', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: { n1: replyThenPersist },
      faults: scenario().at(0).crash('n1', { afterEffects: 5 }).build(),
    });
    sim.client('c1', async (client) => void (await client.rpc('n1', { type: 'inc' }, { timeoutMs: 100 })));
    await sim.runUntilClientsDone({ timeoutMs: 1_000 });
    expect(sim.storageOf('n1')).toEqual({ count: 1 });
    expect(sim.isUp('n1')).toBe(false);
  });

  test('a restart before the armed crash strikes cancels it', async () => {
    const sim = new Simulation({
      seed: 1,
      nodes: { n1: replyThenPersist },
      faults: scenario().at(0).crash('n1', { afterEffects: 0 }).restart('n1').build(),
    });
    sim.client('c1', async (client) => void (await client.rpc('n1', { type: 'inc' }, { timeoutMs: 100 })));
    await sim.runUntilClientsDone({ timeoutMs: 1_000 });
    expect(sim.isUp('n1')).toBe(true);
    expect(sim.storageOf('n1')).toEqual({ count: 1 });
  });
});

describe('changing a clock during a run', () => {
  test('a new drift changes the rate from now on without a jump; a new skew steps the clock', async () => {
    const sim = new Simulation({ seed: 1, nodes: cluster(1, nodeOf({})), clocks: { n1: { skewMs: 100 } } });
    await sim.run({ untilMs: 10_000 });
    expect(sim.localTimeOf('n1')).toBe(10_100);
    sim.setClock('n1', { driftPpm: 100_000 });
    expect(sim.localTimeOf('n1'), 'no jump when only the drift changes').toBe(10_100);
    await sim.run({ untilMs: 11_000 });
    expect(sim.localTimeOf('n1')).toBe(11_200);
    sim.setClock('n1', { skewMs: -400 });
    expect(sim.localTimeOf('n1'), 'lowering the skew by 500 ms steps the clock back by 500 ms').toBe(10_700);
    expect(sim.trace.filter((event) => event.kind === 'clock').map((event) => event.localMs)).toEqual([
      100, 10_100, 10_700,
    ]);
  });
});
