/**
 * Writing a history as Jepsen EDN op maps, for Knossos, Elle or Jepsen's own checkers.
 *
 * @module
 */

import type { History, Operation } from '../../../history.ts';
import { EDN_CODECS, type EdnModelName, type EdnOpFields } from '../import/ednCodecs.ts';

/** How the op maps are laid out: one per line (Jepsen's `history.edn`), or one vector (Knossos's `data/`). */
export type EdnLayout = 'lines' | 'vector';

/** Options of {@link writeJepsenEdn}. */
export interface EdnWriteOptions {
  /** Default `lines`. */
  readonly layout?: EdnLayout;
}

const NANOSECONDS_PER_MS = 1_000_000;

/**
 * What Knossos will read differently from this workshop's models when `history` is written as EDN: a
 * read of a register never written (`nil`, which Knossos takes for "value unknown") and a cas whose
 * compare failed (`:fail`, "did not happen"). One sentence per kind, empty when nothing is lost.
 */
export function ednCaveats(history: History<unknown, unknown>, model: EdnModelName): string[] {
  if (model !== 'register' && model !== 'cas-register') return [];
  const ok = history.filter((operation) => operation.status === 'ok');
  const f = (operation: Operation<unknown, unknown>): unknown => (operation.input as { f?: unknown }).f;
  const output = (operation: Operation<unknown, unknown>): { value?: unknown; swapped?: unknown } =>
    (operation.output ?? {}) as { value?: unknown; swapped?: unknown };
  const nilReads = ok.filter((operation) => f(operation) === 'read' && output(operation).value === null).length;
  const failedCompares = ok.filter((operation) => f(operation) === 'cas' && output(operation).swapped === false).length;
  const caveats: string[] = [];
  if (nilReads > 0)
    caveats.push(
      `${nilReads} read(s) of a register never written are written as nil, which Knossos reads as "value unknown": it will not check them`,
    );
  if (failedCompares > 0)
    caveats.push(
      `${failedCompares} cas(es) whose compare failed are written as :fail, which Knossos reads as "did not happen": it will not check the compare`,
    );
  return caveats;
}

/** One op map to write, with where it goes in time. */
interface EdnEvent {
  readonly timeMs: number;
  readonly operationId: number;
  readonly clientId: string;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly process: number;
  readonly fields: EdnOpFields;
}

/**
 * Writes `history` (of the `register`, `cas-register`, `mutex`, `multi-register` or `kv` model) as
 * Jepsen op maps, so Knossos or Jepsen can check it; `parseEdnHistory` reads it back.
 *
 * - Each operation becomes an `:invoke` at its call and a completion at its return: `:ok`, `:fail`
 *   (status `fail`, and a cas whose compare failed, which Knossos reads as "did not happen"), or
 *   `:info` (indeterminate). An `:info` has no time of its own: it is written just before the client's
 *   next invocation, or at the end. The client's later operations keep its process number, which the
 *   reader takes, as Jepsen does, as a new process (`"3.1"`).
 * - Clients become integer processes in order of their first operation.
 * - `:time` is the time in nanoseconds (virtual milliseconds × 10⁶), `:index` the op map's position.
 * - At one instant, invocations come before completions (they touch, so they are concurrent), except a
 *   client's own completion, which comes before its next invocation.
 *
 * A read of a register never written is written `nil`, which Knossos reads as "value unknown".
 *
 * @throws Error when an operation's input does not belong to the model.
 */
export function writeJepsenEdn(
  history: History<unknown, unknown>,
  model: EdnModelName,
  options: EdnWriteOptions = {},
): string {
  const codec = EDN_CODECS[model];
  const processes = processNumbers(history);
  const endMs = Math.max(0, ...history.flatMap((operation) => [operation.callMs, operation.returnMs ?? 0]));
  const nextCallMs = nextCallOfClient(history);
  const events: EdnEvent[] = [];
  for (const operation of history) {
    const fields = codec.write(operation.input, operation.output);
    const process = processes.get(operation.clientId)!;
    const base = { operationId: operation.id, clientId: operation.clientId, process, fields };
    events.push({ ...base, timeMs: operation.callMs, type: 'invoke' });
    const type = completionType(operation, model);
    // An :info has no time of its own: it goes where the client moves on, or at the end.
    const timeMs = type === 'info' ? (nextCallMs.get(operation.id) ?? endMs) : operation.returnMs!;
    events.push({ ...base, timeMs, type });
  }
  const maps = inWritingOrder(events).map((event, index) => opMap(event, index));
  if (options.layout === 'vector') return `[${maps.join('\n ')}]\n`;
  return maps.map((map) => `${map}\n`).join('');
}

