/**
 * Test support for exercise 3.3 (not a learner file): the chain service under test (the master and
 * the servers), the property watched after every event (only the tail of a configuration answers),
 * the check that no acknowledged write was lost, and the sweep over swarm worlds with crashes of
 * chain members.
 *
 * Nothing here imports a learner file: each test passes its own server factory in.
 *
 * @module
 */
import type { NodeFactory, NodeId } from '#harness';
import { deriveSeed, expectRecovered, forEachSwarmSeed, Rng, simulate, type Simulation } from '#harness/testing';
import {
  CHAIN_DEAD_AFTER_MS,
  CHAIN_MASTER,
  type ChainMaster,
  createChainMaster,
  tailOf,
} from '../_given/chain-master.ts';
import type { KvReply, KvState } from '../_given/kv-protocol.ts';
import { ChainClerk } from './chain-clerk.ts';
import { workThenReadAfterHeal } from './runs.ts';
import { assertHistoryIsSound, reportFigure, serverIds } from './service.ts';

/** The `nodes` option of a simulation: the master, and `size` servers s1, s2, ... from `factory`, chained in that order. */
export function chainService(size: number, factory: NodeFactory): Record<NodeId, NodeFactory> {
  const servers = serverIds(size);
  const nodes: Record<NodeId, NodeFactory> = { [CHAIN_MASTER]: createChainMaster(servers) };
  for (const id of servers) nodes[id] = factory;
  return nodes;
}

/** The master of `sim` (undefined before the run starts). */
export function masterOf(sim: Simulation): ChainMaster | undefined {
  return sim.nodeInstance<ChainMaster>(CHAIN_MASTER);
}

/** What a test reads from a server. */
interface ServerView {
  readonly config?: { readonly num: number; readonly chain: readonly NodeId[] };
  readonly state?: KvState;
}

/** The servers of `sim` (every node but the master). */
export function chainServersOf(sim: Simulation): NodeId[] {
  return sim.nodeIds.filter((node) => node !== CHAIN_MASTER);
}

/** Server `node`'s copy of the store and sessions (undefined while it is down). */
export function stateOf(sim: Simulation, node: NodeId): KvState | undefined {
  return (sim.nodeInstance(node) as unknown as ServerView | undefined)?.state;
}

/** One line per server: the configuration it knows, its place in it, and its store; then the master's chain. */
export function describeChain(sim: Simulation): string {
  const master = masterOf(sim);
  if (master === undefined) return 'the service has not started yet';
  const lines = chainServersOf(sim).map((node) => {
    if (!sim.isUp(node)) return `${node}: crashed`;
    const server = sim.nodeInstance(node) as unknown as ServerView | undefined;
    const config = server?.config;
    if (config === undefined) return `${node}: no config field`;
    const index = config.chain.indexOf(node);
    const place =
      index < 0 ? 'not in it' : index === 0 ? 'head' : index === config.chain.length - 1 ? 'tail' : 'middle';
    return `${node}: configuration ${config.num} (${place}), store ${JSON.stringify(server?.state?.store ?? null)}`;
  });
  lines.push(`the master: configuration ${master.current.num}, chain ${master.current.chain.join(' → ')}`);
  return lines.join('\n  ');
}

/**
 * Watches, after every event, that only a tail answers: every `KvReply` with `ok: true` carries the
 * number of the configuration it was served in (`viewnum`), and the master made its sender that
 * configuration's tail (section 2 of the paper: the tail sends every reply).
 */
