/**
 * Tests for exercise 1.1: Echo. See README.md for what each group checks.
 */
import { describe, test } from 'vitest';
import type { ClientContext, Message, NodeId, RpcResult } from '#harness';
import {
  cluster,
  forEachSwarmSeed,
  type Simulation,
  type TraceEvent,
  plural,
  simulate,
  sweepSeedCount,
  withArticle,
} from '#harness/testing';
import { createEchoNode } from './echo.ts';
import type { EchoReply, EchoRequest } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

/** One echo a client sent, and what came back. */
interface EchoAttempt {
  readonly client: NodeId;
  readonly node: NodeId;
  readonly text: string;
  readonly sentAtMs: number;
  readonly result: RpcResult<EchoReply>;
}

/** Sends one echo with `ctx.rpc` and records it in `log`. */
async function echo(
  c: ClientContext,
  node: NodeId,
  text: string,
  log: EchoAttempt[],
  timeoutMs = 1_000,
): Promise<EchoAttempt> {
  const sentAtMs = c.now();
  const request: EchoRequest = { type: 'echo', text };
  const result = await c.rpc<EchoReply>(node, request, { timeoutMs });
  const attempt = { client: c.id, node, text, sentAtMs, result };
  log.push(attempt);
  return attempt;
}

/**
 * Runs until every client is done. A run that never finishes fails with a sentence, not a bare `false`,
 * and with what the trace says the nodes did wrong, if anything.
 */
async function runToCompletion(sim: Simulation, timeoutMs: number): Promise<void> {
  if (await sim.runUntilClientsDone({ timeoutMs })) return;
  const problems = auditReplies(sim);
  const why = problems.length === 0 ? '' : ` ${problems[0]}`;
  throw new Error(
    `The clients did not finish within ${timeoutMs} ms of virtual time: some echoes were never answered.${why}`,
  );
}

/** Shows a text the way it was written, quotes and escapes included, cut short when long. */
function show(text: unknown): string {
  const shown = JSON.stringify(text) ?? String(text);
  return shown.length > 60 ? `${shown.slice(0, 57)}…" (${String((text as string).length)} characters)` : shown;
}

const isServer = (sim: Simulation, id: NodeId) => sim.nodeIds.includes(id);

/**
 * Reads the trace and lists everything a server node sent that was not a correct answer to the echo it
 * was handling. Handlers run one at a time, so whatever a node sends belongs to the last message
 * delivered to it before the send.
 */
function auditReplies(sim: Simulation): string[] {
  const problems: string[] = [];
  const sent = new Map<number, Extract<TraceEvent, { kind: 'send' }>>();
  const handling = new Map<NodeId, { deliver: Extract<TraceEvent, { kind: 'deliver' }>; answers: number }>();
  for (const event of sim.trace) {
    if (event.kind === 'deliver' && isServer(sim, event.to)) handling.set(event.to, { deliver: event, answers: 0 });
    if (event.kind !== 'send') continue;
    sent.set(event.id, event);
    if (!isServer(sim, event.from)) continue;
    const node = event.from;
    const reply = event.message as Partial<EchoReply> & { inReplyTo?: unknown };
    const current = handling.get(node);
    if (current === undefined || current.deliver.t !== event.t) {
      problems.push(
        `${node} sent ${withArticle(event.type)} message to ${event.to} at t=${event.t} ms without being asked: an echo node only answers.`,
      );
      continue;
    }
    const { deliver } = current;
    const request = sent.get(deliver.id)?.message as { type?: string; text?: unknown } | undefined;
    const asked = `the ${deliver.type} from ${deliver.from} (message #${deliver.id}, delivered t=${deliver.t} ms)`;
    if (deliver.type !== 'echo') {
      problems.push(
        `${node} answered ${asked} with ${withArticle(event.type)}: an echo node sends nothing back for messages it does not know.`,
      );
      continue;
    }
    if (++current.answers > 1) {
      problems.push(`${node} sent ${current.answers} messages while handling ${asked}: one echo gets one reply.`);
    }
    if (event.to !== deliver.from) {
      problems.push(
        `${node} sent its ${event.type} to ${event.to} instead of to the sender of ${asked}: reply to \`from\`.`,
      );
    } else if (typeof reply.inReplyTo !== 'number') {
      problems.push(
        `${node} answered ${asked} with ctx.send, so its ${event.type} has no inReplyTo tag and the ctx.rpc of ${deliver.from} ` +
          'cannot match it to the request: answer with ctx.reply(from, message, reply).',
      );
    } else if (event.type !== 'echo_ok') {
      problems.push(`${node} answered ${asked} with a message of type '${event.type}' instead of 'echo_ok'.`);
    } else if (reply.text !== request?.text) {
      problems.push(
        `${node} answered ${asked} for the text ${show(request?.text)} with the text ${show(reply.text)}: the text must come back exactly.`,
      );
    }
  }
  return problems;
}

