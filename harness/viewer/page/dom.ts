/**
 * The page's two DOM helpers. Text only: nothing here, nor anywhere in the page, parses a string as
 * HTML, so a payload holding `<script>` stays text.
 *
 * @module
 */

/** The element with `id`; throws when the page has none (the page and its script are out of step). */
export function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`trace viewer: the page has no #${id}`);
  return element;
}

/** Creates an element with a class and text (set as `textContent`, never as HTML). */
export function el<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[Tag] {
  const element = document.createElement(tag);
  if (className !== undefined && className !== '') element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}
