import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { git, temporaryWorkshop } from '../kata/test-fixtures.ts';
import { findBugKatas } from '../lib/bug-katas.ts';
import { findExercises } from '../lib/exercises.ts';
import { refusalMessage } from './copy-scripts.ts';
import { studentReadme } from './copy-markdown.ts';
import { distinctiveSolutionLines } from './solution-lines.ts';
import { findLeaks, writeStudentCopy } from './student-copy.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const exercise = 'exercises/01-message-passing/01-echo';
const solution = 'solutions/01-message-passing/01-echo';

/** A small workshop, committed: one exercise, its solution, notes and a mistake, a README and scripts. */
function workshop(): string {
  const root = temporaryWorkshop({
    'package.json': JSON.stringify(
      {
        name: 'w',
        scripts: { test: 'vitest run --project exercises', 'test:solutions': 'vitest', unused: 'knip', kata: 'tsx k' },
      },
      null,
      2,
    ),
    'README.md': [
      '# Workshop',
      '',
      'Instructors: see [the guide](docs/instructor-guide.md). Start with [echo](exercises/01-message-passing/01-echo/README.md).',
      '',
      "## For the repository's own checks",
      '',
      'npm run verify, and [a solution](solutions/01-message-passing/01-echo/echo.ts).',
      '',
      '## Layout',
      '',
      '```text',
      'exercises/   the exercises',
      'solutions/   reference solutions',
      '```',
      '',
    ].join('\n'),
    'docs/instructor-guide.md': '# Instructor guide\n',
    'docs/getting-started.md':
      'See [the notes](../solutions/01-message-passing/01-echo/NOTES.md) or [echo](../exercises/01-message-passing/01-echo/README.md).\n',
    [`${exercise}/exercise.json`]: '{ "learnerFiles": ["echo.ts"] }\n',
    [`${exercise}/README.md`]: '# 1.1 Echo\n',
    [`${exercise}/echo.ts`]: "export const answer = todo('answer with the text you were sent');\n",
    [`${solution}/echo.ts`]: 'export const answer = replyWithTheSameTextAsTheRequest(request);\n',
    [`${solution}/NOTES.md`]: '# Notes\n\nThe reply carries the request text back unchanged, always.\n',
    [`${solution}/mistakes/upper.patch`]:
      'Known mistake: the reply shouts the text back in capital letters.\n\nBreaks: "echo"\n\n--- a/echo.ts\n+++ b/echo.ts\n@@ -1,1 +1,1 @@\n-export const answer = replyWithTheSameTextAsTheRequest(request);\n+export const answer = replyWithTheSameTextInCapitalLetters(request);\n',
  });
  roots.push(root);
  git(root, 'init', '--quiet');
  git(root, 'add', '--all');
  git(root, 'commit', '--quiet', '-m', 'workshop');
  return root;
}

function target(): string {
  const folder = path.join(os.tmpdir(), `kata-copy-test-${process.pid}-${roots.length}`);
  rmSync(folder, { recursive: true, force: true });
  roots.push(folder);
  return folder;
}

