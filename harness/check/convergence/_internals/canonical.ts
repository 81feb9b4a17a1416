/**
 * Comparing and describing replica states: a canonical key (equal states, equal keys), a short
 * rendering for messages, and a description of how two states differ. Internal: not part of the public
 * surface.
 *
 * @module
 */

/**
 * A string that is the same for two states exactly when they are equal as data: plain objects compare
 * by their sorted keys (keys whose value is `undefined` are skipped, as in JSON), arrays by position,
 * `Set`s as sets and `Map`s as maps (insertion order ignored), numbers by value (`-0` equals `0`, `NaN`
 * equals `NaN`).
 *
 * Cost: O(size of the state · log of its largest collection).
 *
 * @throws Error if the state contains a cycle, a function or a symbol.
 */
export function canonicalKey(value: unknown): string {
  return keyOf(value, new Set());
}

function keyOf(value: unknown, path: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (Object.is(value, -0)) return '0';
      return Number.isFinite(value) ? JSON.stringify(value) : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
    case 'symbol':
      throw new Error(`A replica state contains a ${typeof value}; states must be plain data to be compared.`);
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (path.has(value))
    throw new Error('A replica state contains a cycle; states must be plain data (trees) to be compared.');
  path.add(value);
  try {
    return objectKey(value, path);
  } finally {
    path.delete(value);
  }
}

