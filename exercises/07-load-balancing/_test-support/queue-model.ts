/**
 * Test support for exercise 7.3: the queueing model of Mitzenmacher's papers (the "supermarket
 * model"), driven by a real picker. Requests arrive as a Poisson stream; each backend serves one at a
 * time, first come first served, with exponential service times; the picker chooses, for each
 * arrival, with the balancer's own {@link LoadBoard} behind its load view (fresh, or snapshots).
 *
 * It runs the picker exactly as the balancer does (same `PickerContext`, same load views), without
 * messages or HTTP, so tens of thousands of requests take milliseconds: enough for a p99 that has
 * settled. Every draw comes from the seed (the harness's `Rng`): arrivals and service times from their
 * own streams, so every picker meets the same requests, and the picker's random numbers from a third.
 *
 * @module
 */
import { deriveSeed, Rng } from '#harness/testing';
import type { BackendSpan } from '#harness/http';
import type { BackendId, Picker, PickerContext } from '../_given/balancer.ts';
import { LoadBoard, type LoadInformation } from '../_given/load-board.ts';

/** What a model run needs. */
export interface QueueModelOptions {
  readonly seed: number;
  readonly backends: readonly BackendId[];
  readonly createPicker: (context: PickerContext) => Picker;
  /** How fresh the loads the picker reads are. */
  readonly loadInformation: LoadInformation;
  /** Utilisation: arrivals per second over what all backends can serve, e.g. 0.9. */
  readonly utilisation: number;
  /** Mean service time of every backend, ms. */
  readonly meanServiceMs: number;
  /** How many requests arrive. */
  readonly requests: number;
  /** The first requests, left out of the latencies: the queues start empty. Default a tenth. */
  readonly warmUpRequests?: number;
}

/** What a model run measured. */
export interface QueueModelRun {
  /** Each request's time from arrival to answer (waiting + service), ms, after the warm-up. */
  readonly latenciesMs: readonly number[];
  /** Every request as its backend saw it (for `loadOverTime`, `loadBalance`). */
  readonly spans: readonly BackendSpan[];
  /**
   * The herd: in each window (one load report; 10 mean service times when loads are fresh), the
   * requests sent to the most chosen backend over the mean per backend, averaged over the windows.
   * Near 1 is even; n means every request of a window went to one backend.
   */
  readonly herd: number;
  /** When the last request arrived, ms. */
  readonly lastArrivalMs: number;
}

/** A backend's queue: the answer times of every request it was sent, in order, and where the unanswered ones start. */
interface Queue {
  readonly departuresMs: number[];
  /** The index in `departuresMs` of the oldest request not answered yet. */
  next: number;
  /** When its last request will be answered, ms. */
  freeAtMs: number;
}

/** Runs `options.requests` requests through the model and measures them. */
export function runQueueModel(options: QueueModelOptions): QueueModelRun {
  const { backends, meanServiceMs } = options;
  const arrivals = new Rng(deriveSeed(options.seed, 'queue-model:arrivals'));
  const service = new Rng(deriveSeed(options.seed, 'queue-model:service'));
  const pickerRandom = new Rng(deriveSeed(options.seed, 'queue-model:picker'));
  let nowMs = 0;
  const clock = { now: () => nowMs };
  const board = new LoadBoard();
  const picker = options.createPicker({
    ...clock,
    random: () => pickerRandom.next(),
    load: board.view(options.loadInformation, clock),
  });
  const queues = new Map<BackendId, Queue>(backends.map((id) => [id, { departuresMs: [], next: 0, freeAtMs: 0 }]));
  const meanGapMs = meanServiceMs / (options.utilisation * backends.length);
  const windowMs =
    options.loadInformation.kind === 'snapshot' ? options.loadInformation.refreshEveryMs : 10 * meanServiceMs;
  const warmUp = options.warmUpRequests ?? Math.floor(options.requests / 10);
  const latenciesMs: number[] = [];
  const spans: BackendSpan[] = [];
  const herds: number[] = [];
  let window = { index: 0, picks: new Map<BackendId, number>(), total: 0 };
  const closeWindow = () => {
    if (window.total > 0) herds.push(Math.max(...window.picks.values()) / (window.total / backends.length));
  };
  for (let request = 0; request < options.requests; request++) {
    nowMs += -meanGapMs * Math.log(1 - arrivals.next());
    for (const id of backends) {
      const queue = queues.get(id)!;
      while (queue.next < queue.departuresMs.length && queue.departuresMs[queue.next]! <= nowMs) {
        queue.next++;
        board.ended(id);
        picker.finished?.(id, 'success');
      }
    }
    const serviceMs = -meanServiceMs * Math.log(1 - service.next());
    const backend = picker.pick();
    const queue = backend === null ? undefined : queues.get(backend);
    if (backend === null || queue === undefined) {
      throw new Error(
        `request ${request + 1} (t=${Math.round(nowMs)} ms): the picker chose ${String(backend)}, which is not one of ` +
          `the backends ${backends.join(', ')}`,
      );
    }
    const startedAtMs = Math.max(nowMs, queue.freeAtMs);
    queue.freeAtMs = startedAtMs + serviceMs;
    queue.departuresMs.push(queue.freeAtMs);
    board.started(backend);
    spans.push({
      backend,
      method: 'GET',
      url: `http://${backend}/work`,
      arrivedAtMs: nowMs,
      startedAtMs,
      finishedAtMs: queue.freeAtMs,
      status: 200,
    });
    if (request >= warmUp) latenciesMs.push(queue.freeAtMs - nowMs);
    const index = Math.floor(nowMs / windowMs);
    if (index !== window.index) {
      closeWindow();
      window = { index, picks: new Map(), total: 0 };
    }
    window.picks.set(backend, (window.picks.get(backend) ?? 0) + 1);
    window.total++;
  }
  closeWindow();
  return {
    latenciesMs,
    spans,
    herd: herds.reduce((sum, value) => sum + value, 0) / Math.max(1, herds.length),
    lastArrivalMs: nowMs,
  };
}
