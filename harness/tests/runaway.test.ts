/**
 * Runs that never end, or end too late, stop with a report: a handler that never returns (the
 * watchdog), a run or a test over its real-time budget, and a run so long that its trace must be cut.
 *
 * The hangs run in a child vitest (`fixtures/runaway/`), waited for with a timeout: should the watchdog
 * fail, this test fails instead of hanging the test run. Every fixture that lets its process go on runs
 * in one child (one vitest start-up), judged test by test from its JSON report; a loop that calls
 * nothing, or only awaits, ends its process, so each of those runs in a child of its own.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { simulate, SimulationTestFailure } from '#harness/testing';
import { nodeOf, runChildVitest, runChildVitestTests, type ChildTest } from './helpers.ts';

const HANG_WORDS =
  'Your handler never returned: a loop that waits for time or for a variable never ends in a simulation.';

const CONFIG = path.join('harness', 'tests', 'fixtures', 'runaway', 'vitest.config.ts');

/** The fixtures that stop with a report and let the next test run, all in one child vitest. */
const TOGETHER = [
  'a handler that waits for time in a busy loop',
  'a test that runs after a hang that was stopped',
  'a run longer than its real-time budget',
  'an async workload that would outlast the test',
];

let together: ReturnType<typeof runChildVitestTests> | undefined;

/** The outcome of one of {@link TOGETHER}; the child runs once, for the first test that asks. */
async function fixture(name: string): Promise<ChildTest> {
  together ??= runChildVitestTests(CONFIG, TOGETHER.map(escapeRegExp).join('|'), 150_000);
  const { tests, output } = await together;
  const outcome = tests.get(name);
  if (outcome === undefined) throw new Error(`The child vitest did not run "${name}". It printed:\n${output}`);
  return outcome;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a handler that never returns', () => {
  test('waiting for time in a busy loop: the run stops with the report, and the next test runs', async () => {
    const hang = await fixture('a handler that waits for time in a busy loop');
    expect(hang.status).toBe('failed');
    expect(hang.failure).toContain(
      'n2 never returned while handling message #1 (echo) from n1 at t=4 ms (seed 4): it ran for more than 0.5 s of real time',
    );
    expect(hang.failure).toContain(HANG_WORDS);
    expect(hang.failure).toContain('replay   KATA_SEED=4');
    expect((await fixture('a test that runs after a hang that was stopped')).status).toBe('passed');
  }, 180_000);

  test('in a loop that calls nothing: the report comes out before the process is ended', async () => {
    const output = await runChildVitest(CONFIG, 'a handler that loops for ever', 90_000);
    expect(output).toContain('n2 never returned while handling message #1 (echo) from n1 at t=4 ms (seed 4)');
    expect(output).toContain(HANG_WORDS);
    expect(output).toContain('the test process is ended now');
    expect(output).toContain('trace    ');
  }, 120_000);

  test('in a microtask loop (while (!ready) await null): the same', async () => {
    const output = await runChildVitest(CONFIG, 'a handler that waits for a variable in a microtask loop', 90_000);
    expect(output).toContain('n2 never returned while handling message #1 (echo) from n1 at t=4 ms (seed 4)');
    expect(output).toContain(HANG_WORDS);
  }, 120_000);
});

describe('a run over its real-time budget', () => {
  test('stops with its limit message and a report', async () => {
    const run = await fixture('a run longer than its real-time budget');
    expect(run.status).toBe('failed');
    expect(run.failure).toContain(
      'The run took more than 1 s of real time (limits.maxRunRealTimeMs) and was stopped at t=',
    );
    expect(run.failure).toContain('replay   KATA_SEED=5');
  }, 180_000);

  test("an async workload stops before the test's timeout, with the seed, instead of vitest's bare timeout", async () => {
    const run = await fixture('an async workload that would outlast the test');
    expect(run.status).toBe('failed');
    expect(run.failure).toContain("The test's runs took 6.4 s of real time, nearly all the time the test may take");
    expect(run.failure).toContain('replay   KATA_SEED=6');
    expect(run.failure).not.toContain('Test timed out');
  }, 180_000);
});

describe('the trace file of a long run', () => {
  test('keeps the first and last events and says what it cut; the report is written', async () => {
    const failure = await simulate(
      {
        seed: 8,
        nodes: {
          n1: nodeOf({
            onStart: (ctx) => {
              ctx.setTimer(1, { type: 'tick' });
            },
            onTimer: (ctx) => {
              ctx.setTimer(1, { type: 'tick' });
            },
          }),
        },
        limits: { maxEvents: 30_000 },
      },
      (sim) => sim.run({ untilMs: 1e9 }),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SimulationTestFailure);
    const trace = JSON.parse(readFileSync((failure as SimulationTestFailure).tracePath, 'utf8')) as {
      events: unknown[];
      details: Record<string, string>;
    };
    expect(trace.events).toHaveLength(40_000);
    expect(trace.details['trace cut']).toMatch(
      /^The run had 60,001 events: this file keeps the first 20,000 and the last 20,000, and leaves out the 20,001 between t=\d+ ms and t=\d+ ms\./,
    );
  });

  test('a payload of 5 MB sent many times is shortened in the file, which is written', async () => {
    const text = 'x'.repeat(5_000_000);
    const failure = await simulate(
      {
        seed: 9,
        nodes: {
          n1: nodeOf({
            onStart: (ctx) => {
              for (let i = 0; i < 120; i++) ctx.send('n1', { type: 'big', text });
              throw new Error('enough');
            },
          }),
        },
      },
      (sim) => sim.run({ untilMs: 10 }),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SimulationTestFailure);
    expect((failure as Error).message).toContain('n1 threw while starting');
    const trace = JSON.parse(readFileSync((failure as SimulationTestFailure).tracePath, 'utf8')) as {
      events: Array<{ kind: string; message?: Record<string, string> }>;
      details: Record<string, string>;
    };
    const sent = trace.events.find((event) => event.kind === 'send')!;
    expect(sent.message!['type']).toBe('big');
    expect(sent.message!['(shortened)']).toMatch(/^5,000,024 characters of JSON; they began \{"type":"big"/);
    expect(trace.details['trace cut']).toContain(
      '120 payload(s) longer than 262,144 characters of JSON are shortened.',
    );
  }, 120_000);
});
