import { delay, http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import type { NodeFactory } from '#harness';
import { simulatedFetch } from '#harness';
import { Simulation, SimulationError } from '#harness/testing';
import { BackendLog, drawBackendProfiles, healthyProfile, httpBackend, profiledHandlers } from '#harness/http';

/** What a caller saw: status and body, or the name of the error its fetch rejected with. */
type Seen =
  | { readonly atMs: number; readonly status: number; readonly body: string }
  | { readonly atMs: number; readonly error: string };

/** A node `n0` that fetches every URL of `urls` at t=0 and notes what came back in `seen`. */
function caller(urls: readonly string[], seen: Seen[], timeoutMs = 1_000): NodeFactory {
  return () => ({
    onMessage() {},
    async onStart(ctx) {
      const fetch = simulatedFetch(ctx);
      await Promise.all(
        urls.map(async (url) => {
          try {
            const response = await fetch(url, { timeoutMs });
            seen.push({ atMs: ctx.now(), status: response.status, body: await response.text() });
          } catch (error) {
            seen.push({ atMs: ctx.now(), error: (error as Error).name });
          }
        }),
      );
    },
  });
}

const backend = httpBackend({
  handlers: ({ sleep, id }) => [
    http.get('*/ok', async () => {
      await sleep(50);
      return HttpResponse.json({ from: id });
    }),
    http.get('*/busy', () => new HttpResponse(null, { status: 503 })),
    http.get('*/broken', () => HttpResponse.error()),
    http.get('*/hang', () => new Promise<never>(() => {})),
  ],
});

async function run(sim: Simulation): Promise<SimulationError | null> {
  return sim.run({ untilMs: 5_000 }).then(
    () => null,
    (error: unknown) => {
      if (error instanceof SimulationError) return error;
      throw error;
    },
  );
}

describe('HTTP in virtual time: msw backends behind the simulated network', () => {
  test('a response, a 503, a network error and a hang come back as fetch gives them', async () => {
    const seen: Seen[] = [];
    const urls = ['http://b1/ok', 'http://b1/busy', 'http://b1/broken', 'http://b1/hang'];
    const sim = new Simulation({
      seed: 1,
      nodes: { n0: caller(urls, seen, 1_000), b1: backend },
      network: { delayMs: 5 },
    });
    expect(await run(sim)).toBeNull();
    expect(seen).toEqual(
      expect.arrayContaining([
        { atMs: 60, status: 200, body: '{"from":"b1"}' },
        { atMs: 10, status: 503, body: '' },
        { atMs: 10, error: 'TypeError' },
        { atMs: 1_000, error: 'TimeoutError' },
      ]),
    );
  });

  test('the service time is virtual: no real timer runs during a simulated request', async () => {
    const realTimers: string[] = [];
    const names = ['setTimeout', 'setInterval', 'setImmediate'] as const;
    const originals = names.map((name) => globalThis[name]);
    for (const [index, name] of names.entries()) {
      const original = originals[index] as (...args: unknown[]) => unknown;
      (globalThis as Record<string, unknown>)[name] = (...args: unknown[]) => {
        const stack = new Error().stack ?? '';
        if (/node_modules[/\\]msw|harness[/\\]http[/\\](?!http\.test)/.test(stack))
          realTimers.push(`${name}\n${stack}`);
        return original(...args);
      };
    }
    try {
      const seen: Seen[] = [];
      const sim = new Simulation({ seed: 2, nodes: { n0: caller(['http://b1/ok'], seen), b1: backend } });
      expect(await run(sim)).toBeNull();
      expect(seen).toHaveLength(1);
    } finally {
      names.forEach((name, index) => ((globalThis as Record<string, unknown>)[name] = originals[index]));
    }
    expect(realTimers).toEqual([]);
  });

  test("msw's delay() is refused, and the error points to the virtual sleep", async () => {
    const slow = httpBackend({
      handlers: () => [
        http.get('*/slow', async () => {
          await delay(100);
          return HttpResponse.text('late');
        }),
      ],
    });
    const sim = new Simulation({ seed: 3, nodes: { n0: caller(['http://b1/slow'], []), b1: slow } });
    const error = await run(sim);
    expect(error?.message).toMatch(/b1 called setTimeout\(\)/);
    expect(error?.message).toMatch(/the virtual-clock sleep httpBackend hands its handlers/);
  });

  test("a handler's own Math.random() is refused although msw's code is below it on the stack", async () => {
    const random = httpBackend({ handlers: () => [http.get('*/dice', () => HttpResponse.json(Math.random()))] });
    const sim = new Simulation({ seed: 3, nodes: { n0: caller(['http://b1/dice'], []), b1: random } });
    expect((await run(sim))?.message).toMatch(/b1 called Math\.random\(\)/);
  });

  test('a request no handler matches stops the run naming the backend, method and URL', async () => {
    const sim = new Simulation({ seed: 4, nodes: { n0: caller(['http://b1/nothing-here'], []), b1: backend } });
    const error = await run(sim);
    expect(error?.message).toMatch(/b1 has no request handler for GET http:\/\/b1\/nothing-here/);
  });

  test('a URL whose host is no node is a clear error naming the URL', async () => {
    const seen: Seen[] = [];
    const named: string[] = [];
    const node: NodeFactory = () => ({
      onMessage() {},
      async onStart(ctx) {
        await simulatedFetch(ctx)('http://b9/ok', { timeoutMs: 100 }).catch((error: Error) =>
          named.push(error.message),
        );
      },
    });
    const sim = new Simulation({ seed: 5, nodes: { n0: node, b1: backend } });
    expect(await run(sim)).toBeNull();
    expect(seen).toEqual([]);
    expect(named[0]).toMatch(/n0 fetched http:\/\/b9\/ok, but "b9" is not a backend of this simulation/);
  });

  test('requests travel the simulated network: a crashed or cut-off backend never answers', async () => {
    const seen: Seen[] = [];
    const sim = new Simulation({
      seed: 6,
      nodes: { n0: caller(['http://b1/ok', 'http://b2/ok'], seen, 500), b1: backend, b2: backend },
    });
    sim.crash('b1');
    sim.apply({ kind: 'partition', groups: [['n0'], ['b1', 'b2']] });
    expect(await run(sim)).toBeNull();
    expect(seen).toEqual([
      { atMs: 500, error: 'TimeoutError' },
      { atMs: 500, error: 'TimeoutError' },
    ]);
  });

  test('with concurrency 1 a backend serves one request at a time, the others wait in order', async () => {
    const seen: Seen[] = [];
    const log = new BackendLog();
    const single = httpBackend({
      handlers: profiledHandlers(() => ({ ...healthyProfile(100), serviceTime: 'fixed' })),
      concurrency: 1,
      log,
    });
    const urls = ['http://b1/work', 'http://b1/work', 'http://b1/work'];
    const sim = new Simulation({
      seed: 7,
      nodes: { n0: caller(urls, seen, 1_000), b1: single },
      network: { delayMs: 0 },
    });
    expect(await run(sim)).toBeNull();
    expect(seen.map((s) => s.atMs)).toEqual([100, 200, 300]);
    expect(log.spans.map((span) => [span.arrivedAtMs, span.startedAtMs, span.finishedAtMs, span.status])).toEqual([
      [0, 0, 100, 200],
      [0, 100, 200, 200],
      [0, 200, 300, 200],
    ]);
  });

  test('same seed, same trace; another seed, another run', async () => {
    const profile = () => ({ ...healthyProfile(20), errorRate: 0.2, hangRate: 0.1 });
    const hash = async (seed: number) => {
      const urls = Array.from({ length: 20 }, (_, index) => `http://b${1 + (index % 2)}/work`);
      const nodes = {
        n0: caller(urls, [], 300),
        b1: httpBackend({ handlers: profiledHandlers(profile), concurrency: 1 }),
        b2: httpBackend({ handlers: profiledHandlers(profile), concurrency: 1 }),
      };
      const sim = new Simulation({ seed, nodes, network: { delayMs: { min: 1, max: 20 }, dropRate: 0.05 } });
      expect(await run(sim)).toBeNull();
      return sim.traceHash();
    };
    expect(await hash(11)).toBe(await hash(11));
    expect(await hash(11)).not.toBe(await hash(12));
  });

  test('backend profiles drawn from a seed are the same for that seed, within their ranges', () => {
    const ranges = { meanServiceMs: 10, minSpeed: 0.25, maxErrorRate: 0.1, maxHangRate: 0.01 };
    const drawn = drawBackendProfiles(42, ['b1', 'b2', 'b3'], ranges);
    expect(drawBackendProfiles(42, ['b1', 'b2', 'b3'], ranges)).toEqual(drawn);
    expect(drawBackendProfiles(43, ['b1', 'b2', 'b3'], ranges)).not.toEqual(drawn);
    for (const profile of Object.values(drawn)) {
      expect(profile.speed).toBeGreaterThanOrEqual(0.25);
      expect(profile.speed).toBeLessThanOrEqual(1);
      expect(profile.errorRate).toBeLessThanOrEqual(0.1);
      expect(profile.hangRate).toBeLessThanOrEqual(0.01);
    }
  });
});
