/**
 * `npm run docs`: builds the documentation site into `docs-site/` with TypeDoc.
 *
 * The site has three parts:
 * - the guides in `docs/*.md`;
 * - every chapter's and exercise's README, never the solutions: a README may link to
 *   an exercise's given code (`protocol.ts`), which the site then shows, but a link to a solution or to
 *   a learner file (which holds the solution on the solution branch) becomes plain text;
 * - each exercise's hints at the end of its page, folded: hint 1 opens to show its text and hint 2's
 *   fold, and so on, so they are read one at a time (they are not pages of their own in the sidebar);
 * - the harness API from its TSDoc (the entry points are listed in `typedoc.json`).
 *
 * TypeDoc names a markdown page after its file, and every exercise's spec is called README.md, so this
 * script stages a copy of each page under `node_modules/.cache/kata-docs/`, with a YAML header that
 * names its child pages, and with relative links pointed back at their targets (the staged copy of a page,
 * or the original file). The sources stay plain markdown that reads well on GitHub and in an editor.
 *
 * Mermaid diagrams: TypeDoc does not draw them, and drawing them here would need the `mermaid` package
 * and a browser. So a ```mermaid block is shown as text: if a `<!-- text-diagram ... -->` comment right
 * after it holds a ```text drawing of the same diagram, the site shows that drawing (GitHub hides the
 * comment and draws the Mermaid); otherwise the site shows the Mermaid source, which reads as a list
 * of arrows, under a note that says so.
 *
 * Flags: `--check` builds into a temporary folder and deletes it (what `npm run verify` does);
 * `--out <dir>` builds elsewhere; any other flag goes to TypeDoc. Warnings are errors
 * (`treatWarningsAsErrors` in typedoc.json).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { allExercises, firstHeading, loadCourse } from './kata/course.ts';
import { parseHints } from './kata/hints.ts';
import * as td from 'typedoc';
import { repositoryRoot } from './lib/exercises.ts';
import { outsideCode } from './lib/markdown.ts';

/** The guides, in reading order; any other `docs/*.md` follows, alphabetically. */
const GUIDE_ORDER = [
  'getting-started',
  'how-the-harness-works',
  'reading-a-failure',
  'maelstrom',
  'instructor-guide',
  'authoring-exercises',
];

/** One page to stage: its source, where the staged copy goes, and its child pages by title. */
interface Page {
  /** The page's name in the site. */
  readonly title: string;
  readonly source: string;
  readonly staged: string;
  readonly children: ReadonlyArray<{ readonly title: string; readonly page: Page }>;
  /** The YAML `group` of a top-level page. */
  readonly group?: string;
  /** The exercise's HINTS.md, whose hints are folded in at the end of the page. */
  readonly hints?: string;
}

/** Everything staged for one build. */
interface Plan {
  readonly readme: Page;
  /**
   * Files the site never links to, by absolute path: every exercise's learner files, as the manifests
   * list them. (Everything under `solutions/` is never linked either.)
   */
  readonly unpublished: ReadonlySet<string>;
  /** Top-level pages (project documents). */
  readonly topLevel: readonly Page[];
  /** Every page, top-level or nested. */
  readonly all: readonly Page[];
}

// ─────────────────────────────── planning ───────────────────────────────

