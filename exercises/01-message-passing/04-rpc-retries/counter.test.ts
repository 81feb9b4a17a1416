import { describe, it } from 'vitest';
import type { ClientContext, OperationOutcome } from '#harness';
import {
  deriveSeed,
  describeSchedule,
  expectRecovered,
  forEachSwarmSeed,
  type History,
  type Operation,
  Rng,
  scenario,
  type ScheduledFault,
  simulate,
  type Simulation,
  plural,
  sortSchedule,
  sweepSeedCount,
  check,
  checkEqual,
} from '#harness/testing';
import { createCounterServer, incrementWithRetries } from './counter.ts';
import type { IncrementOk, IncrementOutput, IncrementRequest, ReadOk } from './protocol.ts';

// ───────────────────────────── helpers ─────────────────────────────

type IncrementInput = { readonly f: 'increment'; readonly delta: number };
type IncrementOperation = Operation<IncrementInput, IncrementOutput>;

const SERVER = { n1: createCounterServer };

/** Increments through the learner's helper, recording the operation in the history. */
function increment(
  c: ClientContext,
  delta: number,
  options = { attempts: 4, timeoutMs: 100 },
): Promise<OperationOutcome<IncrementOutput>> {
  return c.operation<IncrementInput, IncrementOutput>({ f: 'increment', delta }, () =>
    incrementWithRetries(c, 'n1', delta, options),
  );
}

/** Adds a client that reads the counter (retrying: a read changes nothing), runs until it is done, and returns the value. */
async function readCounter(sim: Simulation, reader = 'reader'): Promise<number> {
  let value: number | undefined;
  sim.client(reader, async (c) => {
    for (let attempt = 1; attempt <= 10 && value === undefined; attempt++) {
      const result = await c.rpc<ReadOk>('n1', { type: 'read' }, { timeoutMs: 200 });
      if (result.ok) value = result.reply.value;
    }
  });
  await sim.runUntilClientsDone({ timeoutMs: 5_000 });
  if (value === undefined) throw new Error(`${reader} asked n1 to read the counter 10 times and never got read_ok`);
  return value;
}

/** Sends one raw increment request (no retries), as a test of the server alone. */
async function rawIncrement(c: ClientContext, clientId: string, requestId: string, delta: number): Promise<number> {
  const request: IncrementRequest = { type: 'increment', clientId, requestId, delta };
  const result = await c.rpc<IncrementOk>('n1', request, { timeoutMs: 500 });
  if (!result.ok)
    throw new Error(
      `${c.id} sent increment ${clientId}/${requestId} (+${delta}) on a calm network and got no increment_ok`,
    );
  return result.reply.value;
}

/** The request ids `client` put on its increment requests, in the order it sent them. */
function requestIdsSentBy(sim: Simulation, client: string): string[] {
  return sim.trace.flatMap((event) =>
    event.kind === 'send' && event.from === client && event.type === 'increment'
      ? [String((event.message as { requestId?: unknown }).requestId)]
      : [],
  );
}

function runClients(sim: Simulation, timeoutMs = 10_000): Promise<void> {
  return sim.runUntilClientsDone({ timeoutMs }).then((done) => {
    if (!done)
      throw new Error(
        `the clients had not finished after ${timeoutMs} ms of virtual time: does incrementWithRetries stop after \`attempts\` requests?`,
      );
  });
}

/** Checks that one increment of 5 took effect exactly once. */
function expectAppliedOnce(value: number, who: string): void {
  if (value > 5 && value % 5 === 0) {
    throw new Error(
      `${who}'s increment of 5 was applied ${times(value / 5)}: the counter reads ${value} after a single increment of 5`,
    );
  }
  checkEqual(
    value,
    5,
    `${who}'s increment of 5 should have taken effect exactly once, so the counter should read 5; it reads ${value}`,
  );
}

/** `once`, `twice`, `3 times`. */
function times(count: number): string {
  return count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
}

/**
 * Checks a history of increments whose deltas are powers of ten, 1, 10, 100, …, each used by one client
 * for one increment or for a few in a row (the same increment again: a repeated workload). Then the
 * counter's value reads like a tally: its digit for 10^k says how many times increments of 10^k were
 * applied (while that is fewer than ten).
 *
 * Returns the violations, in domain words; empty when the history is consistent:
 * - no increment applied twice;
 * - an `ok` increment took effect, and its reply includes it, the earlier ones, and only increments that
 *   took effect;
 * - a `fail`ed increment did not take effect;
 * - an increment that returned before another was called is included in that one's reply;
 * - the value holds nothing but the clients' increments.
 */
