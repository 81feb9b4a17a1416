import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { VitestRun } from '../lib/vitest-run.ts';
import { readBugRecords } from './bug.ts';
import { bugVerb, BugUsageError, type BugVerbInput } from './bug-verb.ts';
import { loadCourse } from './course.ts';
import { rememberProgress } from './progress.ts';
import { palette } from './terminal.ts';
import { temporaryWorkshop } from './test-fixtures.ts';

const roots: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const exercise = 'exercises/01-message-passing/01-echo';
const solution = 'solutions/01-message-passing/01-echo';
const kataFile = path.join('.kata', 'bugs', '01-message-passing', '01-echo', 'bug-1', 'echo.ts');

function workshop(): string {
  const root = temporaryWorkshop({
    [`${exercise}/exercise.json`]: '{ "learnerFiles": ["echo.ts"] }\n',
    [`${exercise}/README.md`]: '# 1.1 Echo\n',
    [`${exercise}/echo.test.ts`]: "import './echo.ts';\n",
    [`${exercise}/protocol.ts`]: 'export const ECHO = "echo";\n',
    [`${exercise}/echo.ts`]: "import { ECHO } from './protocol.ts';\nexport const reply = todo(ECHO);\n",
    [`${solution}/echo.ts`]: "import { ECHO } from './protocol.ts';\nexport const reply = (text: string) => text;\n",
    [`${solution}/mistakes/shout.patch`]:
      'Known mistake: the reply shouts.\n\nBreaks: "comes back exactly"\n\n--- a/echo.ts\n+++ b/echo.ts\n@@ -1,2 +1,2 @@\n import { ECHO } from \'./protocol.ts\';\n-export const reply = (text: string) => text;\n+export const reply = (text: string) => text.toUpperCase();\n',
  });
  roots.push(root);
  return root;
}

/** A stand-in for vitest: the echo test fails while the kata's file shouts, and passes once it does not. */
function fakeTests(root: string) {
  return async (): Promise<VitestRun> => {
    const shouts = readFileSync(path.join(root, kataFile), 'utf8').includes('toUpperCase');
    const message = [
      'c1\'s echo of "hi" got back "HI": the text comes back exactly',
      '',
      '  seed     3',
      `  replay   KATA_SEED=3 npm test -- ${exercise}/echo.test.ts -t 'echo'`,
      '  trace    .kata/bugs/t.json',
    ].join('\n');
    return {
      tests: [
        {
          file: `${exercise}/echo.test.ts`,
          name: 'echo',
          status: shouts ? 'failed' : 'passed',
          failureMessages: shouts ? [message] : [],
        },
      ],
      exitCode: shouts ? 1 : 0,
      output: '',
      brokenFiles: [],
    };
  };
}

function input(root: string, overrides: Partial<BugVerbInput> = {}): BugVerbInput {
  const course = loadCourse(root);
  return {
    root,
    course,
    entry: course.chapters[0]!.exercises[0]!,
    reveal: false,
    yes: false,
    testName: undefined,
    stdinIsTTY: false,
    colors: palette(false),
    now: () => '2025-05-06T07:08:09.000Z',
    runTests: fakeTests(root),
    ...overrides,
  };
}

function captured(): { text: () => string } {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  return { text: () => lines.join('\n') };
}

describe('kata bug', () => {
  test('before the exercise is done, it asks first, and without a terminal refuses unless --yes', async () => {
    const root = workshop();
    const out = captured();
    expect(await bugVerb(input(root)), 'refused').toBe(1);
    expect(out.text()).toContain('add --yes to start it anyway');
    expect(readBugRecords(root), 'nothing started').toEqual([]);
  });

  test('starts red with the report, is solved by a fix that turns the tests green, then reveals the patch', async () => {
    const root = workshop();
    const out = captured();
    expect(await bugVerb(input(root, { yes: true })), 'red').toBe(1);
    const started = out.text();
    expect(started, 'names the kata, not the mistake').toContain('Bug kata 1 of 1 for 1.1 Echo: find the bug.');
    expect(started, 'never the mistake name').not.toContain('shout');
    expect(started, 'the report').toContain('the text comes back exactly');
    expect(started, 'a replay that reruns the kata').toContain("KATA_SEED=3 npm run kata -- bug echo -t 'echo'");
    expect(readFileSync(path.join(root, kataFile), 'utf8'), "the kata's file, imports pointed at the exercise").toBe(
      "import { ECHO } from '../../../../../exercises/01-message-passing/01-echo/protocol.ts';\nexport const reply = (text: string) => text.toUpperCase();\n",
    );
    expect(readFileSync(path.join(root, exercise, 'echo.ts'), 'utf8'), "the learner's file").toContain('todo(');

    writeFileSync(
      path.join(root, kataFile),
      readFileSync(path.join(root, kataFile), 'utf8').replace('.toUpperCase()', ''),
    );
    expect(await bugVerb(input(root)), 'green: solved').toBe(0);
    expect(out.text()).toContain('Fixed: all 1 tests of 1.1 Echo pass on bug 1.');
    expect(readBugRecords(root)[0]?.solvedAt, 'remembered as solved').toBe('2025-05-06T07:08:09.000Z');

    expect(await bugVerb(input(root, { reveal: true, entry: undefined })), 'revealed: the kata just solved').toBe(0);
    expect(out.text()).toContain('the known mistake "shout"');
    expect(out.text()).toContain('+export const reply = (text: string) => text.toUpperCase();');
    expect(await bugVerb(input(root)), 'every bug found').toBe(0);
    expect(out.text()).toContain('You found every bug of 1.1 Echo: 1 of 1.');
  });

  test('without an exercise it takes a finished one; with none finished it says why it needs a name', async () => {
    const root = workshop();
    captured();
    await expect(bugVerb(input(root, { entry: undefined })), 'nothing done').rejects.toThrow(BugUsageError);
    rememberProgress(root, {
      '01-message-passing/01-echo': { passed: 1, failed: 0, total: 1, measuredAt: '2025-05-06T07:00:00.000Z' },
    });
    expect(await bugVerb(input(root, { entry: undefined })), 'echo is done: its kata starts, red').toBe(1);
    expect(readBugRecords(root).map((record) => record.mistake)).toEqual(['shout']);
  });
});