/** Decides which pages the site has, and where their staged copies go. */
export function planSite(root: string, stagingDirectory: string): Plan {
  const all: Page[] = [];
  const page = (
    title: string,
    source: string,
    staged: string,
    children: Page['children'] = [],
    group?: string,
    hints?: string,
  ): Page => {
    const created: Page = {
      title,
      source,
      staged: path.join(stagingDirectory, staged),
      children,
      ...(group === undefined ? {} : { group }),
      ...(hints === undefined ? {} : { hints }),
    };
    all.push(created);
    return created;
  };
  const guides = listGuides(root).map((file) => {
    const title = firstHeading(readFileSync(file, 'utf8')) ?? path.basename(file, '.md');
    return page(title, file, path.join('guides', `${safeFileName(title)}.md`), [], 'Guides');
  });
  const course = loadCourse(root);
  const learnerFiles = allExercises(course).flatMap(({ exercise }) => exercise.learnerFiles);
  const unpublished = new Set(learnerFiles.map((file) => path.join(root, file)));
  const chapters = course.chapters.map((chapter) => {
    const exercises = chapter.exercises
      .filter(({ exercise }) => existsSync(path.join(root, exercise.directory, 'README.md')))
      .map(({ exercise, title }) => {
        const hints = path.join(root, exercise.directory, 'HINTS.md');
        return {
          title,
          page: page(
            title,
            path.join(root, exercise.directory, 'README.md'),
            path.join(exercise.id, 'README.md'),
            [],
            undefined,
            existsSync(hints) ? hints : undefined,
          ),
        };
      });
    const readme = path.join(root, 'exercises', chapter.id, 'README.md');
    if (!existsSync(readme)) return null;
    return page(chapter.title, readme, path.join(`${safeFileName(chapter.title)}.md`), exercises, 'Exercises');
  });
  const readme = page('README', path.join(root, 'README.md'), 'README.md');
  return { readme, unpublished, topLevel: [...guides, ...chapters.filter((chapter) => chapter !== null)], all };
}

