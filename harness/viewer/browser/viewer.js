// @ts-check
/**
 * The trace viewer's page script: draws a trace as a space-time (Lamport) diagram on a canvas.
 *
 * It runs in the browser, from a standalone HTML file written by `renderTraceHtml`, wrapped in an
 * IIFE. It is plain JavaScript so that the file can be embedded as is; `// @ts-check` and
 * `browser/tsconfig.json` typecheck it strictly against the DOM (see `npm run verify`).
 *
 * Scale: a trace can hold 100,000 events and more. Every list in the view model is sorted by event
 * index (= time order), so each frame binary-searches the visible window and draws only what falls in
 * it, batching strokes by colour. Nothing from the trace is ever parsed as HTML: text goes through
 * `textContent` or the canvas's `fillText`.
 */

/** @typedef {import('../view-model.ts').ViewerData} ViewerData */
/** @typedef {import('../view-model.ts').ViewOperation} ViewOperation */
/** @typedef {import('../view-model.ts').ViewInterval} ViewInterval */
/** @typedef {import('../../trace/index.ts').TraceEvent} TraceEvent */
/** @typedef {'time' | 'order'} AxisMode */

// ───────────────────────────── layout and colours ─────────────────────────────

const GUTTER_W = 96;
const AXIS_H = 24;
const STRIP_H = 22;
const LANE_H = 48;
const OPS_HEADER_H = 26;
const OP_ROW_H = 24;
const BOTTOM_PAD = 10;
const RIGHT_PAD = 16;
/** Past this many visible arrows, arrowheads and labels are left out: they would only be noise. */
const DETAIL_LIMIT = 2500;
/** Type colours, in order of each type's first send. Red is kept for what went wrong. */
const PALETTE = ['#2f6fd6', '#1a9b8a', '#e07b1a', '#8e4fc2', '#4a9a2c', '#d6338a', '#8a6a4f', '#0a93a8', '#a3a31a', '#5a67c4', '#c46a3c', '#6b7d91'];
const BAD = '#cf222e';
const WARN = '#bf8700';
/** How far apart marks of one kind on one lane must be to be drawn separately, in pixels. */
/** @type {Record<string, number>} */
const MARK_SPACING_PX = { 'timer-set': 3, 'timer-fire': 6, 'timer-cancel': 5, log: 5, duplicate: 8, clock: 8 };
/** Where each kind's glyph sits relative to its lane's line, so a click lands on the glyph it aims at. */
/** @type {Record<string, number>} */
const MARK_OFFSET_Y = { 'timer-set': -6.5, 'timer-fire': -9, 'timer-cancel': -9, log: 7.5 };
const FATE_WORDS = ['delivered', 'dropped by the network', 'dropped: the link was cut', 'dropped: the receiver was down', 'still in flight when the run ended'];

// ───────────────────────────── data ─────────────────────────────

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`trace viewer: the page has no #${id}`);
  return element;
}

const data = /** @type {ViewerData} */ (JSON.parse(byId('kata-trace-data').textContent ?? 'null'));
const trace = data.trace;
const view = data.view;
const events = trace.events;
const N = events.length;
const laneIds = view.lanes.map((lane) => lane.id);
const laneIndexOf = new Map(laneIds.map((id, index) => [id, index]));
const typeIndexOf = new Map(view.types.map((type, index) => [type.name, index]));
const markKindOf = new Map(view.markKinds.map((kind, index) => [kind, index]));

/** Event times, made non-decreasing (a trace is recorded in time order; this only guards the search). `T[N]` is the end of the run. */
const T = new Float64Array(N + 1);
{
  let latest = 0;
  for (let index = 0; index < N; index++) {
    latest = Math.max(latest, /** @type {TraceEvent} */ (events[index]).t);
    T[index] = latest;
  }
  T[N] = Math.max(latest, trace.endMs);
}

const A = view.arrows;
const AN = A.send.length;
const aId = Int32Array.from(A.id);
const aSend = Int32Array.from(A.send);
const aEnd = Int32Array.from(A.end, (end) => (end < 0 ? N : end));
const aFrom = Int32Array.from(A.fromLane);
const aTo = Int32Array.from(A.toLane);
const aType = Int32Array.from(A.type);
const aFate = Uint8Array.from(A.fate);
const aDup = Uint8Array.from(A.duplicated);

const M = view.marks;
const MN = M.event.length;
const mEvent = Int32Array.from(M.event);
const mLane = Int32Array.from(M.lane);
const mKind = Uint8Array.from(M.kind);
const K = /** @param {string} name */ (name) => markKindOf.get(name) ?? -1;
const KIND = {
  start: K('start'), restart: K('restart'), crash: K('crash'), timerSet: K('timer-set'), timerFire: K('timer-fire'),
  timerCancel: K('timer-cancel'), log: K('log'), invoke: K('invoke'), complete: K('complete'), duplicate: K('duplicate'),
  clock: K('clock'), failure: K('failure'),
};
const TIMER_KINDS = new Set([KIND.timerSet, KIND.timerFire, KIND.timerCancel]);

const highlightMessages = new Set(view.highlightMessages);
const highlightEvents = new Set(view.highlightEvents);

/** @type {Map<number, number[]> | null} arrows of each message id, built on first use */
let arrowsById = null;
/** @param {number} id */
function arrowsOfMessage(id) {
  if (arrowsById === null) {
    arrowsById = new Map();
    for (let arrow = 0; arrow < AN; arrow++) {
      const list = arrowsById.get(aId[arrow] ?? 0);
      if (list === undefined) arrowsById.set(aId[arrow] ?? 0, [arrow]);
      else list.push(arrow);
    }
  }
  return arrowsById.get(id) ?? [];
}

/** @type {Map<number, number> | null} send event index of each message id, built on first use */
let sendById = null;
/** @param {number} id */
function sendOfMessage(id) {
  if (sendById === null) {
    sendById = new Map();
    for (let arrow = 0; arrow < AN; arrow++) sendById.set(aId[arrow] ?? 0, aSend[arrow] ?? 0);
  }
  return sendById.get(id);
}

/** @type {Map<number, Int32Array> | null} log event indexes of each lane, built on first use */
let logsByLane = null;
/** @param {number} lane */
function logsOf(lane) {
  if (logsByLane === null) {
    /** @type {Map<number, number[]>} */
    const lists = new Map();
    for (let mark = 0; mark < MN; mark++) {
      if (mKind[mark] !== KIND.log) continue;
      const list = lists.get(mLane[mark] ?? 0) ?? [];
      list.push(mEvent[mark] ?? 0);
      lists.set(mLane[mark] ?? 0, list);
    }
    logsByLane = new Map([...lists].map(([key, list]) => [key, Int32Array.from(list)]));
  }
  return logsByLane.get(lane) ?? new Int32Array(0);
}

/** @type {Map<number, ViewOperation>} operations by the event index of their invoke and of their complete */
const operationAt = new Map();
for (const operation of view.operations) {
  operationAt.set(operation.invoke, operation);
  if (operation.complete >= 0) operationAt.set(operation.complete, operation);
}

// ───────────────────────────── state ─────────────────────────────

const state = {
  /** @type {AxisMode} x is virtual time (ms) or event order (index) */
  mode: /** @type {AxisMode} */ ('time'),
  /** x value at the left edge of the plot */
  startX: 0,
  /** pixels per x unit */
  scale: 1,
  /** @type {Set<number>} */
  hiddenLanes: new Set(),
  /** @type {Set<number>} */
  hiddenTypes: new Set(),
  showTimers: true,
  showLogs: true,
  /** selected event index, or -1 */
  selected: -1,
};

/** x position (in axis units) of event `index`; `N` is the end of the run. */
function xOf(/** @type {number} */ index) {
  return state.mode === 'time' ? (T[index] ?? 0) : index;
}
function maxX() {
  return state.mode === 'time' ? Math.max(T[N] ?? 0, 1) : Math.max(N, 1);
}
/** The first index in [0, count) whose x is >= x, for a list sorted by x. */
function lowerBound(/** @type {number} */ count, /** @type {(i: number) => number} */ xAt, /** @type {number} */ x) {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (xAt(middle) < x) low = middle + 1;
    else high = middle;
  }
  return low;
}

// Long arrows (a message in flight to the end of the run, a huge delay) would force every frame to
// scan from the start; they go in a short list of their own, checked every frame.
let shortSpanMax = 0;
/** @type {Uint8Array} */
let isLong = new Uint8Array(AN);
/** @type {Int32Array} */
let longArrows = new Int32Array(0);
function indexSpans() {
  const spans = new Float64Array(AN);
  for (let arrow = 0; arrow < AN; arrow++) spans[arrow] = xOf(aEnd[arrow] ?? 0) - xOf(aSend[arrow] ?? 0);
  const sorted = spans.slice().sort();
  const threshold = sorted[Math.floor(AN * 0.995)] ?? 0;
  isLong = new Uint8Array(AN);
  /** @type {number[]} */
  const long = [];
  shortSpanMax = 0;
  for (let arrow = 0; arrow < AN; arrow++) {
    const span = spans[arrow] ?? 0;
    if (span > threshold) {
      isLong[arrow] = 1;
      long.push(arrow);
    } else shortSpanMax = Math.max(shortSpanMax, span);
  }
  longArrows = Int32Array.from(long);
}

// ───────────────────────────── the event model for stepping and details ─────────────────────────────

/** The lane an event is drawn on (for a message: where its mark sits), or -1 for network-wide events. */
function laneOfEvent(/** @type {TraceEvent} */ event) {
  switch (event.kind) {
    case 'send':
    case 'duplicate':
      return laneIndexOf.get(event.from) ?? -1;
    case 'deliver':
      return laneIndexOf.get(event.to) ?? -1;
    case 'drop':
      return laneIndexOf.get(event.reason === 'node-down' ? event.to : event.from) ?? -1;
    case 'invoke':
    case 'complete':
      return laneIndexOf.get(event.client) ?? -1;
    case 'links':
    case 'network':
      return -1;
    case 'failure':
      return event.node === null ? -1 : laneIndexOf.get(event.node) ?? -1;
    default:
      return laneIndexOf.get(event.node) ?? -1;
  }
}

