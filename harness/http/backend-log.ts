/**
 * What the backends saw: one span per request, from its arrival to its answer. The load metrics
 * (`harness/metrics`) read these spans.
 *
 * @module
 */
import type { NodeId } from '../node.ts';

/** One request at one backend. A span whose `finishedAtMs` is `null` was never answered (a hang, a crash). */
export interface BackendSpan {
  /** The backend that received it. */
  readonly backend: NodeId;
  /** The method and URL. */
  readonly method: string;
  readonly url: string;
  /** When it arrived, waited for a worker, and was answered (the backend's clock, ms). */
  readonly arrivedAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  /** The answer: a status, `network-error`, or `null` while unanswered. */
  status: number | 'network-error' | null;
}

/** Collects {@link BackendSpan}s; pass one to every backend of a run (`httpBackend({ log })`). */
export class BackendLog {
  readonly #spans: BackendSpan[] = [];

  /** Every span so far, in arrival order. */
  get spans(): readonly BackendSpan[] {
    return this.#spans;
  }

  /** Notes a request's arrival; returns the token its later notes quote. */
  arrived(backend: NodeId, method: string, url: string, atMs: number): number {
    this.#spans.push({ backend, method, url, arrivedAtMs: atMs, startedAtMs: null, finishedAtMs: null, status: null });
    return this.#spans.length - 1;
  }

  /** Notes that a worker took the request. */
  started(token: number, atMs: number): void {
    this.#span(token).startedAtMs = atMs;
  }

  /** Notes the answer. */
  finished(token: number, atMs: number, status: number | 'network-error'): void {
    const span = this.#span(token);
    span.finishedAtMs = atMs;
    span.status = status;
  }

  #span(token: number): BackendSpan {
    const span = this.#spans[token];
    if (span === undefined) throw new RangeError(`BackendLog: no request was noted with token ${token}.`);
    return span;
  }
}
