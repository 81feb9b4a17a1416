/**
 * Backends made of msw request handlers: a node of the simulation that answers the HTTP requests
 * {@link simulatedFetch} sends it, by asking msw's `getResponse` which handler matches.
 *
 * ```ts
 * const backend = httpBackend({
 *   concurrency: 1,
 *   handlers: ({ sleep }) => [
 *     http.get('http://:backend/work', async () => {
 *       await sleep(100); // 100 ms of service time, in virtual time
 *       return HttpResponse.json({ done: true });
 *     }),
 *   ],
 * });
 * ```
 *
 * A handler's service time is a virtual-clock `sleep` handed to it: msw's own `delay()` waits on a real
 * timer, and the simulator refuses it (the error says to use `sleep`). Requests beyond `concurrency`
 * wait in a first-come first-served queue, as at a server with that many workers; a handler that never
 * answers keeps its worker busy for good, as a stuck thread does.
 *
 * @module
 */
import { getResponse, type RequestHandler } from 'msw';
import type { Delay, Message, NodeContext, NodeFactory, NodeId } from '../node.ts';
import { asHarness } from '../sim/index.ts';
import { decodeRequest, encodeResponse, HTTP_REQUEST, type HttpRequestMessage } from './wire.ts';
import type { BackendLog } from './backend-log.ts';

/** What a backend's handlers may use: the backend's virtual clock and seeded random numbers. */
export interface BackendTools {
  /** The backend node's id, e.g. `b1`. */
  readonly id: NodeId;
  /** Resolves after `delay` ms of virtual time: the service time. Use it, never msw's `delay()`. */
  sleep(delay: Delay): Promise<void>;
  /** A random float in [0, 1) from the backend's seeded generator. */
  random(): number;
  /** The backend's clock, in ms. */
  now(): number;
  /** Writes a line to the trace. */
  log(text: string): void;
}

/** How to build an HTTP backend node. */
export interface HttpBackendOptions {
  /** The msw handlers, built at every boot of the backend (so a restart starts them afresh). */
  readonly handlers: (tools: BackendTools) => readonly RequestHandler[];
  /** How many requests it serves at once; the others wait in arrival order. Default: no limit. */
  readonly concurrency?: number;
  /** Where to note each request's arrival, start and answer, for the load metrics. */
  readonly log?: BackendLog;
}

/** One request waiting for a worker. */
interface Job {
  readonly from: NodeId;
  readonly message: HttpRequestMessage;
  readonly token: number | null;
}

/** A {@link NodeFactory} for a backend that answers HTTP requests with msw `handlers`. */
export function httpBackend(options: HttpBackendOptions): NodeFactory {
  const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  if (!(concurrency >= 1)) throw new RangeError(`httpBackend: concurrency must be 1 or more; got ${concurrency}.`);
  return (ctx) => {
    const handlers = options.handlers(toolsOf(ctx));
    const queue: Job[] = [];
    let busyWorkers = 0;

    const work = async (): Promise<void> => {
      busyWorkers++;
      try {
        for (let job = queue.shift(); job !== undefined; job = queue.shift())
          await serve(ctx, handlers, job, options.log);
      } finally {
        busyWorkers--;
      }
    };

    return {
      onMessage(ctx, from, message) {
        if (!isHttpRequest(message)) return;
        const token = options.log?.arrived(ctx.id, message.method, message.url, ctx.now()) ?? null;
        queue.push({ from, message, token });
        return busyWorkers < concurrency ? work() : undefined;
      },
    };
  };
}

/** Answers one request: msw finds the handler, the answer goes back to the sender. */
async function serve(
  ctx: NodeContext,
  handlers: readonly RequestHandler[],
  job: Job,
  log: BackendLog | undefined,
): Promise<void> {
  const { message, from, token } = job;
  if (token !== null) log?.started(token, ctx.now());
  // msw draws a request id with Math.random before it runs any handler; that is the harness's doing,
  // not the node's. The handlers themselves run later, in microtasks, where the guards watch again.
  const pending = asHarness(() => getResponse([...handlers], decodeRequest(message)));
  const response = await pending;
  if (response === undefined) {
    throw new Error(
      `${ctx.id} has no request handler for ${message.method} ${message.url}: add an msw handler that matches ` +
        `it (e.g. http.get('http://${ctx.id}/...', resolver)), or fetch a URL the backend serves.`,
    );
  }
  const answer = await encodeResponse(response);
  if (token !== null) log?.finished(token, ctx.now(), answer.kind === 'response' ? answer.status : 'network-error');
  ctx.reply(from, message, answer);
}

function toolsOf(ctx: NodeContext): BackendTools {
  return {
    id: ctx.id,
    sleep: (delay) => ctx.sleep(delay),
    random: () => ctx.random(),
    now: () => ctx.now(),
    log: (text) => ctx.log(text),
  };
}

function isHttpRequest(message: Message): message is HttpRequestMessage {
  return message.type === HTTP_REQUEST;
}
