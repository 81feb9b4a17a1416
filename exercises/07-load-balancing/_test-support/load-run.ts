/**
 * Test support for chapter 07: a balancer `lb` in front of msw backends, and clients that send it
 * requests at random times (a Poisson stream, as independent users do), noting what they saw.
 *
 * @module
 */
import type { ClientContext, NodeFactory } from '#harness';
import { RequestLog, type RequestOutcome, type Simulation } from '#harness/testing';
import { BackendLog, httpBackend, profiledHandlers, type BackendProfile } from '#harness/http';
import {
  type BackendId,
  createBalancerNode,
  type MembershipChange,
  type Picker,
  type PickerContext,
  type WorkRequest,
  type WorkResponse,
} from '../_given/balancer.ts';
import type { LoadInformation } from '../_given/load-board.ts';

/** The balancer's node id. */
export const BALANCER = 'lb';

/** What a load run needs. */
export interface LoadRunOptions {
  /** Each backend and how it behaves (read at every request, so a test may change it mid-run). */
  readonly backends: Readonly<Record<BackendId, () => BackendProfile>>;
  /** Builds the balancer's picker. */
  readonly createPicker: (context: PickerContext) => Picker;
  /** How fresh the loads the picker reads are. Default: fresh. */
  readonly loadInformation?: LoadInformation;
  /** Requests per second of virtual time, from all clients together. */
  readonly arrivalsPerSecond: number;
  /** How long the clients send, ms; then they wait for their last answers. */
  readonly durationMs: number;
  /** How many clients share the stream. Default 4. */
  readonly clients?: number;
  /** How many requests a backend serves at once. Default 1 (a single queue per backend). */
  readonly concurrency?: number;
  /** How long the balancer waits for a backend, ms. Default 10 s. */
  readonly backendTimeoutMs?: number;
  /**
   * The key of each request (`WorkRequest.key`), drawn with the client's seeded `random`. Default:
   * requests carry no key.
   */
  readonly nextKey?: (random: () => number) => string;
}

/** A prepared load run: its nodes, the logs it fills, and `start` to add its clients. */
export interface LoadRun {
  /** The balancer and the backends, for `simulate({ nodes })`. */
  readonly nodes: Record<string, NodeFactory>;
  /** The backends' ids. */
  readonly backends: readonly BackendId[];
  /** What the clients saw. */
  readonly requests: RequestLog;
  /** What the backends saw. */
  readonly backendLog: BackendLog;
  /** Adds the clients to `sim`; they start sending at once. */
  start(sim: Simulation): void;
  /** A bound on the virtual time the clients need to finish, ms (for `runUntilClientsDone`). */
  readonly finishWithinMs: number;
}

/** Prepares a load run (see {@link LoadRunOptions}). */
export function prepareLoadRun(options: LoadRunOptions): LoadRun {
  const backendLog = new BackendLog();
  const requests = new RequestLog();
  const backendTimeoutMs = options.backendTimeoutMs ?? 10_000;
  const backends = Object.keys(options.backends);
  const nodes: Record<string, NodeFactory> = {
    [BALANCER]: createBalancerNode({
      createPicker: options.createPicker,
      backendTimeoutMs,
      ...(options.loadInformation === undefined ? {} : { loadInformation: options.loadInformation }),
    }),
  };
  for (const [id, profile] of Object.entries(options.backends)) {
    nodes[id] = httpBackend({
      handlers: profiledHandlers(profile),
      concurrency: options.concurrency ?? 1,
      log: backendLog,
    });
  }
  const clientTimeoutMs = backendTimeoutMs + 5_000;
  const clients = options.clients ?? 4;
  return {
    nodes,
    backends,
    requests,
    backendLog,
    finishWithinMs: options.durationMs + clientTimeoutMs + 1_000,
    start(sim) {
      const meanGapMs = (1_000 * clients) / options.arrivalsPerSecond;
      for (let index = 1; index <= clients; index++) {
        sim.client(`c${index}`, (client) =>
          sendPoissonStream(client, {
            meanGapMs,
            untilMs: options.durationMs,
            timeoutMs: clientTimeoutMs,
            requests,
            ...(options.nextKey === undefined ? {} : { nextKey: options.nextKey }),
          }),
        );
      }
    },
  };
}

/** Sends requests to the balancer with exponential gaps of mean `meanGapMs` until `untilMs`, then waits for them all. */
async function sendPoissonStream(
  client: ClientContext,
  options: {
    readonly meanGapMs: number;
    readonly untilMs: number;
    readonly timeoutMs: number;
    readonly requests: RequestLog;
    readonly nextKey?: (random: () => number) => string;
  },
): Promise<void> {
  const inFlight: Array<Promise<void>> = [];
  const startedAtMs = client.now();
  for (;;) {
    await client.sleep(-options.meanGapMs * Math.log(1 - client.random()));
    if (client.now() - startedAtMs >= options.untilMs) break;
    const key = options.nextKey?.(() => client.random());
    inFlight.push(sendOne(client, options.timeoutMs, options.requests, key));
  }
  await Promise.all(inFlight);
}

/**
 * Sends one request (with `key`, if given) and notes its outcome: `ok` for 200, `error` for any other
 * status, `timeout` for no answer.
 */
async function sendOne(client: ClientContext, timeoutMs: number, requests: RequestLog, key?: string): Promise<void> {
  const sentAtMs = client.now();
  const request: WorkRequest = key === undefined ? { type: 'request' } : { type: 'request', key };
  const result = await client.rpc<WorkResponse>(BALANCER, request, { timeoutMs });
  const outcome: RequestOutcome = !result.ok ? 'timeout' : result.reply.status === 200 ? 'ok' : 'error';
  requests.add({ caller: client.id, sentAtMs, endedAtMs: client.now(), outcome });
}

/** A backend joining or leaving at a virtual time. */
export interface ScheduledChange {
  readonly atMs: number;
  readonly change: MembershipChange;
}

/** Adds a client `admin` that tells the balancer about each change at its time, in order. */
export function scheduleMembership(sim: Simulation, changes: readonly ScheduledChange[]): void {
  sim.client('admin', async (admin) => {
    for (const { atMs, change } of [...changes].sort((a, b) => a.atMs - b.atMs)) {
      const waitMs = atMs - admin.now();
      if (waitMs > 0) await admin.sleep(waitMs);
      // A change lost on the way is not sent again: the checks read the changes the picker got.
      await admin.rpc(BALANCER, change, { timeoutMs: 1_000 });
    }
  });
}
