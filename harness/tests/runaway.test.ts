/**
 * Runs that never end, or end too late, stop with a report: a handler that never returns (the
 * watchdog), a run or a test over its real-time budget, and a run so long that its trace must be cut.
 *
 * The hangs run in a child vitest (`fixtures/runaway/`), waited for with a timeout: should the watchdog
 * fail, this test fails instead of hanging the test run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { simulate, SimulationTestFailure } from '#harness/testing';
import { nodeOf, runChildVitest } from './helpers.ts';

const HANG_WORDS =
  'Your handler never returned: a loop that waits for time or for a variable never ends in a simulation.';

function runFixture(name: string): Promise<string> {
  return runChildVitest(path.join('harness', 'tests', 'fixtures', 'runaway', 'vitest.config.ts'), name, 90_000);
}

describe('a handler that never returns', () => {
  test('waiting for time in a busy loop: the run stops with the report, and the next test runs', async () => {
    const output = await runFixture('a handler that waits for time in a busy loop|after a hang');
    expect(output).toContain(
      'n2 never returned while handling message #1 (echo) from n1 at t=4 ms (seed 4): it ran for more than 0.5 s of real time',
    );
    expect(output).toContain(HANG_WORDS);
    expect(output).toContain('replay   KATA_SEED=4');
    expect(output).toMatch(/1 failed \| 1 passed|1 passed \| 1 failed/);
  }, 120_000);

  test('in a loop that calls nothing: the report comes out before the process is ended', async () => {
    const output = await runFixture('a handler that loops for ever');
    expect(output).toContain('n2 never returned while handling message #1 (echo) from n1 at t=4 ms (seed 4)');
    expect(output).toContain(HANG_WORDS);
    expect(output).toContain('the test process is ended now');
    expect(output).toContain('trace    ');
  }, 120_000);

  test('in a microtask loop (while (!ready) await null): the same', async () => {
    const output = await runFixture('a handler that waits for a variable in a microtask loop');
    expect(output).toContain('n2 never returned while handling message #1 (echo) from n1 at t=4 ms (seed 4)');
    expect(output).toContain(HANG_WORDS);
  }, 120_000);
});

describe('a run over its real-time budget', () => {
  test('stops with its limit message and a report', async () => {
    const output = await runFixture('a run longer than its real-time budget');
    expect(output).toContain('The run took more than 1 s of real time (limits.maxRunRealTimeMs) and was stopped at t=');
    expect(output).toContain('replay   KATA_SEED=5');
  }, 120_000);

  test("an async workload stops before the test's timeout, with the seed, instead of vitest's bare timeout", async () => {
    const output = await runFixture('an async workload that would outlast the test');
    expect(output).toContain("The test's runs took 6.4 s of real time, nearly all the time the test may take");
    expect(output).toContain('replay   KATA_SEED=6');
    expect(output).not.toContain('Test timed out');
  }, 120_000);
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
