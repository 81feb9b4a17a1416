import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { rewriteLinks } from './docs.ts';

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
