/**
 * Given code for chapter 07: what the balancer knows of each backend's load, and how fresh that is.
 * The balancer counts the requests it has in flight at each backend (one more when it forwards a
 * request, one less when the request ends). A picker reads those counts through a {@link LoadView}:
 * either as they are now (`fresh`), or as a load report taken every `refreshEveryMs` (`snapshot`),
 * the way load reports reach a balancer in a real deployment, late.
 *
 * ```text
 *   time ──▶    0 ms           refreshEveryMs       2 × refreshEveryMs
 *   snapshot:   |── counts as at 0 ──|── counts as at refresh ──|── ...
 *   fresh:      every read sees the counts of that moment
 * ```
 *
 * @module
 */
import type { BackendId, PickerClock } from './balancer.ts';

/** What a picker may know of each backend's load. */
export interface LoadView {
  /**
   * The requests the balancer has in flight at `backend` (forwarded, not yet ended), as this view sees
   * them: now, or at the last snapshot. 0 for a backend it never sent a request to.
   */
  inFlight(backend: BackendId): number;
}

/**
 * How fresh the loads a picker reads are: `fresh`, the balancer's counts at the moment of the pick;
 * or `snapshot`, the counts as they were when the last report was taken, one report every
 * `refreshEveryMs` of the balancer's clock.
 */
export type LoadInformation =
  { readonly kind: 'fresh' } | { readonly kind: 'snapshot'; readonly refreshEveryMs: number };

/**
 * The balancer's count of requests in flight per backend, and the views of it that pickers read.
 *
 * A snapshot is taken at the first read at or after each multiple of `refreshEveryMs` (a report due at
 * 400 ms and read first at 403 ms holds the counts of 403 ms), so every read between two reports sees
 * the same numbers, however many requests were sent meanwhile.
 */
export class LoadBoard {
  readonly #inFlight = new Map<BackendId, number>();

  /** Counts one more request in flight at `backend`. */
  started(backend: BackendId): void {
    this.#inFlight.set(backend, this.current(backend) + 1);
  }

  /** Counts one request fewer in flight at `backend` (never below 0). */
  ended(backend: BackendId): void {
    this.#inFlight.set(backend, Math.max(0, this.current(backend) - 1));
  }

  /** The count at this moment. */
  current(backend: BackendId): number {
    return this.#inFlight.get(backend) ?? 0;
  }

  /** A view of the counts as `information` says: fresh, or a snapshot refreshed on `clock`. */
  view(information: LoadInformation, clock: PickerClock): LoadView {
    if (information.kind === 'fresh') return { inFlight: (backend) => this.current(backend) };
    const { refreshEveryMs } = information;
    if (!(refreshEveryMs > 0)) throw new RangeError(`refreshEveryMs must be above 0; got ${refreshEveryMs}.`);
    let snapshot = new Map<BackendId, number>();
    let nextReportAtMs = -Infinity;
    return {
      inFlight: (backend) => {
        const nowMs = clock.now();
        if (nowMs >= nextReportAtMs) {
          snapshot = new Map(this.#inFlight);
          nextReportAtMs = (Math.floor(nowMs / refreshEveryMs) + 1) * refreshEveryMs;
        }
        return snapshot.get(backend) ?? 0;
      },
    };
  }
}