function counterViolations(history: History<IncrementInput, IncrementOutput>, finalValue: number): string[] {
  const violations: string[] = [];
  const digit = (value: number, delta: number) => Math.floor(value / delta) % 10;
  const describe = (op: IncrementOperation) =>
    `${op.clientId}'s increment of +${op.input.delta} (called at t=${op.callMs} ms)`;
  const byDelta = new Map<number, IncrementOperation[]>();
  for (const op of history) byDelta.set(op.input.delta, [...(byDelta.get(op.input.delta) ?? []), op]);
  let accounted = 0;
  for (const [delta, group] of byDelta) {
    const applied = digit(finalValue, delta);
    accounted += applied * delta;
    const oks = group.filter((op) => op.status === 'ok');
    const fails = group.filter((op) => op.status === 'fail');
    if (applied > group.length) {
      violations.push(
        group.length === 1
          ? `${describe(group[0]!)} was applied ${times(applied)}: the final value ${finalValue} counts it ${times(applied)}`
          : `${group.map(describe).join(' and ')} were applied ${times(applied)} in all: the final value ${finalValue} ` +
              `counts +${delta} ${times(applied)}, so at least one of them was applied twice`,
      );
    }
    if (oks.length > applied) {
      const [op] = oks.slice(applied);
      violations.push(
        group.length === 1
          ? `${describe(op!)} was reported ok (value ${op!.output!.value}) but never took effect: the final value ${finalValue} does not include it`
          : `${describe(op!)} was reported ok (value ${op!.output!.value}) but never took effect: ${oks.length} increments of ` +
              `+${delta} were ok, and the final value ${finalValue} counts +${delta} ${times(applied)}. ` +
              'Was the second of two increments of the same amount taken for a retry of the first? ' +
              'Name each increment by a request id of its own, not by what it adds',
      );
    }
    if (fails.length > 0 && applied > group.length - fails.length) {
      violations.push(
        `${describe(fails[0]!)} was reported failed, but it took effect: the final value ${finalValue} includes it. ` +
          'A timeout does not mean the increment did not happen: report indeterminate',
      );
    }
    for (const op of oks) {
      const value = op.output!.value;
      // It counts itself and every increment of the same amount that returned ok before it was called,
      // and none that was called after it returned.
      const atLeast = 1 + group.filter((other) => other.status === 'ok' && other.returnMs! < op.callMs).length;
      const atMost = group.filter((other) => other.callMs <= op.returnMs!).length;
      const counted = digit(value, delta);
      if (counted < atLeast || counted > atMost) {
        violations.push(
          group.length === 1
            ? `${describe(op)} was answered with value ${value}, which does not count that increment exactly once`
            : `${describe(op)} was answered with value ${value}, which counts +${delta} ${times(counted)}: ` +
                `it should count this increment and the ${atLeast - 1} of the same amount that returned before it was called`,
        );
      }
    }
  }
  for (const op of history) {
    if (op.status !== 'ok') continue;
    const value = op.output!.value;
    for (const delta of byDelta.keys()) {
      if (digit(value, delta) > digit(finalValue, delta)) {
        violations.push(
          `${describe(op)} was answered with value ${value}, which counts the increments of +${delta} more often than the final value ${finalValue} does`,
        );
      }
    }
  }
  if (accounted !== finalValue) {
    violations.push(
      `the final value ${finalValue} holds ${finalValue - accounted} that no client's increment accounts for`,
    );
  }
  for (const earlier of history) {
    for (const later of history) {
      if (earlier.status !== 'ok' || later.status !== 'ok' || earlier.returnMs! >= later.callMs) continue;
      if (digit(later.output!.value, earlier.input.delta) === 0) {
        violations.push(
          `${describe(later)} started after ${describe(earlier)} had returned (t=${earlier.returnMs} ms), ` +
            `yet its value ${later.output!.value} does not include it`,
        );
      }
    }
  }
  return violations;
}