/** Whether the filters let event `index` be seen (and stepped to). */
function eventShown(/** @type {number} */ index) {
  const event = events[index];
  if (event === undefined) return false;
  switch (event.kind) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return !state.hiddenTypes.has(typeIndexOf.get(event.type) ?? -1) &&
        !state.hiddenLanes.has(laneIndexOf.get(event.from) ?? -1) && !state.hiddenLanes.has(laneIndexOf.get(event.to) ?? -1);
    case 'timer-set':
    case 'timer-fire':
    case 'timer-cancel':
      if (!state.showTimers) return false;
      break;
    case 'log':
      if (!state.showLogs) return false;
      break;
    case 'links':
    case 'network':
      return true;
    default:
      break;
  }
  const lane = laneOfEvent(event);
  return lane < 0 || !state.hiddenLanes.has(lane);
}

/** One line for an event, as the terminal prints it. */
function describe(/** @type {TraceEvent} */ event) {
  switch (event.kind) {
    case 'start':
      return `${event.node} ${event.restart ? 'start (after restart)' : 'start'}`;
    case 'send':
      return `${event.from} → ${event.to} send #${event.id} ${event.type}`;
    case 'deliver':
      return `${event.from} → ${event.to} deliver #${event.id} ${event.type} (sent t=${event.sentAtMs}ms)`;
    case 'drop':
      return `${event.from} → ${event.to} drop #${event.id} ${event.type} (${event.reason})`;
    case 'duplicate':
      return `${event.from} → ${event.to} duplicate #${event.id} ${event.type}`;
    case 'timer-set':
      return `${event.node} timer-set #${event.timer} ${event.type} (due t=${event.dueAtMs}ms)`;
    case 'timer-fire':
      return `${event.node} timer-fire #${event.timer} ${event.type}`;
    case 'timer-cancel':
      return `${event.node} timer-cancel #${event.timer}`;
    case 'crash':
      return `${event.node} CRASH`;
    case 'restart':
      return `${event.node} RESTART`;
    case 'links':
      return `links: ${event.change}`;
    case 'network':
      return `network: drop ${event.dropRate}, duplicate ${event.duplicateRate}, delay ${event.delayMs.min}–${event.delayMs.max} ms`;
    case 'clock':
      return `${event.node} clock: skew ${event.skewMs} ms, drift ${event.driftPpm} ppm`;
    case 'log':
      return `${event.node} log: ${event.text}`;
    case 'invoke':
      return `${event.client} invoke op#${event.op} ${compact(event.input)}`;
    case 'complete':
      return `${event.client} ${event.status} op#${event.op} ${event.output === undefined ? '' : compact(event.output)}`;
    case 'failure':
      return `FAILURE${event.node === null ? '' : ` at ${event.node}`}: ${event.message}`;
  }
}

/** JSON on one line, cut to `max` characters. */
function compact(/** @type {unknown} */ value, max = 120) {
  let text;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** JSON indented for reading, cut at 50,000 characters. */
function pretty(/** @type {unknown} */ value) {
  let text;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 50_000 ? `${text.slice(0, 50_000)}\n… (${text.length - 50_000} more characters)` : text;
}

function formatMs(/** @type {number} */ ms) {
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
  return `${ms.toLocaleString('en-US', { maximumFractionDigits: 3 })} ms`;
}

// ───────────────────────────── the page chrome ─────────────────────────────

const plot = /** @type {HTMLCanvasElement} */ (byId('plot'));
const overview = /** @type {HTMLCanvasElement} */ (byId('overview'));
const tooltip = byId('tooltip');
const detailsPanel = byId('details');

/**
 * Creates an element with text (never HTML).
 * @template {keyof HTMLElementTagNameMap} Tag
 * @param {Tag} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[Tag]}
 */
function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className !== undefined && className !== '') element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function setUpHeader() {
  document.title = view.failure === null ? view.title : `✖ ${view.title}`;
  // With a failure, its message is right below in the banner; the heading names the run instead.
  byId('title').textContent = view.failure === null ? view.title : `Failed run, seed ${trace.seed}`;
  const messages = view.types.reduce((sum, type) => sum + type.count, 0);
  let dropped = 0;
  for (let arrow = 0; arrow < AN; arrow++) if (aFate[arrow] !== 0 && aFate[arrow] !== 4) dropped++;
  const nodes = view.lanes.filter((lane) => lane.kind === 'node').length;
  byId('summary').textContent = [
    `seed ${trace.seed}`,
    `${nodes} node${nodes === 1 ? '' : 's'}, ${view.clientLanes.length} client${view.clientLanes.length === 1 ? '' : 's'}`,
    `${N.toLocaleString('en-US')} events`,
    `${messages.toLocaleString('en-US')} messages (${dropped.toLocaleString('en-US')} dropped)`,
    `0–${formatMs(T[N] ?? 0)} virtual`,
  ].join(' · ');
  if (view.failure !== null) {
    const failure = view.failure;
    const box = byId('failure');
    box.hidden = false;
    box.append(el('div', 'what', failure.message));
    const meta = el('div', 'meta');
    meta.append(el('span', '', `failed at t=${formatMs(failure.atMs)} · seed ${trace.seed}`));
    if (failure.replay !== null) {
      const replay = el('span', '', 'replay ');
      replay.append(el('code', '', failure.replay));
      meta.append(replay);
    }
    const jump = el('button', '', 'Show the failure (f)');
    jump.addEventListener('click', () => goToFailure());
    meta.append(jump);
    box.append(meta);
  }
  const extra = byId('extra');
  if (view.details.length === 0) extra.hidden = true;
  for (const [key, value] of view.details) {
    const details = el('details', 'extra');
    details.append(el('summary', '', key), el('pre', '', value));
    extra.append(details);
  }
}

/**
 * A toggle chip for a filter.
 * @param {HTMLElement} container
 * @param {string} text
 * @param {string} title
 * @param {(on: boolean) => void} onToggle
 * @returns {HTMLButtonElement}
 */
function chip(container, text, title, onToggle) {
  const button = el('button', 'chip');
  button.type = 'button';
  button.title = title;
  button.setAttribute('aria-pressed', 'true');
  button.append(el('span', 'name', text));
  button.addEventListener('click', () => {
    const on = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(on));
    onToggle(on);
    layout();
    requestDraw();
  });
  container.append(button);
  return button;
}

function setUpFilters() {
  const lanes = byId('lane-filters');
  view.lanes.forEach((lane, index) => {
    const button = chip(lanes, lane.id, `Show or hide ${lane.kind} ${lane.id}`, (on) => {
      if (on) state.hiddenLanes.delete(index);
      else state.hiddenLanes.add(index);
    });
    button.dataset['lane'] = lane.id;
    button.classList.add(lane.kind);
    button.prepend(el('span', 'dot'));
  });
  const types = byId('type-filters');
  if (view.types.length === 0) types.hidden = true;
  view.types.forEach((type, index) => {
    const button = chip(types, type.name, `Show or hide ${type.name} messages`, (on) => {
      if (on) state.hiddenTypes.delete(index);
      else state.hiddenTypes.add(index);
    });
    button.dataset['type'] = type.name;
    const swatch = el('span', 'swatch');
    swatch.style.background = colourOfType(index);
    button.prepend(swatch);
    button.append(el('span', 'count', type.count.toLocaleString('en-US')));
  });
  const kinds = byId('kind-filters');
  chip(kinds, 'timers', 'Show or hide timer marks', (on) => void (state.showTimers = on)).dataset['kind'] = 'timers';
  chip(kinds, 'logs', 'Show or hide log marks', (on) => void (state.showLogs = on)).dataset['kind'] = 'logs';
}

function colourOfType(/** @type {number} */ type) {
  return PALETTE[type % PALETTE.length] ?? '#555';
}

// ───────────────────────────── geometry ─────────────────────────────

let cssWidth = 800;
let cssHeight = 400;
/** y of each lane's centre line, or -1 when hidden */
let laneY = new Float64Array(view.lanes.length);
/** y of the top of each history row, or -1 when its client is hidden */
let rowY = new Float64Array(view.clientLanes.length);
let lanesBottom = 0;

function plotWidth() {
  return Math.max(50, cssWidth - GUTTER_W - RIGHT_PAD);
}
function xToPx(/** @type {number} */ x) {
  return GUTTER_W + (x - state.startX) * state.scale;
}
function pxToX(/** @type {number} */ px) {
  return state.startX + (px - GUTTER_W) / state.scale;
}
function visibleRange() {
  return { start: state.startX, end: state.startX + plotWidth() / state.scale };
}

function layout() {
  laneY = new Float64Array(view.lanes.length).fill(-1);
  let y = AXIS_H + STRIP_H;
  view.lanes.forEach((_, index) => {
    if (state.hiddenLanes.has(index)) return;
    laneY[index] = y + LANE_H / 2;
    y += LANE_H;
  });
  lanesBottom = y;
  rowY = new Float64Array(view.clientLanes.length).fill(-1);
  if (view.operations.length > 0) {
    y += OPS_HEADER_H;
    view.clientLanes.forEach((lane, row) => {
      if (state.hiddenLanes.has(lane)) return;
      rowY[row] = y;
      y += OP_ROW_H;
    });
  }
  cssHeight = y + BOTTOM_PAD;
  const stage = byId('stage');
  cssWidth = Math.max(320, stage.clientWidth);
  resizeCanvas(plot, cssWidth, cssHeight);
  resizeCanvas(overview, cssWidth, 38);
  overviewCache = null;
}

