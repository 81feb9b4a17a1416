/**
 * Test support for chapter 5 (not a learner file): waiting for progress, and explaining from the trace
 * why there was none ("no leader for 2000 ms of virtual time: terms 7–12; n3 received no RequestVote
 * from n1 after t=2100 ms").
 *
 * @module
 */
import type { NodeId } from '#harness';
import type { NetworkStats, Simulation, TraceEvent } from '#harness/testing';
import { stableLeader, viewOf } from './raft-view.ts';

type SendEvent = Extract<TraceEvent, { kind: 'send' }>;

/** Each node's currentTerm now (undefined while down). */
export function termsNow(sim: Simulation): Map<NodeId, number | undefined> {
  return new Map(sim.nodeIds.map((node) => [node, viewOf(sim, node)?.currentTerm]));
}

/**
 * Runs until a leader that a majority follows exists (see `stableLeader`), for at most `withinMs` of
 * virtual time, and returns it. Without one, throws an explanation built from the trace.
 */
export async function awaitLeader(
  sim: Simulation,
  options: { readonly withinMs: number; readonly among?: readonly NodeId[]; readonly context?: string },
): Promise<NodeId> {
  const startMs = sim.nowMs;
  const startTerms = termsNow(sim);
  const found = await sim.runUntil(() => stableLeader(sim, options.among) !== undefined, {
    timeoutMs: options.withinMs,
  });
  if (found) return stableLeader(sim, options.among)!;
  throw new Error(explainNoLeader(sim, startMs, startTerms, options.context));
}

/** Why no leader emerged between `sinceMs` and now, in words, from the trace and the nodes' state. */
export function explainNoLeader(
  sim: Simulation,
  sinceMs: number,
  startTerms: ReadonlyMap<NodeId, number | undefined>,
  context = '',
): string {
  const lines: string[] = [];
  const endTerms = termsNow(sim);
  const known = (terms: ReadonlyMap<NodeId, number | undefined>) =>
    [...terms.values()].filter((t): t is number => t !== undefined);
  const lowest = Math.min(...known(startTerms), ...known(endTerms));
  const highest = Math.max(...known(endTerms), 0);
  const termText =
    lowest === highest ? `all in term ${highest}` : `terms ${Number.isFinite(lowest) ? lowest : 0}–${highest}`;
  lines.push(
    `no leader for ${sim.nowMs - sinceMs} ms of virtual time (t=${sinceMs}–${sim.nowMs} ms)${context}: ${termText}.`,
  );
  const majority = Math.floor(sim.nodeIds.length / 2) + 1;
  const up = sim.nodeIds.filter((node) => sim.isUp(node));
  lines.push(`Now: ${sim.nodeIds.map((node) => describeNode(sim, node)).join(', ')}.`);
  if (up.length < majority)
    lines.push(`Only ${up.length} of ${sim.nodeIds.length} nodes are up; a leader needs ${majority}.`);
  const window = sim.trace.filter((event) => event.t >= sinceMs);
  const requests = window.filter((event): event is SendEvent => event.kind === 'send' && event.type === 'RequestVote');
  if (requests.length === 0) {
    lines.push(
      `No node sent a RequestVote after t=${sinceMs} ms: a follower that hears from no leader must start an election when its ` +
        'election timer fires (set it in onStart, and again after each election and each vote).',
    );
    return lines.join('\n');
  }
  lines.push(...describeElections(sim, window, requests, majority));
  lines.push(...describeUnreachedVoters(sim, window, requests));
  return lines.join('\n');
}

function describeNode(sim: Simulation, node: NodeId): string {
  const view = viewOf(sim, node);
  return view === undefined ? `${node} down` : `${node} ${view.role} in term ${view.currentTerm}`;
}

/** The last few elections: who stood, who voted for whom, split votes. */
function describeElections(
  sim: Simulation,
  window: readonly TraceEvent[],
  requests: readonly SendEvent[],
  majority: number,
): string[] {
  const byTerm = new Map<number, Set<NodeId>>();
  for (const request of requests) {
    const term = (request.message as { term: number }).term;
    if (!byTerm.has(term)) byTerm.set(term, new Set());
    byTerm.get(term)!.add(request.from);
  }
  const votes = new Map<string, Set<NodeId>>();
  for (const event of window) {
    if (event.kind !== 'send' || event.type !== 'RequestVoteReply') continue;
    const reply = event.message as { term: number; voteGranted: boolean };
    if (!reply.voteGranted) continue;
    const key = `${reply.term}:${event.to}`;
    if (!votes.has(key)) votes.set(key, new Set([event.to]));
    votes.get(key)!.add(event.from);
  }
  const terms = [...byTerm.keys()].sort((a, b) => b - a).slice(0, 3);
  const lines = [
    `Elections since then: ${byTerm.size}, in terms ${Math.min(...byTerm.keys())}–${Math.max(...byTerm.keys())}. The last ones:`,
  ];
  for (const term of terms) {
    const candidates = [...byTerm.get(term)!].sort();
    const parts = candidates.map((candidate) => {
      const granted = [...(votes.get(`${term}:${candidate}`) ?? new Set([candidate]))].sort();
      return `${candidate} got votes from ${granted.join(', ')} (${granted.length} of the ${majority} needed)`;
    });
    const split = candidates.length > 1 ? ' (split vote: several candidates in one term)' : '';
    lines.push(`  term ${term}: ${parts.join('; ')}${split}.`);
  }
  const anyGranted = [...votes.keys()].length > 0;
  const repliesSent = window.some((event) => event.kind === 'send' && event.type === 'RequestVoteReply');
  if (!repliesSent)
    lines.push('No node answered any RequestVote: every RequestVote gets a RequestVoteReply (granted or not).');
  else if (!anyGranted)
    lines.push(
      'Every RequestVoteReply said voteGranted: false: a server grants its vote to the first candidate of a term it sees.',
    );
  void sim;
  return lines;
}

