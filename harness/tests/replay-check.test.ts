/**
 * A failing sweep's replay command tells the truth: when the failing seed passes alone (in a fresh
 * process), the report says the failure depends on earlier runs (module-level state) and how to see
 * it again. The fixtures run in a child vitest, waited for with a timeout.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runChildVitest } from './helpers.ts';

function runFixture(name: string): Promise<string> {
  return runChildVitest(path.join('harness', 'tests', 'fixtures', 'replay', 'vitest.config.ts'), name, 150_000);
}

describe('a sweep that fails at a later seed', () => {
  test('says so when the seed passes alone: the failure depends on module-level state', async () => {
    const output = await runFixture('count their runs in a module-level variable');
    expect(output).toContain('the nodes started fewer than 3 times');
    expect(output).toContain('replay   KATA_SEED=3');
    expect(output).toContain(
      'Seed 3 passes when it runs alone: the replay command above does not reproduce this failure',
    );
    expect(output).toContain("state kept at module level (a variable outside the node's factory");
    expect(output).toMatch(
      /run the sweep up to this seed: {2}KATA_SEEDS=3 npm run test:harness -- \S+ -t 'a sweep whose/,
    );
  }, 180_000);

  test('says nothing more when the seed fails alone too', async () => {
    const output = await runFixture('fails at seed 3 on its own');
    expect(output).toContain('seed 3 is unlucky');
    expect(output).toContain('replay   KATA_SEED=3');
    expect(output).not.toContain('passes when it runs alone');
  }, 180_000);
});