function resizeCanvas(/** @type {HTMLCanvasElement} */ canvas, /** @type {number} */ width, /** @type {number} */ height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
}

function clampView() {
  const span = plotWidth() / state.scale;
  const margin = span * 0.25;
  state.startX = Math.min(Math.max(state.startX, -margin), maxX() - span + margin);
}

function fit() {
  state.scale = plotWidth() / (maxX() * 1.02);
  state.startX = -maxX() * 0.01;
}

function zoomAt(/** @type {number} */ factor, /** @type {number} */ px) {
  const anchor = pxToX(px);
  const minScale = plotWidth() / (maxX() * 4);
  const maxScale = state.mode === 'time' ? 400 : 200;
  state.scale = Math.min(maxScale, Math.max(minScale, state.scale * factor));
  state.startX = anchor - (px - GUTTER_W) / state.scale;
  clampView();
  requestDraw();
}

/** Where the buttons and keys zoom around: the selected event, else the failure, when on screen; else the middle. */
function focusPx() {
  const middle = GUTTER_W + plotWidth() / 2;
  const { start, end } = visibleRange();
  const failure = failureX();
  for (const x of [state.selected >= 0 ? xOf(state.selected) : null, failure]) {
    if (x !== null && x >= start && x <= end) return xToPx(x);
  }
  return middle;
}

function panBy(/** @type {number} */ px) {
  state.startX += px / state.scale;
  clampView();
  requestDraw();
}

/** Keeps x in view: centres it when it is outside, or too near an edge. */
function reveal(/** @type {number} */ x) {
  const { start, end } = visibleRange();
  const margin = (end - start) * 0.08;
  if (x < start + margin || x > end - margin) {
    state.startX = x - (end - start) / 2;
    clampView();
  }
}

// ───────────────────────────── drawing ─────────────────────────────

let drawPending = false;
function requestDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(flushDraw);
}

/** Draws now if a frame is pending (the test hook calls it, so that it reads what the state shows). */
function flushDraw() {
  if (!drawPending) return;
  drawPending = false;
  draw();
}

/** What the last frame drew, for hit-testing and the test hook. */
const drawn = {
  arrowCount: 0,
  arrow: new Int32Array(AN),
  ax1: new Float32Array(AN), ay1: new Float32Array(AN), ax2: new Float32Array(AN), ay2: new Float32Array(AN),
  markCount: 0,
  mark: new Int32Array(MN),
  mx: new Float32Array(MN), my: new Float32Array(MN),
  /** @type {Array<{operation: ViewOperation, x: number, y: number, w: number, h: number}>} */
  bars: [],
  /** @type {Array<{interval: ViewInterval, x: number, y: number, w: number, h: number}>} */
  bands: [],
  /** @type {Array<{event: number, x: number, w: number}>} */
  flags: [],
  frames: 0,
  lastFrameMs: 0,
};

/** @type {CanvasRenderingContext2D} */
const ctx = /** @type {CanvasRenderingContext2D} */ (plot.getContext('2d'));

function draw() {
  const began = performance.now();
  const ratio = window.devicePixelRatio || 1;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, cssWidth, cssHeight);
  const range = visibleRange();
  ctx.save();
  ctx.beginPath();
  ctx.rect(GUTTER_W, 0, cssWidth - GUTTER_W, cssHeight);
  ctx.clip();
  drawLaneBackgrounds();
  drawIntervals(range);
  drawGrid(range);
  drawGlobals(range);
  drawArrows(range);
  drawMarks(range);
  drawLaneStatus(range);
  drawFailureLine();
  drawFailureTimes(range);
  drawSelection();
  drawOperations(range);
  ctx.restore();
  drawGutter();
  drawAxis(range);
  drawOverview();
  drawn.frames++;
  drawn.lastFrameMs = performance.now() - began;
}

function drawLaneBackgrounds() {
  view.lanes.forEach((lane, index) => {
    const y = laneY[index] ?? -1;
    if (y < 0) return;
    ctx.fillStyle = lane.kind === 'client' ? '#fbfaf6' : index % 2 === 0 ? '#fafbfc' : '#ffffff';
    ctx.fillRect(GUTTER_W, y - LANE_H / 2, cssWidth, LANE_H);
    ctx.strokeStyle = '#c9d1d9';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(Math.max(GUTTER_W, xToPx(0)), y);
    ctx.lineTo(Math.min(cssWidth, xToPx(xOf(N))), y);
    ctx.stroke();
  });
  if (lanesBottom > AXIS_H + STRIP_H) {
    ctx.strokeStyle = '#eaeef2';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(GUTTER_W, AXIS_H + STRIP_H + 0.5);
    ctx.lineTo(cssWidth, AXIS_H + STRIP_H + 0.5);
    ctx.stroke();
  }
}

/** @type {Map<string, CanvasPattern | null>} */
const patterns = new Map();
function hatch(/** @type {string} */ colour, /** @type {string} */ background) {
  const key = colour + background;
  if (!patterns.has(key)) {
    const tile = document.createElement('canvas');
    tile.width = 8;
    tile.height = 8;
    const tileContext = /** @type {CanvasRenderingContext2D} */ (tile.getContext('2d'));
    tileContext.fillStyle = background;
    tileContext.fillRect(0, 0, 8, 8);
    tileContext.strokeStyle = colour;
    tileContext.lineWidth = 1.2;
    tileContext.beginPath();
    tileContext.moveTo(-2, 10);
    tileContext.lineTo(10, -2);
    tileContext.moveTo(-2, 2);
    tileContext.lineTo(2, -2);
    tileContext.moveTo(6, 10);
    tileContext.lineTo(10, 6);
    tileContext.stroke();
    patterns.set(key, ctx.createPattern(tile, 'repeat'));
  }
  return patterns.get(key) ?? background;
}

function drawIntervals(/** @type {{start: number, end: number}} */ range) {
  drawn.bands = [];
  for (const interval of view.intervals) {
    const y = laneY[interval.lane] ?? -1;
    if (y < 0) continue;
    const x1 = xOf(interval.start);
    const x2 = xOf(interval.end < 0 ? N : interval.end);
    if (x2 < range.start || x1 > range.end) continue;
    const left = Math.max(GUTTER_W - 2, xToPx(x1));
    const right = Math.min(cssWidth + 2, Math.max(xToPx(x2), xToPx(x1) + 3));
    const down = interval.kind === 'down';
    const top = down ? y - LANE_H / 2 + 5 : y - LANE_H / 2 + 2;
    const height = down ? LANE_H - 10 : LANE_H - 4;
    ctx.fillStyle = down ? hatch('rgba(87, 96, 106, 0.35)', 'rgba(87, 96, 106, 0.12)') : hatch('rgba(191, 135, 0, 0.30)', 'rgba(255, 223, 93, 0.16)');
    ctx.fillRect(left, top, right - left, height);
    ctx.strokeStyle = down ? 'rgba(87, 96, 106, 0.55)' : 'rgba(191, 135, 0, 0.6)';
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, right - left - 1, height - 1);
    if (right - left > 40) {
      ctx.fillStyle = down ? '#3d444d' : '#7d5a00';
      ctx.font = '600 10.5px system-ui, sans-serif';
      // Cut links are labelled at the top of the lane, down time at the bottom, so both can show at once.
      ctx.textBaseline = down ? 'bottom' : 'top';
      fillTextClipped(interval.text, Math.max(left, GUTTER_W) + 5, down ? top + height - 1 : top + 1, right - Math.max(left, GUTTER_W) - 10);
    }
    drawn.bands.push({ interval, x: left, y: top, w: right - left, h: height });
  }
}

/**
 * A solid bar along the lane line for down time (grey) and cut links (amber), drawn over the arrows so
 * that it stays visible however dense the trace is.
 */
function drawLaneStatus(/** @type {{start: number, end: number}} */ range) {
  for (const interval of view.intervals) {
    const y = laneY[interval.lane] ?? -1;
    if (y < 0) continue;
    const x1 = xOf(interval.start);
    const x2 = xOf(interval.end < 0 ? N : interval.end);
    if (x2 < range.start || x1 > range.end) continue;
    const left = Math.max(GUTTER_W, xToPx(x1));
    const right = Math.min(cssWidth, Math.max(xToPx(x2), xToPx(x1) + 2));
    ctx.fillStyle = interval.kind === 'down' ? '#57606a' : '#d4a72c';
    ctx.fillRect(left, interval.kind === 'down' ? y - 2 : y + LANE_H / 2 - 5, right - left, interval.kind === 'down' ? 4 : 3);
  }
}

function fillTextClipped(/** @type {string} */ text, /** @type {number} */ x, /** @type {number} */ y, /** @type {number} */ maxWidth) {
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

/** Tick positions for the visible range: 1, 2 or 5 times a power of ten, about 110 px apart. */
function ticks(/** @type {{start: number, end: number}} */ range) {
  const target = (range.end - range.start) / Math.max(2, plotWidth() / 110);
  const power = 10 ** Math.floor(Math.log10(Math.max(target, 1e-9)));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= target) ?? power * 10;
  const finalStep = state.mode === 'order' ? Math.max(1, Math.round(step)) : step;
  /** @type {number[]} */
  const list = [];
  const first = Math.max(0, Math.ceil(range.start / finalStep)) * finalStep;
  const last = Math.min(range.end, maxX());
  for (let x = first; x <= last && list.length < 200; x += finalStep) list.push(x);
  return list;
}

function tickLabel(/** @type {number} */ x) {
  if (state.mode === 'order') return `#${Math.round(x).toLocaleString('en-US')}`;
  return formatMs(Math.round(x * 1000) / 1000);
}

