/**
 * Markdown rewriting shared by the docs site build and the learner's copy: both change links in prose
 * and must leave code alone.
 *
 * @module
 */

/** Applies `change` to the parts of `markdown` outside fenced code blocks and inline code spans. */
export function outsideCode(markdown: string, change: (text: string) => string): string {
  const out: string[] = [];
  let prose: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    if (prose.length === 0) return;
    // Code spans are masked rather than split off, so a link whose label is code ([`x`](x.md)) still
    // reads as a link; the mask has no brackets or parentheses, so it cannot start or end one.
    const spans: string[] = [];
    const masked = prose.join('\n').replace(/`+[^`]*`+/g, (span) => `\uE000${spans.push(span) - 1}\uE000`);
    out.push(change(masked).replace(/\uE000(\d+)\uE000/g, (_mask, index: string) => spans[Number(index)]!));
    prose = [];
  };
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1] ?? null;
    if (fence === null && marker !== null) {
      flush();
      fence = marker;
      out.push(line);
    } else if (fence !== null) {
      out.push(line);
      if (marker !== null && marker.startsWith(fence)) fence = null;
    } else {
      prose.push(line);
    }
  }
  flush();
  return out.join('\n');
}
