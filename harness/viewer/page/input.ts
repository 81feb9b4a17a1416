/**
 * The reader's input: click to select, drag or wheel to scroll, ctrl+wheel to zoom, hover for a
 * tooltip, the overview, the toolbar buttons and the keys.
 *
 * @module
 */
import { byId } from './dom.ts';
import { requestDraw } from './draw.ts';
import { describe } from './format.ts';
import { pick } from './hit-test.ts';
import { clampView, fit, focusPx, GUTTER_W, layOut, maxX, panBy, plotWidth, visibleRange, zoomAt } from './layout.ts';
import { deselect, goToFailure, select, setMode, step } from './navigation.ts';
import type { Viewer } from './viewer.ts';

function canvasPoint(v: Viewer, event: MouseEvent): { x: number; y: number } {
  const box = v.page.plot.getBoundingClientRect();
  return { x: event.clientX - box.left, y: event.clientY - box.top };
}

/** Listens to everything the reader does. */
export function setUpInput(v: Viewer): void {
  setUpPlotMouse(v);
  setUpOverviewMouse(v);
  setUpButtonsAndKeys(v);
  new ResizeObserver(() => {
    const span = plotWidth(v) / v.state.scale;
    layOut(v);
    v.state.scale = plotWidth(v) / span;
    requestDraw(v);
  }).observe(v.page.stage);
}

function setUpPlotMouse(v: Viewer): void {
  const { plot, tooltip } = v.page;
  let drag: { x: number; startX: number; moved: boolean } | null = null;
  plot.addEventListener('mousedown', (event) => {
    if (event.button !== 0) return;
    drag = { x: event.clientX, startX: v.state.startX, moved: false };
  });
  window.addEventListener('mousemove', (event) => {
    if (drag === null) return;
    const dx = event.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (!drag.moved) return;
    plot.classList.add('panning');
    v.state.startX = drag.startX - dx / v.state.scale;
    clampView(v);
    requestDraw(v);
  });
  window.addEventListener('mouseup', (event) => {
    if (drag === null) return;
    const wasDrag = drag.moved;
    drag = null;
    plot.classList.remove('panning');
    if (wasDrag || event.target !== plot) return;
    const point = canvasPoint(v, event);
    const hit = pick(v, point.x, point.y);
    if (hit !== null) select(v, hit.event, { scroll: false });
  });
  plot.addEventListener('mousemove', (event) => {
    if (drag !== null) return;
    const point = canvasPoint(v, event);
    const hit = pick(v, point.x, point.y);
    plot.classList.toggle('pointing', hit !== null);
    if (hit === null) {
      tooltip.style.display = 'none';
      return;
    }
    const target = v.data.events[hit.event]!;
    const operation = v.data.operationAt.get(hit.event);
    tooltip.textContent = `t=${target.t}ms  ${describe(target)}${operation !== undefined ? `\nop#${operation.op} ${operation.label}` : ''}`;
    tooltip.style.display = 'block';
    tooltip.style.left = `${Math.min(event.clientX + 14, window.innerWidth - 470)}px`;
    tooltip.style.top = `${event.clientY + 16}px`;
  });
  plot.addEventListener('mouseleave', () => {
    tooltip.style.display = 'none';
  });
  plot.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? plotWidth(v) : 1;
      if (event.ctrlKey || event.metaKey) zoomAt(v, Math.exp(-event.deltaY * unit * 0.002), canvasPoint(v, event).x);
      else panBy(v, (Math.abs(event.deltaX) > Math.abs(event.deltaY) ? event.deltaX : event.deltaY) * unit);
      requestDraw(v);
    },
    { passive: false },
  );
}

function setUpOverviewMouse(v: Viewer): void {
  const { overview } = v.page;
  let dragging = false;
  const moveTo = (event: MouseEvent): void => {
    const box = overview.getBoundingClientRect();
    const x = ((event.clientX - box.left - GUTTER_W) / plotWidth(v)) * maxX(v);
    const { start, end } = visibleRange(v);
    v.state.startX = x - (end - start) / 2;
    clampView(v);
    requestDraw(v);
  };
  overview.addEventListener('mousedown', (event) => {
    dragging = true;
    moveTo(event);
  });
  window.addEventListener('mousemove', (event) => {
    if (dragging) moveTo(event);
  });
  window.addEventListener('mouseup', () => {
    dragging = false;
  });
}

function setUpButtonsAndKeys(v: Viewer): void {
  const zoom = (factor: number) => (): void => {
    zoomAt(v, factor, focusPx(v));
    requestDraw(v);
  };
  const buttons = {
    first: () => {
      v.state.selected = -1;
      step(v, 1);
    },
    prev: () => step(v, -1),
    next: () => step(v, 1),
    last: () => {
      v.state.selected = -1;
      step(v, -1);
    },
    'zoom-in': zoom(1.6),
    'zoom-out': zoom(1 / 1.6),
    fit: () => {
      fit(v);
      requestDraw(v);
    },
    'mode-time': () => setMode(v, 'time'),
    'mode-order': () => setMode(v, 'order'),
  };
  for (const [id, action] of Object.entries(buttons)) byId(`btn-${id}`).addEventListener('click', action);
  const keys: Readonly<Record<string, () => void>> = {
    ArrowRight: buttons.next,
    j: buttons.next,
    n: buttons.next,
    ArrowLeft: buttons.prev,
    k: buttons.prev,
    p: buttons.prev,
    Home: buttons.first,
    End: buttons.last,
    '+': buttons['zoom-in'],
    '=': buttons['zoom-in'],
    '-': buttons['zoom-out'],
    '0': buttons.fit,
    f: () => goToFailure(v),
    t: () => setMode(v, v.state.mode === 'time' ? 'order' : 'time'),
    Escape: () => deselect(v),
  };
  window.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || event.altKey) return;
    if (event.ctrlKey || event.metaKey) return;
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  });
}
