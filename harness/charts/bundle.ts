/**
 * The page's style and script: uPlot's CSS read from its package, and a page script bundled by esbuild
 * with uPlot inside it. Each is built once per process and entry, and checked to be safe to inline.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleIife, inlinable } from '../viewer/standalone-page.ts';

/** The repository's root: esbuild's comments name files relative to it, so every clone gets the same bytes. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let uplotStyle: string | null = null;
const scripts = new Map<string, string>();

/** uPlot's stylesheet (`uplot/dist/uPlot.min.css`), read on first use. */
export function uplotCss(): string {
  uplotStyle ??= inlinable(
    'uPlot.min.css',
    readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  );
  return uplotStyle;
}

/**
 * The page script whose entry module is `entry` (an absolute path), bundled with what it imports
 * (uPlot among them) into one IIFE, so that its names stay off `window`. Built in memory on first use
 * and kept for the rest of the process. esbuild picks the entry folder's nearest `tsconfig.json`.
 */
export function bundlePageScript(entry: string): string {
  const cached = scripts.get(entry);
  if (cached !== undefined) return cached;
  const script = bundleIife({ entry, workingDir: ROOT, name: path.relative(ROOT, entry) });
  scripts.set(entry, script);
  return script;
}