describe('a student copy', () => {
  test('has no solutions/, one commit at the stubs, refusing scripts, and no links to what it left out', () => {
    const root = workshop();
    const copy = writeStudentCopy(root, target());
    const read = (file: string) => readFileSync(path.join(copy.directory, file), 'utf8');
    expect(existsSync(path.join(copy.directory, 'solutions')), 'no solutions folder').toBe(false);
    expect(existsSync(path.join(copy.directory, 'docs/instructor-guide.md')), 'no instructor guide').toBe(false);
    expect(read(`${exercise}/echo.ts`), 'the stub').toContain('todo(');
    expect(git(copy.directory, 'log', '--all', '--oneline').trim().split('\n'), 'one commit').toHaveLength(1);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts, 'kept, refused and dropped scripts').toEqual({
      test: 'vitest run --project exercises',
      'test:solutions': 'tsx scripts/not-in-student-copy.ts test:solutions',
      kata: 'tsx k',
    });
    const readme = read('README.md');
    expect(readme, 'the instructor guide is named, not linked').toContain('Instructors: see the guide.');
    expect(readme, 'links into the exercises stay').toContain('[echo](exercises/01-message-passing/01-echo/README.md)');
    expect(readme, 'the checks section gives way to a note').toContain("This is a learner's copy");
    expect(readme, 'no word of the checks').not.toContain('npm run verify, and');
    expect(readme, 'no solutions/ line in the layout').not.toMatch(/^solutions\//m);
    expect(read('docs/getting-started.md'), 'a guide loses its link into solutions/').toBe(
      'See the notes or [echo](../exercises/01-message-passing/01-echo/README.md).\n',
    );
  });

  test('the leak check finds a solution line in any commit of the copy, and the copy starts without one', () => {
    const root = workshop();
    const lines = distinctiveSolutionLines(root);
    expect(
      lines.map((entry) => entry.line),
      'the solution, its notes and its mistake each give a line',
    ).toEqual(
      expect.arrayContaining([
        'export const answer = replyWithTheSameTextAsTheRequest(request);',
        'The reply carries the request text back unchanged, always.',
        'export const answer = replyWithTheSameTextInCapitalLetters(request);',
      ]),
    );
    const copy = writeStudentCopy(root, target());
    expect(findLeaks(copy.directory, lines), 'nothing leaked').toEqual([]);
    git(copy.directory, 'checkout', '--quiet', '-b', 'leak');
    writeFileSync(
      path.join(copy.directory, 'x.ts'),
      '  export const answer = replyWithTheSameTextAsTheRequest(request);\n',
    );
    git(copy.directory, 'add', 'x.ts');
    git(copy.directory, 'commit', '--quiet', '-m', 'leak');
    git(copy.directory, 'rm', '--quiet', 'x.ts');
    git(copy.directory, 'commit', '--quiet', '-m', 'hide it');
    git(copy.directory, 'checkout', '--quiet', 'main');
    expect(
      findLeaks(copy.directory, lines).map((entry) => entry.file),
      'a line in a past commit of another branch is found',
    ).toEqual([`${solution}/echo.ts`]);
  });

  test('--with-bugs carries the bug katas of the exercises named, readable without solutions/', () => {
    const root = workshop();
    const [echo] = findExercises(root);
    const copy = writeStudentCopy(root, target(), { withBugs: [echo!] });
    expect(copy.bugKatas, 'one kata').toBe(1);
    const [kata] = findBugKatas(copy.directory, findExercises(copy.directory)[0]!);
    expect(kata?.files, 'the mistaken file').toEqual([
      { name: 'echo.ts', text: 'export const answer = replyWithTheSameTextInCapitalLetters(request);\n' },
    ]);
    expect(kata?.description, 'the answer, for --reveal').toBe('the reply shouts the text back in capital letters.');
    const bundle = readFileSync(path.join(copy.directory, 'bug-katas', echo!.id, 'bug-1.json'), 'utf8');
    expect(bundle, 'the answer is not readable at a glance').not.toContain('capital letters.');
  });

  test('refuses a folder that is not empty', () => {
    const root = workshop();
    expect(() => writeStudentCopy(root, root), 'the workshop itself').toThrow(/not empty/);
  });

  test('a refused script says what it does and why this copy cannot, and what to run instead', () => {
    const message = refusalMessage('verify');
    expect(message).toContain('npm run verify checks the course itself');
    expect(message).toContain('no reference solutions');
    expect(message).toContain('npm test -- exercises/01');
  });
});

test("the README's sentence for instructors gives way to one for learners", () => {
  const readme =
    'how the classic algorithms cope. Instructors can teach a classroom\nworkshop from it: the [guide](docs/instructor-guide.md) shows how (`npm run\nclassroom -- demo`), katas (`npm run kata -- bug`), and a board\n(`npm run classroom -- board`). Next sentence.\n';
  expect(studentReadme(readme)).toBe(
    'how the classic algorithms cope. Your instructor made this copy for a classroom workshop. Next sentence.\n',
  );
});
