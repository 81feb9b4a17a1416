/**
 * Seeded randomness for the simulator and for nodes.
 *
 * Every source of randomness in a run comes from one seed. The simulator derives a child seed per
 * subsystem (the network, each node, the workload, the fault schedule) with {@link deriveSeed}, so adding
 * a node or a fault does not shift the random choices of the others.
 *
 * @module
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** The largest seed accepted: seeds are 32-bit unsigned integers. */
export const MAX_SEED = 0xffff_ffff;

/**
 * Derives a child seed from a parent seed and a label, e.g. `deriveSeed(seed, 'network')` or
 * `deriveSeed(seed, 'node:n1')`. The same inputs always give the same output; different labels give
 * unrelated seeds.
 */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label, folded with the parent seed, then a 32-bit finaliser (murmur3's fmix32) so that
  // nearby seeds and similar labels still land far apart.
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < label.length; index++) {
    hash ^= label.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= seed >>> 16;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * A 32-bit hash of `text`, a whole number from 0 to 2^32 − 1: the same text gives the same number in
 * every process and on every machine, and texts that differ in one character land far apart (FNV-1a
 * with murmur3's 32-bit finaliser: {@link deriveSeed} with seed 0). For placing keys and backends on a
 * consistent-hash ring, or keys in shards; not a cryptographic hash.
 */
export function stableHash(text: string): number {
  return deriveSeed(0, text);
}

/**
 * A seeded random number generator (xoroshiro128+ from `pure-rand`). Mutable: each call advances it.
 */
export class Rng {
  readonly #generator: ReturnType<typeof xoroshiro128plus>;

  /** Creates a generator from a 32-bit seed. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`A seed must be an integer from 0 to ${MAX_SEED}; got ${String(seed)}.`);
    }
    this.#generator = xoroshiro128plus(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return uniformFloat64(this.#generator);
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.#generator, min, max);
  }

  /** True with probability `probability` (0 never, 1 always, and no random draw is spent on either). */
  chance(probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    return this.next() < probability;
  }
}
