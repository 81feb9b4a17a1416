import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { foldedHints, planSite, rewriteLinks } from './docs.ts';
import { repositoryRoot } from './lib/exercises.ts';

describe('docs: links in a staged page', () => {
  const root = '/workshop';
  const exercise = path.join(root, 'exercises', '01-message-passing', '01-echo');
  const staged = path.join(root, 'node_modules', '.cache', 'kata-docs', '01-message-passing', '01-echo');
  const learnerFiles = new Set([path.join(exercise, 'echo.ts')]);
  const rewrite = (markdown: string) => rewriteLinks(markdown, exercise, staged, root, new Map(), learnerFiles);

  test('given code may be linked: the link points at the file, which the site then shows', () => {
    expect(rewrite('See [protocol.ts](protocol.ts).'), 'the link is kept, pointed at the original').toBe(
      'See [protocol.ts](../../../../../exercises/01-message-passing/01-echo/protocol.ts).',
    );
  });

  test('a link to a solution or to a learner file becomes plain text', () => {
    expect(
      rewrite('The [solution](../../../solutions/01-message-passing/01-echo/echo.ts) and [your file](echo.ts).'),
      'neither is published: on the solution branch the learner file holds the solution',
    ).toBe('The solution and your file.');
  });
});

describe('docs: hints', () => {
  const hints = '# Hints\n\nIntro.\n\n## Hint 1\n\nFirst.\n\n## Hint 2: the sender\n\nSecond `a < b`.\n';

  test('are folded into the exercise page, each inside the one before, so they open one at a time', () => {
    const folded = foldedHints(hints);
    expect(folded, 'a section the page can link to').toContain('\n## Hints\n');
    const first = folded.indexOf('<summary>Hint 1 of 2</summary>');
    const second = folded.indexOf('<summary>Hint 2 of 2: the sender</summary>');
    expect(first, 'hint 1 is there').toBeGreaterThan(-1);
    expect(second, 'hint 2 comes inside hint 1, after its text').toBeGreaterThan(folded.indexOf('First.'));
    expect(folded.indexOf('</details>'), 'hint 1 closes only after hint 2').toBeGreaterThan(second);
    expect(foldedHints('# Hints\n\nNone yet.\n'), 'no hints, no section').toBe('');
  });

  test('are not pages of the sidebar', () => {
    const plan = planSite(repositoryRoot, '/staging');
    const titles = plan.all.map((page) => page.title);
    expect(
      titles.filter((title) => /hint/i.test(title)),
      'no page of hints',
    ).toEqual([]);
    const echo = plan.all.find((page) => page.title === '1.1 Echo');
    expect(echo?.hints, "echo's page carries its hints").toBe(
      path.join(repositoryRoot, 'exercises', '01-message-passing', '01-echo', 'HINTS.md'),
    );
  });
});

describe('docs: code blocks', () => {
  test('scroll sideways, never wrap, and show that there is more to the right', () => {
    const css = readFileSync(path.join(repositoryRoot, 'docs', 'site.css'), 'utf8');
    const pre = /(?:^|\n)pre \{([^}]*)\}/.exec(css)?.[1] ?? '';
    expect(pre, 'no wrapping').toMatch(/white-space: pre;/);
    expect(pre, 'a scrollbar when too wide').toMatch(/overflow-x: auto;/);
    expect(pre, 'a scroll shadow: a background layer that scrolls with the text').toMatch(/no-repeat local/);
  });
});
