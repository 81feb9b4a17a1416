/**
 * What the callers saw: one record per request, from the moment it was sent to its outcome, and the
 * figures built from them (latencies, error rate).
 *
 * @module
 */
import type { NodeId } from '../node.ts';

/** How a request ended, as its caller saw it. */
export type RequestOutcome = 'ok' | 'error' | 'timeout';

/** One request as its caller saw it. */
export interface RequestRecord {
  /** Who sent it. */
  readonly caller: NodeId;
  /** When it was sent and when its outcome came, in ms of the caller's clock. */
  readonly sentAtMs: number;
  readonly endedAtMs: number;
  /** `ok` for a successful answer, `error` for a failed one, `timeout` for none in time. */
  readonly outcome: RequestOutcome;
}

/** Collects {@link RequestRecord}s from every caller of a run. */
export class RequestLog {
  readonly #records: RequestRecord[] = [];

  /** Every record so far, in the order the outcomes came. */
  get records(): readonly RequestRecord[] {
    return this.#records;
  }

  /** Notes one request's outcome. */
  add(record: RequestRecord): void {
    if (record.endedAtMs < record.sentAtMs) {
      throw new RangeError(`RequestLog: ${record.caller}'s request ended (t=${record.endedAtMs}) before it was sent.`);
    }
    this.#records.push(record);
  }

  /** The latencies (ms) of the requests that ended `ok`, optionally only of those sent at or after `fromMs`. */
  latenciesMs(fromMs = Number.NEGATIVE_INFINITY): number[] {
    return this.#records
      .filter((record) => record.outcome === 'ok' && record.sentAtMs >= fromMs)
      .map((record) => record.endedAtMs - record.sentAtMs);
  }

  /** The share of requests that did not end `ok` (0 for none at all). */
  errorRate(): number {
    if (this.#records.length === 0) return 0;
    return this.#records.filter((record) => record.outcome !== 'ok').length / this.#records.length;
  }
}
