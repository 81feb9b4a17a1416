/**
 * The markdown of a learner's copy: links to files the copy leaves out (the reference solutions, the
 * instructor's and authors' guides) become plain text, and the README's section on the repository's
 * own checks, which all need the solutions, gives way to a note about the copy.
 *
 * @module
 */
import path from 'node:path';
import { outsideCode } from '../lib/markdown.ts';

/** A markdown link or image: `[label](target "title")`. */
const LINK = /(!?\[[^\]]*\])\(\s*<?([^)\s>]+)>?((?:\s+"[^"]*")?)\s*\)/g;

/**
 * `markdown` (the text of a file in `directory`) with every relative link whose target `isLeftOut`
 * turned into its plain label. Links inside fenced code blocks and code spans are left alone.
 */
export function unlinkLeftOut(markdown: string, directory: string, isLeftOut: (file: string) => boolean): string {
  return outsideCode(markdown, (text) =>
    text.replace(LINK, (match, label: string, target: string) => {
      if (/^([a-z][a-z0-9+.-]*:|#|\/)/i.test(target)) return match;
      const file = path.normalize(path.join(directory, decodeURI(target.split('#', 1)[0] ?? '')));
      return isLeftOut(file) ? label.replace(/^!?\[|\]$/g, '') : match;
    }),
  );
}

/** The heading of the README section that lists the course's own checks. */
export const CHECKS_HEADING = "## For the repository's own checks";

/** What a learner's copy says in place of that section. */
export const COPY_NOTE = `## This copy of the workshop

This is a learner's copy: it has the exercises, their tests, the harness and the tools, but no
reference solutions, on purpose. The scripts that need them (\`npm run verify\`, \`npm run
test:solutions\`, \`npm run mistake\`, ...) say so and stop. \`npm run kata -- reset <exercise>\` brings
a stub back from this repository's first commit.

\`\`\`sh
npm run typecheck        # the whole repository under strict TypeScript
npm run test:harness     # the harness's own tests
npm run lint             # ESLint; npm run format (Prettier) beside it
npm run docs             # the guides, every exercise's spec and the harness API, as a site in docs-site/
\`\`\`
`;

/**
 * The README's sentence for instructors, with its list of their commands (none of which runs in the
 * copy): up to the first `).` that ends a sentence, since the list ends with a command in parentheses.
 */
const INSTRUCTORS_SENTENCE = /Instructors can teach a classroom\s+workshop from it(?::[\s\S]*?\))?\.(?=\s|$)/;

/**
 * The README of a learner's copy: the checks section replaced by {@link COPY_NOTE}, the `solutions/` line
 * of the layout removed, the line that points authors to their guide removed, and the sentence for
 * instructors replaced by one for learners.
 */
export function studentReadme(readme: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.trim() === CHECKS_HEADING);
  let result = lines;
  if (start !== -1) {
    const after = lines.findIndex((line, index) => index > start && /^## /.test(line));
    const end = after === -1 ? lines.length : after;
    result = [...lines.slice(0, start), ...COPY_NOTE.trimEnd().split('\n'), '', ...lines.slice(end)];
  }
  return result
    .filter((line) => !/^solutions\/\s/.test(line))
    .filter((line) => !/^Writing a new exercise: see /.test(line))
    .join('\n')
    .replace(INSTRUCTORS_SENTENCE, 'Your instructor made this copy for a classroom workshop.');
}
