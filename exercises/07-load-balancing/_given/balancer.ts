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
import { LoadBoard, type LoadInformation, type LoadView } from './load-board.ts';

/** A backend's node id, e.g. `b1`. */
export type BackendId = string;

/** Chooses a backend for each request. The balancer calls it from one place, one request at a time. */
export interface Picker {
  /**
   * The backend that gets the next request, or `null` when there is no backend at all. `key` is the
   * request's key when it has one ({@link WorkRequest}); pickers that spread requests without looking
   * at them (round robin, least requests) ignore it, and consistent hashing sends each key to its backend.
   */
  pick(key?: string): BackendId | null;
  /** Adds a backend with `weight` (a whole number, default 1). Adding one that is already there is an error. */
  add(backend: BackendId, weight?: number): void;
  /** Removes a backend. Removing one that is not there does nothing. */
  remove(backend: BackendId): void;
  /**
   * Optional: told when a request that `pick` sent to `backend` has ended, and how. The balancer calls
   * it exactly once for every request it forwarded, whatever the outcome. Pickers that keep count of
   * what each backend has in hand (least requests) or of its failures (outlier ejection) need it.
   */
  finished?(backend: BackendId, outcome: BackendOutcome): void;
}

/**
 * How a forwarded request ended: `success` (the backend answered with a status below 500), `5xx` (it
 * answered 500 or more, e.g. 503), `network-error` (the connection failed), `timeout` (no answer in time).
 */
export type BackendOutcome = 'success' | '5xx' | 'network-error' | 'timeout';

/** The balancer's clock, for pickers that need the time (an ejection lasts for a while). */
export interface PickerClock {
  /** The balancer's virtual time, in ms. */
  now(): number;
}

/**
 * Everything the balancer gives its picker: the clock, random numbers from the balancer's seeded
 * generator (so a run replays from its seed: never use `Math.random`), and the backends' loads as the
 * balancer sees them ({@link LoadView}: fresh, or a snapshot refreshed now and then).
 */
export interface PickerContext extends PickerClock {
  /** A random float in [0, 1), from the balancer's seeded generator. */
  random(): number;
  /** The requests each backend has in flight, as fresh as the balancer's {@link LoadInformation} says. */
  readonly load: LoadView;
}

/** What a client sends the balancer: one unit of work. */
export interface WorkRequest extends Message {
  readonly type: 'request';
  /**
   * What the request is about (a user, a cache key), when the client says: requests with the same key
   * are best served by the same backend, whose cache already holds what they need. The balancer hands
   * it to {@link Picker.pick}.
   */
  readonly key?: string;
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
  readonly createPicker: (context: PickerContext) => Picker;
  /** How long the balancer waits for a backend, ms. */
  readonly backendTimeoutMs: number;
  /** How fresh the loads the picker reads are. Default: fresh. */
  readonly loadInformation?: LoadInformation;
}

/** The path every backend serves. */
const WORK_PATH = '/work';

/** A load balancer in front of HTTP backends. */
export function createBalancerNode(options: BalancerOptions): NodeFactory {
  return (ctx) => {
    const board = new LoadBoard();
    const clock: PickerClock = { now: () => ctx.now() };
    const load = board.view(options.loadInformation ?? { kind: 'fresh' }, clock);
    const picker = options.createPicker({ ...clock, random: () => ctx.random(), load });
    return {
      onMessage(ctx, from, message) {
        if (isMembershipChange(message)) return changeMembership(ctx, from, message, picker);
        if (message.type === 'request')
          return forward(ctx, from, message as WorkRequest, picker, board, options.backendTimeoutMs);
        return undefined;
      },
    } satisfies Node;
  };
}

/**
 * Forwards one request to the backend `picker` picks, counting it in flight on `board` until it ends,
 * tells the picker how it ended, and answers the client.
 */
async function forward(
  ctx: NodeContext,
  client: string,
  request: WorkRequest,
  picker: Picker,
  board: LoadBoard,
  timeoutMs: number,
): Promise<void> {
  const backend = typeof request.key === 'string' ? picker.pick(request.key) : picker.pick();
  if (backend === null) return ctx.reply(client, request, { type: 'response', status: 503, backend });
  board.started(backend);
  let status: number;
  let outcome: BackendOutcome;
  try {
    const response = await simulatedFetch(ctx)(`http://${backend}${WORK_PATH}`, { timeoutMs });
    status = response.status;
    outcome = status >= 500 ? '5xx' : 'success';
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    status = timedOut ? 504 : 502;
    outcome = timedOut ? 'timeout' : 'network-error';
  }
  board.ended(backend);
  picker.finished?.(backend, outcome);
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
