/**
 * How fast the linearizability checker is: on histories of correct objects (every verdict `ok`), and on
 * histories shaped like Porcupine's test data (`harness/check/linearizability/_test-support/
 * porcupineShaped.ts`), beside Porcupine's own times where they are known. The cases run in turns.
 *
 * Run standalone with `npx tsx scripts/bench/checker.ts`.
 */

import { pathToFileURL } from 'node:url';
import {
  casRegisterModel,
  checkLinearizability,
  kvModel,
  multiRegisterModel,
  registerModel,
  type CheckResult,
  type KvInput,
  type KvOutput,
  type Model,
  type MultiRegisterInput,
  type MultiRegisterOutput,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
} from '#harness/check';
import {
  ETCD_LOGS,
  etcdShapedHistories,
  kvShapedHistories,
} from '../../harness/check/linearizability/_test-support/porcupineShaped.ts';
import { simulateHistory, type SimulatedObject } from '../../harness/check/linearizability/_test-support/simulate.ts';
import type { History } from '../../harness/history.ts';
import { interleaved, minAndMedian, round2 } from './sampling.ts';
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

const realMultiRegister: SimulatedObject<Readonly<Record<string, number>>, MultiRegisterInput, MultiRegisterOutput> = {
  init: () => ({}),
  apply(state, input) {
    const next: Record<string, number> = { ...state };
    const values = input.ops.map((op) => {
      if (op.f === 'write') {
        next[op.key] = op.value as number;
        return op.value;
      }
      return next[op.key] ?? null;
    });
    return { state: next, output: { values } };
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

/** A multi-register history: object-valued states, hashed by the default plain-data identity. */
function multiRegisterHistory(): History<MultiRegisterInput, MultiRegisterOutput> {
  const keys = ['x', 'y', 'z', 'w'];
  return simulateHistory(realMultiRegister, {
    seed: 3,
    clients: 5,
    operations: 2_000,
    randomInput: (randomInt): MultiRegisterInput => ({
      f: 'txn',
      ops: [0, 1].map(() => {
        const key = keys[randomInt(0, keys.length - 1)]!;
        return randomInt(0, 1) === 0 ? { f: 'read', key } : { f: 'write', key, value: randomInt(0, 3) };
      }),
    }),
  });
}

/**
 * Porcupine's times on its own histories (github.com/anishathalye/porcupine, `test_data/`), measured on
 * the project's 2-core machine: its 103 etcd logs in 400 ms in all, `c50-bad` in 6-8 ms. The goal is to
 * take no longer on histories of the same shapes. It has no recorded figure for the other kv histories.
 */
const PORCUPINE_MS: Readonly<Record<string, { readonly limitMs: number; readonly text: string }>> = {
  etcd: { limitMs: 400, text: 'Porcupine: 400 ms' },
  'c50-bad': { limitMs: 8, text: 'Porcupine: 6-8 ms' },
};

/** Rounds measured in turns, after one warm-up round. */
const ROUNDS = 5;

interface Case {
  readonly name: string;
  readonly porcupine?: { readonly limitMs: number; readonly text: string };
  /** Checks every history of the case once; returns the last result. */
  readonly check: () => CheckResult<unknown, unknown, unknown>;
  readonly operations: number;
}

function caseOf<State, Input, Output>(
  name: string,
  model: Model<State, Input, Output>,
  histories: readonly History<Input, Output>[],
  porcupine?: Case['porcupine'],
): Case {
  const check = (): CheckResult<unknown, unknown, unknown> => {
    let result: CheckResult<State, Input, Output> | undefined;
    for (const history of histories) result = checkLinearizability(model, history);
    return result as CheckResult<unknown, unknown, unknown>;
  };
  const operations = histories.reduce((sum, history) => sum + history.length, 0);
  return { name, porcupine, check, operations };
}

function cases(): Case[] {
  const etcd = etcdShapedHistories();
  return [
    caseOf('kv, 50 clients, 10,000 ops, 100 keys', kvModel, [kvHistory()]),
    caseOf('register, 5 clients, 2,000 ops', registerModel, [registerHistory(0)]),
    caseOf('register, 5 clients, 2,000 ops, 5% indeterminate', registerModel, [registerHistory(0.05)]),
    caseOf('multi-register, 5 clients, 2,000 txns (object states)', multiRegisterModel, [multiRegisterHistory()]),
    caseOf(
      `etcd-shaped: all ${ETCD_LOGS} cas-register histories`,
      casRegisterModel,
      etcd.map((shaped) => shaped.history),
      PORCUPINE_MS.etcd,
    ),
    ...kvShapedHistories().map((shaped) =>
      caseOf(`Porcupine kv-shaped: ${shaped.name}`, kvModel, [shaped.history], PORCUPINE_MS[shaped.name]),
    ),
  ];
}

function verdictDetail(result: CheckResult<unknown, unknown, unknown>, operations: number): string {
  const { stats } = result;
  const parts = `${stats.partitionsChecked} of ${stats.partitions} part${stats.partitions === 1 ? '' : 's'} checked`;
  return `${operations.toLocaleString('en-US')} ops; verdict (of the last history) ${result.verdict}, ${parts}, ${stats.steps.toLocaleString('en-US')} steps`;
}

/** The checker's bench suite: its own histories, and histories shaped like Porcupine's test data. */
export const checkerBench: BenchSuite = {
  title: `Linearizability checker (time per case; ${ROUNDS} rounds in turns after a warm-up)`,
  async run() {
    const all = cases();
    const last = new Map<string, CheckResult<unknown, unknown, unknown>>();
    const kinds = Object.fromEntries(
      all.map((one) => [
        one.name,
        () => {
          const startMs = performance.now();
          last.set(one.name, one.check());
          return performance.now() - startMs;
        },
      ]),
    );
    const timesMs = await interleaved(kinds, ROUNDS);
    const figures: BenchFigure[] = [];
    for (const one of all) {
      const { min, median } = minAndMedian(timesMs[one.name]!);
      const goal =
        one.porcupine === undefined
          ? undefined
          : { text: `≤ ${one.porcupine.limitMs} ms (${one.porcupine.text})`, met: median <= one.porcupine.limitMs };
      const ratio =
        one.porcupine === undefined ? '' : `median ${round2(median / one.porcupine.limitMs)}x Porcupine's; `;
      figures.push({
        name: one.name,
        value: round2(min),
        median: round2(median),
        unit: 'ms',
        goal,
        detail: `${ratio}${verdictDetail(last.get(one.name)!, one.operations)}`,
      });
    }
    return figures;
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
