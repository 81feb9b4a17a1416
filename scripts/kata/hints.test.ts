import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { describeHintOutcome, parseHints, revealNextHint } from './hints.ts';
import { fakeExercise, temporaryWorkshop } from './test-fixtures.ts';

const HINTS = `# Hints for 1.1 Echo

Read one hint, try again, and only then read the next.

## Hint 1

Only \`onMessage\` needs code.

## Hint 2: who to answer

Answer \`from\`.

\`\`\`ts
## Hint 99 inside a code block is not a hint
\`\`\`

## Hint 3

Use \`ctx.reply\`.

## Not a hint

Trailing notes.
`;

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function workshop(files: Record<string, string>): string {
  const root = temporaryWorkshop(files);
  roots.push(root);
  return root;
}

describe('parsing HINTS.md', () => {
  test('finds the "## Hint N" sections in order, without headings inside code blocks or other sections', () => {
    const hints = parseHints(HINTS);
    expect(
      hints.map((hint) => hint.number),
      'three hints, numbered 1 to 3',
    ).toEqual([1, 2, 3]);
    expect(hints[1]!.heading, 'the heading keeps its subtitle').toBe('Hint 2: who to answer');
    expect(hints[1]!.body, 'the code block belongs to hint 2').toContain('## Hint 99 inside a code block');
    expect(hints[2]!.body, 'the last hint stops at the next section').toBe('Use `ctx.reply`.');
  });
});

describe('revealing hints one at a time', () => {
  const echo = fakeExercise('01-message-passing', '01-echo');

  test('each call reveals the next hint, remembers it in .kata/hints.json, then says there are no more', () => {
    const root = workshop({ 'exercises/01-message-passing/01-echo/HINTS.md': HINTS });
    const seen: string[] = [];
    for (let call = 1; call <= 3; call++) {
      const outcome = revealNextHint(root, echo);
      if (outcome.kind !== 'hint') throw new Error(`call ${call} revealed no hint: ${outcome.kind}`);
      expect(outcome.position, `call ${call} reveals hint ${call}`).toBe(call);
      seen.push(outcome.hint.body);
      const remembered = JSON.parse(readFileSync(path.join(root, '.kata', 'hints.json'), 'utf8')) as Record<
        string,
        number
      >;
      expect(remembered[echo.id], `after call ${call}, ${call} hint(s) are remembered as seen`).toBe(call);
    }
    expect(seen[0], 'the first hint is the nudge').toContain('onMessage');
    expect(revealNextHint(root, echo), 'a fourth call has nothing new').toEqual({ kind: 'no-more', count: 3 });
  });

  test('hints seen for one exercise do not count for another', () => {
    const ids = fakeExercise('01-message-passing', '02-unique-ids');
    const root = workshop({
      'exercises/01-message-passing/01-echo/HINTS.md': HINTS,
      'exercises/01-message-passing/02-unique-ids/HINTS.md': '## Hint 1\n\nUse the node id.\n',
    });
    revealNextHint(root, echo);
    revealNextHint(root, echo);
    const outcome = revealNextHint(root, ids);
    expect(outcome.kind === 'hint' && outcome.position, 'unique-ids starts at its own first hint').toBe(1);
  });

  test('an exercise without HINTS.md says so', () => {
    const root = workshop({ 'exercises/01-message-passing/01-echo/README.md': '# 1.1 Echo\n' });
    const outcome = revealNextHint(root, echo);
    expect(outcome, 'no hints').toEqual({ kind: 'no-hints' });
    expect(describeHintOutcome(outcome, '1.1 Echo', 'HINTS.md', 'again'), 'the message says there are none').toContain(
      'has no hints yet',
    );
  });

  test('the printed hint says which it is, how many are left, and how to see the next', () => {
    const root = workshop({ 'exercises/01-message-passing/01-echo/HINTS.md': HINTS });
    revealNextHint(root, echo);
    const text = describeHintOutcome(revealNextHint(root, echo), '1.1 Echo', 'HINTS.md', '`npm run kata -- hint echo`');
    expect(text, 'title with position and subtitle').toContain('Hint 2 of 3 for 1.1 Echo: who to answer');
    expect(text, 'how many are left and the command').toContain(
      '1 more hint: try again first, then `npm run kata -- hint echo`',
    );
  });
});
