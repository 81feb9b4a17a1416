/**
 * HTTP on the simulated network: a request and its response travel as plain messages between the
 * node that fetches and the backend node that answers (see {@link simulatedFetch} and `httpBackend`).
 *
 * @module
 */

/** The message that carries an HTTP request to a backend node. */
export interface HttpRequestMessage {
  readonly type: 'http_request';
  /** The method, upper case: `GET`, `POST`, ... */
  readonly method: string;
  /** The whole URL; its host is the backend node's id, e.g. `http://b1/work`. */
  readonly url: string;
  /** The request headers, as name and value pairs (names lower case). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The body as text, or `null` for none. */
  readonly body: string | null;
}

/** The message that carries a backend's answer: a response, or a network error (`HttpResponse.error()`). */
export type HttpResponseMessage =
  | {
      readonly type: 'http_response';
      readonly kind: 'response';
      readonly status: number;
      readonly statusText: string;
      readonly headers: ReadonlyArray<readonly [string, string]>;
      readonly body: string;
    }
  | { readonly type: 'http_response'; readonly kind: 'network-error' };

/** The message type of {@link HttpRequestMessage}. */
export const HTTP_REQUEST = 'http_request';

/** Statuses whose response has no body: a `Response` refuses a body with them. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Reads `response` into a {@link HttpResponseMessage}. */
export async function encodeResponse(response: Response): Promise<HttpResponseMessage> {
  if (response.type === 'error') return { type: 'http_response', kind: 'network-error' };
  return {
    type: 'http_response',
    kind: 'response',
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
    body: await response.text(),
  };
}

/** The `Response` a {@link HttpResponseMessage} of kind `response` carries. */
export function decodeResponse(message: Extract<HttpResponseMessage, { kind: 'response' }>): Response {
  const body = NULL_BODY_STATUSES.has(message.status) ? null : message.body;
  return new Response(body, {
    status: message.status,
    statusText: message.statusText,
    headers: message.headers.map(([name, value]) => [name, value]),
  });
}

/** The `Request` a {@link HttpRequestMessage} carries. */
export function decodeRequest(message: HttpRequestMessage): Request {
  const hasBody = message.body !== null && message.method !== 'GET' && message.method !== 'HEAD';
  return new Request(message.url, {
    method: message.method,
    headers: message.headers.map(([name, value]) => [name, value]),
    ...(hasBody ? { body: message.body } : {}),
  });
}
