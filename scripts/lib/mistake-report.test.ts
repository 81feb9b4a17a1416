import { describe, expect, it } from 'vitest';
import type { SweepTally } from '../../harness/testing/sweep-tally.ts';
import { formatReport, isFlagged, judgeOutcome, type MistakeOutcome } from './mistake-report.ts';
import type { TestResult } from './vitest-run.ts';

const FILE = 'exercises/01-math/01-add/add.test.ts';

function result(name: string, status: TestResult['status'], message = ''): TestResult {
  return { file: FILE, name, status, failureMessages: status === 'failed' ? [message] : [] };
}

function tally(test: string, seedsPlanned: number, seedsFailed: number, seedsRun = seedsPlanned): SweepTally {
  const firstFailingSeed = seedsFailed > 0 ? 1 : null;
  return { file: FILE, test, kind: 'seeds', seedsPlanned, seedsRun, seedsFailed, firstFailingSeed };
}

function outcome(tests: TestResult[], tallies: SweepTally[] = []): MistakeOutcome {
  return { exercise: '01-math/01-add', mistake: 'minus', breaks: 'the sum is wrong', tests, tallies, brokenFiles: [] };
}

describe('judging how robustly a mistake is caught', () => {
  it('a failing test that wrote no tally line is scripted, and catches the mistake on its own', () => {
    const row = judgeOutcome(
      outcome(
        [result('Story > 1 + 1 is 2', 'failed', 'the sum is wrong: 0'), result('Sweep > 100 seeds', 'failed', 'x')],
        [tally('Sweep > 100 seeds', 100, 3)],
      ),
    );
    expect(row).toMatchObject({
      scripted: ['Story > 1 + 1 is 2'],
      sweeps: [{ test: 'Sweep > 100 seeds', seedsPlanned: 100, seedsRun: 100, seedsFailed: 3 }],
      bestSweepFraction: 0.03,
      namesBreaks: true,
      verdict: 'scripted',
    });
    expect(isFlagged(row)).toBe(false);
  });

  it('a sweep alone is enough when at least a quarter of its seeds fail', () => {
    const row = judgeOutcome(outcome([result('Sweep > 8 seeds', 'failed', 'x')], [tally('Sweep > 8 seeds', 8, 2)]));
    expect(row.verdict).toBe('sweep');
    expect(row.namesBreaks).toBe(false);
  });

  it('a count that stopped early, having seen a quarter of its seeds fail, is judged on the planned seeds', () => {
    const stopped = tally('Sweep > 200 seeds', 200, 50, 61);
    const row = judgeOutcome(outcome([result('Sweep > 200 seeds', 'failed', 'x')], [stopped]));
    expect(row).toMatchObject({ verdict: 'sweep', bestSweepFraction: 0.25 });
    expect(formatReport([row])).toContain('Sweep > 200 seeds: ≥50/200 | 25% |');
  });

  it('sweeps that fail on fewer seeds are weak, and flagged; the best line of a test counts', () => {
    const row = judgeOutcome(
      outcome(
        [result('Sweep > a', 'failed', 'the sum is wrong'), result('Sweep > b', 'failed', 'x'), result('ok', 'passed')],
        [tally('Sweep > a', 100, 10), tally('Sweep > a', 50, 12), tally('Sweep > b', 100, 24), tally('quiet', 10, 0)],
      ),
    );
    expect(row.sweeps.map((sweep) => [sweep.test, sweep.seedsFailed])).toEqual([
      ['Sweep > a', 12],
      ['Sweep > b', 24],
    ]);
    expect(row.bestSweepFraction).toBe(0.24);
    expect(row.verdict).toBe('weak');
    expect(isFlagged(row)).toBe(true);
  });

  it('nothing failing is a miss; a file that did not run is broken', () => {
    expect(judgeOutcome(outcome([result('Story', 'passed')], [tally('Sweep', 10, 0)]))).toMatchObject({
      verdict: 'missed',
      bestSweepFraction: 0,
    });
    const broken = { ...outcome([]), brokenFiles: [{ file: FILE, message: 'SyntaxError' }] };
    expect(judgeOutcome(broken).verdict).toBe('broken');
    expect(isFlagged(judgeOutcome(broken))).toBe(true);
  });
});

describe('the report as markdown', () => {
  it('has a summary, one row per mistake, and lists the flagged ones again', () => {
    const rows = [
      judgeOutcome(outcome([result('S > a | b', 'failed', 'the sum is wrong')])),
      {
        ...judgeOutcome(outcome([result('Sweep > long', 'failed', 'x')], [tally('Sweep > long', 50, 1)])),
        mistake: 'off-by-one',
      },
    ];
    const text = formatReport(rows, { nameLength: 10 });
    expect(text).toContain('2 mistakes; 1 caught robustly');
    expect(text).toContain('| 01-math/01-add | minus | S > a \\| b | – | – | yes | ok (scripted) |');
    expect(text).toContain('| 01-math/01-add | off-by-one | – | Sweep > l…: 1/50 | 2% | **no** | **WEAK** |');
    expect(text).toMatch(/## Flagged[^\n]*\n\n- 01-math\/01-add off-by-one: \*\*WEAK\*\*; Sweep > long \(1\/50\)\n$/);
  });

  it('a long list of tests is cut to three, saying how many more', () => {
    const tests = ['a', 'b', 'c', 'd', 'e'].map((name) => result(name, 'failed', 'x'));
    expect(formatReport([judgeOutcome(outcome(tests))])).toContain('a<br>b<br>c (+2 more)');
  });
});