function drawGrid(/** @type {{start: number, end: number}} */ range) {
  ctx.strokeStyle = 'rgba(208, 215, 222, 0.55)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const x of ticks(range)) {
    const px = Math.round(xToPx(x)) + 0.5;
    ctx.moveTo(px, AXIS_H);
    ctx.lineTo(px, cssHeight - BOTTOM_PAD);
  }
  ctx.stroke();
}

function drawGlobals(/** @type {{start: number, end: number}} */ range) {
  drawn.flags = [];
  let labelEnd = -Infinity;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const global of view.globals) {
    const x = xOf(global.event);
    if (x < range.start - 1 || x > range.end + 1) continue;
    if (!eventShown(global.event)) continue;
    const px = Math.round(xToPx(x)) + 0.5;
    const links = events[global.event]?.kind === 'links';
    const colour = links ? '#8250df' : '#6e7781';
    ctx.strokeStyle = colour;
    ctx.setLineDash([3, 3]);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H + 4);
    ctx.lineTo(px, lanesBottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H + 4);
    ctx.lineTo(px + 7, AXIS_H + 8);
    ctx.lineTo(px, AXIS_H + 12);
    ctx.fill();
    const text = global.label;
    const width = Math.min(ctx.measureText(text).width, 260);
    if (px + 10 > labelEnd + 8) {
      fillTextClipped(text, px + 10, AXIS_H + STRIP_H / 2, 260);
      labelEnd = px + 10 + width;
    }
    drawn.flags.push({ event: global.event, x: px, w: Math.max(12, width + 12) });
  }
}

function arrowShown(/** @type {number} */ arrow) {
  return !state.hiddenTypes.has(aType[arrow] ?? 0) && (laneY[aFrom[arrow] ?? 0] ?? -1) >= 0 && (laneY[aTo[arrow] ?? 0] ?? -1) >= 0;
}

/**
 * The screen segment of an arrow. A copy dropped at its send (a cut link, a lost packet) is a short stub
 * towards its receiver: it never travelled.
 */
function arrowGeometry(/** @type {number} */ arrow) {
  const send = aSend[arrow] ?? 0;
  const end = aEnd[arrow] ?? 0;
  const fate = aFate[arrow] ?? 0;
  const x1 = xToPx(xOf(send));
  const y1 = laneY[aFrom[arrow] ?? 0] ?? 0;
  let x2 = xToPx(xOf(end));
  let y2 = laneY[aTo[arrow] ?? 0] ?? 0;
  if ((fate === 1 || fate === 2) && (T[end] ?? 0) === (T[send] ?? 0)) {
    const dy = y2 - y1;
    y2 = y1 + Math.sign(dy || 1) * Math.min(Math.abs(dy) * 0.45, LANE_H * 0.7);
    x2 = Math.max(x2, x1 + 14);
  }
  return { x1, y1, x2, y2 };
}

/** Every arrow in the visible range that the filters let through, in send order. */
function forEachVisibleArrow(/** @type {{start: number, end: number}} */ range, /** @type {(arrow: number) => void} */ visit) {
  const first = lowerBound(AN, (arrow) => xOf(aSend[arrow] ?? 0), range.start - shortSpanMax - 1);
  const pad = 20 / state.scale;
  for (let arrow = first; arrow < AN; arrow++) {
    const x1 = xOf(aSend[arrow] ?? 0);
    if (x1 > range.end + pad) break;
    if (isLong[arrow] === 1 || xOf(aEnd[arrow] ?? 0) < range.start - pad || !arrowShown(arrow)) continue;
    visit(arrow);
  }
  for (const arrow of longArrows) {
    if (xOf(aSend[arrow] ?? 0) > range.end + pad || xOf(aEnd[arrow] ?? 0) < range.start - pad || !arrowShown(arrow)) continue;
    visit(arrow);
  }
}

/** About how many arrows start in the visible range (without the filters), by binary search. */
function estimateVisibleArrows(/** @type {{start: number, end: number}} */ range) {
  return lowerBound(AN, (arrow) => xOf(aSend[arrow] ?? 0), range.end) - lowerBound(AN, (arrow) => xOf(aSend[arrow] ?? 0), range.start);
}

