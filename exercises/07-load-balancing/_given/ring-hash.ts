/**
 * Given code for chapter 07: the hash that places keys and backends on a consistent-hash ring. Every
 * balancer must place them the same way, or two balancers would send one key to two backends, so the
 * hash is fixed here rather than chosen by each picker (as Ketama fixes MD5 for memcached clients).
 *
 * ```text
 *   ringHash('user-42')  ──▶ 1,733,004,512     a spot on the ring, 0 … 2^32 − 1
 *   ringHash('b3#17')    ──▶   409,118,006     the 18th point (virtual node) of backend b3
 * ```
 *
 * @module
 */

/** The number of spots on the ring: positions run from 0 to `RING_SIZE - 1`, then wrap to 0. */
export const RING_SIZE = 2 ** 32;

/**
 * The position of `text` on the ring, a whole number from 0 to {@link RING_SIZE} − 1. The same text
 * always gives the same position, in every process and on every machine. FNV-1a over the text's UTF-16
 * code units, then murmur3's 32-bit finaliser, so that texts that differ in one character (`b3#17`,
 * `b3#18`) land far apart.
 */
export function ringHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * The label of backend `backend`'s point number `index` (0 to V − 1): `b3#17`. Point `index` of
 * `backend` sits at `ringHash(virtualNodeLabel(backend, index))`.
 */
export function virtualNodeLabel(backend: string, index: number): string {
  return `${backend}#${index}`;
}
