import { randomBytes, randomInt, randomUUID, webcrypto } from 'node:crypto';
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { request } from 'node:http';
import { setTimeout as setTimeoutFromTimers, setInterval as setIntervalFromTimers } from 'node:timers';
import { setTimeout as sleepFromTimers, setInterval as everyFromTimers } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import type { Message, NodeContext, NodeFactory } from '#harness';
import { cluster, Simulation, SimulationError } from '#harness/testing';
import { nodeOf } from './helpers.ts';

/** Runs the nodes (with one client asking n1 an echo, when `withClient`) and returns the error that stopped the run. */
async function failureOf(nodes: Record<string, NodeFactory>, withClient = false): Promise<SimulationError> {
  const sim = new Simulation({ seed: 9, nodes, network: { delayMs: 4 } });
  if (withClient)
    sim.client('c1', async (client) => void (await client.rpc('n1', { type: 'echo' }, { timeoutMs: 1_000 })));
  const error = await sim.run({ untilMs: 5_000 }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SimulationError))
    throw new Error(`expected the run to stop with a SimulationError, got ${String(error)}`);
  expect(sim.failure).toBe(error);
  return error;
}

describe('builtin modules are guarded, also through ESM named imports', () => {
  test.each([
    ['randomUUID() from node:crypto', () => randomUUID(), 'ctx.randomInt'],
    ['randomInt() from node:crypto', () => randomInt(10), 'ctx.randomInt(min, max)'],
    ['randomBytes() from node:crypto', () => randomBytes(4), 'ctx.random()'],
    ['randomUUID() from node:crypto', () => crypto.randomUUID(), 'ctx.randomInt'],
    ['crypto.getRandomValues()', () => webcrypto.getRandomValues(new Uint8Array(4)), 'ctx.random()'],
    ['process.hrtime()', () => process.hrtime(), 'ctx.now()'],
    ['process.hrtime.bigint()', () => process.hrtime.bigint(), 'ctx.now()'],
    ['process.uptime()', () => process.uptime(), 'ctx.now()'],
    ['performance.timeOrigin', () => performance.timeOrigin, 'ctx.now()'],
    ['Intl.DateTimeFormat().format() with no date', () => new Intl.DateTimeFormat('en').format(), 'format(ctx.now())'],
    [
      'Intl.DateTimeFormat().formatToParts() with no date',
      () => new Intl.DateTimeFormat('en').formatToParts(),
      'ctx.now()',
    ],
    ['setTimeout() from node:timers', () => setTimeoutFromTimers(() => {}, 5), 'ctx.setTimer'],
    ['setInterval() from node:timers', () => setIntervalFromTimers(() => {}, 5), 'ctx.setTimer'],
    ['setTimeout() from node:timers/promises', () => void sleepFromTimers(5), 'await ctx.sleep(delay)'],
    ['setInterval() from node:timers/promises', () => void everyFromTimers(5), 'ctx.setTimer'],
    ['readFileSync() from node:fs', () => readFileSync('package.json'), 'ctx.storage'],
    ['readFile() from node:fs/promises', () => void readFile('package.json'), 'ctx.storage'],
    ['createConnection() from node:net', () => createConnection(1), 'ctx.send'],
    ['request() from node:http', () => request('http://localhost:1'), 'ctx.send'],
  ])('%s inside a handler stops the run and says what to use', async (call, misuse, insteadUse) => {
    const error = await failureOf({ n1: nodeOf({ onStart: () => void misuse() }) });
    expect(error.context).toMatchObject({ kind: 'nondeterminism', node: 'n1' });
    expect(error.message).toContain(`n1 called ${call} inside a handler`);
    expect(error.message).toContain(insteadUse);
  });

  test('outside node code the builtins work as usual', async () => {
    await failureOf({ n1: nodeOf({ onStart: () => void randomUUID() }) });
    expect(randomUUID()).toMatch(/^[0-9a-f-]{36}$/);
    expect(randomInt(3)).toBeLessThan(3);
    expect(typeof process.hrtime.bigint()).toBe('bigint');
    expect(performance.timeOrigin).toBeGreaterThan(0);
    expect(new Intl.DateTimeFormat('en', { timeZone: 'UTC' }).format(0)).toBe('1/1/1970');
    expect(readFileSync('package.json', 'utf8')).toContain('"name"');
  });

  test('what hangs on a guarded function is kept', async () => {
    await failureOf({ n1: nodeOf({ onStart: () => void randomUUID() }) });
    const fs = await import('node:fs');
    const { promisify } = await import('node:util');
    expect(typeof fs.realpathSync.native, 'realpathSync.native').toBe('function');
    expect(
      typeof (fs.exists as unknown as Record<symbol, unknown>)[promisify.custom],
      'exists has its promisify.custom',
    ).toBe('function');
  });
});

