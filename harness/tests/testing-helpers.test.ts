import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  cluster,
  faultScheduleArbitrary,
  randomFaultSchedule,
  traceHash,
  type Simulation,
  type TraceFile,
  checkFaultSchedules,
  forEachSeed,
  simulate,
  SimulationTestFailure,
  sweepSeedCount,
} from '#harness/testing';
import { TALLY_TIMEOUT_FACTOR, TEST_TIMEOUT_MS, testTimeoutMs } from '../testing/environment.ts';
import type { SweepTally } from '../testing/sweep-tally.ts';
import { parseJsonHistory } from '../check/linearizability/import/json.ts';
import { chattyNode, nodeOf } from './helpers.ts';

const traceFolder = path.join('.kata', 'traces', 'harness-tests-testing-helpers');

/** The failure a test helper rejected with; fails the test if it resolved. */
async function failureOf(promise: Promise<unknown>): Promise<SimulationTestFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof SimulationTestFailure))
    throw new Error(`expected a SimulationTestFailure, got ${String(outcome)}`);
  return outcome;
}

/** The body of a deliberately fragile "system": it fails whenever n2 is ever crashed. */
async function failsWhenN2Crashes(sim: Simulation): Promise<void> {
  await sim.run({ untilMs: 1_100 });
  const crash = sim.trace.find((event) => event.kind === 'crash' && event.node === 'n2');
  if (crash !== undefined) throw new Error(`n2 crashed at t=${crash.t} ms and the system could not cope`);
}

afterEach(() => {
  delete process.env['KATA_SEED'];
  delete process.env['KATA_SEEDS'];
  delete process.env['KATA_SWEEP_TALLY'];
  delete process.env['KATA_TRACE_DIR'];
});