function drawArrows(/** @type {{start: number, end: number}} */ range) {
  drawn.arrowCount = 0;
  // Zoomed out, many arrows land on the same pixels: draw each (lanes, type, fate, pixels) once.
  // Past a few thousand arrows, snap their ends to a coarser grid: the picture is the same, with far
  // fewer lines for the (often software) rasteriser.
  const seen = new Set();
  const lanes = view.lanes.length;
  const grid = estimateVisibleArrows(range) > 4000 ? 3 : 1;
  forEachVisibleArrow(range, (arrow) => {
    const geometry = arrowGeometry(arrow);
    const x1 = Math.round(geometry.x1 / grid) * grid;
    const x2 = Math.round(geometry.x2 / grid) * grid;
    const { y1, y2 } = geometry;
    const key = ((((Math.round(x1) * 8192 + Math.round(x2 - x1) + 4096) * lanes + (aFrom[arrow] ?? 0)) * lanes + (aTo[arrow] ?? 0)) * 8 + (aFate[arrow] ?? 0)) * 64 + ((aType[arrow] ?? 0) % 64);
    if (seen.has(key)) return;
    seen.add(key);
    const slot = drawn.arrowCount++;
    drawn.arrow[slot] = arrow;
    drawn.ax1[slot] = x1;
    drawn.ay1[slot] = y1;
    drawn.ax2[slot] = x2;
    drawn.ay2[slot] = y2;
  });
  const count = drawn.arrowCount;
  const detailed = count <= DETAIL_LIMIT;
  ctx.lineCap = detailed ? 'round' : 'butt';
  // Fainter as they crowd: a dense stretch reads as a darker shade instead of a solid wall.
  ctx.globalAlpha = detailed ? 0.9 : Math.max(0.12, Math.min(0.6, 1500 / count));
  for (let type = 0; type < view.types.length; type++) {
    if (state.hiddenTypes.has(type)) continue;
    ctx.strokeStyle = colourOfType(type);
    for (const dashed of [false, true]) {
      ctx.lineWidth = detailed ? 1.4 : 1;
      ctx.setLineDash(dashed ? [4, 3] : []);
      ctx.beginPath();
      let any = false;
      for (let slot = 0; slot < count; slot++) {
        const arrow = drawn.arrow[slot] ?? 0;
        if (aType[arrow] !== type || (aFate[arrow] !== 0) !== dashed) continue;
        any = true;
        traceArrow(slot, detailed && aFate[arrow] === 0);
      }
      if (any) ctx.stroke();
    }
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  drawArrowEnds(count, detailed);
  if (detailed) drawArrowLabels(count);
  // The failure's evidence, on top of everything else.
  ctx.strokeStyle = BAD;
  ctx.lineWidth = 2.6;
  ctx.beginPath();
  let anyHighlighted = false;
  for (let slot = 0; slot < count; slot++) {
    if (!highlightMessages.has(aId[drawn.arrow[slot] ?? 0] ?? -1)) continue;
    anyHighlighted = true;
    traceArrow(slot, true);
  }
  if (anyHighlighted) ctx.stroke();
}

/** Adds the arrow drawn in `slot` (and, when `head`, its arrowhead) to the current path. */
function traceArrow(/** @type {number} */ slot, /** @type {boolean} */ head) {
  traceSegment(drawn.ax1[slot] ?? 0, drawn.ay1[slot] ?? 0, drawn.ax2[slot] ?? 0, drawn.ay2[slot] ?? 0, head);
}

/** Adds an arrow from (x1, y1) to (x2, y2) to the current path. */
function traceSegment(
  /** @type {number} */ x1, /** @type {number} */ y1, /** @type {number} */ x2, /** @type {number} */ y2, /** @type {boolean} */ head,
) {
  ctx.moveTo(x1, y1);
  if (y1 === y2) {
    // A message to itself: a little arc above the lane.
    ctx.quadraticCurveTo((x1 + x2) / 2, y1 - 16, Math.max(x2, x1 + 6), y2);
    return;
  }
  ctx.lineTo(x2, y2);
  const length = Math.hypot(x2 - x1, y2 - y1);
  if (!head || length < 14) return;
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const size = 7;
  ctx.moveTo(x2 - size * Math.cos(angle - 0.42), y2 - size * Math.sin(angle - 0.42));
  ctx.lineTo(x2, y2);
  ctx.lineTo(x2 - size * Math.cos(angle + 0.42), y2 - size * Math.sin(angle + 0.42));
}

/** Crosses where copies were dropped, rings where they were duplicated, dots where still in flight. */
function drawArrowEnds(/** @type {number} */ count, /** @type {boolean} */ detailed) {
  ctx.strokeStyle = BAD;
  ctx.lineWidth = detailed ? 2 : 1.5;
  ctx.beginPath();
  const size = detailed ? 4 : 3;
  for (let slot = 0; slot < count; slot++) {
    const fate = aFate[drawn.arrow[slot] ?? 0] ?? 0;
    if (fate === 0 || fate === 4) continue;
    const x = drawn.ax2[slot] ?? 0;
    const y = drawn.ay2[slot] ?? 0;
    ctx.moveTo(x - size, y - size);
    ctx.lineTo(x + size, y + size);
    ctx.moveTo(x + size, y - size);
    ctx.lineTo(x - size, y + size);
  }
  ctx.stroke();
  if (!detailed) return;
  ctx.fillStyle = '#8c959f';
  for (let slot = 0; slot < count; slot++) {
    if (aFate[drawn.arrow[slot] ?? 0] !== 4) continue;
    ctx.beginPath();
    ctx.arc(drawn.ax2[slot] ?? 0, drawn.ay2[slot] ?? 0, 2.5, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** Message types written along arrows that have room for them. */
function drawArrowLabels(/** @type {number} */ count) {
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  /** @type {Array<[number, number, number, number]>} */
  const placed = [];
  for (let slot = 0; slot < count && placed.length < 400; slot++) {
    const arrow = drawn.arrow[slot] ?? 0;
    const x1 = drawn.ax1[slot] ?? 0;
    const y1 = drawn.ay1[slot] ?? 0;
    const x2 = drawn.ax2[slot] ?? 0;
    const y2 = drawn.ay2[slot] ?? 0;
    const name = view.types[aType[arrow] ?? 0]?.name ?? '';
    const text = aDup[arrow] === 1 ? `${name} ×2` : name;
    const width = ctx.measureText(text).width;
    if (x2 - x1 < width + 16 || Math.abs(y2 - y1) < 20) continue;
    const x = (x1 + x2) / 2 - width / 2;
    const y = (y1 + y2) / 2;
    if (placed.some(([px, py, pw]) => Math.abs(py - y) < 12 && x < px + pw + 4 && px < x + width + 4)) continue;
    placed.push([x, y, width, 0]);
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(x - 2, y - 7, width + 4, 14);
    ctx.fillStyle = colourOfType(aType[arrow] ?? 0);
    ctx.fillText(text, x, y);
  }
}

function markShown(/** @type {number} */ mark) {
  const kind = mKind[mark] ?? 0;
  if (!state.showTimers && TIMER_KINDS.has(kind)) return false;
  if (!state.showLogs && kind === KIND.log) return false;
  return (laneY[mLane[mark] ?? 0] ?? -1) >= 0;
}

function drawMarks(/** @type {{start: number, end: number}} */ range) {
  drawn.markCount = 0;
  const pad = 10 / state.scale;
  const first = lowerBound(MN, (mark) => xOf(mEvent[mark] ?? 0), range.start - pad);
  const kinds = view.markKinds.length;
  const lastPx = new Float64Array(view.lanes.length * kinds).fill(-1e9);
  /** @type {number[][]} positions per kind: x, y pairs */
  const byKind = view.markKinds.map(() => []);
  for (let mark = first; mark < MN; mark++) {
    const x = xOf(mEvent[mark] ?? 0);
    if (x > range.end + pad) break;
    if (!markShown(mark)) continue;
    const lane = mLane[mark] ?? 0;
    const kind = mKind[mark] ?? 0;
    const px = xToPx(x);
    // Marks closer than a glyph's width look like one: draw one (the rest stay reachable by stepping).
    const key = lane * kinds + kind;
    if (Math.abs(px - (lastPx[key] ?? -1e9)) < (MARK_SPACING_PX[view.markKinds[kind] ?? ''] ?? 1)) continue;
    lastPx[key] = px;
    const y = laneY[lane] ?? 0;
    const slot = drawn.markCount++;
    drawn.mark[slot] = mark;
    drawn.mx[slot] = px;
    drawn.my[slot] = y + (MARK_OFFSET_Y[view.markKinds[kind] ?? ''] ?? 0);
    byKind[kind]?.push(px, y);
  }
  byKind.forEach((positions, kind) => drawGlyphs(kind, positions));
  // Highlighted events: a red ring.
  ctx.strokeStyle = BAD;
  ctx.lineWidth = 2;
  for (const event of highlightEvents) {
    const point = eventPoint(event);
    if (point === null) continue;
    ctx.beginPath();
    ctx.arc(point.x, point.y, 9, 0, Math.PI * 2);
    ctx.stroke();
  }
}

/** Draws every mark of one kind in a single path. */
function drawGlyphs(/** @type {number} */ kind, /** @type {number[]} */ positions) {
  if (positions.length === 0) return;
  ctx.setLineDash([]);
  ctx.beginPath();
  const each = (/** @type {(x: number, y: number) => void} */ shape) => {
    for (let index = 0; index < positions.length; index += 2) shape(positions[index] ?? 0, positions[index + 1] ?? 0);
  };
  switch (kind) {
    case KIND.start:
    case KIND.restart:
      each((x, y) => {
        ctx.moveTo(x, y - 6);
        ctx.lineTo(x + 7, y);
        ctx.lineTo(x, y + 6);
        ctx.closePath();
      });
      ctx.fillStyle = kind === KIND.start ? '#2da44e' : '#1a7f37';
      ctx.fill();
      return;
    case KIND.crash:
      each((x, y) => {
        ctx.moveTo(x - 6, y - 6);
        ctx.lineTo(x + 6, y + 6);
        ctx.moveTo(x + 6, y - 6);
        ctx.lineTo(x - 6, y + 6);
      });
      ctx.strokeStyle = '#24292f';
      ctx.lineWidth = 3;
      ctx.stroke();
      return;
    case KIND.timerSet:
      each((x, y) => {
        ctx.moveTo(x, y - 9);
        ctx.lineTo(x, y - 4);
      });
      ctx.strokeStyle = 'rgba(176, 136, 0, 0.55)';
      ctx.lineWidth = 1;
      ctx.stroke();
      return;
    case KIND.timerFire:
      each((x, y) => {
        ctx.moveTo(x + 3, y - 9);
        ctx.arc(x, y - 9, 3, 0, Math.PI * 2);
      });
      ctx.fillStyle = '#fff8c5';
      ctx.fill();
      ctx.strokeStyle = 'rgba(191, 135, 0, 0.8)';
      ctx.lineWidth = 1.1;
      ctx.stroke();
      return;
    case KIND.timerCancel:
      each((x, y) => {
        ctx.moveTo(x - 2.5, y - 11.5);
        ctx.lineTo(x + 2.5, y - 6.5);
        ctx.moveTo(x + 2.5, y - 11.5);
        ctx.lineTo(x - 2.5, y - 6.5);
      });
      ctx.strokeStyle = '#8c959f';
      ctx.lineWidth = 1.2;
      ctx.stroke();
      return;
    case KIND.log:
      each((x, y) => ctx.rect(x - 2.5, y + 5, 5, 5));
      ctx.fillStyle = '#0969da';
      ctx.fill();
      return;
    case KIND.invoke:
    case KIND.complete:
      each((x, y) => {
        const d = kind === KIND.invoke ? 4 : -4;
        ctx.moveTo(x + d, y - 8);
        ctx.lineTo(x, y - 8);
        ctx.lineTo(x, y + 8);
        ctx.lineTo(x + d, y + 8);
      });
      ctx.strokeStyle = '#24292f';
      ctx.lineWidth = 1.6;
      ctx.stroke();
      return;
    case KIND.duplicate:
      each((x, y) => {
        ctx.moveTo(x + 5, y);
        ctx.arc(x, y, 5, 0, Math.PI * 2);
      });
      ctx.strokeStyle = '#e07b1a';
      ctx.lineWidth = 1.6;
      ctx.stroke();
      return;
    case KIND.clock:
      each((x, y) => {
        ctx.moveTo(x + 5, y);
        ctx.arc(x, y, 5, 0, Math.PI * 2);
        ctx.moveTo(x, y);
        ctx.lineTo(x, y - 3.5);
        ctx.moveTo(x, y);
        ctx.lineTo(x + 2.5, y);
      });
      ctx.strokeStyle = '#57606a';
      ctx.lineWidth = 1.2;
      ctx.stroke();
      return;
    case KIND.failure:
      each((x, y) => {
        ctx.moveTo(x + 8, y);
        ctx.arc(x, y, 8, 0, Math.PI * 2);
      });
      ctx.fillStyle = BAD;
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.font = 'bold 11px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'center';
      each((x, y) => ctx.fillText('!', x, y + 0.5));
      ctx.textAlign = 'left';
      return;
    default:
      return;
  }
}

/** x of the failure, in axis units, or null. */
function failureX() {
  const failure = view.failure;
  if (failure === null) return null;
  if (state.mode === 'time') return failure.atMs;
  if (failure.event >= 0) return failure.event;
  return lowerBound(N, (index) => T[index] ?? 0, failure.atMs + 1e-9);
}

function drawFailureLine() {
  const x = failureX();
  if (x === null) return;
  const px = Math.round(xToPx(x)) + 0.5;
  ctx.strokeStyle = BAD;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([6, 3]);
  ctx.beginPath();
  ctx.moveTo(px, AXIS_H);
  ctx.lineTo(px, cssHeight - BOTTOM_PAD);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = 'bold 11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const label = '✖ failure';
  const width = ctx.measureText(label).width;
  ctx.fillStyle = BAD;
  const left = px + width + 10 > cssWidth ? px - width - 9 : px + 1;
  ctx.fillRect(left, AXIS_H + 2, width + 8, 16);
  ctx.fillStyle = '#fff';
  ctx.fillText(label, left + 4, AXIS_H + 10);
}

/** x of a virtual time, in axis units: in order mode, the first event at or after it. */
function xOfTime(/** @type {number} */ ms) {
  return state.mode === 'time' ? ms : lowerBound(N, (index) => T[index] ?? 0, ms);
}

/** The times the failure's message names, as red ticks on the axis and faint lines down the lanes. */
function drawFailureTimes(/** @type {{start: number, end: number}} */ range) {
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const ms of view.highlightTimesMs) {
    const x = xOfTime(ms);
    if (x < range.start || x > range.end) continue;
    const px = Math.round(xToPx(x)) + 0.5;
    ctx.strokeStyle = 'rgba(207, 34, 46, 0.45)';
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H + STRIP_H);
    ctx.lineTo(px, cssHeight - BOTTOM_PAD);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = BAD;
    ctx.beginPath();
    ctx.moveTo(px - 5, AXIS_H + STRIP_H - 8);
    ctx.lineTo(px + 5, AXIS_H + STRIP_H - 8);
    ctx.lineTo(px, AXIS_H + STRIP_H - 1);
    ctx.fill();
    ctx.fillText(`t=${ms}`, px + 6, AXIS_H + STRIP_H - 6);
  }
}

/** Where an event sits on screen, or null when it is off its lanes. */
function eventPoint(/** @type {number} */ index) {
  const event = events[index];
  if (event === undefined) return null;
  const x = xToPx(xOf(index));
  if (event.kind === 'links' || event.kind === 'network') return { x, y: AXIS_H + 8 };
  const lane = laneOfEvent(event);
  if (lane < 0) return { x, y: AXIS_H + 8 };
  const y = laneY[lane] ?? -1;
  if (y < 0) return null;
  if (event.kind === 'drop' && event.reason !== 'node-down') {
    const arrow = arrowsOfMessage(event.id).find((candidate) => aEnd[candidate] === index);
    if (arrow !== undefined) {
      const geometry = arrowGeometry(arrow);
      return { x: geometry.x2, y: geometry.y2 };
    }
  }
  return { x, y };
}

function selectedMessage() {
  const event = events[state.selected];
  if (event === undefined) return null;
  return event.kind === 'send' || event.kind === 'deliver' || event.kind === 'drop' || event.kind === 'duplicate' ? event.id : null;
}

function drawSelection() {
  if (state.selected < 0) return;
  const message = selectedMessage();
  if (message !== null) {
    ctx.strokeStyle = '#0b1f3a';
    ctx.lineWidth = 2.4;
    ctx.beginPath();
    for (const arrow of arrowsOfMessage(message)) {
      if (!arrowShown(arrow)) continue;
      const { x1, y1, x2, y2 } = arrowGeometry(arrow);
      traceSegment(x1, y1, x2, y2, true);
    }
    ctx.stroke();
  }
  const point = eventPoint(state.selected);
  const px = Math.round(xToPx(xOf(state.selected))) + 0.5;
  ctx.strokeStyle = 'rgba(9, 105, 218, 0.45)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(px, AXIS_H);
  ctx.lineTo(px, cssHeight - BOTTOM_PAD);
  ctx.stroke();
  if (point === null) return;
  ctx.strokeStyle = '#0969da';
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.arc(point.x, point.y, 10, 0, Math.PI * 2);
  ctx.stroke();
}

function drawOperations(/** @type {{start: number, end: number}} */ range) {
  drawn.bars = [];
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
  const selectedOperation = operationAt.get(state.selected);
  for (const operation of view.operations) {
    const top = rowY[operation.row] ?? -1;
    if (top < 0) continue;
    const x1 = xOf(operation.invoke);
    const x2 = xOf(operation.complete < 0 ? N : operation.complete);
    if (x2 < range.start || x1 > range.end) continue;
    const left = xToPx(x1);
    const width = Math.max(3, xToPx(x2) - left);
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
      fillTextClipped(`op#${operation.op} ${operation.label}`, visibleLeft + 4, y + height / 2 + 0.5, room);
    }
    drawn.bars.push({ operation, x: left, y, w: width, h: height });
  }
}

function barStyle(/** @type {ViewOperation} */ operation) {
  if (operation.highlighted) return { fill: '#ffd8d3', stroke: BAD, text: '#82071e' };
  if (operation.status === 'ok') return { fill: '#dbeafe', stroke: '#4a86e8', text: '#0b3a82' };
  if (operation.status === 'fail') return { fill: '#eef0f2', stroke: '#8c959f', text: '#57606a' };
  return { fill: '#fff5d1', stroke: '#d4a72c', text: '#6b4c00' };
}

function drawGutter() {
  ctx.fillStyle = '#f6f8fa';
  ctx.fillRect(0, 0, GUTTER_W, cssHeight);
  ctx.strokeStyle = '#d0d7de';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(GUTTER_W - 0.5, 0);
  ctx.lineTo(GUTTER_W - 0.5, cssHeight);
  ctx.stroke();
  ctx.textBaseline = 'middle';
  view.lanes.forEach((lane, index) => {
    const y = laneY[index] ?? -1;
    if (y < 0) return;
    ctx.fillStyle = lane.kind === 'client' ? '#8a6a4f' : '#57606a';
    ctx.beginPath();
    if (lane.kind === 'client') ctx.rect(12, y - 4, 8, 8);
    else ctx.arc(16, y, 4.5, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#1f2328';
    ctx.font = '600 13px system-ui, sans-serif';
    fillTextClipped(lane.id, 27, y - 1, GUTTER_W - 32);
    ctx.fillStyle = '#8c959f';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText(lane.kind, 27, y + 12);
  });
  if (view.operations.length > 0) {
    ctx.fillStyle = '#57606a';
    ctx.font = '600 10.5px system-ui, sans-serif';
    ctx.fillText('OPERATIONS', 12, lanesBottom + OPS_HEADER_H / 2 + 1);
    view.clientLanes.forEach((lane, row) => {
      const top = rowY[row] ?? -1;
      if (top < 0) return;
      ctx.fillStyle = '#1f2328';
      ctx.font = '12px system-ui, sans-serif';
      fillTextClipped(laneIds[lane] ?? '', 27, top + OP_ROW_H / 2, GUTTER_W - 32);
    });
  }
  ctx.fillStyle = '#8c959f';
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillText(state.mode === 'time' ? 'virtual time' : 'event order', 10, AXIS_H / 2);
}

function drawAxis(/** @type {{start: number, end: number}} */ range) {
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(GUTTER_W, 0, cssWidth - GUTTER_W, AXIS_H);
  ctx.strokeStyle = '#d0d7de';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(GUTTER_W, AXIS_H - 0.5);
  ctx.lineTo(cssWidth, AXIS_H - 0.5);
  ctx.stroke();
  ctx.fillStyle = '#57606a';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const x of ticks(range)) {
    const px = Math.round(xToPx(x)) + 0.5;
    if (px < GUTTER_W) continue;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H - 5);
    ctx.lineTo(px, AXIS_H);
    ctx.stroke();
    ctx.fillText(tickLabel(x), px + 3, AXIS_H / 2);
  }
}

