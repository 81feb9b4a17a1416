import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { findExercises, repositoryRoot } from '../lib/exercises.ts';
import type { TestResult } from '../lib/vitest-run.ts';
import { mistakeNamed } from './cli.ts';
import { chooseRun, describeDemo, firstViolation, runDemo, walkThrough } from './demo.ts';

const report = (what: string, events: readonly string[]) =>
  [
    what,
    '',
    '  seed     4',
    '  replay   KATA_SEED=4 npm run test:solutions -- x.test.ts -t story',
    '  trace    .kata/traces/x/story-seed-4.json',
    '',
    '  last events before the failure:',
    ...events.map((event) => `    ${event}`),
    '',
    '    at Object.<anonymous> (x.test.ts:1:1)',
  ].join('\n');

const failed = (name: string, message: string): TestResult => ({
  file: 'x.test.ts',
  name,
  status: 'failed',
  failureMessages: [message],
});

describe('the demo of a known mistake', () => {
  test('walks through the events the report marks as causes, when it marks any', () => {
    const message = report('exactly-once: 1 violation', [
      't=9ms   n1 → n2 deliver #2 data',
      '▶ t=12ms  n1 → n2 deliver #2 data   (cause)',
      't=13ms  n2 → n1 send #5 ack',
    ]);
    expect(walkThrough(message)).toEqual({ events: ['▶ t=12ms  n1 → n2 deliver #2 data   (cause)'], marked: true });
  });

  test('else takes the last three of them', () => {
    const message = report('x', ['t=1ms a', 't=2ms b', 't=3ms c', 't=4ms d']);
    expect(walkThrough(message)).toEqual({ events: ['t=2ms b', 't=3ms c', 't=4ms d'], marked: false });
  });

  test("reads the first violation's moments and node from the headline", () => {
    expect(
      firstViolation(
        'exactly-once: 2 violations\n  - n2 delivered message m1 from n1 twice (t=9 ms, t=12 ms)\n  - n2 …',
      ),
    ).toEqual({ times: [9, 12], node: 'n2' });
    expect(firstViolation('no moment named here')).toBeNull();
  });

  test("picks a failing run with a trace whose report names the mistake's Breaks phrase", () => {
    const noTrace = failed('unit', 'expected 1 to be 2');
    const other = failed('liveness', report('no-loss: m1 never delivered', []));
    const naming = failed('story', report('exactly-once: 1 violation', []));
    expect(chooseRun([noTrace, other, naming], 'exactly-once')?.test.name).toBe('story');
    expect(chooseRun([noTrace, other], 'exactly-once')?.test.name, 'else the first with a trace').toBe('liveness');
    expect(chooseRun([noTrace], 'exactly-once'), 'none with a trace').toBeUndefined();
  });

  const exercises = findExercises(repositoryRoot);
  const hasSolutions = existsSync(path.join(repositoryRoot, 'solutions'));

  test.skipIf(!hasSolutions)('names a mistake by exercise and name, by a unique name, or by its patch', () => {
    const reliable = exercises.find((exercise) => exercise.id === '01-message-passing/03-reliable-delivery')!;
    const mistake = reliable.mistakes.find((candidate) => candidate.name === 'no-dedup')!;
    expect(mistakeNamed(['01/03:no-dedup'], exercises).mistake.file).toBe(mistake.file);
    expect(mistakeNamed(['reliable-delivery', 'no-dedup'], exercises).mistake.file).toBe(mistake.file);
    expect(mistakeNamed([mistake.file], exercises).mistake.file).toBe(mistake.file);
    expect(() => mistakeNamed(['no-dedup'], exercises), 'a name several exercises have').toThrow(/Several exercises/);
    expect(() => mistakeNamed(['01/03:nope'], exercises), 'a name the exercise lacks').toThrow(/Its mistakes: /);
  });

  test.skipIf(!hasSolutions)(
    'runs a real mistake: a run with a seed, a replay naming the mistake, a trace, and events',
    async () => {
      const echo = exercises.find((exercise) => exercise.id === '01-message-passing/01-echo')!;
      const mistake = echo.mistakes[0]!;
      const demo = await runDemo(repositoryRoot, echo, mistake);
      expect(demo.run.seed, 'a seed').not.toBeNull();
      expect(demo.replay, 'the replay names the mistake').toMatch(
        new RegExp(`^KATA_MISTAKE=${mistake.file} KATA_SEED=`),
      );
      expect(existsSync(path.join(repositoryRoot, demo.run.trace!)), 'the trace is written').toBe(true);
      expect(existsSync(path.join(repositoryRoot, demo.run.viewer!)), 'the viewer page is written').toBe(true);
      expect(demo.events.length, 'events to walk through').toBeGreaterThan(0);
      expect(describeDemo(demo), 'the text names the mistake and the run').toContain(`Known mistake ${mistake.name}`);
    },
  );
});
