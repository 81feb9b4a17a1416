/**
 * `fetch` for a node in the simulation: the request travels the simulated network to the backend
 * node its URL names, so it meets the run's delays, drops, partitions and crashes, and its answer comes
 * back as a standard `Response`.
 *
 * @module
 */
import type { NodeContext } from '../node.ts';
import { decodeResponse, HTTP_REQUEST, type HttpRequestMessage, type HttpResponseMessage } from './wire.ts';

/** What a {@link Fetch} call takes besides the URL. */
export interface FetchInit {
  /** The method; default `GET`. */
  readonly method?: string;
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body, as text. */
  readonly body?: string;
  /**
   * Give up after this many ms of the caller's clock without an answer: the promise rejects with a
   * `DOMException` named `TimeoutError`, as `fetch` does with `signal: AbortSignal.timeout(ms)`.
   */
  readonly timeoutMs: number;
}

/**
 * Fetches `url`. Resolves with the response, whatever its status (a 503 is a response); rejects with
 * a `TypeError` when the backend answered with a network error (`HttpResponse.error()`), and with a
 * `DOMException` named `TimeoutError` when no answer came within `timeoutMs`. The same contract as
 * the platform's `fetch` with a timeout signal, so a balancer written against it runs over real HTTP.
 */
export type Fetch = (url: string, init: FetchInit) => Promise<Response>;

/**
 * The {@link Fetch} of the node whose context is `ctx`. A URL's host is the id of the backend node
 * that answers it: `http://b1/work` goes to node `b1`.
 *
 * ```ts
 * const fetch = simulatedFetch(ctx);
 * const response = await fetch('http://b1/work', { timeoutMs: 1_000 });
 * ```
 */
export function simulatedFetch(ctx: NodeContext): Fetch {
  return async (url, init) => {
    const backend = backendOf(ctx, url);
    const request: HttpRequestMessage = {
      type: HTTP_REQUEST,
      method: (init.method ?? 'GET').toUpperCase(),
      url,
      headers: Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const),
      body: init.body ?? null,
    };
    const result = await ctx.rpc<HttpResponseMessage>(backend, request, { timeoutMs: init.timeoutMs });
    if (!result.ok) {
      throw new DOMException(
        `${ctx.id} fetched ${request.method} ${url} and got no answer within ${init.timeoutMs} ms`,
        'TimeoutError',
      );
    }
    const reply = result.reply;
    if (reply.kind === 'network-error') {
      throw new TypeError(`fetch failed: ${backend} answered ${request.method} ${url} with a network error`);
    }
    return decodeResponse(reply);
  };
}

/** The backend node `url` names, or a TypeError that says which nodes there are. */
function backendOf(ctx: NodeContext, url: string): string {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    throw new TypeError(`${ctx.id} fetched ${JSON.stringify(url)}, which is not a URL: write e.g. http://b1/work.`);
  }
  if (host === ctx.id || !ctx.nodeIds.includes(host)) {
    const others = ctx.nodeIds.filter((id) => id !== ctx.id).join(', ');
    throw new TypeError(
      `${ctx.id} fetched ${url}, but ${JSON.stringify(host)} is not a backend of this simulation: a URL's host ` +
        `names the node that answers it (known: ${others}).`,
    );
  }
  return host;
}
