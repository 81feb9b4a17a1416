/**
 * Small helpers for messages.
 *
 * @module
 */

/** `1 operation`, `3 operations`, `20,000 operations`: a count with its noun. */
export function countOf(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
