/**
 * Histories shaped like Porcupine's own test data, for benchmarks and tests that compare with it.
 *
 * Porcupine (github.com/anishathalye/porcupine) checks two sets of histories in its tests:
 *
 * - `test_data/jepsen/etcd_000.log` to `etcd_102.log`: Jepsen's early etcd test, a compare-and-set
 *   register with values 0 to 4, five clients at a time, about 80 to 100 operations each, many timed out
 *   (`:info`). Most of them are not linearizable: etcd then served reads from a stale follower.
 * - `test_data/kv/c01-*`, `c10-*`, `c50-*` (`ok` and `bad`): a key-value store with get, put and append
 *   on ten keys, from 1, 10 and 50 clients (about 40, 450 and 2,500 operations), values such as
 *   `x 12 3 y` (client 12's fourth operation). The `bad` ones come from a store that applies some
 *   appends twice, as a server without duplicate detection does when a client retries.
 *
 * The files are not shipped here. These generators make histories of the same shapes from a seed, with
 * the same kinds of bugs, so the same figures can be measured on any machine.
 *
 * @module
 */

import type { History } from '../../../history.ts';
import type { CasRegisterInput, CasRegisterOutput } from '../models/casRegister.ts';
import type { KvInput, KvOutput } from '../models/kv.ts';
import type { RegisterValue } from '../models/register.ts';
import { simulateHistory, type SimulatedObject } from './simulate.ts';

/** One generated history, named after the Porcupine file whose shape it has. */
export interface ShapedHistory<Input, Output> {
  /** e.g. `c50-bad` or `etcd_007`. */
  readonly name: string;
  readonly history: History<Input, Output>;
}

/** The keys of Porcupine's kv histories. */
const KV_KEYS = 10;

/**
 * A key-value store that applies every `duplicateEvery`-th append twice (0: never), as a server that
 * does not detect a retried request does.
 */
function kvStore(duplicateEvery: number): SimulatedObject<ReadonlyMap<string, string>, KvInput, KvOutput> {
  let appends = 0;
  return {
    init: () => new Map(),
    apply(state, input) {
      const current = state.get(input.key) ?? '';
      if (input.f === 'get') return { state, output: { value: current } };
      const next = new Map(state);
      if (input.f === 'put') next.set(input.key, input.value);
      else {
        appends++;
        const twice = duplicateEvery > 0 && appends % duplicateEvery === 0;
        next.set(input.key, current + input.value + (twice ? input.value : ''));
      }
      return { state: next, output: {} };
    },
  };
}

/**
 * A kv history like Porcupine's `c<clients>-ok` or `c<clients>-bad`: about 50 operations per client
 * (get 45%, append 45%, put 10%) on ten keys.
 */
export function kvShapedHistory(clients: number, bad: boolean, seed = clients): ShapedHistory<KvInput, KvOutput> {
  const operations = clients === 1 ? 40 : clients * 48;
  const history = simulateHistory(kvStore(bad ? (clients === 1 ? 7 : 97) : 0), {
    seed,
    clients,
    operations,
    randomInput: (randomInt, client, sequence): KvInput => {
      const key = String(randomInt(0, KV_KEYS - 1));
      const roll = randomInt(0, 19);
      const value = `x ${client} ${Math.floor(sequence / clients)} y`;
      if (roll < 9) return { f: 'get', key };
      if (roll < 11) return { f: 'put', key, value };
      return { f: 'append', key, value };
    },
  });
  return { name: `c${String(clients).padStart(2, '0')}-${bad ? 'bad' : 'ok'}`, history };
}

/** Porcupine's six kv histories, by shape: 1, 10 and 50 clients, each `ok` and `bad`. */
export function kvShapedHistories(): ShapedHistory<KvInput, KvOutput>[] {
  return [1, 10, 50].flatMap((clients) => [kvShapedHistory(clients, false), kvShapedHistory(clients, true)]);
}

/**
 * A compare-and-set register whose every `staleEvery`-th read returns the value of three changes ago
 * (0: never), as a follower that lags the leader does.
 */
function etcdRegister(
  staleEvery: number,
): SimulatedObject<readonly RegisterValue[], CasRegisterInput, CasRegisterOutput> {
  let reads = 0;
  const LAG = 3;
  return {
    // The current value first, then the values it replaced, most recent first.
    init: () => [null],
    apply(values, input) {
      const current = values[0]!;
      switch (input.f) {
        case 'read': {
          reads++;
          const stale = staleEvery > 0 && reads % staleEvery === 0;
          return { state: values, output: { value: stale ? (values[LAG] ?? null) : current } };
        }
        case 'write':
          return { state: [input.value, ...values.slice(0, LAG)], output: {} };
        default: {
          const swapped = current === input.expected;
          return { state: swapped ? [input.newValue, ...values.slice(0, LAG)] : values, output: { swapped } };
        }
      }
    },
  };
}

/** The number of etcd logs in Porcupine's test data. */
export const ETCD_LOGS = 103;

/**
 * An etcd-shaped history: five clients, 90 operations (read, write and cas a third each, values 0 to 4),
 * 15% timed out. One in eight is linearizable; the others have a stale read now and then.
 */
export function etcdShapedHistory(index: number): ShapedHistory<CasRegisterInput, CasRegisterOutput> {
  const linearizable = index % 8 === 2;
  const history = simulateHistory(etcdRegister(linearizable ? 0 : 4 + (index % 5)), {
    seed: 1_000 + index,
    clients: 5,
    operations: 90,
    indeterminateFraction: 0.15,
    randomInput: (randomInt): CasRegisterInput => {
      const roll = randomInt(0, 2);
      if (roll === 0) return { f: 'read' };
      if (roll === 1) return { f: 'write', value: randomInt(0, 4) };
      return { f: 'cas', expected: randomInt(0, 4), newValue: randomInt(0, 4) };
    },
  });
  return { name: `etcd_${String(index).padStart(3, '0')}`, history };
}

/** All {@link ETCD_LOGS} etcd-shaped histories. */
export function etcdShapedHistories(): ShapedHistory<CasRegisterInput, CasRegisterOutput>[] {
  return Array.from({ length: ETCD_LOGS }, (_, index) => etcdShapedHistory(index));
}