// The overview: event density over the whole run, the failure, and the window being shown.
/** @type {{ width: number, mode: AxisMode, counts: Float64Array, max: number } | null} */
let overviewCache = null;
/** @type {CanvasRenderingContext2D} */
const overviewContext = /** @type {CanvasRenderingContext2D} */ (overview.getContext('2d'));

function overviewXToPx(/** @type {number} */ x) {
  return GUTTER_W + (x / maxX()) * plotWidth();
}

function drawOverview() {
  const context = overviewContext;
  const ratio = window.devicePixelRatio || 1;
  const height = 38;
  const width = plotWidth();
  if (overviewCache === null || overviewCache.width !== width || overviewCache.mode !== state.mode) {
    const counts = new Float64Array(Math.ceil(width) + 1);
    for (let index = 0; index < N; index++) {
      const column = Math.floor((xOf(index) / maxX()) * width);
      const slot = Math.min(counts.length - 1, Math.max(0, column));
      counts[slot] = (counts[slot] ?? 0) + 1;
    }
    overviewCache = { width, mode: state.mode, counts, max: counts.reduce((a, b) => Math.max(a, b), 1) };
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, cssWidth, height);
  context.fillStyle = '#f6f8fa';
  context.fillRect(0, 0, cssWidth, height);
  context.fillStyle = '#8c959f';
  context.font = '10px system-ui, sans-serif';
  context.textBaseline = 'middle';
  context.fillText('whole run', 10, height / 2);
  context.fillStyle = '#afb8c1';
  const { counts, max } = overviewCache;
  for (let column = 0; column < counts.length; column++) {
    const value = counts[column] ?? 0;
    if (value === 0) continue;
    const bar = Math.max(1, (Math.sqrt(value) / Math.sqrt(max)) * (height - 8));
    context.fillRect(GUTTER_W + column, height - 2 - bar, 1, bar);
  }
  const failure = failureX();
  if (failure !== null) {
    context.fillStyle = BAD;
    context.fillRect(overviewXToPx(failure) - 1, 0, 2, height);
  }
  const range = visibleRange();
  const left = overviewXToPx(Math.max(0, range.start));
  const right = overviewXToPx(Math.min(maxX(), range.end));
  context.fillStyle = 'rgba(9, 105, 218, 0.12)';
  context.fillRect(left, 1, Math.max(2, right - left), height - 2);
  context.strokeStyle = '#0969da';
  context.lineWidth = 1.5;
  context.strokeRect(left, 1, Math.max(2, right - left), height - 2);
}

// ───────────────────────────── picking ─────────────────────────────

/**
 * What is under the pointer: the nearest mark or arrow within a few pixels, else an operation bar,
 * a shaded stretch or a network flag.
 * @param {number} x
 * @param {number} y
 * @returns {{ event: number, arrow?: number } | null}
 */
function pick(x, y) {
  let best = null;
  let bestDistance = 7;
  for (let slot = 0; slot < drawn.markCount; slot++) {
    const distance = Math.hypot((drawn.mx[slot] ?? 0) - x, (drawn.my[slot] ?? 0) - y) - 1.5;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = { event: mEvent[drawn.mark[slot] ?? 0] ?? 0 };
    }
  }
  for (let slot = 0; slot < drawn.arrowCount; slot++) {
    const distance = distanceToSegment(x, y, drawn.ax1[slot] ?? 0, drawn.ay1[slot] ?? 0, drawn.ax2[slot] ?? 0, drawn.ay2[slot] ?? 0);
    if (distance < bestDistance) {
      bestDistance = distance;
      const arrow = drawn.arrow[slot] ?? 0;
      best = { event: aEnd[arrow] === N ? aSend[arrow] ?? 0 : aEnd[arrow] ?? 0, arrow };
    }
  }
  if (best !== null) return best;
  for (const bar of drawn.bars) {
    if (x >= bar.x && x <= bar.x + bar.w && y >= bar.y - 2 && y <= bar.y + bar.h + 2) return { event: bar.operation.invoke };
  }
  if (y > AXIS_H && y < AXIS_H + STRIP_H) {
    for (const flag of drawn.flags) if (x >= flag.x - 4 && x <= flag.x + flag.w) return { event: flag.event };
  }
  for (const band of drawn.bands) {
    if (x >= band.x && x <= band.x + band.w && y >= band.y && y <= band.y + band.h) return { event: band.interval.start };
  }
  return null;
}