export function watchOnlyTheTailAnswers(sim: Simulation): void {
  let seen = 0;
  /** What each client's request asked, by client and rpcId: the tail answers requests sent to the head. */
  const asked = new Map<string, string>();
  sim.watch('only the tail answers', (s) => {
    const trace = s.trace;
    for (; seen < trace.length; seen++) {
      const event = trace[seen]!;
      if (event.kind !== 'send') continue;
      const message = event.message as { rpcId?: number; inReplyTo?: number; op?: { f: string } };
      if (event.type === 'KvRequest' && message.op !== undefined)
        asked.set(`${event.from}#${message.rpcId}`, message.op.f);
      if (event.type !== 'KvReply' || event.from === CHAIN_MASTER) continue;
      const reply = event.message as KvReply;
      if (!reply.ok) continue;
      const f = asked.get(`${event.to}#${message.inReplyTo}`);
      const what = `${event.from} answered ${event.to}'s ${f ?? 'request'} with ok: true (t=${event.t} ms)`;
      if (typeof reply.viewnum !== 'number')
        return `${what} without a viewnum: an answer names the configuration it was served in (its num).`;
      const configs = masterOf(s)?.configs ?? [];
      const config = configs[reply.viewnum - 1];
      if (config === undefined)
        return `${what} in configuration ${reply.viewnum}, which the master never made (it made ${configs.length}).`;
      if (tailOf(config) === event.from) continue;
      const where = `in configuration ${reply.viewnum}, whose tail is ${tailOf(config)} (chain ${config.chain.join(' → ')})`;
      if (f === 'get')
        return (
          `a server that is not the tail answered a read: ${what} ${where}. Only the tail's copy holds exactly the writes that are ` +
          "done: the head's and the middle servers' copies also hold writes on their way down, which a crash may yet lose."
        );
      return (
        `a server that is not the tail acknowledged a write: ${what} ${where}. A write is done only once it reached the end of the ` +
        'chain: the tail answers the client. Answered earlier, a crash of the servers that hold it loses a write the client was told is done.'
      );
    }
    return null;
  });
}

/** Writes each client was told are done, and their seq: for the check that none was lost. */
export type AcknowledgedWrites = Map<string, number>;

/**
 * No acknowledged write was lost: for every client, the tail `tail` has applied that client's last
 * write it was told is done (its session there is at least that write's seq).
 */
export function assertNoAcknowledgedWriteLost(sim: Simulation, tail: NodeId, acknowledged: AcknowledgedWrites): void {
  const state = stateOf(sim, tail);
  for (const [client, seq] of acknowledged) {
    const applied = state?.sessions[client]?.seq ?? 0;
    if (applied < seq)
      throw new Error(
        `an acknowledged write was lost: ${client} was told its write seq ${seq} is done, but the tail ${tail} has applied ` +
          `${client}'s operations only up to seq ${applied}. A write is done only once the tail applied it; every server keeps ` +
          'what it passed on (Sent) until the tail acknowledged it, and sends it again to a new successor.\n  ' +
          describeChain(sim),
      );
  }
}

/** Every client's pending operation and next gets answered, this long after the last fault. */
export const CHAIN_RECOVERY_MS = 1_500;

const HEAL_AT_MS = 3_000;
const CLIENTS = ['c1', 'c2', 'c3'];
const KEYS = ['x', 'y'];

/** A crash the sweep will make: when, and where in the chain of that moment (0 = head, towards 1 = tail). */
interface PlannedCrash {
  readonly atMs: number;
  readonly place: number;
}

/** Up to `size - 1` crashes of chain members before the heal, drawn from the seed. */
function drawCrashes(seed: number, size: number): PlannedCrash[] {
  const rng = new Rng(deriveSeed(seed, 'chain-crashes'));
  return Array.from({ length: rng.int(0, size - 1) }, () => ({
    atMs: rng.int(200, HEAL_AT_MS - 100),
    place: rng.next(),
  }));
}

/**
 * Makes the planned crashes: each of a member of the master's chain at that moment (the head, a middle
 * server or the tail), and only while that chain has two members up or more. Crashed servers stay
 * down: the paper's servers are fail-stop.
 */
function scheduleCrashes(sim: Simulation, planned: readonly PlannedCrash[], crashed: Set<NodeId>): void {
  for (const { atMs, place } of planned) {
    sim.at(atMs, () => {
      const chain = masterOf(sim)?.current.chain.filter((node) => !crashed.has(node)) ?? [];
      if (chain.length < 2) return;
      const victim = chain[Math.min(chain.length - 1, Math.floor(place * chain.length))]!;
      crashed.add(victim);
      sim.apply({ kind: 'crash', node: victim });
    });
  }
}

/** What a sweep varies. */
export interface ChainSweep {
  readonly seeds: number;
  /** The first seed (default 1): a replay of one world starts there. */
  readonly firstSeed?: number;
  /** Operations per client, and the longest pause between two. */
  readonly ops: number;
  readonly maxPauseMs: number;
}

