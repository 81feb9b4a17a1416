/**
 * The simulator's event queue: a binary min-heap ordered by `(timeMs, seq)`.
 *
 * `seq` is a counter assigned when an event is pushed, so two events due at the same virtual time always
 * come out in the order they were scheduled, on every run and every machine.
 *
 * @module
 */

/** An entry of the {@link EventQueue}. */
export interface QueuedEvent<T> {
  /** Virtual time (ms) at which the event is due. */
  readonly timeMs: number;
  /** Tie-breaker: the order in which events were pushed. */
  readonly seq: number;
  /** What happens. */
  readonly event: T;
}

/** A min-heap of events ordered by `(timeMs, seq)`. */
export class EventQueue<T> {
  readonly #heap: Array<QueuedEvent<T>> = [];
  #nextSeq = 0;

  /** Number of events waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** Schedules `event` at `timeMs`; returns its sequence number. */
  push(timeMs: number, event: T): number {
    // A NaN or infinite time would break the heap's order and virtual time with it: fail where it is made.
    if (!Number.isFinite(timeMs))
      throw new RangeError(`An event was scheduled at t=${timeMs} ms: a due time must be finite.`);
    const seq = this.#nextSeq++;
    const heap = this.#heap;
    const entry: QueuedEvent<T> = { timeMs, seq, event };
    let index = heap.length;
    heap.push(entry);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!isBefore(entry, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = entry;
    return seq;
  }

  /** The next event due, without removing it. */
  peek(): QueuedEvent<T> | undefined {
    return this.#heap[0];
  }

  /** Removes and returns the next event due. */
  pop(): QueuedEvent<T> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const length = heap.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && isBefore(heap[right]!, heap[left]!)) child = right;
      if (!isBefore(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}

function isBefore<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}
