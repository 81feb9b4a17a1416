/**
 * The patch files this repository stores instead of copies (known mistakes, chained stubs and
 * solutions): a preamble of prose, then a unified diff written and applied with the `diff` package.
 *
 * @module
 */
import { applyPatch, FILE_HEADERS_ONLY, formatPatch, structuredPatch, type StructuredPatch } from 'diff';

/** The preamble of a patch file (what comes before its first `--- ` line), and the diff itself. */
export function splitPatch(text: string): { readonly preamble: string; readonly diff: string } {
  const start = /^--- /m.exec(text);
  if (start === null) return { preamble: text, diff: '' };
  return { preamble: text.slice(0, start.index), diff: text.slice(start.index) };
}

/** The unified diff (3 lines of context, git's `a/` and `b/` names) that turns `before` into `after`. */
export function unifiedDiff(name: string, before: string, after: string): string {
  const patch = structuredPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  return formatPatch(patch, FILE_HEADERS_ONLY);
}

/**
 * Why `patch` does not apply to `source`, in words: it applies the hunks one at a time and shows the
 * first that does not fit, with the lines it expected. `sourceName` says what `source` is ("the
 * solution", a file's path).
 */
export function describeFailingHunk(source: string, patch: StructuredPatch, sourceName: string): string {
  for (let count = 1; count <= patch.hunks.length; count++) {
    if (applyPatch(source, { ...patch, hunks: patch.hunks.slice(0, count) }) !== false) continue;
    const hunk = patch.hunks[count - 1]!;
    const expected = hunk.lines
      .filter((line) => !line.startsWith('+'))
      .slice(0, 6)
      .map((line) => `    ${line.slice(1)}`);
    return (
      `hunk ${count} of ${patch.hunks.length} (@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@) ` +
      `expects these lines near line ${hunk.oldStart}, and ${sourceName} no longer has them:\n${expected.join('\n')}`
    );
  }
  return 'the hunks fit one by one but not together.';
}
