import { describe, expect, test } from 'vitest';
import { describeOtherFailures, readFailureReport } from './replay.ts';
import { palette } from './terminal.ts';

// A real report, as `simulate` formats it (trimmed): see docs/reading-a-failure.md.
const REPORT = `SimulationTestFailure: exactly-once: 2 violations
  - n2 delivered message m1 from n1 twice (t=9 ms, t=12 ms)
  - n2 delivered message m2 from n1 twice (t=10 ms, t=14 ms)

  seed     2
  time     t=3000 ms (virtual)
  replay   KATA_SEED=2 npm test -- exercises/x/x.test.ts -t 'delivers once'
  trace    .kata/traces/exercises-x/delivers-once-seed-2.json
  viewer   .kata/traces/exercises-x/delivers-once-seed-2.html  (open it in a browser)

  last events before the failure:
    t=25ms      n2 → n1 deliver #17 ack (sent t=24ms)`;

describe('reading a failure report back', () => {
  test('finds the headline, the seed, the replay command, the trace and the viewer page', () => {
    const run = readFailureReport({
      file: 'exercises/x/x.test.ts',
      name: 'delivers once',
      status: 'failed',
      failureMessages: [REPORT],
    });
    expect(run.what, 'the headline without the error class, up to the blank line').toBe(
      'exactly-once: 2 violations\n  - n2 delivered message m1 from n1 twice (t=9 ms, t=12 ms)\n  - n2 delivered message m2 from n1 twice (t=10 ms, t=14 ms)',
    );
    expect(run.seed, 'the seed').toBe(2);
    expect(run.replay, 'the replay command').toBe("KATA_SEED=2 npm test -- exercises/x/x.test.ts -t 'delivers once'");
    expect(run.trace, 'the trace').toBe('.kata/traces/exercises-x/delivers-once-seed-2.json');
    expect(run.viewer, 'the viewer page, without the advice').toBe(
      '.kata/traces/exercises-x/delivers-once-seed-2.html',
    );
  });

  test('a failure that is not a simulation report has no seed and no trace', () => {
    const run = readFailureReport({
      file: 'f',
      name: 'n',
      status: 'failed',
      failureMessages: ['AssertionError: expected 1 to be 2'],
    });
    expect({ what: run.what, seed: run.seed, trace: run.trace }, 'only the headline').toEqual({
      what: 'expected 1 to be 2',
      seed: null,
      trace: null,
    });
  });
});

describe('tests that failed with seeds of their own', () => {
  test('are each named with their seed and the command that replays it', () => {
    const other = (name: string, seed: number) =>
      readFailureReport({
        file: 'exercises/x/x.test.ts',
        name,
        status: 'failed',
        failureMessages: [REPORT.replace('seed     2', `seed     ${seed}`)],
      });
    const text = describeOtherFailures([other('a partition', 7), other('a crash', 12)], 'echo', palette(false));
    expect(text, 'the count').toContain('2 other tests failed with fixed seeds of their own:');
    expect(text, 'the first, with its seed').toContain(
      'exercises/x/x.test.ts > a partition  seed 7: npm run kata -- replay echo --seed 7',
    );
    expect(text, 'the second').toContain('a crash  seed 12: npm run kata -- replay echo --seed 12');
    expect(describeOtherFailures([other('one', 3)], 'echo', palette(false)), 'one test').toContain(
      '1 other test failed with a fixed seed of its own:',
    );
  });
});