function assertCounterHistory(history: History<IncrementInput, IncrementOutput>, finalValue: number): void {
  const violations = counterViolations(history, finalValue);
  if (violations.length === 0) return;
  const listed = violations.slice(0, 5).map((line) => `  - ${line}`);
  if (violations.length > 5) listed.push(`  … and ${violations.length - 5} more`);
  throw new Error(
    `The counter's history is inconsistent (${plural(violations.length, 'problem')}):\n${listed.join('\n')}`,
  );
}

// ───────────────────────────── 1. stories ─────────────────────────────

describe('stories', () => {
  it('the reply from n1 is lost; c1 retries, gets the same value, and the counter moves once', async () => {
    // Replies from n1 to c1 are lost until t=150: the first two attempts are applied-or-not, unanswered.
    const faults = scenario().at(0).cut('n1', 'c1').at(150).heal().build();
    await simulate({ seed: 1, nodes: SERVER, faults }, async (sim) => {
      let outcome: OperationOutcome<IncrementOutput> | undefined;
      sim.client('c1', async (c) => void (outcome = await increment(c, 5)));
      await runClients(sim);
      expectAppliedOnce(await readCounter(sim), 'c1');
      checkEqual(
        outcome,
        { status: 'ok', output: { value: 5 } },
        `c1 retried after a lost reply; the server should answer the retry with the value of the first application, 5`,
      );
    });
  });

  it('n1 crashes after applying an increment but before its reply gets out; the retry after the restart is not applied again', async () => {
    const faults = scenario().at(0).cut('n1', 'c1').at(30).crash('n1').at(60).restart('n1').heal().build();
    await simulate({ seed: 2, nodes: SERVER, faults }, async (sim) => {
      let outcome: OperationOutcome<IncrementOutput> | undefined;
      sim.client('c1', async (c) => void (outcome = await increment(c, 5)));
      await runClients(sim);
      expectAppliedOnce(await readCounter(sim), 'c1');
      checkEqual(
        outcome,
        {
          status: 'ok',
          output: { value: 5 },
        },
        'after its restart n1 should still know the increment and answer the retry with 5',
      );
    });
  });

  it('n1 crashes in the middle of an increment, after its first effect; after the restart the counter and c1 agree', async () => {
    // At t=1 (after n1's start, before any request can arrive) a crash is armed: n1 dies during its next
    // step, c1's first increment, after one effect.
    // A server that saves first dies before replying, and the retry finds the saved increment. One that
    // writes twice dies between the writes; one that replies first dies before saving.
    const faults = scenario().at(1).crash('n1', { afterEffects: 1 }).at(50).restart('n1').build();
    await simulate({ seed: 5, nodes: SERVER, faults, details: { faults: describeSchedule(faults) } }, async (sim) => {
      let outcome: OperationOutcome<IncrementOutput> | undefined;
      sim.client('c1', async (c) => void (outcome = await increment(c, 5)));
      await runClients(sim);
      const value = await readCounter(sim);
      if (outcome?.status === 'ok' && value === 0) {
        throw new Error(
          `c1's increment of 5 was reported ok (value ${outcome.output.value}) but never took effect: after n1's restart ` +
            'the counter reads 0. n1 crashed right after its first effect: did its reply leave before the new value was saved? ' +
            'Or was the reply remembered in a write of its own, before the value? Save both in one write, then reply',
        );
      }
      if (value === 10) {
        throw new Error(
          "c1's increment of 5 was applied twice: the counter reads 10. n1 crashed right after its first effect, and after " +
            'its restart it did not recognise the retry. Is the record of the request in storage, saved in the same ctx.storage.set ' +
            'as the new value?',
        );
      }
      expectAppliedOnce(value, 'c1');
      checkEqual(
        outcome,
        { status: 'ok', output: { value: 5 } },
        'n1 saved the increment and crashed before replying: the retry after its restart should get 5',
      );
    });
  });

  it('every reply is lost and c1 gives up: it reports indeterminate, because the increment did happen', async () => {
    // The cut never heals: however long c1 pauses between its attempts, none of them is answered.
    const faults = scenario().at(0).cut('n1', 'c1').build();
    await simulate({ seed: 3, nodes: SERVER, faults }, async (sim) => {
      let outcome: OperationOutcome<IncrementOutput> | undefined;
      sim.client('c1', async (c) => void (outcome = await increment(c, 5, { attempts: 3, timeoutMs: 100 })));
      await runClients(sim);
      const value = await readCounter(sim);
      expectAppliedOnce(value, 'c1');
      if (outcome?.status === 'fail') {
        throw new Error(
          `c1's increment of 5 was reported failed, but it took effect: the counter reads ${value}. ` +
            'A timeout does not mean the increment did not happen: report indeterminate',
        );
      }
      checkEqual(
        outcome?.status,
        'indeterminate',
        'c1 never got a reply, so it cannot know whether its increment happened: it must report indeterminate',
      );
    });
  });

  it('every request is lost and c1 gives up: it still reports indeterminate, since it cannot tell this from a lost reply', async () => {
    // The cut never heals: however long c1 pauses between its attempts, none of them reaches n1.
    const faults = scenario().at(0).cut('c1', 'n1').build();
    await simulate({ seed: 4, nodes: SERVER, faults }, async (sim) => {
      let outcome: OperationOutcome<IncrementOutput> | undefined;
      sim.client('c1', async (c) => void (outcome = await increment(c, 5, { attempts: 3, timeoutMs: 100 })));
      await runClients(sim);
      checkEqual(await readCounter(sim), 0, 'no request reached n1, so the counter should still read 0');
      checkEqual(
        outcome?.status,
        'indeterminate',
        `c1 reported its increment ${outcome?.status === 'fail' ? 'failed' : `as ${String(outcome?.status)}`} after nothing but timeouts. ` +
          'From c1 this run looks exactly like the one where only the replies were lost and the increment did happen: report indeterminate',
      );
    });
  });
});