function distanceToSegment(
  /** @type {number} */ px, /** @type {number} */ py, /** @type {number} */ x1, /** @type {number} */ y1, /** @type {number} */ x2, /** @type {number} */ y2,
) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const lengthSquared = dx * dx + dy * dy;
  const along = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / lengthSquared));
  return Math.hypot(px - (x1 + along * dx), py - (y1 + along * dy));
}

// ───────────────────────────── selection and the details panel ─────────────────────────────

function select(/** @type {number} */ index, { scroll = true } = {}) {
  if (index < 0 || index >= N) return;
  state.selected = index;
  if (scroll) reveal(xOf(index));
  renderDetails();
  requestDraw();
}

function step(/** @type {number} */ direction) {
  let index = state.selected < 0 ? (direction > 0 ? -1 : N) : state.selected;
  for (;;) {
    index += direction;
    if (index < 0 || index >= N) return;
    if (eventShown(index)) break;
  }
  select(index);
}

/**
 * Selects the failure (or, when a test's assertion failed, the last event before it) and shows the
 * stretch that led to it: from the times its message names, or else the 60 events before it.
 */
function goToFailure() {
  const failure = view.failure;
  if (failure === null || N === 0) return;
  const index = failure.event >= 0 ? failure.event : Math.max(0, lowerBound(N, (i) => T[i] ?? 0, failure.atMs + 1e-9) - 1);
  const x = failureX() ?? xOf(index);
  // From the times the message names (or else the 60 events before it) up to the failure.
  const left = Math.min(xOf(Math.max(0, index - 60)), ...view.highlightTimesMs.map(xOfTime));
  const span = Math.min(maxX() * 1.02, Math.max(x - left, 20) * 1.25);
  state.scale = plotWidth() / span;
  state.startX = left - (span - (x - left)) / 2;
  clampView();
  select(index, { scroll: false });
}

/**
 * A clickable line for an event in the details panel.
 * @param {number} index
 * @param {string} [extraClass]
 */
function eventRow(index, extraClass = '') {
  const event = /** @type {TraceEvent} */ (events[index]);
  const row = el('button', `row ${extraClass}`);
  row.type = 'button';
  row.append(el('span', 't', `t=${event.t}ms`), el('span', 'text', describe(event)));
  row.addEventListener('click', () => select(index));
  return row;
}

function renderDetails() {
  detailsPanel.replaceChildren();
  const index = state.selected;
  const event = events[index];
  if (event === undefined) return renderIntro();
  const heading = el('h2', '', `Event ${(index + 1).toLocaleString('en-US')} of ${N.toLocaleString('en-US')}`);
  const title = el('div', 'event-title', describe(event));
  title.id = 'event-title';
  if (highlightEvents.has(index) || event.kind === 'failure') title.append(el('span', 'badge bad', 'failure'));
  const meta = el('div', 'event-meta', `t=${formatMs(event.t)} (virtual)`);
  detailsPanel.append(heading, title, meta);
  const payload = el('pre', 'payload');
  payload.id = 'payload';
  let payloadText = null;
  let laneForLogs = laneOfEvent(event);
  switch (event.kind) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'duplicate': {
      const send = sendOfMessage(event.id);
      const sent = send === undefined ? undefined : events[send];
      payloadText = sent !== undefined && sent.kind === 'send' ? pretty(sent.message) : '(the send is not in this trace)';
      if (sent !== undefined && sent.kind === 'send') meta.textContent += ` · ${sent.bytes} bytes`;
      if (highlightMessages.has(event.id)) title.append(el('span', 'badge bad', 'evidence'));
      laneForLogs = laneIndexOf.get(event.kind === 'deliver' ? event.to : event.from) ?? -1;
      detailsPanel.append(messageStory(event.id, index));
      break;
    }
    case 'invoke':
    case 'complete': {
      const operation = operationAt.get(index);
      if (operation !== undefined) detailsPanel.append(operationStory(operation));
      payloadText = pretty(event.kind === 'invoke' ? event.input : event.output);
      break;
    }
    case 'log':
      payloadText = event.text;
      break;
    case 'failure':
      payloadText = event.message;
      break;
    case 'timer-set':
    case 'timer-fire':
      payloadText = `timer #${event.timer} ${event.type}`;
      break;
    case 'links':
      payloadText = event.cut.length === 0 ? 'no links cut' : `cut links:\n${event.cut.map(([from, to]) => `  ${from} ↛ ${to}`).join('\n')}`;
      break;
    default:
      payloadText = pretty(event);
  }
  const intervals = view.intervals.filter((interval) => interval.start === index);
  for (const interval of intervals) detailsPanel.append(el('div', 'event-meta', interval.label));
  detailsPanel.append(el('h2', '', event.kind === 'invoke' ? 'Input' : event.kind === 'complete' ? 'Output' : event.kind === 'log' || event.kind === 'failure' ? 'Text' : 'Payload'));
  payload.textContent = payloadText;
  detailsPanel.append(payload);
  if (laneForLogs >= 0) detailsPanel.append(logAround(laneForLogs, index));
  detailsPanel.append(nearbyEvents(index));
}

function renderIntro() {
  const intro = el('div', 'intro');
  intro.append(el('h2', '', 'Details'));
  intro.append(el('p', '', 'Click an arrow, a mark or an operation to see its payload and the node’s log around it.'));
  intro.append(el('p', '', 'Step through the events with → and ← (or j and k); only events that pass the filters are visited.'));
  if (view.failure !== null) intro.append(el('p', '', 'Press f to jump to the failure.'));
  if (view.highlightTimesMs.length > 0) {
    const times = view.highlightTimesMs.map((ms) => `t=${ms} ms`).join(', ');
    intro.append(el('p', '', `The failure names ${times}: they are marked in red on the time axis.`));
  }
  detailsPanel.append(intro);
}

/** Every copy of message `id`: sent, duplicated, delivered, dropped. */
function messageStory(/** @type {number} */ id, /** @type {number} */ current) {
  const section = el('div');
  const arrows = arrowsOfMessage(id);
  const send = sendOfMessage(id);
  if (send === undefined || events[send]?.kind !== 'send') return section;
  const sendIndex = send;
  const fates = arrows.map((arrow) => FATE_WORDS[aFate[arrow] ?? 0] ?? '');
  section.append(el('h2', '', `Message #${id}: ${fates.join(', ')}`));
  const rows = el('div', 'rows');
  /** @type {number[]} */
  const indexes = [sendIndex];
  for (const arrow of arrows) if ((aEnd[arrow] ?? N) < N) indexes.push(aEnd[arrow] ?? 0);
  // The network duplicates a message as it sends it: the duplicate event follows the send at the same time.
  for (let index = sendIndex + 1; index < N && T[index] === T[sendIndex]; index++) {
    const event = events[index];
    if (event?.kind === 'duplicate' && event.id === id) indexes.push(index);
  }
  for (const index of [...new Set(indexes)].sort((a, b) => a - b)) {
    const event = /** @type {TraceEvent} */ (events[index]);
    rows.append(eventRow(index, `${index === current ? 'current' : ''} ${event.kind === 'drop' ? 'bad' : ''}`));
  }
  section.append(rows);
  return section;
}

function operationStory(/** @type {ViewOperation} */ operation) {
  const section = el('div');
  const invoke = events[operation.invoke];
  const complete = operation.complete >= 0 ? events[operation.complete] : undefined;
  const heading = el('h2', '', `Operation op#${operation.op}: ${operation.status}`);
  section.append(heading);
  if (operation.highlighted) {
    section.append(el('div', 'event-meta', 'A checker could not place this operation in any order consistent with the others.'));
    heading.append(el('span', 'badge bad', 'not placeable'));
  }
  const callMs = invoke?.t ?? 0;
  const timing = complete === undefined
    ? `called at t=${callMs} ms; no answer by the end of the run`
    : operation.status === 'indeterminate'
      ? `called at t=${callMs} ms; the client gave up at t=${complete.t} ms (${complete.t - callMs} ms) not knowing whether it took effect`
      : `called at t=${callMs} ms, answered at t=${complete.t} ms (${complete.t - callMs} ms)`;
  section.append(el('div', 'event-meta', timing));
  return section;
}

/** The lane's log lines around event `index`, with a marker where the event falls. */
function logAround(/** @type {number} */ lane, /** @type {number} */ index) {
  const section = el('div');
  section.id = 'log-around';
  section.append(el('h2', '', `${laneIds[lane] ?? ''}’s log around it`));
  const logs = logsOf(lane);
  const position = lowerBound(logs.length, (i) => logs[i] ?? 0, index);
  const from = Math.max(0, position - 5);
  const to = Math.min(logs.length, position + 5 + (logs[position] === index ? 1 : 0));
  const rows = el('div', 'rows');
  if (logs.length === 0) {
    rows.append(el('div', 'empty', 'This node wrote no log lines.'));
    section.append(rows);
    return section;
  }
  for (let at = from; at <= to; at++) {
    if (at === position && logs[at] !== index) {
      const here = el('div', 'row here');
      here.append(el('span', 't', `t=${events[index]?.t ?? 0}ms`), el('span', 'text', '◀ this event'));
      rows.append(here);
    }
    if (at >= to) break;
    const logIndex = logs[at] ?? 0;
    const event = /** @type {TraceEvent} */ (events[logIndex]);
    const row = eventRow(logIndex, logIndex === index ? 'current' : '');
    const text = row.querySelector('.text');
    if (text !== null && event.kind === 'log') text.textContent = event.text;
    rows.append(row);
  }
  section.append(rows);
  return section;
}

