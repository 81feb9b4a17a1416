/**
 * The one object the page's modules pass around: the trace (read-only), what the reader chose to see
 * (the view state), where things sit on screen, and what the last frame drew. The page keeps no other
 * state; each module is a set of functions of a {@link Viewer}.
 *
 * @module
 */
import type { ViewInterval, ViewOperation } from '../view-model.ts';
import type { TraceData } from './trace-data.ts';

/** What the x axis measures: virtual time (ms) or event order (index). */
export type AxisMode = 'time' | 'order';

/** What the reader chose to see. */
export interface ViewState {
  mode: AxisMode;
  /** The x value (in the axis's unit) at the plot's left edge. */
  startX: number;
  /** Pixels per x unit. */
  scale: number;
  readonly hiddenLanes: Set<number>;
  readonly hiddenTypes: Set<number>;
  showTimers: boolean;
  showLogs: boolean;
  /** The selected event index, or -1. */
  selected: number;
}

/** Where the lanes and rows sit, recomputed by `layOut` when the filters or the window change. */
export interface Geometry {
  cssWidth: number;
  cssHeight: number;
  /** y of each lane's centre line, or -1 when it is hidden. */
  laneY: Float64Array;
  /** y of the top of each history row, or -1 when its client is hidden. */
  rowY: Float64Array;
  lanesBottom: number;
}

/**
 * Long arrows (a message in flight to the end of the run, a huge delay) would force every frame to scan
 * from the start; they go in a short list of their own, checked every frame. Recomputed per axis mode.
 */
export interface ArrowSpans {
  /** The longest span (in x units) of the arrows not in `longArrows`. */
  shortSpanMax: number;
  /** 1 for each arrow in `longArrows`. */
  isLong: Uint8Array;
  longArrows: Int32Array;
}

/** What the last frame drew, in canvas coordinates: for picking and for the test hook. */
export interface Drawn {
  arrowCount: number;
  readonly arrow: Int32Array;
  readonly ax1: Float32Array;
  readonly ay1: Float32Array;
  readonly ax2: Float32Array;
  readonly ay2: Float32Array;
  markCount: number;
  readonly mark: Int32Array;
  readonly mx: Float32Array;
  readonly my: Float32Array;
  bars: Array<{ operation: ViewOperation; x: number; y: number; w: number; h: number }>;
  bands: Array<{ interval: ViewInterval; x: number; y: number; w: number; h: number }>;
  flags: Array<{ event: number; x: number; w: number }>;
  frames: number;
  lastFrameMs: number;
}

/** The page's elements that the script draws into or listens to. */
export interface PageElements {
  readonly stage: HTMLElement;
  readonly plot: HTMLCanvasElement;
  readonly overview: HTMLCanvasElement;
  readonly tooltip: HTMLElement;
  readonly details: HTMLElement;
  readonly plotContext: CanvasRenderingContext2D;
  readonly overviewContext: CanvasRenderingContext2D;
}

/** The event density drawn in the overview, kept until the width or the axis changes. */
export interface OverviewCache {
  readonly width: number;
  readonly mode: AxisMode;
  readonly counts: Float64Array;
  readonly max: number;
}

/** Everything the page knows. */
export interface Viewer {
  readonly data: TraceData;
  readonly state: ViewState;
  readonly geometry: Geometry;
  readonly spans: ArrowSpans;
  readonly drawn: Drawn;
  readonly page: PageElements;
  /** Drawing's own bookkeeping: whether a frame is requested, and what it caches between frames. */
  readonly frame: {
    pending: boolean;
    overview: OverviewCache | null;
    readonly patterns: Map<string, CanvasPattern | null>;
  };
}

/** A viewer showing the whole run, nothing selected, before its first layout. */
export function createViewer(data: TraceData, page: PageElements): Viewer {
  const arrows = data.arrows.count;
  const marks = data.marks.count;
  return {
    data,
    state: {
      mode: 'time',
      startX: 0,
      scale: 1,
      hiddenLanes: new Set(),
      hiddenTypes: new Set(),
      showTimers: true,
      showLogs: true,
      selected: -1,
    },
    geometry: {
      cssWidth: 800,
      cssHeight: 400,
      laneY: new Float64Array(data.view.lanes.length),
      rowY: new Float64Array(data.view.clientLanes.length),
      lanesBottom: 0,
    },
    spans: { shortSpanMax: 0, isLong: new Uint8Array(arrows), longArrows: new Int32Array(0) },
    drawn: {
      arrowCount: 0,
      arrow: new Int32Array(arrows),
      ax1: new Float32Array(arrows),
      ay1: new Float32Array(arrows),
      ax2: new Float32Array(arrows),
      ay2: new Float32Array(arrows),
      markCount: 0,
      mark: new Int32Array(marks),
      mx: new Float32Array(marks),
      my: new Float32Array(marks),
      bars: [],
      bands: [],
      flags: [],
      frames: 0,
      lastFrameMs: 0,
    },
    page,
    frame: { pending: false, overview: null, patterns: new Map() },
  };
}
