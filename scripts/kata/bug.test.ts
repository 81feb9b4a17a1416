import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findBugKatas } from '../lib/bug-katas.ts';
import { exerciseOfKata } from '../lib/bug-redirect.ts';
import { findExercises, repositoryRoot } from '../lib/exercises.ts';
import { checkKataMechanics } from './bug-check.ts';
import { KNOWN_VERBS, usage, verbHelp } from './help.ts';
import {
  kataInProgress,
  kataReplay,
  nextKata,
  pointImports,
  readBugRecords,
  rememberBug,
  tallyBugs,
  writeKataFiles,
} from './bug.ts';
import { fakeExercise, temporaryWorkshop } from './test-fixtures.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('a bug kata', () => {
  test("its file's imports of given code point back at the exercise; an import of a learner file stays", () => {
    const text = [
      "import type { Node } from '#harness';",
      "import { Ack } from './protocol.ts';",
      "import { Log } from '../_given/log.ts';",
      "export { other } from './other.ts';",
      "const lazy = await import('./protocol.ts');",
    ].join('\n');
    const pointed = pointImports(
      text,
      'exercises/05-consensus/02-log-replication',
      '.kata/bugs/05-consensus/02-log-replication/bug-3',
      ['raft.ts', 'other.ts'],
    );
    expect(pointed.split('\n')).toEqual([
      "import type { Node } from '#harness';",
      "import { Ack } from '../../../../../exercises/05-consensus/02-log-replication/protocol.ts';",
      "import { Log } from '../../../../../exercises/05-consensus/_given/log.ts';",
      "export { other } from './other.ts';",
      "const lazy = await import('../../../../../exercises/05-consensus/02-log-replication/protocol.ts');",
    ]);
  });

  test('belongs to the exercise its folder names', () => {
    expect(exerciseOfKata(path.join('.kata', 'bugs', '01-message-passing', '03-reliable-delivery', 'bug-2'))).toBe(
      path.join('exercises', '01-message-passing', '03-reliable-delivery'),
    );
    expect(() => exerciseOfKata('exercises/01-message-passing/03-reliable-delivery')).toThrow(/not a bug kata folder/);
  });

  test('a replay command from its report reruns the kata, not the learner file', () => {
    expect(
      kataReplay(
        "KATA_SEED=6 npm test -- exercises/01-message-passing/03-reliable-delivery/reliable-link.test.ts -t 'x'",
        '01/03',
      ),
    ).toBe("KATA_SEED=6 npm run kata -- bug 01/03 -t 'x'");
  });

  test('progress is remembered: started, in progress, solved, and the next one to start', () => {
    const root = temporaryWorkshop({});
    roots.push(root);
    const exercise = '01-message-passing/03-reliable-delivery';
    const base = { exercise, startedAt: '2025-01-01T00:00:00.000Z', solvedAt: null, revealedAt: null };
    rememberBug(root, { ...base, mistake: 'a', number: 1, solvedAt: '2025-01-01T01:00:00.000Z' });
    rememberBug(root, { ...base, mistake: 'b', number: 2 });
    const records = readBugRecords(root);
    expect(kataInProgress(records, exercise)?.mistake, 'b is in progress').toBe('b');
    const katas = ['a', 'b', 'c'].map((mistake, index) => ({
      mistake,
      number: index + 1,
      files: [],
      description: null,
      breaks: null,
      patch: '',
    }));
    expect(nextKata(katas, records, exercise)?.mistake, 'c is the next to start').toBe('c');
    expect(tallyBugs(records, { [exercise]: 3, other: 2 }), 'tallies').toEqual({
      [exercise]: { total: 3, started: 2, solved: 1 },
      other: { total: 2, started: 0, solved: 0 },
    });
    rememberBug(root, { ...base, mistake: 'b', number: 2, solvedAt: '2025-01-02T00:00:00.000Z' });
    expect(kataInProgress(readBugRecords(root), exercise), 'b solved: nothing in progress').toBeUndefined();
  });

  test("writing a kata never overwrites the learner's work in its folder", () => {
    const root = temporaryWorkshop({});
    roots.push(root);
    const exercise = fakeExercise('01-message-passing', '01-echo');
    const kata = {
      mistake: 'm',
      number: 1,
      files: [{ name: 'echo.ts', text: 'mistaken\n' }],
      description: null,
      breaks: null,
      patch: '',
    };
    const first = writeKataFiles(root, exercise, kata);
    expect(first.written, 'written the first time').toBe(true);
    writeFileSync(path.join(root, first.folder, 'echo.ts'), 'my fix\n');
    expect(writeKataFiles(root, exercise, kata).written, 'left alone the second time').toBe(false);
    expect(readFileSync(path.join(root, first.folder, 'echo.ts'), 'utf8')).toBe('my fix\n');
  });
});

describe('a bug kata of the course, run by its tests', () => {
  const echo = findExercises(repositoryRoot).find((exercise) => exercise.id === '01-message-passing/01-echo');
  test.skipIf(echo === undefined || !existsSync(path.join(repositoryRoot, 'solutions')))(
    "starts red naming what its mistake breaks, and the reference solution in its folder turns it green; the learner's file is untouched",
    async () => {
      const kata = findBugKatas(repositoryRoot, echo!)[0]!;
      const checks = await checkKataMechanics(repositoryRoot, echo!, kata, `bug-test-${process.pid}`);
      expect(checks.filter((check) => !check.ok)).toEqual([]);
      expect(checks).toHaveLength(3);
    },
  );
});

test('kata help knows the bug verb and its options', () => {
  expect(KNOWN_VERBS, 'a verb of its own').toContain('bug');
  const help = verbHelp('bug') ?? '';
  expect(help, 'its reveal option').toContain('--reveal');
  expect(usage(), 'in the overview').toContain('bug [exercise]');
});
