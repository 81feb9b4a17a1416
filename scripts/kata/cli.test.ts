import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { runKata } from './cli.ts';
import { KNOWN_VERBS } from './help.ts';
import { rememberProgress } from './progress.ts';
import { git, temporaryWorkshop } from './test-fixtures.ts';

const hints = (name: string) => `# Hints\n\n## Hint 1\n\n${name} one.\n\n## Hint 2\n\n${name} two.\n`;

/** A workshop of two exercises, echo and unique-ids, each with two hints. */
function workshop(): string {
  const files: Record<string, string> = {};
  for (const [folder, file, title] of [
    ['01-echo', 'echo.ts', 'Echo'],
    ['02-unique-ids', 'unique-ids.ts', 'Unique IDs'],
  ] as const) {
    const directory = `exercises/01-message-passing/${folder}`;
    files[`${directory}/exercise.json`] = JSON.stringify({ learnerFiles: [file] });
    files[`${directory}/${file}`] = 'export {};\n';
    files[`${directory}/${file.replace('.ts', '.test.ts')}`] = 'export {};\n';
    files[`${directory}/README.md`] = `# 1.${folder[1]} ${title}\n`;
    files[`${directory}/HINTS.md`] = hints(title);
  }
  return temporaryWorkshop(files);
}

describe('the kata command line', () => {
  let root = '';
  let printed: string[] = [];
  beforeEach(() => {
    root = workshop();
    printed = [];
    const collect = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    vi.spyOn(console, 'log').mockImplementation(collect);
    vi.spyOn(console, 'error').mockImplementation(collect);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(root, { recursive: true, force: true });
  });
  const kata = (...argv: string[]) => runKata(argv, { root, color: false, stdinIsTTY: false });
  const output = () => printed.join('\n');

  test('`help` and `--help` print the usage; every verb has its own help', async () => {
    expect(await kata('help'), '`kata help` succeeds').toBe(0);
    expect(output(), 'it lists the verbs').toContain('replay <exercise> --seed N');
    expect(output(), 'not an unknown verb').not.toContain('Unknown verb');
    for (const verb of KNOWN_VERBS) {
      printed = [];
      expect(await kata(verb, '--help'), `\`kata ${verb} --help\` succeeds`).toBe(0);
      expect(output(), `${verb} --help shows that verb`).toContain(`  ${verb}`);
      if (verb !== 'help')
        expect(output(), `${verb} --help shows only that verb`).not.toContain('Usage: npm run kata -- <verb>');
      printed = [];
      expect(await kata('help', verb), `\`kata help ${verb}\` succeeds`).toBe(0);
      expect(output(), `help ${verb} shows that verb`).toContain(`  ${verb}`);
    }
    printed = [];
    expect(await kata('help', 'frobnicate'), 'an unknown verb is a usage problem').toBe(2);
    expect(output(), 'named as such').toContain('Unknown verb "frobnicate"');
  });

  test('`hint` without a name gives the current exercise its next hint', async () => {
    expect(await kata('hint'), 'no name needed').toBe(0);
    expect(output(), 'the first exercise not done: echo').toContain('Hint 1 of 2 for 1.1 Echo');
    rememberProgress(root, {
      '01-message-passing/01-echo': { passed: 3, failed: 0, total: 3, measuredAt: '2025-01-01T00:00:00.000Z' },
    });
    printed = [];
    await kata('hint');
    expect(output(), 'echo is done: unique-ids is current').toContain('Hint 1 of 2 for 1.2 Unique IDs');
  });

  test('`hint --again` shows the hints already seen, and reveals nothing new', async () => {
    await kata('hint', 'echo');
    await kata('hint', 'echo');
    printed = [];
    expect(await kata('hint', 'echo', '--again'), 'succeeds').toBe(0);
    expect(output(), 'the first hint again').toContain('Hint 1 of 2 for 1.1 Echo\n\nEcho one.');
    expect(output(), 'the second hint again').toContain('Hint 2 of 2 for 1.1 Echo\n\nEcho two.');
    printed = [];
    await kata('hint', 'echo');
    expect(output(), '--again did not use up a hint: still all seen').toContain('You have seen all 2 hints');
    printed = [];
    await kata('hint', 'unique-ids', '--again');
    expect(output(), 'nothing seen yet').toContain('You have not seen a hint for 1.2 Unique IDs yet');
  });

  describe('`reset`', () => {
    const stub = 'exercises/01-message-passing/01-echo/echo.ts';
    /** Makes the workshop a git repository whose first commit holds the stubs. */
    function committed(): void {
      git(root, 'init', '--quiet');
      git(root, 'add', '--all');
      git(root, 'commit', '--quiet', '-m', 'stubs');
    }

    test('of an exercise whose stub was deleted restores it and says so', async () => {
      committed();
      rmSync(path.join(root, stub));
      expect(await kata('reset', 'echo'), 'reset succeeds').toBe(0);
      expect(readFileSync(path.join(root, stub), 'utf8'), 'the stub is back').toBe('export {};\n');
      expect(output()).toContain(`${stub} was missing (deleted or renamed?): nothing to save.`);
      expect(output()).toContain(`Restored the stub of ${stub} from commit`);
    });

    test("beside a learner's own helper file restores the stub and leaves the helper alone", async () => {
      committed();
      const helper = path.join(root, 'exercises/01-message-passing/01-echo/my-helpers.ts');
      writeFileSync(helper, 'export const double = (x: number) => 2 * x;\n');
      writeFileSync(path.join(root, stub), 'export const mine = 1;\n');
      expect(await kata('reset', 'echo'), 'reset succeeds').toBe(0);
      expect(readFileSync(path.join(root, stub), 'utf8'), 'the stub is back').toBe('export {};\n');
      expect(readFileSync(helper, 'utf8'), 'the helper is untouched').toBe(
        'export const double = (x: number) => 2 * x;\n',
      );
      expect(output()).toContain(`Saved your ${stub} to`);
    });

    test('other verbs still work while a stub is deleted', async () => {
      rmSync(path.join(root, stub));
      expect(await kata('hint', 'echo'), 'hint succeeds').toBe(0);
      expect(existsSync(path.join(root, stub)), 'and writes nothing').toBe(false);
    });
  });

  test.each([['99999999999'], ['4294967296'], ['1.5'], ['-3'], ['abc']])(
    '`replay --seed %s` is refused with the range of seeds',
    async (seed) => {
      expect(await kata('replay', 'echo', `--seed=${seed}`), 'a usage problem').toBe(2);
      expect(output()).toContain(`--seed takes a whole number from 0 to 4294967295`);
      expect(output()).toContain(`got "${seed}"`);
    },
  );
});
