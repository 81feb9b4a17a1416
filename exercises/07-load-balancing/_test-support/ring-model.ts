/**
 * Test support for exercise 7.4: a model of the consistent-hash ring and of the bounded-load pick,
 * written as plainly as possible (a sorted list searched front to back), that the tests compare the
 * learner's ring and picker with; hashing mod n, the comparison for keys moved; a Zipf workload; and
 * a picker wrapper that notes what each pick saw.
 *
 * @module
 */
import type { BackendId, Picker, PickerContext } from '../_given/balancer.ts';
import { ringHash, virtualNodeLabel } from '../_given/ring-hash.ts';

/** The ring as the README defines it, for `backends` with `virtualNodes` points each. */
export class RingModel {
  /** [position, backend], in ring order. */
  readonly #points: Array<readonly [number, BackendId]> = [];
  /** The backends on the ring. */
  readonly backends: readonly BackendId[];

  constructor(backends: readonly BackendId[], virtualNodes: number) {
    this.backends = [...backends];
    for (const backend of backends) {
      for (let index = 0; index < virtualNodes; index++) {
        this.#points.push([ringHash(virtualNodeLabel(backend, index)), backend]);
      }
    }
    this.#points.sort(([p, a], [q, b]) => (p !== q ? p - q : a < b ? -1 : a > b ? 1 : 0));
  }

  /** How many points the ring has. */
  get pointCount(): number {
    return this.#points.length;
  }

  /** The position of the ring's last point (the one nearest 2^32 − 1); -1 on an empty ring. */
  get lastPosition(): number {
    return this.#points.at(-1)?.[0] ?? -1;
  }

  /** The index of the key's point: the first at or after its hash, or 0 past the last point. */
  #start(key: string): number {
    const hash = ringHash(key);
    // A bisection over the positions (the ring is sorted), the last step done front to back.
    let from = 0;
    let to = this.#points.length;
    while (to - from > 8) {
      const half = from + Math.floor((to - from) / 2);
      if (this.#points[half - 1]![0] >= hash) to = half;
      else from = half;
    }
    while (from < to && this.#points[from]![0] < hash) from++;
    return from === this.#points.length ? 0 : from;
  }

  /** The key's own backend; `null` on an empty ring. */
  owner(key: string): BackendId | null {
    return this.#points.length === 0 ? null : this.#points[this.#start(key)]![1];
  }

  /** The backend of the point that follows the key's own point (the next POINT, maybe the same backend). */
  nextPointBackend(key: string): BackendId | null {
    if (this.#points.length === 0) return null;
    return this.#points[(this.#start(key) + 1) % this.#points.length]![1];
  }

  /** Every backend once, in the order a clockwise walk from the key first meets it. */
  walk(key: string): BackendId[] {
    const met: BackendId[] = [];
    const start = this.#start(key);
    for (let offset = 0; offset < this.#points.length && met.length < this.backends.length; offset++) {
      const backend = this.#points[(start + offset) % this.#points.length]![1];
      if (!met.includes(backend)) met.push(backend);
    }
    return met;
  }

  /** What the bounded-load pick of `key` must be with `loads` in flight and balance factor `c`. */
  boundedPick(key: string, loads: (backend: BackendId) => number, c: number): BoundedPick | null {
    const walk = this.walk(key);
    if (walk.length === 0) return null;
    const m = walk.reduce((sum, backend) => sum + loads(backend), 0) + 1;
    const cap = Math.ceil((c * m) / walk.length);
    const chosen = walk.find((backend) => loads(backend) < cap) ?? walk[0]!;
    return { chosen, cap, m, n: walk.length, walk };
  }
}

/** The model's bounded-load pick, and the figures behind it. */
export interface BoundedPick {
  readonly chosen: BackendId;
  /** ceil(c × m / n). */
  readonly cap: number;
  /** The requests in flight on the ring's backends, with this one. */
  readonly m: number;
  readonly n: number;
  /** Every backend, clockwise from the key. */
  readonly walk: readonly BackendId[];
}

/** Hashing mod n: the key's backend is `backends[ringHash(key) mod n]`. */
export function modNOwner(backends: readonly BackendId[], key: string): BackendId {
  return backends[ringHash(key) % backends.length]!;
}

/** Keys `key-1` … `key-<count>` drawn with Zipf's law: rank r with probability ∝ 1 / r^exponent. */
export interface ZipfKeys {
  /** The hottest key, `key-1`. */
  readonly hot: string;
  /** The probability of `key-<rank>`. */
  probability(rank: number): number;
  /** One key, drawn with `random` (a float in [0, 1)). */
  draw(random: () => number): string;
}

/** Zipf's law over `count` keys with `exponent` (1 is the classic; higher makes the hot key hotter). */
export function zipfKeys(count: number, exponent: number): ZipfKeys {
  const weights = Array.from({ length: count }, (_, index) => 1 / (index + 1) ** exponent);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const weight of weights) cumulative.push((sum += weight / total));
  return {
    hot: 'key-1',
    probability: (rank) => weights[rank - 1]! / total,
    draw(random) {
      const u = random();
      let low = 0;
      let high = count - 1;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (cumulative[middle]! > u) high = middle;
        else low = middle + 1;
      }
      return `key-${low + 1}`;
    },
  };
}

