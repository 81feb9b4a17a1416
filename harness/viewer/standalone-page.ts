/**
 * The plumbing of a standalone page, shared by the trace viewer and the chart pages: a page script
 * bundled by esbuild, the check that inline code cannot close its own element, and a `<head>` whose
 * Content-Security-Policy allows only the page's one style and one script, by hash.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import { escapeHtml } from './html.ts';

/** Returns `text` to inline as is, after checking that it cannot end its own `<script>` or `<style>` early. */
export function inlinable(name: string, text: string): string {
  if (/<\/(script|style)|<!--/i.test(text)) {
    throw new Error(`${name} contains "</script", "</style" or "<!--", which would end its inline element early.`);
  }
  return text;
}

/** What {@link bundleIife} bundles. */
export interface BundleInput {
  /** The entry module, an absolute path. */
  readonly entry: string;
  /** The folder esbuild's comments name files relative to: a folder of the repository, so every clone gets the same bytes. */
  readonly workingDir: string;
  /** The tsconfig.json to use; by default the entry's nearest. */
  readonly tsconfig?: string;
  /** How the bundle is named in errors, e.g. `harness/viewer/page/main.ts`. */
  readonly name: string;
}

/**
 * `entry` and what it imports, bundled by esbuild into one IIFE, so that the script's names stay off
 * `window`. Built in memory: nothing is written, nothing fetched. esbuild gives the same bytes for the
 * same sources. Checked with {@link inlinable}.
 */
export function bundleIife(input: BundleInput): string {
  const result = buildSync({
    entryPoints: [input.entry],
    ...(input.tsconfig === undefined ? {} : { tsconfig: input.tsconfig }),
    absWorkingDir: input.workingDir,
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error(`esbuild produced no bundle for ${input.name}`);
  return inlinable(`${input.name} (bundled)`, script);
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The page's start, up to `</head>`: the title (escaped), `style` inline, and a policy that allows that
 * style and `script` (which the caller inlines once, at the end of the body) by hash, and nothing else:
 * no other script, no fetch, no image, no form.
 */
export function pageHead(title: string, style: string, script: string): string {
  // Fixed words and base64 hashes only: no quoting needed in the attribute.
  const policy = [
    "default-src 'none'",
    `style-src ${cspHash(style)}`,
    `script-src ${cspHash(script)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>`;
}
