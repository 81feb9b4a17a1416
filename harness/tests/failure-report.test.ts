import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assertExactlyOnce, checkExactlyOnce, focusOfViolation, PropertyViolated } from '#harness/check';
import {
  cluster,
  plural,
  scenario,
  simulate,
  SimulationTestFailure,
  withArticle,
  type Simulation,
  type TraceFile,
} from '#harness/testing';
import type { NodeFactory } from '../node.ts';
import { shortenLine } from '../testing/failure-report.ts';
import { buildViewModel } from '../viewer/model.ts';

/** The failure a simulation rejected with; fails the test if it resolved. */
async function failureOf(promise: Promise<unknown>): Promise<SimulationTestFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof SimulationTestFailure)) {
    throw new Error(`expected a SimulationTestFailure, got ${String(outcome)}`);
  }
  return outcome;
}

/**
 * A sender like exercise 1.3's with the send-before-persist mistake: it answers `send_ok` before it
 * saves the message, and retransmits what it saved every 100 ms until acked. The receiver never acks,
 * so the end of the trace is nothing but retransmission timers.
 */
const sendsOkBeforeSaving: NodeFactory = () => ({
  onStart(ctx) {
    for (const key of ctx.storage.keys()) ctx.setTimer(100, { type: 'retransmit', id: key });
  },
  onMessage(ctx, from, message) {
    if (message.type !== 'send') return;
    const { id, to } = message as unknown as { id: string; to: string };
    ctx.reply(from, message, { type: 'send_ok' });
    ctx.storage.set(id, { to });
    ctx.send(to, { type: 'data', id });
    ctx.setTimer(100, { type: 'retransmit', id });
  },
  onTimer(ctx, timer) {
    const id = (timer as { id?: unknown }).id as string;
    ctx.setTimer(100, { type: 'retransmit', id });
  },
});

/** Runs the mistaken sender: n1 crashes while handling c1's send of m1, right after its first effect. */
async function lostPromise(wrap: (check: () => void) => void = (check) => check()): Promise<SimulationTestFailure> {
  const faults = scenario().at(1).crash('n1', { afterEffects: 1 }).at(40).restart('n1').build();
  return failureOf(
    simulate({ seed: 5, nodes: cluster(['n1', 'n2', 'n3'], sendsOkBeforeSaving), faults }, async (sim: Simulation) => {
      let acceptedAtMs = -1;
      sim.client('c1', async (c) => {
        await c.sleep(20);
        acceptedAtMs = c.now();
        await c.rpc('n1', { type: 'send', id: 'm1', to: 'n2' }, { timeoutMs: 500 });
      });
      sim.client('c2', async (c) => {
        // Traffic about another message: it keeps n1 busy until the end, long after the crash.
        await c.sleep(60);
        await c.rpc('n1', { type: 'send', id: 'm2', to: 'n3' }, { timeoutMs: 500 });
      });
      await sim.run({ untilMs: 3_000 });
      wrap(() =>
        assertExactlyOnce({
          sent: [{ node: 'n1', messageId: 'm1', atMs: acceptedAtMs }],
          delivered: [],
          expectedReceivers: ['n2'],
        }),
      );
    }),
  );
}