/** One pick as a keyed picker saw it: the time, the key, the backends and their loads, the answer. */
export interface KeyedPick {
  readonly atMs: number;
  readonly key: string;
  /** The backends on the ring at the pick, in the order they were added. */
  readonly members: readonly BackendId[];
  readonly loads: ReadonlyMap<BackendId, number>;
  readonly picked: BackendId | null;
}

/**
 * `create`, noting into `picks` what each pick saw and chose. The wrapper follows the joins and leaves
 * the picker accepts, and starts again from `initial` when the balancer builds a new picker (a restart).
 */
export function recordingKeyedPicker(
  create: (context: PickerContext) => Picker,
  initial: readonly BackendId[],
  picks: KeyedPick[],
): (context: PickerContext) => Picker {
  return (context) => {
    const picker = create(context);
    const members = [...initial];
    return {
      pick(key = '') {
        const loads = new Map(members.map((id) => [id, context.load.inFlight(id)]));
        const picked = picker.pick(key);
        picks.push({ atMs: context.now(), key, members: [...members], loads, picked });
        return picked;
      },
      add(backend) {
        picker.add(backend);
        members.push(backend);
      },
      remove(backend) {
        picker.remove(backend);
        if (members.includes(backend)) members.splice(members.indexOf(backend), 1);
      },
    };
  };
}

/** Models per set of members, built once each. */
function modelCache(virtualNodes: number): (members: readonly BackendId[]) => RingModel {
  const models = new Map<string, RingModel>();
  return (members) => {
    const name = [...members].sort().join(' ');
    let model = models.get(name);
    if (model === undefined) models.set(name, (model = new RingModel(members, virtualNodes)));
    return model;
  };
}

/**
 * What breaks bounded loads in `picks` (at most `limit` findings): a pick of no backend or of one not on
 * the ring; a backend that would hold more than ceil(c × m / n); a key sent away from its own backend
 * while that was below the cap (cold keys stay put); a key whose own backend was full sent anywhere but
 * the first backend below the cap clockwise.
 */
export function boundedLoadViolations(
  picks: readonly KeyedPick[],
  options: { readonly virtualNodes: number; readonly balanceFactor: number },
  limit = 3,
): string[] {
  const modelOf = modelCache(options.virtualNodes);
  const c = options.balanceFactor;
  const found: string[] = [];
  for (const [index, { atMs, key, members, loads, picked }] of picks.entries()) {
    if (found.length >= limit) break;
    const load = (backend: BackendId) => loads.get(backend) ?? 0;
    const where =
      `pick ${index + 1} (t=${atMs} ms) of ${key}, loads in flight ` +
      `${members.map((id) => `${id} ${load(id)}`).join(', ') || '(no backend)'}`;
    const expected = modelOf(members).boundedPick(key, load, c);
    if (expected === null) {
      if (picked !== null) found.push(`${where}: chose ${picked}, but the ring was empty`);
      continue;
    }
    const { cap, m, n, walk, chosen } = expected;
    const capText = `the cap ceil(${c} × ${m} / ${n}) = ${cap}`;
    if (picked === null) {
      found.push(`${where}: returned no backend although ${members.join(', ')} were on the ring`);
    } else if (!members.includes(picked)) {
      found.push(`${where}: chose ${picked}, which is not on the ring (it left, or never joined)`);
    } else if (load(picked) + 1 > cap) {
      found.push(
        `${where}: sent it to ${picked}, which then held ${load(picked) + 1} in flight, above ${capText} ` +
          `(m counts this request). Walk clockwise past every full backend to the next DISTINCT backend below the cap: ${walk.join(' → ')}`,
      );
    } else if (picked !== chosen && chosen === walk[0]) {
      found.push(
        `${where}: sent it to ${picked}, but its own backend ${chosen} had ${load(chosen)} in flight, below ` +
          `${capText}: a key stays put on its own backend while that backend is below the cap`,
      );
    } else if (picked !== chosen) {
      found.push(
        `${where}: sent it to ${picked}; clockwise from the key the backends are ${walk.join(' → ')}, and the ` +
          `first below ${capText} is ${chosen}: a full backend passes the key on to the NEXT backend clockwise that has room`,
      );
    }
  }
  return found;
}
