/**
 * Given code for chapter 07: the hash that places keys and backends on a consistent-hash ring. Every
 * balancer must place them the same way, or two balancers would send one key to two backends, so the
 * hash and the labels are fixed here rather than chosen by each picker (as Ketama fixes them for
 * memcached clients).
 *
 * ```text
 *   ringHash('key-42')  ──▶ a spot on the ring, 0 … 2^32 − 1
 *   ringHash('b3#17')   ──▶ the spot of the 18th point (virtual node) of backend b3
 * ```
 *
 * @module
 */
import { stableHash } from '#harness';

/** The number of spots on the ring: positions run from 0 to `RING_SIZE - 1`, then wrap round to 0. */
export const RING_SIZE = 2 ** 32;

/**
 * The position of `text` on the ring, a whole number from 0 to {@link RING_SIZE} − 1. The same text
 * always gives the same position, in every process and on every machine, and texts that differ in one
 * character (`b3#17`, `b3#18`) land far apart (the harness's `stableHash`: FNV-1a with murmur3's
 * finaliser).
 */
export function ringHash(text: string): number {
  return stableHash(text);
}

/**
 * The label of backend `backend`'s point number `index` (0 to V − 1): `b3#17`. Point `index` of
 * `backend` sits at `ringHash(virtualNodeLabel(backend, index))`.
 */
export function virtualNodeLabel(backend: string, index: number): string {
  return `${backend}#${index}`;
}