describe('a failure report shows the cause, not only the end of the run', () => {
  test('the mid-step crash that lost the message is in the last events, marked, though the run went on for seconds', async () => {
    const failure = await lostPromise();
    const lines = failure.message.split('\n');
    const crash = lines.find((line) => line.includes('n1 CRASH while handling message'));
    expect(crash, `the report should list n1's crash mid-step:\n${failure.message}`).toMatch(
      /^ {2}▶ t=\d+ms +n1 CRASH while handling message #\d+ \(send\) from c1, after 1 effect\(s\)$/,
    );
    expect(failure.message).toContain('last events before the failure (▶: about n2, n1, m1 or a crash mid-step):');
    expect(failure.message).toMatch(/▶ t=\d+ms +c1 → n1 send #\d+ send \{"type":"send","id":"m1"/);
    expect(failure.message, 'the gap between the cause and the end is counted').toMatch(/ {4}… \d+ events\n/);
    const last = lines.filter((line) => /^ {4}t=\d+ms/.test(line)).at(-1) ?? '';
    expect(last, 'the last events of the run are still there').toMatch(/^ {4}t=(2\d\d\d)ms/);
  });

  test('it gives the time the property broke beside the time the run stopped', async () => {
    const failure = await lostPromise();
    expect(failure.message).toContain('  time     t=20 ms (virtual) when it broke; the run stopped at t=3000 ms');
  });

  test('one headline: no cause for vitest to print again, and the stack starts at the test, not the harness', async () => {
    const failure = await lostPromise((check) => {
      try {
        check();
      } catch (error) {
        // A test that adds a likely cause wraps the checker's error: the report still finds its violations.
        throw new Error(`${(error as Error).message}\nthe likely cause`, { cause: error });
      }
    });
    expect(failure.cause).toBeUndefined();
    expect(failure.message.match(/was never delivered/g)).toHaveLength(1);
    expect(failure.message).toContain('▶: about n2, n1, m1 or a crash mid-step');
    const frames = (failure.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
    expect(frames[0], 'the first frame is in this test file').toContain('failure-report.test.ts');
  });

  test('the trace names the events the failure concerns, and the viewer selects the crash', async () => {
    const failure = await lostPromise();
    const trace = JSON.parse(readFileSync(failure.tracePath, 'utf8')) as TraceFile;
    expect(trace.failure?.violationAtMs).toBe(20);
    const crash = trace.events.findIndex((event) => event.kind === 'crash');
    expect(trace.failure?.events).toContain(crash);
    const view = buildViewModel(trace);
    expect(view.failure?.focus).toBe(crash);
    expect(view.failure?.violationAtMs).toBe(20);
    expect(view.highlightEvents).toContain(crash);
  });

  test('long payloads and log lines are cut, saying how long they were', async () => {
    const long = 'x'.repeat(5_000);
    const failure = await failureOf(
      simulate(
        {
          seed: 1,
          nodes: cluster(2, () => ({
            onStart(ctx) {
              ctx.log(`state ${long}`);
              if (ctx.id === 'n1') ctx.send('n2', { type: 'blob', text: long });
            },
            onMessage() {
              throw new Error(`cannot read ${long}`);
            },
          })),
        },
        async (sim) => void (await sim.run({ untilMs: 100 })),
      ),
    );
    for (const line of failure.message.split('\n')) expect(line.length, line.slice(0, 80)).toBeLessThanOrEqual(600);
    expect(failure.message).toMatch(/n1 → n2 send #1 blob \{"type":"blob","text":"x+… \(5,0\d\d characters\)/);
    expect(failure.message).toMatch(/n1 log: state x+… \(5,0\d\d characters\)/);
    expect(shortenLine('short', 10)).toBe('short');
  });
});

describe('violations say what they concern', () => {
  test('focusOfViolation reads nodes and ids from the violation and its evidence, and keeps the explicit time', () => {
    const verdict = checkExactlyOnce({
      sent: [{ node: 'n1', messageId: 'm1', atMs: 30 }],
      delivered: [],
      expectedReceivers: ['n2'],
    });
    expect(verdict.ok).toBe(false);
    const [violation] = verdict.ok ? [] : verdict.violations;
    expect(focusOfViolation(violation!)).toEqual({ nodes: ['n2', 'n1'], ids: ['m1'], operations: [], atMs: 30 });
  });

  test('the assert helpers throw a PropertyViolated that keeps its violations', () => {
    let thrown: unknown;
    try {
      assertExactlyOnce({ sent: [{ node: 'n1', messageId: 'm1', atMs: 0 }], delivered: [], expectedReceivers: ['n2'] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PropertyViolated);
    expect((thrown as PropertyViolated).violations.map((v) => v.property)).toEqual(['no-loss']);
  });
});

describe('wording', () => {
  test('plurals and articles', () => {
    expect([plural(1, 'problem'), plural(3, 'problem'), plural(0, 'copy', 'copies')]).toEqual([
      '1 problem',
      '3 problems',
      '0 copies',
    ]);
    expect(['echo_ok', 'gossip', 'ack', 'unique id', 'inc'].map(withArticle)).toEqual([
      'an echo_ok',
      'a gossip',
      'an ack',
      'a unique id',
      'an inc',
    ]);
  });
});