function listGuides(root: string): string[] {
  const folder = path.join(root, 'docs');
  if (!existsSync(folder)) return [];
  const names = readdirSync(folder)
    .filter((name) => name.endsWith('.md'))
    .map((name) => name.slice(0, -3));
  const rank = (name: string) => (GUIDE_ORDER.includes(name) ? GUIDE_ORDER.indexOf(name) : GUIDE_ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((name) => path.join(folder, `${name}.md`));
}

/** A title as a file name TypeDoc can show as the page's name: no characters a file system refuses. */
function safeFileName(title: string): string {
  return title
    .replace(/[:]/g, ' –')
    .replace(/[\\/*?"<>|]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

// ─────────────────────────────── staging ───────────────────────────────

/** Writes every page of `plan`: a YAML header naming its children, rewritten links, Mermaid as text. */
export function stageSite(root: string, plan: Plan): void {
  const stagedBySource = new Map(plan.all.map((page) => [page.source, page.staged]));
  for (const page of plan.all) {
    const readme = readFileSync(page.source, 'utf8');
    // On the site the hints are on the exercise's page, so a link to HINTS.md goes to their section.
    const source =
      page.hints === undefined
        ? readme
        : readme.replace(/\]\(\s*(?:\.\/)?HINTS\.md\s*\)/g, '](#hints)') +
          foldedHints(readFileSync(page.hints, 'utf8'));
    // The front page's title is the project's name, which the site's header already shows.
    const markdown = page === plan.readme ? source.replace(/^# .*\n+/, '') : source;
    const links = rewriteLinks(
      markdown,
      path.dirname(page.source),
      path.dirname(page.staged),
      root,
      stagedBySource,
      plan.unpublished,
    );
    const body = mermaidAsText(links);
    mkdirSync(path.dirname(page.staged), { recursive: true });
    writeFileSync(page.staged, frontmatter(page) + body);
  }
}

/**
 * The hints of a HINTS.md as a `## Hints` section of nested folds (`<details>`): each hint's fold holds
 * its text and the next hint's fold, so hint 2 can only be opened after hint 1. Empty when there are
 * no hints.
 */
export function foldedHints(markdown: string): string {
  const hints = parseHints(markdown);
  if (hints.length === 0) return '';
  let nested = '';
  for (const hint of [...hints].reverse()) {
    const subtitle = hint.heading.replace(/^Hint\s+\d+\s*[:.—-]?\s*/i, '');
    const summary = `Hint ${hint.number} of ${hints.length}${subtitle === '' ? '' : `: ${escapeHtml(subtitle)}`}`;
    nested = `<details>\n<summary>${summary}</summary>\n\n${hint.body}\n\n${nested}</details>\n`;
  }
  return (
    '\n\n## Hints\n\nStuck? Open one hint, try again, and only then open the next (it is inside the one before).\n\n' +
    nested
  );
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function frontmatter(page: Page): string {
  const lines: string[] = [];
  if (page.group !== undefined) lines.push(`group: ${JSON.stringify(page.group)}`);
  if (page.children.length > 0) {
    lines.push('children:');
    for (const child of page.children) {
      lines.push(
        `  ${JSON.stringify(child.title)}: ${JSON.stringify(path.relative(path.dirname(page.staged), child.page.staged))}`,
      );
    }
  }
  return lines.length === 0 ? '' : `---\n${lines.join('\n')}\n---\n\n`;
}

/**
 * Rewrites the relative links of a markdown page that moves from `fromDirectory` to `toDirectory`: a
 * link to a staged page points at its staged copy; a link into `solutions/` or to one of `unpublished`
 * (the learner files) becomes plain text (the site never shows a solution); any other link points at the
 * original file. Code is left alone.
 */
export function rewriteLinks(
  markdown: string,
  fromDirectory: string,
  toDirectory: string,
  root: string,
  stagedBySource: ReadonlyMap<string, string>,
  unpublished: ReadonlySet<string> = new Set(),
): string {
  const solutions = path.join(root, 'solutions') + path.sep;
  const retarget = (target: string): string | null => {
    if (/^([a-z][a-z0-9+.-]*:|#|\/)/i.test(target)) return target;
    const [file = '', anchor] = target.split('#', 2) as [string, string | undefined];
    let absolute = path.resolve(fromDirectory, safeDecode(file));
    if (absolute.startsWith(solutions) || unpublished.has(absolute)) return null;
    if (existsSync(absolute) && statSync(absolute).isDirectory() && existsSync(path.join(absolute, 'README.md'))) {
      absolute = path.join(absolute, 'README.md');
    }
    const destination = stagedBySource.get(absolute) ?? absolute;
    const relative = path.relative(toDirectory, destination).split(path.sep).join('/');
    return encodeURI(relative) + (anchor === undefined ? '' : `#${anchor}`);
  };
  return outsideCode(markdown, (text) =>
    text
      .replace(
        /(!?\[[^\]]*\])\(\s*<?([^)\s>]+)>?((?:\s+"[^"]*")?)\s*\)/g,
        (_match, label: string, target: string, title: string) => {
          const next = retarget(target);
          return next === null ? label.replace(/^!?\[|\]$/g, '') : `${label}(${next}${title})`;
        },
      )
      .replace(/^(\s{0,3}\[[^\]]+\]:\s*)(\S+)/gm, (_match, start: string, target: string) => {
        const next = retarget(target);
        return next === null ? '' : `${start}${next}`;
      }),
  );
}

/** `decodeURI`, except that a malformed escape leaves the text as it is (TypeDoc then reports the path). */
function safeDecode(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

/** Replaces every ```mermaid block by its text drawing (see the module comment), or by its source as text. */
export function mermaidAsText(markdown: string): string {
  const pattern = /^```mermaid[^\n]*\n([\s\S]*?)^```[ \t]*\n(?:\s*<!--\s*text-diagram\s*\n([\s\S]*?)-->[ \t]*\n?)?/gm;
  return markdown.replace(pattern, (_match, source: string, drawing: string | undefined) => {
    if (drawing !== undefined) return `${drawing.trim()}\n`;
    return (
      '*Diagram source (Mermaid). This site is built offline and does not draw Mermaid; GitHub and most editors do.*\n\n' +
      '```text\n' +
      source +
      '```\n'
    );
  });
}

// ─────────────────────────────── building ───────────────────────────────

/**
 * Runs TypeDoc through its API, as its CLI does, with two differences: project documents are named by
 * their title rather than their staged path, and validation always runs, so one build lists every
 * warning at once. Resolves with 0 when the site was written without a warning.
 */
async function runTypedoc(root: string, plan: Plan, out: string, extraArgs: readonly string[]): Promise<number> {
  const app = await td.Application.bootstrapWithPlugins(
    {
      options: path.join(root, 'typedoc.json'),
      out,
      readme: plan.readme.staged,
      projectDocuments: plan.topLevel.map((page) => page.staged),
    },
    [
      new td.ArgumentsReader(0, [...extraArgs]),
      new td.TypeDocReader(),
      new td.TSConfigReader(),
      new td.ArgumentsReader(300, [...extraArgs]),
    ],
  );
  // A top-level page is named after its staged path; give it its title (child pages already have theirs).
  const titles = new Map(plan.topLevel.map((page) => [path.basename(page.staged, '.md'), page.title]));
  app.converter.on(td.Converter.EVENT_CREATE_DOCUMENT, (_context: unknown, document: td.DocumentReflection) => {
    if (document.parent?.isProject() === true)
      document.name = titles.get(path.basename(document.name)) ?? path.basename(document.name);
  });
  const strict = app.options.getValue('treatWarningsAsErrors');
  if (app.logger.hasErrors()) return 1;
  const project = await app.convert();
  if (project === undefined) return 1;
  app.validate(project);
  if (app.logger.hasErrors() || (strict && app.logger.hasWarnings())) {
    app.logger.error(
      `The site was not written: ${app.logger.errorCount} error(s), ${app.logger.warningCount} warning(s) above (warnings count as errors).`,
    );
    return 1;
  }
  await app.generateOutputs(project);
  return app.logger.hasErrors() || (strict && app.logger.hasWarnings()) ? 1 : 0;
}

/** Stages the pages and runs TypeDoc; resolves with TypeDoc's exit code (0: built, no warnings). */
export async function buildDocs(root: string, out: string, extraArgs: readonly string[] = []): Promise<number> {
  const staging = path.join(root, 'node_modules', '.cache', 'kata-docs');
  rmSync(staging, { recursive: true, force: true });
  const plan = planSite(root, staging);
  stageSite(root, plan);
  const code = await runTypedoc(root, plan, out, extraArgs);
  if (code !== 0) {
    // Warnings name the staged copies; say which file each one is a copy of.
    console.error('\nThe pages above are staged copies. Fix the problem in the original:');
    for (const page of plan.all) {
      const header = frontmatter(page).split('\n').length - 1;
      const shift = header === 0 ? '' : `  (the copy starts with a ${header}-line header)`;
      console.error(`  ${path.relative(root, page.staged)}  ←  ${path.relative(root, page.source)}${shift}`);
    }
  }
  return code;
}

async function main(): Promise<number> {
  // Our two flags; anything else goes to TypeDoc (e.g. `npm run docs -- --treatWarningsAsErrors false`).
  const { values, tokens } = parseArgs({
    options: { check: { type: 'boolean' }, out: { type: 'string' } },
    strict: false,
    tokens: true,
  });
  const ours = new Set(['check', 'out']);
  const extraArgs = tokens.flatMap((token) => {
    if (token.kind === 'option' && !ours.has(token.name))
      return [token.rawName, ...(token.value === undefined ? [] : [token.value])];
    return token.kind === 'positional' ? [token.value] : [];
  });
  if (values.check === true) {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'kata-docs-check-'));
    try {
      return await buildDocs(repositoryRoot, folder, extraArgs);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  const out = path.resolve(typeof values.out === 'string' ? values.out : path.join(repositoryRoot, 'docs-site'));
  const code = await buildDocs(repositoryRoot, out, extraArgs);
  if (code === 0) console.log(`\nOpen ${pathToFileURL(path.join(out, 'index.html')).href} in a browser.`);
  return code;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main();
}