// ───────────────────────────── 2. spec ─────────────────────────────

describe('The server', () => {
  it('a fresh counter reads 0', async () => {
    await simulate({ seed: 11, nodes: SERVER }, async (sim) => {
      checkEqual(await readCounter(sim), 0, 'a counter nobody has incremented should read 0');
    });
  });

  it('increments add up, and each increment_ok carries the value right after it', async () => {
    await simulate({ seed: 12, nodes: SERVER }, async (sim) => {
      const values: number[] = [];
      sim.client('c1', async (c) => {
        for (const [requestId, delta] of [
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ] as const)
          values.push(await rawIncrement(c, 'c1', requestId, delta));
      });
      await runClients(sim);
      checkEqual(values, [1, 3, 6], 'c1 added 1, 2 and 3: the replies should say 1, 3 and 6');
      checkEqual(await readCounter(sim), 6, 'after +1, +2 and +3 the counter should read 6');
    });
  });

  it('a repeated (clientId, requestId) gets the first reply again and is not applied twice', async () => {
    await simulate({ seed: 13, nodes: SERVER }, async (sim) => {
      const replies: number[] = [];
      sim.client('c1', async (c) => {
        replies.push(await rawIncrement(c, 'c1', 'a', 5));
        replies.push(await rawIncrement(c, 'c2', 'x', 10));
        replies.push(await rawIncrement(c, 'c1', 'a', 5)); // a retry of the first request
      });
      await runClients(sim);
      const value = await readCounter(sim);
      if (value === 20)
        throw new Error('the retry of c1/a (+5) was applied twice: the counter reads 20 after +5 and +10');
      checkEqual(
        replies[2],
        5,
        `the retry of c1/a should get the first reply (5) again, not ${replies[2]}: the reply says what that request did`,
      );
      checkEqual(value, 15, 'after +5 (sent twice with one request id) and +10 the counter should read 15');
    });
  });

  it('the same request id from two clients names two different increments', async () => {
    await simulate({ seed: 14, nodes: SERVER }, async (sim) => {
      sim.client('c1', async (c) => {
        await rawIncrement(c, 'c1', 'r1', 1);
        await rawIncrement(c, 'c2', 'r1', 2);
      });
      await runClients(sim);
      checkEqual(
        await readCounter(sim),
        3,
        'c1/r1 (+1) and c2/r1 (+2) are different requests: the counter should read 3. Key the table by clientId and requestId',
      );
    });
  });

  it('a crash loses neither the counter nor the replies it gave', async () => {
    const faults = scenario().at(100).crash('n1').at(200).restart('n1').build();
    await simulate({ seed: 15, nodes: SERVER, faults }, async (sim) => {
      let retryReply: number | undefined;
      sim.client('c1', async (c) => {
        await rawIncrement(c, 'c1', 'a', 5);
        await c.sleep(300); // n1 crashes and restarts meanwhile
        retryReply = await rawIncrement(c, 'c1', 'a', 5);
      });
      await runClients(sim);
      const value = await readCounter(sim);
      if (value === 10)
        throw new Error(
          'the retry of c1/a (+5) after n1 restarted was applied twice: the counter reads 10. Keep the replies in ctx.storage',
        );
      checkEqual(
        value,
        5,
        'n1 crashed and restarted after +5: the counter should still read 5. Keep it in ctx.storage',
      );
      checkEqual(
        retryReply,
        5,
        'after its restart, n1 should answer a retry of c1/a with the reply it gave before the crash, 5',
      );
    });
  });
});