/** Fails with the first problems of {@link auditReplies}, if any. */
function assertOnlyCorrectReplies(sim: Simulation): void {
  const problems = auditReplies(sim);
  if (problems.length === 0) return;
  const more = problems.length > 3 ? `\n(and ${plural(problems.length - 3, 'more problem', 'more problems')})` : '';
  throw new Error(problems.slice(0, 3).join('\n') + more);
}

/**
 * Fails unless every attempt got its own text back in an `echo_ok`. On a reliable network an attempt
 * without an answer is explained from the trace.
 */
function assertEchoedBack(sim: Simulation, attempts: readonly EchoAttempt[], network: 'reliable' | 'faulty'): void {
  for (const { client, node, text, sentAtMs, result } of attempts) {
    const what = `${client}'s echo of ${show(text)} to ${node} (sent t=${sentAtMs} ms)`;
    if (!result.ok) {
      if (network === 'faulty') continue;
      const why = auditReplies(sim).find((problem) => problem.includes(client)) ?? `${node} never answered it.`;
      throw new Error(`${what} got no answer on a reliable network. ${why}`);
    }
    const { reply } = result;
    if (reply.type !== 'echo_ok') {
      throw new Error(`${what} got back a message of type '${reply.type}' instead of 'echo_ok'.`);
    }
    if (reply.text !== text) {
      throw new Error(
        `${what} got back ${show(reply.text)}: the text must come back exactly, character for character.`,
      );
    }
  }
}

// ───────────────────────────── 1. a story ─────────────────────────────

describe('Scenario', () => {
  test('c1 says hello to n1, and n1 says it back', async () => {
    await simulate({ seed: 1, nodes: cluster(1, createEchoNode) }, async (sim) => {
      const attempts: EchoAttempt[] = [];
      sim.client('c1', async (c) => {
        await echo(c, 'n1', 'hello', attempts);
      });
      await runToCompletion(sim, 5_000);
      assertEchoedBack(sim, attempts, 'reliable');
      assertOnlyCorrectReplies(sim);
      const story = sim.trace
        .filter((event) => event.kind === 'send')
        .map((event) => `${event.from} → ${event.to} ${event.type}`);
      if (story.join(', ') !== 'c1 → n1 echo, n1 → c1 echo_ok') {
        throw new Error(
          `Expected exactly "c1 → n1 echo, n1 → c1 echo_ok" on the network; the messages sent were: ${story.join(', ')}.`,
        );
      }
    });
  });
});

// ───────────────────────────── 2. the spec ─────────────────────────────

describe('Replying to an echo', () => {
  test('the text comes back exactly: empty, accented, non-Latin, emoji, whitespace, long', async () => {
    const texts = [
      '',
      'hello',
      'héllo wörld',
      '你好，世界',
      'مرحبا',
      '🙂👋🏽 emoji',
      'line\nbreak\ttab',
      '  spaces around  ',
      'x'.repeat(5_000),
    ];
    await simulate({ seed: 1, nodes: cluster(1, createEchoNode) }, async (sim) => {
      const attempts: EchoAttempt[] = [];
      sim.client('c1', async (c) => {
        for (const text of texts) await echo(c, 'n1', text, attempts);
      });
      await runToCompletion(sim, 60_000);
      assertEchoedBack(sim, attempts, 'reliable');
      assertOnlyCorrectReplies(sim);
    });
  });

  test('several clients echo to several nodes at once, and each gets its own text back', async () => {
    await simulate({ seed: 2, nodes: cluster(3, createEchoNode) }, async (sim) => {
      const attempts: EchoAttempt[] = [];
      for (const client of ['c1', 'c2', 'c3', 'c4']) {
        sim.client(client, async (c) => {
          // Every client talks to every node at the same time: the replies cross on the network.
          for (let round = 1; round <= 3; round++) {
            await Promise.all(sim.nodeIds.map((node) => echo(c, node, `${c.id} → ${node}, round ${round}`, attempts)));
          }
        });
      }
      await runToCompletion(sim, 10_000);
      assertEchoedBack(sim, attempts, 'reliable');
      assertOnlyCorrectReplies(sim);
    });
  });

  test('a reply goes to the sender of the echo, whoever it is', async () => {
    await simulate({ seed: 3, nodes: cluster(2, createEchoNode) }, async (sim) => {
      const attempts: EchoAttempt[] = [];
      sim.client('c1', async (c) => {
        await echo(c, 'n2', 'from c1', attempts);
      });
      sim.client('c2', async (c) => {
        await echo(c, 'n2', 'from c2', attempts);
      });
      await runToCompletion(sim, 5_000);
      assertOnlyCorrectReplies(sim);
      assertEchoedBack(sim, attempts, 'reliable');
    });
  });
});

