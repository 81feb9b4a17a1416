/**
 * Test support for chapter 3 (not a learner file): the service under test (the view service and the
 * servers), the property watched after every event (one primary per view), the checks every history
 * ends with, and the figures the tests print.
 *
 * Nothing here imports a learner file: each test passes its own server factory in.
 *
 * @module
 */
import type { NodeFactory, NodeId } from '#harness';
import { assertLinearizable, type KvInput, kvModel, type KvOutput } from '#harness/check';
import type { NetworkStats, Simulation } from '#harness/testing';
import type { KvReply, KvState } from '../_given/kv-protocol.ts';
import { createViewService, VIEW_SERVICE, type View, type ViewService } from '../_given/view-service.ts';

/** The servers of a service of `size`: s1, s2, ... */
export function serverIds(size: number): NodeId[] {
  return Array.from({ length: size }, (_, index) => `s${index + 1}`);
}

/** The `nodes` option of a simulation: the view service `vs`, and `size` servers from `factory`. */
export function service(size: number, factory: NodeFactory): Record<NodeId, NodeFactory> {
  const nodes: Record<NodeId, NodeFactory> = { [VIEW_SERVICE]: createViewService };
  for (const id of serverIds(size)) nodes[id] = factory;
  return nodes;
}

/** The view service of `sim` (undefined before the run starts). */
export function viewServiceOf(sim: Simulation): ViewService | undefined {
  return sim.nodeInstance<ViewService>(VIEW_SERVICE);
}

/** What a test reads from a server. */
interface ServerView {
  readonly view?: View;
  readonly state?: KvState;
}

function serverOf(sim: Simulation, node: NodeId): ServerView | undefined {
  return sim.nodeInstance(node) as unknown as ServerView | undefined;
}

/** The servers of `sim` (every node but the view service). */
export function serversOf(sim: Simulation): NodeId[] {
  return sim.nodeIds.filter((node) => node !== VIEW_SERVICE);
}

/** One line per server: the view it knows and its store; then the view service's view. Helps read a failure. */
export function describeService(sim: Simulation): string {
  const vs = viewServiceOf(sim);
  if (vs === undefined) return 'the service has not started yet';
  const lines = serversOf(sim).map((node) => {
    const server = serverOf(sim, node);
    const view = server?.view;
    const role =
      view === undefined ? '?' : view.primary === node ? 'primary' : view.backup === node ? 'backup' : 'idle';
    return `${node}: ${view === undefined ? 'no view field' : `view ${view.viewnum} (${role})`}, store ${JSON.stringify(server?.state?.store ?? null)}`;
  });
  const { viewnum, primary, backup } = vs.current;
  lines.push(
    `the view service: view ${viewnum}, primary ${primary || 'none'}, backup ${backup || 'none'}, ${vs.acknowledged ? 'acknowledged' : 'not yet acknowledged'}`,
  );
  return lines.join('\n  ');
}

/**
 * Watches, after every event, that at most one server acts as primary for a view: every `KvReply`
 * with `ok: true` carries the `viewnum` it was served in, and the view service made its sender the
 * primary of that view.
 */
export function watchOnePrimaryPerView(sim: Simulation): void {
  let seen = 0;
  sim.watch('one primary per view', (s) => {
    const trace = s.trace;
    for (; seen < trace.length; seen++) {
      const event = trace[seen]!;
      if (event.kind !== 'send' || event.type !== 'KvReply' || event.from === VIEW_SERVICE) continue;
      const reply = event.message as KvReply;
      if (!reply.ok) continue;
      const what = `${event.from} answered ${event.to} with ok: true (t=${event.t} ms)`;
      if (typeof reply.viewnum !== 'number')
        return `${what} without a viewnum: an answer says in which view its sender served the operation, as its primary.`;
      const views = viewServiceOf(s)?.views ?? [];
      const view = views[reply.viewnum - 1];
      if (view === undefined)
        return `${what} as primary of view ${reply.viewnum}, a view the view service never made (it made ${views.length}).`;
      if (view.primary !== event.from)
        return (
          `more than one primary for view ${reply.viewnum}: ${what} as its primary, but the view service made ${view.primary || 'no server'} ` +
          `the primary of view ${reply.viewnum}. Only the view service names primaries; a server acts as one only in a view it heard of.`
        );
    }
    return null;
  });
}

/** The parts of a stored value: `"c1:7;v1;"` holds `c1:7` and `v1`. */
function tokensOf(value: string): string[] {
  return value.split(';').filter((part) => part !== '');
}

/**
 * No operation took effect twice: in every server's store, a value appears in a key at most as often
 * as the clients wrote it there (each append of it, and once for any number of puts of it).
 */
export function assertNoWriteTookEffectTwice(sim: Simulation): void {
  const allowed = new Map<string, { appends: number; puts: number }>();
  for (const op of sim.history<KvInput, KvOutput>()) {
    if (op.input.f === 'get') continue;
    for (const token of tokensOf(op.input.value)) {
      const key = `${op.input.key}\u0000${token}`;
      const entry = allowed.get(key) ?? { appends: 0, puts: 0 };
      if (op.input.f === 'append') entry.appends++;
      else entry.puts++;
      allowed.set(key, entry);
    }
  }
  for (const node of serversOf(sim)) {
    for (const [key, value] of Object.entries(serverOf(sim, node)?.state?.store ?? {})) {
      const counts = new Map<string, number>();
      for (const token of tokensOf(value)) counts.set(token, (counts.get(token) ?? 0) + 1);
      for (const [token, count] of counts) {
        const written = allowed.get(`${key}\u0000${token}`);
        const limit = written === undefined ? 1 : written.appends + (written.puts > 0 ? 1 : 0);
        if (count > limit)
          throw new Error(
            `an operation took effect twice: on ${node}, key "${key}" holds "${token};" ${count} times ("${value}"), ` +
              `but the clients wrote it there ${limit === 1 ? 'once' : `${limit} times`}. A retried or re-forwarded request ` +
              '(same clientId and seq) goes through execute(), which applies it once.',
          );
      }
    }
  }
}

/** The checks every key-value test ends with: no write took effect twice, and the history is linearizable. */
export function assertHistoryIsSound(sim: Simulation): void {
  assertNoWriteTookEffectTwice(sim);
  assertLinearizable(kvModel, sim.history<KvInput, KvOutput>(), { maxSteps: 2_000_000 });
}

/** Messages sent between two readings of the network's counters, in all and per type. */
export function trafficBetween(
  before: NetworkStats,
  after: NetworkStats,
): { messages: number; byType: Record<string, number> } {
  const byType: Record<string, number> = {};
  for (const [type, count] of Object.entries(after.byType)) {
    const messages = count.messages - (before.byType[type]?.messages ?? 0);
    if (messages > 0) byType[type] = messages;
  }
  return { messages: after.messagesSent - before.messagesSent, byType };
}

/** Prints an efficiency figure under the test, so a learner sees what their servers cost. */
export function reportFigure(text: string): void {
  if (process.env['KATA_QUIET'] === undefined) console.info(`  📏 ${text}`);
}