/** The events just before and after, as the stepper would visit them. */
function nearbyEvents(/** @type {number} */ index) {
  const section = el('div');
  section.append(el('h2', '', 'Around it (step with ← →)'));
  /** @type {number[]} */
  const before = [];
  for (let at = index - 1, scanned = 0; at >= 0 && before.length < 3 && scanned < 20_000; at--, scanned++) if (eventShown(at)) before.unshift(at);
  /** @type {number[]} */
  const after = [];
  for (let at = index + 1, scanned = 0; at < N && after.length < 3 && scanned < 20_000; at++, scanned++) if (eventShown(at)) after.push(at);
  const rows = el('div', 'rows');
  for (const at of [...before, index, ...after]) rows.append(eventRow(at, at === index ? 'current' : ''));
  section.append(rows);
  return section;
}

// ───────────────────────────── input ─────────────────────────────

function canvasPoint(/** @type {MouseEvent} */ event) {
  const box = plot.getBoundingClientRect();
  return { x: event.clientX - box.left, y: event.clientY - box.top };
}

function setUpInput() {
  let drag = /** @type {{ x: number, startX: number, moved: boolean } | null} */ (null);
  plot.addEventListener('mousedown', (event) => {
    if (event.button !== 0) return;
    drag = { x: event.clientX, startX: state.startX, moved: false };
  });
  window.addEventListener('mousemove', (event) => {
    if (drag !== null) {
      const dx = event.clientX - drag.x;
      if (Math.abs(dx) > 3) drag.moved = true;
      if (drag.moved) {
        plot.classList.add('panning');
        state.startX = drag.startX - dx / state.scale;
        clampView();
        requestDraw();
      }
      return;
    }
  });
  window.addEventListener('mouseup', (event) => {
    if (drag === null) return;
    const wasDrag = drag.moved;
    drag = null;
    plot.classList.remove('panning');
    if (wasDrag || event.target !== plot) return;
    const point = canvasPoint(event);
    const hit = pick(point.x, point.y);
    if (hit !== null) select(hit.event, { scroll: false });
  });
  plot.addEventListener('mousemove', (event) => {
    if (drag !== null) return;
    const point = canvasPoint(event);
    const hit = pick(point.x, point.y);
    plot.classList.toggle('pointing', hit !== null);
    if (hit === null) {
      tooltip.style.display = 'none';
      return;
    }
    const target = /** @type {TraceEvent} */ (events[hit.event]);
    const operation = operationAt.get(hit.event);
    tooltip.textContent = `t=${target.t}ms  ${describe(target)}${operation !== undefined ? `\nop#${operation.op} ${operation.label}` : ''}`;
    tooltip.style.display = 'block';
    tooltip.style.left = `${Math.min(event.clientX + 14, window.innerWidth - 470)}px`;
    tooltip.style.top = `${event.clientY + 16}px`;
  });
  plot.addEventListener('mouseleave', () => {
    tooltip.style.display = 'none';
  });
  plot.addEventListener('wheel', (event) => {
    event.preventDefault();
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? plotWidth() : 1;
    if (event.ctrlKey || event.metaKey) {
      zoomAt(Math.exp(-event.deltaY * unit * 0.002), canvasPoint(event).x);
      return;
    }
    const delta = Math.abs(event.deltaX) > Math.abs(event.deltaY) ? event.deltaX : event.deltaY;
    panBy(delta * unit);
  }, { passive: false });
  let overviewDrag = false;
  const moveOverview = (/** @type {MouseEvent} */ event) => {
    const box = overview.getBoundingClientRect();
    const x = ((event.clientX - box.left - GUTTER_W) / plotWidth()) * maxX();
    const { start, end } = visibleRange();
    state.startX = x - (end - start) / 2;
    clampView();
    requestDraw();
  };
  overview.addEventListener('mousedown', (event) => {
    overviewDrag = true;
    moveOverview(event);
  });
  window.addEventListener('mousemove', (event) => {
    if (overviewDrag) moveOverview(event);
  });
  window.addEventListener('mouseup', () => {
    overviewDrag = false;
  });
  const buttons = {
    first: () => { state.selected = -1; step(1); },
    prev: () => step(-1),
    next: () => step(1),
    last: () => { state.selected = -1; step(-1); },
    'zoom-in': () => zoomAt(1.6, focusPx()),
    'zoom-out': () => zoomAt(1 / 1.6, focusPx()),
    fit: () => { fit(); requestDraw(); },
    'mode-time': () => setMode('time'),
    'mode-order': () => setMode('order'),
  };
  for (const [id, action] of Object.entries(buttons)) byId(`btn-${id}`).addEventListener('click', action);
  window.addEventListener('keydown', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || event.altKey) return;
    if (event.ctrlKey || event.metaKey) return;
    /** @type {Record<string, () => void>} */
    const keys = {
      ArrowRight: buttons.next, j: buttons.next, n: buttons.next,
      ArrowLeft: buttons.prev, k: buttons.prev, p: buttons.prev,
      Home: buttons.first, End: buttons.last,
      '+': buttons['zoom-in'], '=': buttons['zoom-in'], '-': buttons['zoom-out'], '0': buttons.fit,
      f: goToFailure, t: () => setMode(state.mode === 'time' ? 'order' : 'time'),
      Escape: () => { state.selected = -1; renderDetails(); requestDraw(); },
    };
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  });
  new ResizeObserver(() => {
    const before = plotWidth();
    const span = before / state.scale;
    layout();
    state.scale = plotWidth() / span;
    requestDraw();
  }).observe(byId('stage'));
}

function setMode(/** @type {AxisMode} */ mode) {
  if (mode === state.mode) return;
  // Keep the same stretch of the run on screen: convert the window's edges to the other axis.
  const { start, end } = visibleRange();
  const toIndex = (/** @type {number} */ ms) => lowerBound(N, (index) => T[index] ?? 0, ms);
  const [from, to] = mode === 'order' ? [toIndex(start), toIndex(end)] : [T[Math.max(0, Math.min(N, Math.floor(start)))] ?? 0, T[Math.max(0, Math.min(N, Math.ceil(end)))] ?? 0];
  state.mode = mode;
  indexSpans();
  if (to - from < 1e-9) fit();
  else {
    state.scale = plotWidth() / (to - from);
    state.startX = from;
  }
  clampView();
  if (state.selected >= 0) reveal(xOf(state.selected));
  byId('btn-mode-time').setAttribute('aria-pressed', String(mode === 'time'));
  byId('btn-mode-order').setAttribute('aria-pressed', String(mode === 'order'));
  requestDraw();
}

// ───────────────────────────── the test hook ─────────────────────────────

/** A small read-only window into what is drawn, for the browser tests (and for curious learners). */
const testHook = {
  /** Arrows drawn in the last frame, in page coordinates. */
  visibleArrows() {
    flushDraw();
    const box = plot.getBoundingClientRect();
    /** @type {Array<{ id: number, type: string, from: string, to: string, fate: string, x1: number, y1: number, x2: number, y2: number }>} */
    const list = [];
    for (let slot = 0; slot < drawn.arrowCount; slot++) {
      const arrow = drawn.arrow[slot] ?? 0;
      list.push({
        id: aId[arrow] ?? 0,
        type: view.types[aType[arrow] ?? 0]?.name ?? '',
        from: laneIds[aFrom[arrow] ?? 0] ?? '',
        to: laneIds[aTo[arrow] ?? 0] ?? '',
        fate: FATE_WORDS[aFate[arrow] ?? 0] ?? '',
        x1: box.left + (drawn.ax1[slot] ?? 0), y1: box.top + (drawn.ay1[slot] ?? 0),
        x2: box.left + (drawn.ax2[slot] ?? 0), y2: box.top + (drawn.ay2[slot] ?? 0),
      });
    }
    return list;
  },
  /** Marks drawn in the last frame (one per glyph: marks on the same pixel share one), in page coordinates. */
  visibleMarks() {
    flushDraw();
    const box = plot.getBoundingClientRect();
    /** @type {Array<{ event: number, kind: string, lane: string, x: number, y: number }>} */
    const list = [];
    for (let slot = 0; slot < drawn.markCount; slot++) {
      const mark = drawn.mark[slot] ?? 0;
      list.push({
        event: mEvent[mark] ?? 0,
        kind: view.markKinds[mKind[mark] ?? 0] ?? '',
        lane: laneIds[mLane[mark] ?? 0] ?? '',
        x: box.left + (drawn.mx[slot] ?? 0),
        y: box.top + (drawn.my[slot] ?? 0),
      });
    }
    return list;
  },
  /** The lanes drawn, top to bottom. */
  visibleLanes() {
    flushDraw();
    return laneIds.filter((_, index) => (laneY[index] ?? -1) >= 0);
  },
  /** The operation bars drawn. */
  visibleOperations() {
    flushDraw();
    return drawn.bars.map((bar) => ({ op: bar.operation.op, highlighted: bar.operation.highlighted, status: bar.operation.status }));
  },
  /** The selected event's index, or -1. */
  selected() {
    return state.selected;
  },
  /** The x range on screen, and its unit. */
  range() {
    return { ...visibleRange(), mode: state.mode };
  },
  /** Shows x from `start` to `end` (in the current axis's unit) and draws at once. */
  zoomTo(/** @type {number} */ start, /** @type {number} */ end) {
    state.scale = plotWidth() / Math.max(end - start, 1e-6);
    state.startX = start;
    clampView();
    draw();
  },
  /** How many frames were drawn, and how long the last one took (ms). */
  frames() {
    return { count: drawn.frames, lastFrameMs: drawn.lastFrameMs };
  },
  eventCount: N,
};

// ───────────────────────────── start ─────────────────────────────

setUpHeader();
setUpFilters();
layout();
indexSpans();
fit();
setUpInput();
renderDetails();
draw();
Object.defineProperty(window, '__viewer', { value: testHook });
