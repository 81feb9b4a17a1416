/**
 * A failing sweep's replay command tells the truth: when the failing seed passes alone (in a fresh
 * process), the report says the failure depends on earlier runs (module-level state) and how to see
 * it again. Both fixtures run in one child vitest (each sweep then starts its own fresh process for the
 * seed alone), waited for with a timeout, and are judged test by test from its JSON report.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runChildVitestTests, type ChildTest } from './helpers.ts';

const FIXTURES = {
  moduleState: 'a sweep whose nodes count their runs in a module-level variable',
  unlucky: 'a sweep that fails at seed 3 on its own',
};

let child: ReturnType<typeof runChildVitestTests> | undefined;

/** The outcome of one fixture; the child runs once, for the first test that asks. */
async function fixture(name: string): Promise<ChildTest> {
  child ??= runChildVitestTests(
    path.join('harness', 'tests', 'fixtures', 'replay', 'vitest.config.ts'),
    'count their runs in a module-level variable|fails at seed 3 on its own',
    240_000,
  );
  const { tests, output } = await child;
  const outcome = tests.get(name);
  if (outcome === undefined) throw new Error(`The child vitest did not run "${name}". It printed:\n${output}`);
  return outcome;
}

describe('a sweep that fails at a later seed', () => {
  test('says so when the seed passes alone: the failure depends on module-level state', async () => {
    const { status, failure } = await fixture(FIXTURES.moduleState);
    expect(status).toBe('failed');
    expect(failure).toContain('the nodes started fewer than 3 times');
    expect(failure).toContain('replay   KATA_SEED=3');
    expect(failure).toContain(
      'Seed 3 passes when it runs alone: the replay command above does not reproduce this failure',
    );
    expect(failure).toContain("state kept at module level (a variable outside the node's factory");
    expect(failure).toMatch(
      /run the sweep up to this seed: {2}KATA_SEEDS=3 npm run test:harness -- \S+ -t 'a sweep whose/,
    );
  }, 270_000);

  test('says nothing more when the seed fails alone too', async () => {
    const { status, failure } = await fixture(FIXTURES.unlucky);
    expect(status).toBe('failed');
    expect(failure).toContain('seed 3 is unlucky');
    expect(failure).toContain('replay   KATA_SEED=3');
    expect(failure).not.toContain('passes when it runs alone');
  }, 270_000);
});