describe('Only replies', () => {
  test('a node sends one echo_ok per echo it receives, and nothing else', async () => {
    await simulate({ seed: 4, nodes: cluster(3, createEchoNode) }, async (sim) => {
      const attempts: EchoAttempt[] = [];
      sim.client('c1', async (c) => {
        for (const node of sim.nodeIds) await echo(c, node, `hi ${node}`, attempts);
        // Silence is the right answer to a message type the node does not know.
        const gossip: Message & { text: string } = { type: 'gossip', text: 'not a request' };
        c.send('n1', gossip);
        await c.sleep(100);
      });
      await runToCompletion(sim, 5_000);
      assertOnlyCorrectReplies(sim);
      const stats = sim.stats();
      for (const node of sim.nodeIds) {
        const received = sim.trace.filter(
          (event) => event.kind === 'deliver' && event.to === node && event.type === 'echo',
        ).length;
        const sentByNode = stats.bySender[node]?.messages ?? 0;
        if (sentByNode !== received) {
          throw new Error(
            `${node} received ${received} echoes but sent ${sentByNode} messages: it should send exactly one echo_ok per echo.`,
          );
        }
      }
      const types = Object.keys(stats.byType).sort();
      if (types.join(',') !== 'echo,echo_ok,gossip') {
        throw new Error(
          `Only echo, echo_ok (and the client's gossip) should cross the network; saw types ${types.join(', ')}.`,
        );
      }
      assertEchoedBack(sim, attempts, 'reliable');
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('Faulty network', () => {
  const seeds = sweepSeedCount(100);
  const healAtMs = 2_000;
  /** The clients' retry timeout: the swarm's delays reach ten times past it. */
  const retryAfterMs = 200;

  test(`clients that retry get their own text back, the same text again too: ${seeds} seeds of swarm worlds (1–7 nodes, drops, duplicates, long delays, crashes, isolated nodes)`, async () => {
    await forEachSwarmSeed(
      {
        count: seeds,
        swarm: { timeoutMs: retryAfterMs, clusterSizes: { min: 1, max: 7 } },
        nodes: (size) => Object.keys(cluster(size!, createEchoNode)),
        healAtMs,
      },
      async (seed, world) => {
        const nodes = cluster(world.nodes, createEchoNode);
        await simulate({ seed, nodes, faults: world.faults, details: world.details }, async (sim) => {
          const attempts: EchoAttempt[] = [];
          const unanswered: string[] = [];
          for (const client of ['c1', 'c2', 'c3']) {
            sim.client(client, async (c) => {
              for (let i = 1; i <= 8; i++) {
                // Spread the echoes over the faulty phase, so that they meet the faults.
                await c.sleep(c.randomInt(0, 300));
                const node = sim.nodeIds[c.randomInt(0, sim.nodeIds.length - 1)]!;
                // Each text comes twice: an echo node answers every request, the same text again included.
                const text = `${c.id} #${Math.ceil(i / 2)} ✓`;
                // Retry until answered: a timeout means the request or the reply was lost or slow, or the node was down.
                let answered = false;
                for (let attempt = 1; attempt <= 20 && !answered; attempt++) {
                  answered = (await echo(c, node, text, attempts, retryAfterMs)).result.ok;
                }
                if (!answered) unanswered.push(`${c.id}'s echo ${show(text)} to ${node}`);
              }
            });
          }
          await runToCompletion(sim, 60_000);
          assertOnlyCorrectReplies(sim);
          assertEchoedBack(sim, attempts, 'faulty');
          if (unanswered.length > 0) {
            throw new Error(
              `${unanswered.join(', ')} never got an answer, even after the faults healed at t=${healAtMs} ms and 20 tries.`,
            );
          }
        });
      },
    );
  });
});