describe('The client helper', () => {
  it('returns ok with the value from the server on a calm network', async () => {
    await simulate({ seed: 21, nodes: SERVER }, async (sim) => {
      const outcomes: Array<OperationOutcome<IncrementOutput>> = [];
      sim.client('c1', async (c) => {
        outcomes.push(await increment(c, 1));
        outcomes.push(await increment(c, 2));
      });
      await runClients(sim);
      checkEqual(
        outcomes,
        [
          { status: 'ok', output: { value: 1 } },
          { status: 'ok', output: { value: 3 } },
        ],
        'c1 added 1 then 2 on a calm network: both should be ok, with values 1 and 3 (a second increment needs its own request id)',
      );
    });
  });

  it('retries with the same request id', async () => {
    const faults = scenario().at(0).cut('n1', 'c1').at(250).heal().build();
    await simulate({ seed: 22, nodes: SERVER, faults }, async (sim) => {
      sim.client('c1', async (c) => void (await increment(c, 5)));
      await runClients(sim);
      const ids = requestIdsSentBy(sim, 'c1');
      check(
        ids.length >= 2,
        `c1 should have retried after its first reply was lost; it sent ${ids.length} increment request(s)`,
      );
      checkEqual(
        new Set(ids).size,
        1,
        `c1 sent its one increment ${ids.length} times with request ids ${ids.join(', ')}: every retry must carry the same ` +
          'request id, or the server cannot tell a retry from a new increment',
      );
    });
  });

  it('gives up after at most `attempts` requests', async () => {
    const faults = scenario().at(0).isolate('n1').build();
    await simulate({ seed: 23, nodes: SERVER, faults }, async (sim) => {
      let outcome: OperationOutcome<IncrementOutput> | undefined;
      sim.client('c1', async (c) => void (outcome = await increment(c, 5, { attempts: 3, timeoutMs: 100 })));
      await runClients(sim);
      const sent = requestIdsSentBy(sim, 'c1').length;
      // `attempts` is a limit: a client may stop sooner (say, on a deadline of its own), never later.
      check(
        sent >= 1 && sent <= 3,
        `with attempts: 3, c1 should send its increment at most 3 times before giving up; it sent it ${sent} times`,
      );
      checkEqual(outcome?.status, 'indeterminate', 'c1 never heard from n1, so its increment is indeterminate');
    });
  });
});

// ───────────────────────────── 3. sweeps ─────────────────────────────

