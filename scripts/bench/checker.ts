/**
 * How fast the linearizability checker is, on histories of a correct store (so every verdict should be
 * `ok`). Porcupine checks a 50-client kv history in tens of milliseconds; this is the figure to watch.
 *
 * Run standalone with `npx tsx scripts/bench/checker.ts`.
 */

import { pathToFileURL } from 'node:url';
import {
  checkLinearizability,
  kvModel,
  registerModel,
  type CheckResult,
  type KvInput,
  type KvOutput,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
} from '#harness/check';
import { simulateHistory, type SimulatedObject } from '../../harness/check/linearizability/_test-support/simulate.ts';
import type { History } from '../../harness/history.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const realRegister: SimulatedObject<RegisterValue, RegisterInput, RegisterOutput> = {
  init: () => null,
  apply: (state, input) =>
    input.f === 'write' ? { state: input.value, output: {} } : { state, output: { value: state } },
};

const realKvStore: SimulatedObject<ReadonlyMap<string, string>, KvInput, KvOutput> = {
  init: () => new Map(),
  apply(state, input) {
    const current = state.get(input.key) ?? '';
    if (input.f === 'get') return { state, output: { value: current } };
    const next = new Map(state);
    next.set(input.key, input.f === 'put' ? input.value : current + input.value);
    return { state: next, output: {} };
  },
};

function kvHistory(): History<KvInput, KvOutput> {
  return simulateHistory(realKvStore, {
    seed: 50,
    clients: 50,
    operations: 10_000,
    randomInput: (randomInt, client, sequence): KvInput => {
      const key = `k${randomInt(0, 99)}`;
      const roll = randomInt(0, 9);
      if (roll < 5) return { f: 'get', key };
      if (roll < 7) return { f: 'put', key, value: `p${client}.${sequence} ` };
      return { f: 'append', key, value: `a${client}.${sequence} ` };
    },
  });
}

function registerHistory(indeterminateFraction: number): History<RegisterInput, RegisterOutput> {
  return simulateHistory(realRegister, {
    seed: 5,
    clients: 5,
    operations: 2_000,
    indeterminateFraction,
    // Few distinct values, as in Jepsen's etcd test: reads cannot tell writes apart, so the search works harder.
    randomInput: (randomInt): RegisterInput =>
      randomInt(0, 1) === 0 ? { f: 'read' } : { f: 'write', value: randomInt(0, 4) },
  });
}

interface Timed {
  readonly medianMs: number;
  readonly result: CheckResult<unknown, unknown, unknown>;
}

const WARMUP_RUNS = 3;
const MEASURED_RUNS = 9;

/** Runs `check` a few times to let the JIT settle, then times it and keeps the median. */
function timeCheck<Input, Output>(check: () => CheckResult<unknown, Input, Output>): Timed {
  let result = check();
  for (let run = 1; run < WARMUP_RUNS; run++) result = check();
  const timesMs: number[] = [];
  for (let run = 0; run < MEASURED_RUNS; run++) {
    const startMs = performance.now();
    result = check();
    timesMs.push(performance.now() - startMs);
  }
  timesMs.sort((a, b) => a - b);
  return {
    medianMs: timesMs[Math.floor(MEASURED_RUNS / 2)]!,
    result: result as CheckResult<unknown, unknown, unknown>,
  };
}

function figures(name: string, timed: Timed): BenchFigure[] {
  const { stats } = timed.result;
  const parts = `${stats.partitions} part${stats.partitions === 1 ? '' : 's'}`;
  const detail = `verdict ${timed.result.verdict}; ${parts}, ${stats.steps} search steps, ${stats.statesCached} states cached`;
  return [
    { name: `${name}: time per history`, value: round(timed.medianMs), unit: 'ms', detail },
    {
      name: `${name}: throughput`,
      value: Math.round(stats.operationsChecked / (timed.medianMs / 1000)),
      unit: 'ops/s',
      detail,
    },
  ];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The checker's bench suite: a 50-client kv history and 5-client register histories. */
export const checkerBench: BenchSuite = {
  title: 'Linearizability checker',
  async run() {
    const kv = kvHistory();
    const register = registerHistory(0);
    const registerIndeterminate = registerHistory(0.05);
    return [
      ...figures(
        'kv, 50 clients, 10,000 ops, 100 keys',
        timeCheck(() => checkLinearizability(kvModel, kv)),
      ),
      ...figures(
        'register, 5 clients, 2,000 ops',
        timeCheck(() => checkLinearizability(registerModel, register)),
      ),
      ...figures(
        'register, 5 clients, 2,000 ops, 5% indeterminate',
        timeCheck(() => checkLinearizability(registerModel, registerIndeterminate)),
      ),
    ];
  },
};

async function main(): Promise<void> {
  console.log(checkerBench.title);
  for (const figure of await checkerBench.run()) {
    console.log(
      `  ${figure.name}: ${figure.value} ${figure.unit}${figure.detail === undefined ? '' : ` (${figure.detail})`}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