describe('a failing simulation test explains itself', () => {
  test('the report names what broke, the seed, the time, the replay command and the trace', async () => {
    const failure = await failureOf(
      simulate({ seed: 31, nodes: cluster(2, chattyNode()) }, async (sim) => {
        await sim.run({ untilMs: 120 });
        throw new Error('n2 delivered message #17 from n1 twice (t=40 ms, t=95 ms)');
      }),
    );
    const message = failure.message;
    expect(message).toMatch(/^n2 delivered message #17 from n1 twice \(t=40 ms, t=95 ms\)\n/);
    expect(message).toContain('  seed     31');
    expect(message).toContain('  time     t=120 ms (virtual)');
    expect(message).toContain(
      "  replay   KATA_SEED=31 npm run test:harness -- harness/tests/testing-helpers.test.ts -t 'the report names what broke, the seed, the time, the replay command and the trace'",
    );
    expect(message).toContain('last events before the failure (▶: about n1, n2 or #17):');
    expect(message).toMatch(/▶ t=\d+ms +n2 → n1 send #17 gossip/);
    const tracePath = failure.tracePath;
    expect(message).toContain(`  trace    ${tracePath}`);
    expect(tracePath.startsWith(traceFolder)).toBe(true);
    const trace = JSON.parse(readFileSync(tracePath, 'utf8')) as TraceFile;
    expect(trace.seed).toBe(31);
    expect(trace.hash).toBe(traceHash(trace.events));
    expect(trace.failure?.message).toContain('twice');
    const viewerPath = tracePath.replace(/\.json$/, '.html');
    expect(message).toContain(`  viewer   ${viewerPath}  (open it in a browser)`);
    const page = readFileSync(viewerPath, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<script type="application/json" id="kata-trace-data">');
    rmSync(tracePath);
    rmSync(viewerPath);
  });

  test('a run with clients leaves their history beside the trace, ready to convert for Knossos', async () => {
    const failure = await failureOf(
      simulate({ seed: 5, nodes: cluster(1, chattyNode()) }, async (sim) => {
        sim.client('c1', async (client) => {
          await client.operation({ f: 'write', value: 1 }, async () => ({ status: 'ok', output: {} }));
          await client.operation({ f: 'read' }, async () => ({ status: 'indeterminate' }));
        });
        await sim.runUntilClientsDone({ timeoutMs: 1_000 });
        throw new Error('the register lost a write');
      }),
    );
    const historyPath = failure.tracePath.replace(/\.json$/, '.history.json');
    expect(failure.message).toContain(`  history  ${historyPath}\n`);
    expect(failure.message).toContain(`npm run check-history -- --convert edn ${historyPath})`);
    const history = parseJsonHistory(readFileSync(historyPath, 'utf8'));
    expect(history.map((operation) => operation.status)).toEqual(['ok', 'indeterminate']);
    for (const file of [failure.tracePath, failure.tracePath.replace(/\.json$/, '.html'), historyPath]) rmSync(file);
  });

  test('a simulation error (here: a handler that throws) is reported the same way, at its virtual time', async () => {
    const failure = await failureOf(
      simulate(
        {
          seed: 4,
          nodes: {
            n1: nodeOf({
              async onStart(ctx) {
                await ctx.sleep(70);
                throw new Error('oops');
              },
            }),
          },
        },
        (sim) => sim.run(),
      ),
    );
    expect(failure.message).toMatch(/^n1 threw while starting at t=70 ms \(seed 4\): Error: oops/);
    expect(failure.message).toContain('  time     t=70 ms (virtual)');
    expect(existsSync(failure.tracePath)).toBe(true);
    rmSync(failure.tracePath);
    rmSync(failure.tracePath.replace(/\.json$/, '.html'));
  });
});

describe('seed sweeps', () => {
  test('run the given number of seeds from 1', async () => {
    const seeds: number[] = [];
    await forEachSeed({ count: 5 }, async (seed) => void seeds.push(seed));
    expect(seeds).toEqual([1, 2, 3, 4, 5]);
  });

  test('KATA_SEED replays one seed; KATA_SEEDS sets the count for a soak', async () => {
    const seeds: number[] = [];
    process.env['KATA_SEED'] = '1234';
    await forEachSeed({ count: 5 }, async (seed) => void seeds.push(seed));
    delete process.env['KATA_SEED'];
    process.env['KATA_SEEDS'] = '3';
    await forEachSeed({ count: 5 }, async (seed) => void seeds.push(seed));
    expect(seeds).toEqual([1234, 1, 2, 3]);
  });

  test('KATA_SEEDS=0 is refused: a sweep of no seed would pass having checked nothing', async () => {
    process.env['KATA_SEEDS'] = '0';
    await expect(forEachSeed({ count: 5 }, async () => undefined)).rejects.toThrow(/KATA_SEEDS=0 would run no seed/);
    expect(() => sweepSeedCount(100)).toThrow(/Use 1 or more/);
    process.env['KATA_SEEDS'] = '-3';
    expect(() => sweepSeedCount(100)).toThrow(/KATA_SEEDS must be a whole number/);
  });

  test("a sweep's title can name the seeds that really run, and a soak's tests get time in proportion", () => {
    expect(sweepSeedCount(100)).toBe(100);
    expect(testTimeoutMs()).toBe(TEST_TIMEOUT_MS);
    process.env['KATA_SEEDS'] = '2000';
    expect(sweepSeedCount(100)).toBe(2000);
    expect(testTimeoutMs()).toBe(TEST_TIMEOUT_MS * 40);
  });
});

describe('counting mode (KATA_SWEEP_TALLY): sweeps count their failing seeds', () => {
  /** Points KATA_SWEEP_TALLY at a fresh file (and the traces of failing runs beside it); returns a reader of its lines. */
  function tallyFile(): () => SweepTally[] {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-tally-test-'));
    const file = path.join(folder, 'tally.jsonl');
    process.env['KATA_SWEEP_TALLY'] = file;
    process.env['KATA_TRACE_DIR'] = folder;
    return () => {
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SweepTally);
    };
  }

  test('a seed sweep runs every seed, writes one line, and fails with the first failing seed', async () => {
    const read = tallyFile();
    const seeds: number[] = [];
    const sweep = forEachSeed({ count: 10 }, async (seed) => {
      seeds.push(seed);
      if (seed % 3 === 0) throw new Error(`seed ${seed} lost a message`);
    });
    await expect(sweep).rejects.toThrow(/^seed 3 lost a message$/);
    expect(seeds).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(read()).toEqual([
      {
        file: 'harness/tests/testing-helpers.test.ts',
        test: 'counting mode (KATA_SWEEP_TALLY): sweeps count their failing seeds > a seed sweep runs every seed, writes one line, and fails with the first failing seed',
        kind: 'seeds',
        seedsPlanned: 10,
        seedsRun: 10,
        seedsFailed: 3,
        firstFailingSeed: 3,
      },
    ]);
  });

  test('a passing sweep writes its line too, and each sweep of a test writes its own', async () => {
    const read = tallyFile();
    await forEachSeed({ count: 4 }, async () => undefined);
    await forEachSeed({ count: 2, firstSeed: 7 }, async () => undefined);
    expect(
      read().map(({ seedsRun, seedsFailed, firstFailingSeed }) => [seedsRun, seedsFailed, firstFailingSeed]),
    ).toEqual([
      [4, 0, null],
      [2, 0, null],
    ]);
  });

  test('KATA_SWEEP_TALLY_ENOUGH stops the count once that fraction of the seeds failed', async () => {
    const read = tallyFile();
    process.env['KATA_SWEEP_TALLY_ENOUGH'] = '0.25';
    const seeds: number[] = [];
    const sweep = forEachSeed({ count: 12 }, async (seed) => {
      seeds.push(seed);
      if (seed % 2 === 0) throw new Error(`seed ${seed} failed`);
    });
    await expect(sweep).rejects.toThrow(/^seed 2 failed$/);
    expect(seeds).toEqual([1, 2, 3, 4, 5, 6]);
    expect(read()[0]).toMatchObject({ seedsPlanned: 12, seedsRun: 6, seedsFailed: 3, firstFailingSeed: 2 });
    process.env['KATA_SWEEP_TALLY_ENOUGH'] = '2';
    await expect(forEachSeed({ count: 1 }, async () => undefined)).rejects.toThrow(/must be a fraction/);
    delete process.env['KATA_SWEEP_TALLY_ENOUGH'];
  });

  test('KATA_SEED still replays one seed, and counts nothing', async () => {
    const read = tallyFile();
    process.env['KATA_SEED'] = '5';
    const seeds: number[] = [];
    await forEachSeed({ count: 10 }, async (seed) => void seeds.push(seed));
    expect(seeds).toEqual([5]);
    expect(read()).toEqual([]);
  });

  test("a test's timeout grows while sweeps count, since a broken solution's sweep runs every seed", () => {
    tallyFile();
    expect(testTimeoutMs()).toBe(TEST_TIMEOUT_MS * TALLY_TIMEOUT_FACTOR);
  });

  test('a fault-schedule sweep counts its failing cases, then still shrinks the first one', async () => {
    const read = tallyFile();
    const failure = await failureOf(
      checkFaultSchedules({
        faults: faultScheduleArbitrary({ nodes: ['n1', 'n2', 'n3'], healAtMs: 1_000, kinds: ['crash'] }),
        numRuns: 20,
        simulation: () => ({ nodes: cluster(3, chattyNode()) }),
        body: failsWhenN2Crashes,
      }),
    );
    expect(failure.message).toMatch(/^n2 crashed at t=0 ms and the system could not cope/);
    expect(failure.message).toMatch(/fast-check shrank this case after \d+ runs/);
    const [line, ...others] = read();
    expect(others).toEqual([]);
    expect(line).toMatchObject({ kind: 'schedules', seedsPlanned: 20, seedsRun: 20 });
    expect(line!.seedsFailed).toBeGreaterThan(0);
    expect(line!.seedsFailed).toBeLessThan(20);
    expect(line!.firstFailingSeed).toEqual(expect.any(Number));
  });
});

describe('random fault schedules', () => {
  const options = { nodes: ['n1', 'n2', 'n3'], healAtMs: 1_000 };

  test('the same seed draws the same schedule', () => {
    expect(randomFaultSchedule(8, options)).toEqual(randomFaultSchedule(8, options));
  });

  test('every schedule ends healed: links restored, network reliable, crashed nodes restarted', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const schedule = randomFaultSchedule(seed, options);
      const atHeal = schedule.filter((fault) => fault.atMs === 1_000);
      expect(atHeal.some((fault) => fault.kind === 'heal')).toBe(true);
      for (const crash of schedule.filter((fault) => fault.kind === 'crash')) {
        expect(atHeal).toContainEqual({ atMs: 1_000, kind: 'restart', node: (crash as { node: string }).node });
      }
      expect(schedule.every((fault, index) => index === 0 || schedule[index - 1]!.atMs <= fault.atMs)).toBe(true);
    }
  });

  test('a failing schedule shrinks to a small one, reported with a KATA_REPLAY command', async () => {
    const failure = await failureOf(
      checkFaultSchedules({
        faults: faultScheduleArbitrary({ ...options, kinds: ['crash', 'partition', 'network'] }),
        numRuns: 200,
        simulation: () => ({ nodes: cluster(3, chattyNode()) }),
        body: failsWhenN2Crashes,
      }),
    );
    expect(failure.message).toMatch(/^n2 crashed at t=0 ms and the system could not cope/);
    expect(failure.message).toMatch(/replay {3}KATA_REPLAY=-?\d+:[\d:]+ npm run test:harness/);
    expect(failure.message).toContain('t=0ms crash n2');
    expect(failure.message).toContain('t=1000ms restart n2');
    expect(failure.message).toMatch(/fast-check shrank this case after \d+ runs and \d+ shrinks/);
    rmSync(failure.tracePath);
    rmSync(failure.tracePath.replace(/\.json$/, '.html'));
  });
});