/** Pairs of up nodes where a candidate's RequestVotes stopped reaching a voter, and why. */
function describeUnreachedVoters(
  sim: Simulation,
  window: readonly TraceEvent[],
  requests: readonly SendEvent[],
): string[] {
  const lines: string[] = [];
  const lastDelivered = new Map<string, number>();
  const dropped = new Map<string, { count: number; reasons: Set<string> }>();
  const sentAfter = new Map<string, number>();
  for (const event of window) {
    if (event.kind === 'deliver' && event.type === 'RequestVote')
      lastDelivered.set(`${event.from}>${event.to}`, event.t);
    if (event.kind === 'drop' && event.type === 'RequestVote') {
      const key = `${event.from}>${event.to}`;
      const entry = dropped.get(key) ?? { count: 0, reasons: new Set<string>() };
      entry.count++;
      entry.reasons.add(event.reason);
      dropped.set(key, entry);
    }
  }
  for (const request of requests)
    sentAfter.set(`${request.from}>${request.to}`, (sentAfter.get(`${request.from}>${request.to}`) ?? 0) + 1);
  const lastCandidate = requests[requests.length - 1]!.from;
  const lastRequestMs = requests[requests.length - 1]!.t;
  for (const voter of sim.nodeIds) {
    if (voter === lastCandidate || !sim.isUp(voter)) continue;
    const key = `${lastCandidate}>${voter}`;
    const delivered = lastDelivered.get(key);
    const drops = dropped.get(key);
    if (delivered !== undefined && delivered >= lastRequestMs - 20) continue;
    const since = delivered === undefined ? `at all after t=${requests[0]!.t} ms` : `after t=${delivered} ms`;
    const why = drops === undefined ? '' : `: ${drops.count} were dropped (${[...drops.reasons].join(', ')})`;
    lines.push(`${voter} received no RequestVote from ${lastCandidate} ${since}${why}.`);
  }
  return lines.slice(0, 4);
}

/**
 * Term changes in a window, each with who started the election and when it last heard from a leader:
 * the explanation of leader churn.
 */
export function describeTermChanges(sim: Simulation, fromMs: number, toMs = sim.nowMs, limit = 5): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  const lastHeartbeat = new Map<NodeId, { t: number; from: NodeId }>();
  for (const event of sim.trace) {
    if (event.t > toMs) break;
    if (event.kind === 'deliver' && event.type === 'AppendEntries')
      lastHeartbeat.set(event.to, { t: event.t, from: event.from });
    if (event.kind !== 'send' || event.type !== 'RequestVote' || event.t < fromMs) continue;
    const term = (event.message as { term: number }).term;
    const key = `${event.from}:${term}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const heard = lastHeartbeat.get(event.from);
    const because =
      heard === undefined
        ? 'it had never received an AppendEntries'
        : `the last AppendEntries it had received was from ${heard.from} at t=${heard.t} ms (${event.t - heard.t} ms earlier)`;
    lines.push(`${event.from} started an election for term ${term} at t=${event.t} ms; ${because}.`);
  }
  return lines.length > limit ? [...lines.slice(0, limit), `… and ${lines.length - limit} more`] : lines;
}

/** Messages and bytes sent between two readings of `sim.stats()`, in total and per type. */
export function trafficBetween(
  before: NetworkStats,
  after: NetworkStats,
): { messages: number; bytes: number; byType: Record<string, { messages: number; bytes: number }> } {
  const byType: Record<string, { messages: number; bytes: number }> = {};
  for (const [type, count] of Object.entries(after.byType)) {
    const earlier = before.byType[type] ?? { messages: 0, bytes: 0 };
    const messages = count.messages - earlier.messages;
    if (messages > 0) byType[type] = { messages, bytes: count.bytes - earlier.bytes };
  }
  return { messages: after.messagesSent - before.messagesSent, bytes: after.bytesSent - before.bytesSent, byType };
}

/** Prints an efficiency figure under the test, so a learner sees what their node costs. */
export function reportFigure(text: string): void {
  if (process.env['KATA_QUIET'] === undefined) console.info(`  📏 ${text}`);
}