describe('sweeps', () => {
  const CLIENTS = ['c1', 'c2', 'c3'];
  /** Each client's increments during the faults, then one more after the heal. */
  const INCREMENTS_PER_CLIENT = 5;
  /** The client's retry timeout: the swarm's delays reach 10 times past it. */
  const RETRY_TIMEOUT_MS = 100;
  const HEAL_AT_MS = 3_000;
  /** Every increment must be answered within this long after the heal (see README). */
  const ANSWERED_WITHIN_MS = 1_000;

  /**
   * `count` crashes of n1 lasting 20–200 ms, drawn from `seed`, all over before HEAL_AT_MS. Short
   * crashes fall between an increment and its retry far more often than the random schedule's long ones.
   */
  function shortServerCrashes(seed: number, count: number): ScheduledFault[] {
    const rng = new Rng(deriveSeed(seed, 'short-server-crashes'));
    return Array.from({ length: count }, (): ScheduledFault[] => {
      const atMs = rng.int(0, HEAL_AT_MS - 300);
      return [
        { atMs, kind: 'crash', node: 'n1' },
        { atMs: atMs + rng.int(20, 200), kind: 'restart', node: 'n1' },
      ];
    }).flat();
  }

  /**
   * The amount of `client`'s increment number `i`: a power of ten, so the final value's digits count how
   * often each was applied. The first two are the same amount: one client adds the same thing twice.
   */
  function deltaOf(clientIndex: number, i: number): number {
    return 10 ** (clientIndex * INCREMENTS_PER_CLIENT + Math.max(0, i - 1));
  }

  /** Why not every increment was answered: which are still running, and which after the heal did not get ok. */
  function whyNotAnswered(sim: Simulation): string {
    const history = sim.history<IncrementInput, IncrementOutput>();
    const lines = history
      .filter((op) => op.callMs >= HEAL_AT_MS && op.status !== 'ok' && sim.clientsDone)
      .map(
        (op) =>
          `${op.clientId}'s increment of +${op.input.delta}, called at t=${op.callMs} ms after the heal, ended ${op.status}: ` +
          'on a healed network each attempt gets its reply within a round trip',
      );
    // A client is still running if it has not called all its increments, or its last one has not returned.
    const running = sim.clientsDone
      ? []
      : CLIENTS.filter((client) => {
          const ops = history.filter((op) => op.clientId === client);
          return ops.length < INCREMENTS_PER_CLIENT || ops.at(-1)!.returnMs === null;
        });
    for (const client of running) {
      const sent = requestIdsSentBy(sim, client).length;
      lines.push(
        `${client} was still incrementing (${sent} increment requests sent so far): does incrementWithRetries wait ` +
          'only timeoutMs for each reply, and stop after `attempts` requests?',
      );
    }
    return lines.slice(0, 5).join('\n  ');
  }

  it(`${sweepSeedCount(100)} seeds of swarm worlds (drops, duplicates, long delays, isolation, long and short server crashes), the same increment twice: no increment applied twice, every ok true, no fail that happened, all answered within ${ANSWERED_WITHIN_MS} ms of the heal`, async () => {
    await forEachSwarmSeed(
      { count: 100, swarm: { timeoutMs: RETRY_TIMEOUT_MS }, nodes: ['n1'], healAtMs: HEAL_AT_MS },
      async (seed, world) => {
        const shortCrashes = shortServerCrashes(seed, 4);
        const faults = sortSchedule([...world.faults, ...shortCrashes]);
        const details = { ...world.details, 'short server crashes': describeSchedule(shortCrashes) };
        await simulate({ seed, nodes: SERVER, faults, details }, async (sim) => {
          CLIENTS.forEach((client, clientIndex) => {
            sim.client(client, async (c) => {
              for (let i = 0; i < INCREMENTS_PER_CLIENT - 1; i++) {
                await c.sleep({ min: 0, max: 300 });
                await increment(c, deltaOf(clientIndex, i), { attempts: 5, timeoutMs: RETRY_TIMEOUT_MS });
              }
              // One more once the faults have healed: it must simply work.
              await c.sleep(Math.max(0, HEAL_AT_MS - c.now()) + c.randomInt(0, 200));
              await increment(c, deltaOf(clientIndex, INCREMENTS_PER_CLIENT - 1), {
                attempts: 5,
                timeoutMs: RETRY_TIMEOUT_MS,
              });
            });
          });
          const history = () => sim.history<IncrementInput, IncrementOutput>();
          await expectRecovered(sim, {
            what: 'every increment answered, and every one called after the heal answered ok,',
            healedAtMs: world.healAtMs,
            withinMs: ANSWERED_WITHIN_MS,
            holds: () => sim.clientsDone && history().every((op) => op.callMs < HEAL_AT_MS || op.status === 'ok'),
            explain: () => whyNotAnswered(sim),
          });
          // Let delayed duplicates of old requests arrive before reading: they must change nothing.
          await sim.run({ untilMs: sim.nowMs + 10 * RETRY_TIMEOUT_MS });
          const finalValue = await readCounter(sim);
          assertCounterHistory(history(), finalValue);
        });
      },
    );
  });
});
