/**
 * The repository's one HTML escaper, for the pages it writes: the trace viewer and the linearizability
 * checker's evidence page.
 *
 * @module
 */

/** Escapes text for HTML content and attribute values. Every piece of user data written as markup goes through here. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
