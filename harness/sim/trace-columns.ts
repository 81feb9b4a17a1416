/**
 * The storage the trace recorder keeps its events in: columns of numbers in typed arrays, grown a
 * fixed-size chunk at a time (no copying, little slack), strings numbered once, and payloads kept as
 * their JSON text packed into long strings. A million deliveries then take tens of megabytes instead of
 * millions of objects for the garbage collector to trace.
 *
 * @module
 */

const CHUNK_BITS = 14;
/** Rows per chunk of a column. */
const CHUNK_ROWS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_ROWS - 1;

type NumberArray = Float64Array | Int32Array | Uint8Array;

/** A column of numbers that only grows: `push` appends, `get` reads row `index`. */
export class Column<A extends NumberArray> {
  readonly #chunks: A[] = [];
  readonly #make: (rows: number) => A;
  /** Rows so far. */
  length = 0;

  /** An empty column whose chunks `make` allocates (e.g. `(n) => new Float64Array(n)`). */
  constructor(make: (rows: number) => A) {
    this.#make = make;
  }

  /** Appends `value` as the last row. */
  push(value: number): void {
    const offset = this.length & CHUNK_MASK;
    if (offset === 0) this.#chunks.push(this.#make(CHUNK_ROWS));
    this.#chunks[this.length >>> CHUNK_BITS]![offset] = value;
    this.length++;
  }

  /** The value at row `index` (which must be below `length`). */
  get(index: number): number {
    return this.#chunks[index >>> CHUNK_BITS]![index & CHUNK_MASK]!;
  }
}

/** A column of 64-bit floats (times, ids). */
export const float64Column = (): Column<Float64Array> => new Column((rows) => new Float64Array(rows));
/** A column of 32-bit integers (row numbers, string numbers, sizes). */
export const int32Column = (): Column<Int32Array> => new Column((rows) => new Int32Array(rows));
/** A column of bytes (event kinds). */
export const uint8Column = (): Column<Uint8Array> => new Column((rows) => new Uint8Array(rows));

/**
 * Strings numbered in the order first seen (node ids, message and timer types): a row stores the number,
 * and the string and its JSON form are kept once.
 */
export class StringTable {
  readonly #numbers = new Map<string, number>();
  readonly #strings: string[] = [];
  readonly #json: string[] = [];

  /** The number of `text`, numbering it if it is new. */
  number(text: string): number {
    let number = this.#numbers.get(text);
    if (number === undefined) {
      number = this.#strings.length;
      this.#numbers.set(text, number);
      this.#strings.push(text);
      this.#json.push(JSON.stringify(text));
    }
    return number;
  }

  /** The string numbered `number`. */
  string(number: number): string {
    return this.#strings[number]!;
  }

  /** `JSON.stringify` of the string numbered `number`. */
  json(number: number): string {
    return this.#json[number]!;
  }
}

/** Characters of JSON gathered before they are joined into one flat string. */
const PACK_CHARS = 1 << 16;

/**
 * JSON texts, numbered in the order added, packed into long flat strings: each text costs its
 * characters and one offset, not a string object of its own.
 */
export class PackedTexts {
  /** Where each text starts, counted in characters from the first text. */
  readonly #starts = float64Column();
  /** Joined texts, and where each begins. */
  readonly #packs: string[] = [];
  readonly #packStarts: number[] = [];
  /** Texts added since the last pack was joined. */
  #pending: string[] = [];
  #pendingStart = 0;
  #totalChars = 0;

  /** Texts so far. */
  get length(): number {
    return this.#starts.length;
  }

  /** Appends `text`; its number is the `length` before the call. */
  push(text: string): void {
    this.#starts.push(this.#totalChars);
    this.#pending.push(text);
    this.#totalChars += text.length;
    if (this.#totalChars - this.#pendingStart >= PACK_CHARS) this.#pack();
  }

  /** The text numbered `index`. */
  get(index: number): string {
    const start = this.#starts.get(index);
    const end = index + 1 < this.#starts.length ? this.#starts.get(index + 1) : this.#totalChars;
    if (start >= this.#pendingStart) this.#pack();
    const pack = this.#packOf(start);
    const packStart = this.#packStarts[pack]!;
    return this.#packs[pack]!.slice(start - packStart, end - packStart);
  }

  #pack(): void {
    if (this.#pending.length === 0) return;
    this.#packs.push(this.#pending.join(''));
    this.#packStarts.push(this.#pendingStart);
    this.#pending = [];
    this.#pendingStart = this.#totalChars;
  }

  /** The last pack that starts at or before `start` (binary search: packs are in order). */
  #packOf(start: number): number {
    let low = 0;
    let high = this.#packStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.#packStarts[middle]! <= start) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
