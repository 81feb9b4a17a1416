/**
 * Small wording helpers shared by the checkers' messages. Internal: not part of the public surface.
 *
 * @module
 */

/** `t=340 ms`. */
export function at(ms: number): string {
  return `t=${ms} ms`;
}

/** `n1`, `n1 and n2`, `n1, n2 and n3`; past `limit` names: `n1, n2, n3 and 7 others`. */
export function joinNames(names: readonly string[], limit = 5): string {
  if (names.length <= limit) {
    if (names.length <= 1) return names.join('');
    return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  }
  return `${names.slice(0, limit).join(', ')} and ${names.length - limit} others`;
}

/** Up to `limit` items joined by `, `, then `and N more`. */
export function listSome(items: readonly string[], limit = 5): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

/** `once`, `twice`, `3 times`. */
export function times(count: number): string {
  if (count === 1) return 'once';
  if (count === 2) return 'twice';
  return `${count} times`;
}

export { plural } from '../../wording.ts';
