/**
 * Given code for chapter 07: the load balancer node. Clients send it requests; for each one it asks
 * its {@link Picker} which backend should serve it, forwards the request there over HTTP
 * (`simulatedFetch`), and answers the client with the backend's status.
 *
 * ```text
 *   client ──request──▶ balancer ──picker.pick()──▶ b3 ──GET http://b3/work──▶ b3's msw handlers
 *   client ◀─response── balancer ◀──────────────── 200 / 503 / network error / no answer
 * ```
 *
 * @module
 */
import { type Message, type Node, type NodeContext, type NodeFactory, simulatedFetch } from '#harness';

/** A backend's node id, e.g. `b1`. */
export type BackendId = string;

/** Chooses a backend for each request. The balancer calls it from one place, one request at a time. */
export interface Picker {
  /** The backend that gets the next request, or `null` when there is no backend at all. */
  pick(): BackendId | null;
  /** Adds a backend with `weight` (a whole number, default 1). Adding one that is already there is an error. */
  add(backend: BackendId, weight?: number): void;
  /** Removes a backend. Removing one that is not there does nothing. */
  remove(backend: BackendId): void;
}

/** What a client sends the balancer: one unit of work. */
export interface WorkRequest extends Message {
  readonly type: 'request';
}

/**
 * The balancer's answer: the backend's status (`200`), or the balancer's own: `502` when the backend
 * answered with a network error, `504` when it did not answer in time, `503` when there was no backend.
 */
export interface WorkResponse extends Message {
  readonly type: 'response';
  readonly status: number;
  /** The backend that served it; `null` when there was none. */
  readonly backend: BackendId | null;
}

/** Tells the balancer that a backend joined (`add_backend`) or left (`remove_backend`). */
export type MembershipChange =
  | { readonly type: 'add_backend'; readonly backend: BackendId; readonly weight?: number }
  | { readonly type: 'remove_backend'; readonly backend: BackendId };

/** How to build a balancer. */
export interface BalancerOptions {
  /** Builds the picker, at boot and after every restart (the balancer keeps nothing across a crash). */
  readonly createPicker: () => Picker;
  /** How long the balancer waits for a backend, ms. */
  readonly backendTimeoutMs: number;
}

/** The path every backend serves. */
const WORK_PATH = '/work';

/** A load balancer in front of HTTP backends. */
export function createBalancerNode(options: BalancerOptions): NodeFactory {
  return () => {
    const picker = options.createPicker();
    return {
      onMessage(ctx, from, message) {
        if (isMembershipChange(message)) return changeMembership(ctx, from, message, picker);
        if (message.type === 'request') return forward(ctx, from, message, picker.pick(), options.backendTimeoutMs);
        return undefined;
      },
    } satisfies Node;
  };
}

/** Forwards one request to `backend` and answers the client. */
async function forward(
  ctx: NodeContext,
  client: string,
  request: Message,
  backend: BackendId | null,
  timeoutMs: number,
): Promise<void> {
  if (backend === null) return ctx.reply(client, request, { type: 'response', status: 503, backend });
  let status: number;
  try {
    const response = await simulatedFetch(ctx)(`http://${backend}${WORK_PATH}`, { timeoutMs });
    status = response.status;
  } catch (error) {
    status = error instanceof DOMException && error.name === 'TimeoutError' ? 504 : 502;
  }
  ctx.reply(client, request, { type: 'response', status, backend });
}

/**
 * Applies a join or leave and answers the sender. A change the picker refuses (a backend added twice:
 * the admin's message arrived twice, or it repeats a change) is answered with the reason, and the
 * balancer goes on: a bad configuration update must not take the balancer down.
 */
function changeMembership(ctx: NodeContext, from: string, change: MembershipChange, picker: Picker): void {
  try {
    if (change.type === 'add_backend') picker.add(change.backend, change.weight ?? 1);
    else picker.remove(change.backend);
  } catch (error) {
    ctx.log(`${change.type} ${change.backend} refused: ${(error as Error).message}`);
    return ctx.reply(from, change, { type: `${change.type}_refused`, reason: (error as Error).message });
  }
  ctx.reply(from, change, { type: `${change.type}_ok` });
}

function isMembershipChange(message: Message): message is MembershipChange {
  return message.type === 'add_backend' || message.type === 'remove_backend';
}
