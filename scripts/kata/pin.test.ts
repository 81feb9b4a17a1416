import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { testTimeoutMs } from '../../harness/testing/environment.ts';
import { repositoryRoot } from '../lib/exercises.ts';
import { runVitest } from '../lib/vitest-run.ts';
import { pinnedFileName, pinnedTestSource, pinRun } from './pin.ts';
import { fakeExercise, temporaryWorkshop } from './test-fixtures.ts';

const origin = {
  command: 'npm run kata -- pin echo --seed 7',
  pinnedAt: '2025-03-04T05:06:07.000Z',
  commit: 'abc1234',
};

describe('pinning a run', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('the pinned file says where it came from, pins the seed, and imports the exercise tests', () => {
    const echo = fakeExercise('01-message-passing', '01-echo');
    const source = pinnedTestSource(echo, { seed: 7 }, origin);
    expect(source, 'where it came from').toContain(
      'Pinned by `npm run kata -- pin echo --seed 7` on 2025-03-04T05:06:07.000Z at commit abc1234.',
    );
    expect(source, 'the seed, set before the import').toMatch(
      /process\.env\['KATA_SEED'\] = '7';[\s\S]*await import\('\.\/echo\.test\.ts'\);/,
    );
    expect(pinnedFileName({ seed: 7 }), 'its name').toBe('pinned-seed-7.test.ts');
    expect(pinnedFileName({ property: '42:1:0' }), 'a property case').toBe('pinned-replay-42-1-0.test.ts');
  });

  test(
    'replays a failing seed that the standard sweep does not reach, and leaves other test files alone',
    async () => {
      const sweep = path.join(repositoryRoot, 'harness', 'testing', 'sweep.ts');
      const exercise = fakeExercise('01-message-passing', '01-echo', 'echo.ts');
      root = temporaryWorkshop({
        [exercise.testFiles[0]!]: `import { test } from 'vitest';
import { forEachSeed } from ${JSON.stringify(sweep)};
test('no seed loses a message', async () => {
  await forEachSeed({ count: 3 }, async (seed) => {
    if (seed === 7) throw new Error('seed 7: message m1 was never delivered');
  });
});
`,
        'other/plain.test.ts': `import { expect, test } from 'vitest';
test('sees no pinned seed', () => expect(process.env['KATA_SEED'] ?? '').toBe(''));
`,
      });
      symlinkSync(path.join(repositoryRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
      const standard = await runVitest(root, [], { KATA_SEED: '' });
      expect(
        standard.tests.map((result) => result.status),
        'without the pin, seeds 1 to 3 pass',
      ).toEqual(['passed', 'passed']);

      const pinned = pinRun(root, exercise, { seed: 7 }, origin);
      expect(readFileSync(path.join(root, pinned), 'utf8'), 'written into the exercise folder').toContain('KATA_SEED');
      const run = await runVitest(root, [], { KATA_SEED: '' });
      const inPinned = run.tests.filter((result) => result.file.endsWith('pinned-seed-7.test.ts'));
      expect(
        inPinned.map((result) => result.status),
        'the pinned file runs the sweep with seed 7, and it fails',
      ).toEqual(['failed']);
      expect(inPinned[0]!.failureMessages.join('\n'), 'with the exercise test’s own failure').toContain(
        'seed 7: message m1 was never delivered',
      );
      expect(
        run.tests.filter((result) => !result.file.endsWith('pinned-seed-7.test.ts')).map((result) => result.status),
        'the other files still pass: the seed does not leak',
      ).toEqual(['passed', 'passed']);
      expect(() => pinRun(root, exercise, { seed: 7 }, origin), 'never overwrites a pinned file').toThrow(
        /exists already/,
      );
      // Two whole vitest runs: the guard against a hang is that of two tests.
    },
    2 * testTimeoutMs(),
  );
});