/**
 * Events by time. At one instant: every invocation whose client is free first (they all overlap), then
 * the completions of clients that invoke again at this instant, and only then the other completions.
 */
function inWritingOrder(events: readonly EdnEvent[]): EdnEvent[] {
  const byTime = new Map<number, EdnEvent[]>();
  for (const event of events) {
    const group = byTime.get(event.timeMs);
    if (group === undefined) byTime.set(event.timeMs, [event]);
    else group.push(event);
  }
  const ordered: EdnEvent[] = [];
  const openClients = new Set<string>();
  const invoked = new Set<number>();
  for (const timeMs of [...byTime.keys()].sort((a, b) => a - b)) {
    let pending = byTime.get(timeMs)!.sort((a, b) => a.operationId - b.operationId);
    const emit = (chosen: readonly EdnEvent[]): void => {
      for (const event of chosen) {
        ordered.push(event);
        if (event.type === 'invoke') {
          openClients.add(event.clientId);
          invoked.add(event.operationId);
        } else {
          openClients.delete(event.clientId);
        }
      }
      pending = pending.filter((event) => !chosen.includes(event));
    };
    while (pending.length > 0) {
      const invocations: EdnEvent[] = [];
      for (const event of pending) {
        const free =
          !openClients.has(event.clientId) && !invocations.some((other) => other.clientId === event.clientId);
        if (event.type === 'invoke' && free) invocations.push(event);
      }
      if (invocations.length > 0) {
        emit(invocations);
        continue;
      }
      const ready = pending.filter((event) => event.type !== 'invoke' && invoked.has(event.operationId));
      const waitedFor = ready.filter((event) =>
        pending.some((other) => other.type === 'invoke' && other.clientId === event.clientId),
      );
      emit(waitedFor.length > 0 ? waitedFor : ready);
    }
  }
  return ordered;
}

function completionType(operation: Operation<unknown, unknown>, model: EdnModelName): 'ok' | 'fail' | 'info' {
  if (operation.status === 'indeterminate') return 'info';
  if (operation.status === 'fail') return 'fail';
  const swapped = (operation.output as { swapped?: boolean } | undefined)?.swapped;
  const failedCompare = (operation.input as { f?: unknown }).f === 'cas' && swapped === false;
  return model === 'cas-register' && failedCompare ? 'fail' : 'ok';
}

function processNumbers(history: History<unknown, unknown>): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const { clientId } of history) if (!numbers.has(clientId)) numbers.set(clientId, numbers.size);
  return numbers;
}

/** For each operation, when its client invokes its next operation (absent for a client's last one). */
function nextCallOfClient(history: History<unknown, unknown>): Map<number, number> {
  const next = new Map<number, number>();
  const lastOfClient = new Map<string, number>();
  for (const operation of [...history].sort((a, b) => a.callMs - b.callMs || a.id - b.id)) {
    const previous = lastOfClient.get(operation.clientId);
    if (previous !== undefined) next.set(previous, operation.callMs);
    lastOfClient.set(operation.clientId, operation.id);
  }
  return next;
}

function opMap(event: EdnEvent, index: number): string {
  const value = event.type === 'ok' ? event.fields.okValue : event.fields.invokeValue;
  const extra = event.fields.extra === undefined ? '' : `, ${event.fields.extra}`;
  const timeNs = Math.round(event.timeMs * NANOSECONDS_PER_MS);
  return (
    `{:index ${index}, :time ${timeNs}, :type :${event.type}, :process ${event.process}, ` +
    `:f :${event.fields.f}${extra}, :value ${value}}`
  );
}
