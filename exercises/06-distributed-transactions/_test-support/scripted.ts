/**
 * Test support for chapter 6 (not a learner file): scripted runs of the shards alone, with the test
 * in the coordinator's place, and the small steps the stories are made of.
 *
 * @module
 */
import type { ClientContext, NodeFactory, NodeId } from '#harness';
import { check, type FaultSchedule, simulate, type Simulation } from '#harness/testing';
import { COORDINATOR, type Decision, type Prepare, SHARDS, type TerminationQuery } from '../_given/txn-protocol.ts';
import { DecisionRecorder } from './participants.ts';
import { describeShards } from './runs.ts';

/** How a {@link participantRun} runs. */
export interface ParticipantRunOptions {
  /** The faults of the run. Default none. */
  readonly faults?: FaultSchedule;
  /** The test must finish within this much virtual time, ms. Default 5,000. */
  readonly withinMs?: number;
}

/**
 * A run of the two shards alone, with a test client in the coordinator's place (it is called `tc`, so
 * a shard that asks for a decision asks it, and it never answers). Watched like every run of the chapter.
 */
export async function participantRun(
  seed: number,
  createParticipant: NodeFactory,
  work: (c: ClientContext, sim: Simulation) => Promise<void>,
  options: ParticipantRunOptions = {},
): Promise<void> {
  const withinMs = options.withinMs ?? 5_000;
  const shards = Object.fromEntries(SHARDS.map((shard) => [shard, createParticipant]));
  await simulate({ seed, nodes: shards, faults: options.faults ?? [] }, async (sim) => {
    new DecisionRecorder(sim);
    let failure: unknown;
    let finished = false;
    sim.client(COORDINATOR, async (c) => {
      try {
        await work(c, sim);
      } catch (error) {
        failure = error;
      }
      finished = true;
    });
    const done = await sim.runUntil(() => finished, { timeoutMs: withinMs });
    if (failure !== undefined) throw failure;
    check(
      done,
      `the test coordinator did not finish within ${withinMs.toLocaleString('en-US')} ms of virtual time.\n  ${describeShards(sim)}`,
    );
  });
}

/** Sends `request` to `to` until it answers (it may be down for a while), at most `attempts` times, 100 ms each. */
export async function askUntilAnswered<Reply>(
  c: ClientContext,
  to: NodeId,
  request: Prepare | Decision | TerminationQuery,
  attempts = 20,
): Promise<Reply | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const result = await c.rpc(to, request, { timeoutMs: 100 });
    if (result.ok) return result.reply as Reply;
  }
  return undefined;
}

/** Runs until `from` has sent a message of `type`, at most `withinMs`; fails if it never does. */
export async function runUntilSent(sim: Simulation, from: NodeId, type: string, withinMs: number): Promise<void> {
  const sent = await sim.runUntil(
    () => sim.trace.some((event) => event.kind === 'send' && event.from === from && event.type === type),
    { timeoutMs: withinMs },
  );
  check(sent, `${from} sent no ${type} within ${withinMs} ms: ${describeShards(sim)}`);
}