/** An echo node that answers through an async helper it does not await, as a learner might write it. */
function echoWithHelper(helperBody: (ctx: NodeContext) => void): NodeFactory {
  return () => ({
    onMessage(ctx: NodeContext, from: string, message: Message) {
      const answer = async () => {
        await null;
        helperBody(ctx);
        ctx.reply(from, message, { type: 'echo_ok' });
      };
      void answer();
    },
  });
}

describe('continuations are the code of the node that started them', () => {
  test('a fire-and-forget async helper is blamed on its node, at the time its step ran', async () => {
    const error = await failureOf({ n1: echoWithHelper(() => Math.random()) }, true);
    expect(error.context).toMatchObject({ kind: 'nondeterminism', node: 'n1', atMs: 4 });
    expect(error.message).toContain(
      'n1 called Math.random() inside a handler (code started while handling message #1 (echo) from c1 at t=4 ms)',
    );
    expect(error.message).toContain('(t=4 ms, seed 9)');
  });

  test('a queueMicrotask callback is blamed on its node', async () => {
    const error = await failureOf(
      {
        n1: nodeOf({
          onMessage: () => queueMicrotask(() => void Date.now()),
        }),
      },
      true,
    );
    expect(error.context).toMatchObject({ kind: 'nondeterminism', node: 'n1', atMs: 4 });
    expect(error.message).toContain('n1 called Date.now() inside a handler');
  });

  test('a fire-and-forget helper that replies does so in its own step, at the right time', async () => {
    const sim = new Simulation({
      seed: 9,
      nodes: cluster(
        1,
        echoWithHelper(() => {}),
      ),
      network: { delayMs: 4 },
    });
    let answeredAtMs = -1;
    sim.client('c1', async (client) => {
      const result = await client.rpc('n1', { type: 'echo' }, { timeoutMs: 1_000 });
      if (result.ok) answeredAtMs = client.now();
    });
    expect(await sim.runUntilClientsDone({ timeoutMs: 2_000 })).toBe(true);
    expect(answeredAtMs, 'the reply left n1 at t=4 ms and arrived at t=8 ms').toBe(8);
  });

  test('a floating rejection fails the run, naming the node and the step', async () => {
    const error = await failureOf(
      {
        n1: nodeOf({
          onMessage() {
            const answer = async () => {
              await null;
              throw new TypeError('reply is not a function');
            };
            void answer();
          },
        }),
      },
      true,
    );
    expect(error.context).toMatchObject({ kind: 'handler-threw', node: 'n1', atMs: 4 });
    expect(error.message).toBe(
      'n1 left a promise rejection that nobody handles, in code started while handling message #1 (echo) from c1 ' +
        'at t=4 ms (seed 9): TypeError: reply is not a function. An async call whose promise is dropped ' +
        '(void answer(...), a .then without .catch, a promise made and never awaited) loses its error: await it, ' +
        'or add .catch and decide what to do.',
    );
  });

  test('a floating rejection of an exotic value still fails the run', async () => {
    const error = await failureOf({
      n1: nodeOf({
        onStart() {
          void Promise.reject(Object.create(null));
        },
      }),
    });
    expect(error.message).toContain('n1 left a promise rejection that nobody handles');
    expect(error.message).toContain('an object with no prototype');
  });
});

describe('a throw in a queueMicrotask callback', () => {
  test('fails the run naming the node', async () => {
    const error = await failureOf({
      n1: nodeOf({
        onStart: () =>
          queueMicrotask(() => {
            throw new RangeError('index out of range');
          }),
      }),
    });
    expect(error.context).toMatchObject({ kind: 'handler-threw', node: 'n1', atMs: 0 });
    expect(error.message).toContain(
      'n1 threw in a queueMicrotask callback, in code started while starting at t=0 ms (seed 9): RangeError: index out of range.',
    );
  });
});