function objectKey(value: object, path: Set<object>): string {
  if (Array.isArray(value)) return `[${Array.from(value, (item) => keyOf(item, path)).join(',')}]`;
  if (value instanceof Set) return `Set{${sortedKeys(value, path).join(',')}}`;
  if (value instanceof Map) {
    const entries = Array.from(value, ([key, item]) => `${keyOf(key, path)}:${keyOf(item, path)}`);
    return `Map{${entries.sort().join(',')}}`;
  }
  if (value instanceof Date) return `Date(${value.getTime()})`;
  const record = value as Record<string, unknown>;
  const entries = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${keyOf(record[key], path)}`);
  return `{${entries.join(',')}}`;
}

function sortedKeys(values: Iterable<unknown>, path: Set<object>): string[] {
  return Array.from(values, (item) => keyOf(item, path)).sort();
}

/** At most this many characters of a state go into a message. */
const RENDER_BUDGET = 60;

/**
 * A short human rendering of a state: `{a,b}` for a set, `[1,2]` for an array, `{x:1}` for an object,
 * `Map{k→v}` for a map. Cut with `…` past about 60 characters, with the collection's size when known.
 */
export function render(value: unknown): string {
  const out = new Writer(RENDER_BUDGET);
  write(value, out);
  if (!out.full) return out.text;
  const size = sizeOf(value);
  return `${out.text.replace(/,$/, '')}…${size === undefined ? '' : ` (${size} ${size === 1 ? 'entry' : 'entries'})`}`;
}

class Writer {
  text = '';
  full = false;
  readonly budget: number;
  constructor(budget: number) {
    this.budget = budget;
  }
  put(piece: string): void {
    if (this.full) return;
    if (this.text.length + piece.length > this.budget) {
      // Cut inside a piece only when little has been written; otherwise stop at a whole element.
      if (this.text.length < this.budget / 2) this.text += piece.slice(0, this.budget - this.text.length);
      this.full = true;
      return;
    }
    this.text += piece;
  }
}

function write(value: unknown, out: Writer): void {
  if (out.full) return;
  if (typeof value !== 'object' || value === null) {
    out.put(atom(value));
    return;
  }
  if (Array.isArray(value)) return writeList('[', ']', value, out);
  if (value instanceof Set) return writeList('{', '}', sortedByKey([...value]), out);
  if (value instanceof Map) {
    const entries = sortedByKey([...value.keys()]).map((key) => [key, value.get(key)] as const);
    return writeEntries('Map{', '→', entries, out);
  }
  if (value instanceof Date) return out.put(value.toISOString());
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined);
  writeEntries(
    '{',
    ':',
    keys.map((key) => [key, record[key]] as const),
    out,
  );
}

function writeList(open: string, close: string, items: readonly unknown[], out: Writer): void {
  out.put(open);
  for (let i = 0; i < items.length && !out.full; i++) {
    if (i > 0) out.put(',');
    write(items[i], out);
  }
  out.put(close);
}

function writeEntries(
  open: string,
  arrow: string,
  entries: ReadonlyArray<readonly [unknown, unknown]>,
  out: Writer,
): void {
  out.put(open);
  for (let i = 0; i < entries.length && !out.full; i++) {
    const [key, item] = entries[i]!;
    if (i > 0) out.put(',');
    write(key, out);
    out.put(arrow);
    write(item, out);
  }
  out.put('}');
}

/** Sorts by canonical key, so `{b,a}` and `{a,b}` render alike. */
function sortedByKey(values: unknown[]): unknown[] {
  return values
    .map((item) => ({ item, key: canonicalKey(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => item);
}

/**
 * Strings print bare when that is unambiguous (`a`, `n1`, `user:7`), quoted otherwise (`""`, `"17"`,
 * `"a b"`), so a string never looks like a number.
 */
function atom(value: unknown): string {
  if (typeof value === 'string') {
    return /^[A-Za-z_][\w.:@/-]*$/.test(value) && !['true', 'false', 'null', 'undefined'].includes(value)
      ? value
      : JSON.stringify(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (Object.is(value, -0)) return '0';
  return String(value);
}

function sizeOf(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  if (value instanceof Set || value instanceof Map) return value.size;
  return undefined;
}

/** How many differing items a difference lists per kind before "and N more". */
const LISTED_ITEMS = 3;

/**
 * How `other` differs from `reference`, as a phrase to follow "n3 holds …": `lacks b; has extra d`
 * for sets, `lacks key x; differs at y (2 instead of 1)` for objects and maps, `first differs at index
 * 1 (c instead of b)` for arrays. `undefined` when the states are of different kinds or are atoms, where
 * the renderings already say it all.
 */
export function describeDifference(reference: unknown, other: unknown): string | undefined {
  if (reference instanceof Set && other instanceof Set) return setDifference(reference, other);
  if (Array.isArray(reference) && Array.isArray(other)) return arrayDifference(reference, other);
  if (reference instanceof Map && other instanceof Map) return keyedDifference(new Map(reference), new Map(other));
  if (isPlainObject(reference) && isPlainObject(other)) {
    return keyedDifference(definedEntries(reference), definedEntries(other));
  }
  return undefined;
}

function setDifference(reference: ReadonlySet<unknown>, other: ReadonlySet<unknown>): string | undefined {
  const referenceByKey = byKey(reference);
  const otherByKey = byKey(other);
  const lacks = [...referenceByKey].filter(([key]) => !otherByKey.has(key)).map(([, item]) => item);
  const extra = [...otherByKey].filter(([key]) => !referenceByKey.has(key)).map(([, item]) => item);
  const parts: string[] = [];
  if (lacks.length > 0) parts.push(`lacks ${listed(sortedByKey(lacks).map(shortRender))}`);
  if (extra.length > 0) parts.push(`has extra ${listed(sortedByKey(extra).map(shortRender))}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function arrayDifference(reference: readonly unknown[], other: readonly unknown[]): string | undefined {
  const shared = Math.min(reference.length, other.length);
  for (let i = 0; i < shared; i++) {
    if (canonicalKey(reference[i]) !== canonicalKey(other[i])) {
      return `first differs at index ${i} (${shortRender(other[i])} instead of ${shortRender(reference[i])})`;
    }
  }
  if (other.length < reference.length) {
    return `lacks the last ${plural(reference.length - other.length, 'entry', 'entries')} (${listed(reference.slice(shared).map(shortRender))})`;
  }
  if (other.length > reference.length) {
    return `has ${plural(other.length - reference.length, 'extra entry', 'extra entries')} at the end (${listed(other.slice(shared).map(shortRender))})`;
  }
  return undefined;
}

function keyedDifference(reference: Map<unknown, unknown>, other: Map<unknown, unknown>): string | undefined {
  const referenceByKey = keyedByCanonical(reference);
  const otherByKey = keyedByCanonical(other);
  const lacks: unknown[] = [];
  const changed: string[] = [];
  for (const [key, [name, value]] of referenceByKey) {
    const mine = otherByKey.get(key);
    if (mine === undefined) lacks.push(name);
    else if (canonicalKey(mine[1]) !== canonicalKey(value)) {
      changed.push(`${shortRender(name)} (${shortRender(mine[1])} instead of ${shortRender(value)})`);
    }
  }
  const extra = [...otherByKey].filter(([key]) => !referenceByKey.has(key)).map(([, [name]]) => name);
  const parts: string[] = [];
  if (lacks.length > 0) parts.push(`lacks ${lacks.length === 1 ? 'key' : 'keys'} ${listed(lacks.map(shortRender))}`);
  if (extra.length > 0)
    parts.push(`has extra ${extra.length === 1 ? 'key' : 'keys'} ${listed(extra.map(shortRender))}`);
  if (changed.length > 0) parts.push(`differs at ${listed(changed)}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function byKey(values: Iterable<unknown>): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const item of values) map.set(canonicalKey(item), item);
  return map;
}

function keyedByCanonical(map: Map<unknown, unknown>): Map<string, readonly [unknown, unknown]> {
  const keyed = new Map<string, readonly [unknown, unknown]>();
  for (const [key, value] of map) keyed.set(canonicalKey(key), [key, value]);
  return keyed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function definedEntries(record: Record<string, unknown>): Map<unknown, unknown> {
  return new Map(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** A rendering short enough to sit inside a list. */
function shortRender(value: unknown): string {
  const text = render(value);
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

function listed(items: readonly string[]): string {
  if (items.length <= LISTED_ITEMS) return items.join(', ');
  return `${items.slice(0, LISTED_ITEMS).join(', ')} and ${items.length - LISTED_ITEMS} more`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
