/**
 * Colours and text helpers shared by the drawing modules.
 *
 * @module
 */

/** Type colours, in order of each type's first send. Red is kept for what went wrong. */
const PALETTE = [
  '#2f6fd6',
  '#1a9b8a',
  '#e07b1a',
  '#8e4fc2',
  '#4a9a2c',
  '#d6338a',
  '#8a6a4f',
  '#0a93a8',
  '#a3a31a',
  '#5a67c4',
  '#c46a3c',
  '#6b7d91',
];

/** The colour of what went wrong: drops, the failure, its evidence. */
export const BAD = '#cf222e';

/** The colour of message type `type` (an index into the view model's types). */
export function colourOfType(type: number): string {
  return PALETTE[type % PALETTE.length] ?? '#555';
}

/** Writes `text` at (x, y), cut with an ellipsis to fit `maxWidth` pixels; nothing when under 12 pixels. */
export function fillTextClipped(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  maxWidth: number,
): void {
  if (maxWidth < 12) return;
  if (ctx.measureText(text).width <= maxWidth) {
    ctx.fillText(text, x, y);
    return;
  }
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (ctx.measureText(`${text.slice(0, middle)}…`).width <= maxWidth) low = middle;
    else high = middle - 1;
  }
  if (low > 0) ctx.fillText(`${text.slice(0, low)}…`, x, y);
}
