/**
 * The set of operations linearized so far, as a bitset with an incrementally kept hash, plus the cache of
 * (linearized set, state) configurations the search has already explored.
 *
 * @module
 */

const FULL_WORD = 0xffffffff;

/** A well-mixed 32-bit value for operation `index`, so that XOR-ing them hashes a set. */
function operationHash(index: number): number {
  let x = Math.imul(index + 1, 0x9e3779b1);
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) | 0;
}

/**
 * A bitset over operation indices 0..size-1.
 *
 * Invariants: `hash` is the XOR of {@link operationHash} over the members; words `[0, fullWords)` are all
 * ones and word `fullWords` is not; `highWord` is the last non-zero word (-1 when empty). Because the search
 * linearizes operations roughly in call order, the members are "everything before some point, plus a few":
 * storing only words `[fullWords, highWord]` makes a cached copy a word or two instead of size/32.
 */
export class LinearizedSet {
  readonly #words: Uint32Array;
  hash = 0;
  fullWords = 0;
  highWord = -1;

  constructor(size: number) {
    this.#words = new Uint32Array(Math.ceil(size / 32));
  }

  has(index: number): boolean {
    return ((this.#words[index >>> 5] ?? 0) & (1 << (index & 31))) !== 0;
  }

  add(index: number): void {
    const words = this.#words;
    const word = index >>> 5;
    words[word] = (words[word] ?? 0) | (1 << (index & 31));
    this.hash ^= operationHash(index);
    if (word > this.highWord) this.highWord = word;
    while (this.fullWords < words.length && words[this.fullWords] === FULL_WORD) this.fullWords++;
  }

  delete(index: number): void {
    const words = this.#words;
    const word = index >>> 5;
    words[word] = (words[word] ?? 0) & ~(1 << (index & 31));
    this.hash ^= operationHash(index);
    if (word < this.fullWords) this.fullWords = word;
    while (this.highWord >= 0 && words[this.highWord] === 0) this.highWord--;
  }

  /** End (exclusive) of the words a cached copy keeps. */
  storedEnd(): number {
    return Math.max(this.fullWords, this.highWord + 1);
  }

  /** The word at `index` (for comparing with a cached copy). */
  word(index: number): number {
    return this.#words[index] ?? 0;
  }
}

/**
 * The configurations the search has reached: (completed operations linearized, indeterminate operations
 * linearized, state). Reaching one again means everything after it was already explored, so the search
 * skips it (Lowe's memoisation).
 *
 * One extension, for indeterminate operations: a configuration is also skipped when a cached one has the
 * same completed set and state and linearized a *subset* of its indeterminate operations. An indeterminate
 * operation precedes nothing and may be left out, so having placed fewer of them never leaves fewer ways
 * to finish: whatever fails from the cached configuration fails from this one too. Without this, each
 * timed-out write still waiting doubles the configurations to explore in a history that is not linearizable.
 *
 * Stored as parallel arrays rather than one object per entry: a long search caches millions of
 * configurations, and per-object overhead would dominate memory.
 */
export class ConfigurationCache {
  readonly #headByHash = new Map<number, number>();
  readonly #stateKeys: unknown[] = [];
  /** Per entry: the completed set's leading full words, where its other words start in the pool, how many. */
  #completedFull: Int32Array;
  #completedStart: Int32Array;
  #completedLength: Int32Array;
  /** The same for the set of indeterminate operations linearized. */
  #optionalFull: Int32Array;
  #optionalStart: Int32Array;
  #optionalLength: Int32Array;
  #nextInBucket: Int32Array;
  #wordPool: Uint32Array;
  #wordPoolUsed = 0;
  readonly #sameState: (a: unknown, b: unknown) => boolean;
  /** How many configurations are cached. */
  size = 0;

  /** `expectedSize` sizes the first allocation: a part with many small searches should not pay for big arrays. */
  constructor(sameState: (a: unknown, b: unknown) => boolean, expectedSize: number) {
    this.#sameState = sameState;
    const capacity = Math.max(16, expectedSize);
    this.#completedFull = new Int32Array(capacity);
    this.#completedStart = new Int32Array(capacity);
    this.#completedLength = new Int32Array(capacity);
    this.#optionalFull = new Int32Array(capacity);
    this.#optionalStart = new Int32Array(capacity);
    this.#optionalLength = new Int32Array(capacity);
    this.#nextInBucket = new Int32Array(capacity);
    this.#wordPool = new Uint32Array(capacity * 2);
  }

  /**
   * Adds the configuration unless a cached one covers it (same completed set and state, a subset of its
   * indeterminate operations); returns whether it was added.
   */
  addIfNew(completed: LinearizedSet, optional: LinearizedSet, stateKey: unknown, stateHash: number): boolean {
    // The hash leaves out the indeterminate operations, so that every configuration that could cover this
    // one sits in the same bucket.
    const hash = (completed.hash ^ Math.imul(stateHash, 0x85ebca6b)) | 0;
    const head = this.#headByHash.get(hash) ?? -1;
    for (let entry = head; entry >= 0; entry = this.#nextInBucket[entry]!) {
      if (
        this.#sameCompleted(entry, completed) &&
        this.#optionalSubsetOf(entry, optional) &&
        this.#sameState(this.#stateKeys[entry], stateKey)
      ) {
        return false;
      }
    }
    this.#insert(completed, optional, stateKey, head);
    this.#headByHash.set(hash, this.size - 1);
    return true;
  }

  #sameCompleted(entry: number, set: LinearizedSet): boolean {
    const length = this.#completedLength[entry]!;
    if (this.#completedFull[entry] !== set.fullWords || length !== set.storedEnd() - set.fullWords) return false;
    const start = this.#completedStart[entry]!;
    for (let offset = 0; offset < length; offset++) {
      if (this.#wordPool[start + offset] !== set.word(set.fullWords + offset)) return false;
    }
    return true;
  }

  /** Whether the entry's indeterminate set is a subset of `set`: no word has a bit that `set` lacks. */
  #optionalSubsetOf(entry: number, set: LinearizedSet): boolean {
    const full = this.#optionalFull[entry]!;
    if (set.fullWords < full) return false;
    const start = this.#optionalStart[entry]!;
    const length = this.#optionalLength[entry]!;
    for (let offset = 0; offset < length; offset++) {
      if ((this.#wordPool[start + offset]! & ~set.word(full + offset)) !== 0) return false;
    }
    return true;
  }

  #insert(completed: LinearizedSet, optional: LinearizedSet, stateKey: unknown, nextInBucket: number): void {
    const entry = this.size++;
    if (entry >= this.#nextInBucket.length) this.#growEntries();
    this.#completedFull[entry] = completed.fullWords;
    this.#completedStart[entry] = this.#wordPoolUsed;
    this.#completedLength[entry] = this.#copyWords(completed);
    this.#optionalFull[entry] = optional.fullWords;
    this.#optionalStart[entry] = this.#wordPoolUsed;
    this.#optionalLength[entry] = this.#copyWords(optional);
    this.#nextInBucket[entry] = nextInBucket;
    this.#stateKeys[entry] = stateKey;
  }

  /** Appends the set's stored words to the pool; returns how many. */
  #copyWords(set: LinearizedSet): number {
    const length = set.storedEnd() - set.fullWords;
    if (this.#wordPoolUsed + length > this.#wordPool.length) this.#growPool(length);
    for (let offset = 0; offset < length; offset++) {
      this.#wordPool[this.#wordPoolUsed + offset] = set.word(set.fullWords + offset);
    }
    this.#wordPoolUsed += length;
    return length;
  }

  #growEntries(): void {
    const capacity = this.#nextInBucket.length * 2;
    this.#completedFull = grown(this.#completedFull, capacity);
    this.#completedStart = grown(this.#completedStart, capacity);
    this.#completedLength = grown(this.#completedLength, capacity);
    this.#optionalFull = grown(this.#optionalFull, capacity);
    this.#optionalStart = grown(this.#optionalStart, capacity);
    this.#optionalLength = grown(this.#optionalLength, capacity);
    this.#nextInBucket = grown(this.#nextInBucket, capacity);
  }

  #growPool(extra: number): void {
    const pool = new Uint32Array(Math.max(this.#wordPool.length * 2, this.#wordPoolUsed + extra));
    pool.set(this.#wordPool);
    this.#wordPool = pool;
  }
}

function grown(array: Int32Array, capacity: number): Int32Array {
  const bigger = new Int32Array(capacity);
  bigger.set(array);
  return bigger;
}
