/**
 * Drawing the client operations as bars in the history timeline under the lanes, from invoke to
 * complete; the ones a checker could not place in red.
 *
 * @module
 */
import type { ViewOperation } from '../view-model.ts';
import { BAD, fillTextClipped } from './canvas.ts';
import { GUTTER_W, OP_ROW_H, OPS_HEADER_H, xOf, xToPx, type XRange } from './layout.ts';
import type { Viewer } from './viewer.ts';

/** Draws the visible bars and records them in `v.drawn` for picking. */
export function drawOperations(v: Viewer, range: XRange): void {
  const ctx = v.page.plotContext;
  const { cssWidth, lanesBottom, rowY } = v.geometry;
  const { view } = v.data;
  v.drawn.bars = [];
  if (view.operations.length === 0) return;
  ctx.fillStyle = '#f6f8fa';
  ctx.fillRect(GUTTER_W, lanesBottom, cssWidth, OPS_HEADER_H);
  ctx.strokeStyle = '#d0d7de';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(GUTTER_W, lanesBottom + 0.5);
  ctx.lineTo(cssWidth, lanesBottom + 0.5);
  ctx.stroke();
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const selectedOperation = v.data.operationAt.get(v.state.selected);
  for (const operation of view.operations) {
    const top = rowY[operation.row] ?? -1;
    if (top < 0) continue;
    const x1 = xOf(v, operation.invoke);
    const x2 = xOf(v, operation.complete < 0 ? v.data.count : operation.complete);
    if (x2 < range.start || x1 > range.end) continue;
    const left = xToPx(v, x1);
    const width = Math.max(3, xToPx(v, x2) - left);
    const y = top + 4;
    const height = OP_ROW_H - 8;
    const style = barStyle(operation);
    ctx.fillStyle = style.fill;
    ctx.fillRect(left, y, width, height);
    ctx.strokeStyle = operation === selectedOperation ? '#0969da' : style.stroke;
    ctx.lineWidth = operation === selectedOperation ? 2.5 : operation.highlighted ? 2 : 1;
    ctx.setLineDash(operation.status === 'indeterminate' ? [4, 3] : []);
    ctx.strokeRect(left + 0.5, y + 0.5, width - 1, height - 1);
    ctx.setLineDash([]);
    const visibleLeft = Math.max(left, GUTTER_W);
    const room = left + width - visibleLeft - 8;
    if (room > 24) {
      ctx.fillStyle = style.text;
      fillTextClipped(ctx, `op#${operation.op} ${operation.label}`, visibleLeft + 4, y + height / 2 + 0.5, room);
    }
    v.drawn.bars.push({ operation, x: left, y, w: width, h: height });
  }
}

function barStyle(operation: ViewOperation): { fill: string; stroke: string; text: string } {
  if (operation.highlighted) return { fill: '#ffd8d3', stroke: BAD, text: '#82071e' };
  if (operation.status === 'ok') return { fill: '#dbeafe', stroke: '#4a86e8', text: '#0b3a82' };
  if (operation.status === 'fail') return { fill: '#eef0f2', stroke: '#8c959f', text: '#57606a' };
  return { fill: '#fff5d1', stroke: '#d4a72c', text: '#6b4c00' };
}