/**
 * Three clients on a chain of 2 to 5 servers from `factory` and the master, in a swarm world of
 * partitions, isolated nodes, cut links, drops, duplicates and a long tail of delays until the heal,
 * with fail-stop crashes of chain members. Watched: only the tail answers. Checked: the history is
 * linearizable and no write took effect twice; the tail holds every acknowledged write; and once the
 * faults heal every client is served within {@link CHAIN_RECOVERY_MS} (unless every server of the
 * chain crashed, when no one is left to serve: counted and reported).
 */
export async function sweepChainUnderFaults(factory: NodeFactory, sweep: ChainSweep): Promise<void> {
  let worstMs = -1;
  let worstSeed = 0;
  let lostWorlds = 0;
  await forEachSwarmSeed(
    {
      count: sweep.seeds,
      ...(sweep.firstSeed === undefined ? {} : { firstSeed: sweep.firstSeed }),
      swarm: {
        timeoutMs: CHAIN_DEAD_AFTER_MS,
        clusterSizes: { min: 2, max: 5 },
        kinds: ['partition', 'isolate', 'cut', 'network'],
        maxPartitionMs: 5_000,
      },
      nodes: (size) => [CHAIN_MASTER, ...serverIds(size ?? 3)],
      healAtMs: HEAL_AT_MS,
    },
    async (seed, world) => {
      const size = world.nodes.length - 1;
      const crashed = new Set<NodeId>();
      const planned = drawCrashes(seed, size);
      const details = {
        ...world.details,
        crashes:
          planned.length === 0
            ? 'none'
            : `${planned.length} of the chain's members (head, middle or tail) at ${planned.map(({ atMs }) => `t=${atMs} ms`).join(', ')}, never restarted`,
      };
      await simulate({ seed, nodes: chainService(size, factory), faults: world.faults, details }, async (sim) => {
        scheduleCrashes(sim, planned, crashed);
        watchOnlyTheTailAnswers(sim);
        const doing = new Map<string, string>();
        const clerks = new Map<string, ChainClerk>();
        const acknowledged: AcknowledgedWrites = new Map();
        for (const id of CLIENTS) {
          sim.client(id, async (c) => {
            const clerk = new ChainClerk(c, {
              giveUpAfterMs: 1_000,
              onAcknowledged: (seq) => acknowledged.set(id, seq),
            });
            clerks.set(id, clerk);
            await workThenReadAfterHeal(c, clerk, doing, {
              ops: sweep.ops,
              keys: KEYS,
              maxPauseMs: sweep.maxPauseMs,
              healAtMs: world.healAtMs,
              recoveryMs: CHAIN_RECOVERY_MS,
            });
          });
        }
        const everyCopyLost = (): boolean => (masterOf(sim)?.current.chain ?? []).every((node) => crashed.has(node));
        const ms = await expectRecovered(sim, {
          what: `every client served (each one's pending operation, then a get of ${KEYS.map((key) => `'${key}'`).join(' and ')})`,
          healedAtMs: world.healAtMs,
          withinMs: CHAIN_RECOVERY_MS,
          holds: () => doing.size === 0 || everyCopyLost(),
          explain: () => {
            const waiting = [...doing].map(
              ([id, what]) =>
                `${id} is still waiting for ${what} (its clerk: ${JSON.stringify(clerks.get(id)?.stats)})`,
            );
            return `${waiting.join('; ')}.\n  ${describeChain(sim)}`;
          },
        });
        assertHistoryIsSound(sim);
        if (everyCopyLost()) {
          lostWorlds++;
          return;
        }
        if (ms > worstMs) [worstMs, worstSeed] = [ms, seed];
        const tail = tailOf(masterOf(sim)!.current);
        if (tail !== '' && sim.isUp(tail)) assertNoAcknowledgedWriteLost(sim, tail, acknowledged);
      });
    },
  );
  reportFigure(
    `every client served within ${CHAIN_RECOVERY_MS} ms of the heal: at worst ${worstMs} ms (seed ${worstSeed}), over ${sweep.seeds} worlds` +
      (lostWorlds === 0
        ? ''
        : ` (in ${lostWorlds} of them every server left in the chain had crashed: nothing to serve from)`),
  );
}
