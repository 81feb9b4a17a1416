/**
 * The evidence of a check as a standalone HTML page: a timeline of operations per client, the longest
 * linearizable prefix, and the operations that could not be placed. Like Porcupine's visualizer, it only
 * reads the checker's result; unlike it, the page is static (inline CSS, no script, nothing fetched), so
 * it opens offline and can be attached to a bug report.
 *
 * @module
 */

import type { History, Operation } from '../../history.ts';
import type { CheckResult, IllegalPartition } from './check.ts';
import { countOf } from './_internals/words.ts';
import { describeTiming } from './explain.ts';
import type { Model } from './model.ts';
import { escapeHtml } from '../../viewer/html.ts';

// The one escaper lives with the viewer's page; re-exported so that `harness/check` keeps offering it.
export { escapeHtml };

/** What {@link renderEvidenceHtml} needs. */
export interface EvidencePage<State, Input, Output> {
  /** The page's title, e.g. the history file's name. */
  readonly title: string;
  readonly model: Model<State, Input, Output>;
  readonly history: History<Input, Output>;
  readonly result: CheckResult<State, Input, Output>;
}

/** At most this many operations are drawn in one timeline; a page must stay light enough to open. */
const MAX_TIMELINE_OPERATIONS = 400;
/** Non-linearizable parts detailed on the page. */
const MAX_PARTS = 10;
/** Steps of the linearizable prefix listed in the table (the last ones). */
const MAX_PREFIX_ROWS = 30;

type Role = 'linearized' | 'unplaceable' | 'other';

interface Bar {
  readonly operation: Operation<unknown, unknown>;
  readonly description: string;
  readonly role: Role;
  /** Position in the linearizable prefix, from 1, for linearized operations. */
  readonly order?: number;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d1d1f; max-width: 1200px; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
.verdict { display: inline-block; padding: 0.2em 0.6em; border-radius: 4px; color: #fff; font-weight: 600; }
.verdict.ok { background: #2e7d32; } .verdict.illegal { background: #c62828; } .verdict.unknown { background: #8d6e00; }
.timeline { border: 1px solid #ccc; padding: 4px 0; margin: 0.5em 0; }
.lane { display: flex; align-items: center; height: 22px; }
.lane-label { width: 8em; flex: none; font: 12px monospace; padding: 0 6px;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.track { position: relative; flex: 1; height: 18px; }
.bar { position: absolute; top: 0; height: 18px; box-sizing: border-box; border-radius: 3px; font: 11px monospace;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 1px 3px; min-width: 3px; }
.bar.other { background: #e0e0e0; border: 1px solid #9e9e9e; }
.bar.linearized { background: #c8e6c9; border: 1px solid #2e7d32; }
.bar.unplaceable { background: #ffcdd2; border: 2px solid #c62828; font-weight: 700; }
.bar.indeterminate { border-style: dashed;
  background-image: repeating-linear-gradient(45deg, transparent 0 6px, rgba(0,0,0,0.06) 6px 12px); }
table { border-collapse: collapse; margin: 0.5em 0; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; font: 12px monospace; }
th { background: #f5f5f5; } tr.unplaceable td { background: #ffebee; }
.note { color: #555; }
`;

/**
 * Renders the evidence of `page.result` as a complete HTML document (a pure function of its input).
 *
 * The page shows the verdict and statistics; for each part that is not linearizable, a timeline (one
 * row per client, a bar from call to return, dashed to the right edge for an indeterminate operation)
 * with the linearizable prefix in green and the operations that could not be placed next in red,
 * followed by tables of both. For other verdicts it shows the history's timeline. All user data is
 * HTML-escaped, so a value such as `<script>` shows as text.
 */
export function renderEvidenceHtml<State, Input, Output>(page: EvidencePage<State, Input, Output>): string {
  const { result } = page;
  const body = [
    `<h1>${escapeHtml(page.title)}</h1>`,
    `<p><span class="verdict ${result.verdict}">${verdictWords(result.verdict)}</span> ` +
      `against the <b>${escapeHtml(page.model.name)}</b> model. ${escapeHtml(statsSentence(result))}</p>`,
    ...verdictSections(page),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(`${verdictWords(result.verdict)}: ${page.title}`)}</title>`,
    `<style>${STYLE}</style></head>`,
    `<body>\n${body.join('\n')}\n</body></html>`,
  ].join('\n');
}

function verdictWords(verdict: CheckResult<unknown, unknown, unknown>['verdict']): string {
  return verdict === 'ok' ? 'linearizable' : verdict === 'illegal' ? 'not linearizable' : 'unknown';
}

function statsSentence(result: CheckResult<unknown, unknown, unknown>): string {
  const { stats } = result;
  return (
    `${countOf(stats.operationsChecked, 'operation')} checked (${countOf(stats.operationsDropped, 'failed operation')} dropped), ` +
    `${countOf(stats.partitions, 'part')}, ${countOf(stats.steps, 'search step')}.`
  );
}

function verdictSections<State, Input, Output>(page: EvidencePage<State, Input, Output>): string[] {
  const { result, model } = page;
  const describe = (operation: Operation<unknown, unknown>): string =>
    model.describeOperation(operation.input as Input, operation.output as Output | undefined);
  if (result.verdict === 'illegal') {
    const parts = result.partitions.slice(0, MAX_PARTS);
    const more = result.partitions.length - parts.length;
    return [
      ...parts.flatMap((part) => partSection(part as IllegalPartition<unknown, unknown, unknown>, describe)),
      ...(more > 0 ? [`<p class="note">…and ${countOf(more, 'more part')} not linearizable.</p>`] : []),
    ];
  }
  const lead =
    result.verdict === 'unknown'
      ? `<p><b>No verdict:</b> ${escapeHtml(result.reason)}. Nothing was proven either way.</p>`
      : '<p>Every operation could be placed in one order that respects real time and the model.</p>';
  const bars = page.history
    .filter((operation) => operation.status !== 'fail')
    .map((operation): Bar => ({ operation, description: describe(operation), role: 'other' }));
  return [lead, '<h2>Timeline</h2>', timeline(bars)];
}

function partSection(
  part: IllegalPartition<unknown, unknown, unknown>,
  describe: (operation: Operation<unknown, unknown>) => string,
): string[] {
  const orderOf = new Map(part.longestPrefix.map((step, position) => [step.operation, position + 1]));
  const unplaceable = new Set(part.unplaceable.map((operation) => operation.operation));
  const bars = part.operations.map((operation): Bar => {
    const order = orderOf.get(operation);
    const role: Role = unplaceable.has(operation) ? 'unplaceable' : order !== undefined ? 'linearized' : 'other';
    const description = describe(operation);
    return order === undefined ? { operation, description, role } : { operation, description, role, order };
  });
  return [
    `<h2>Not linearizable: ${escapeHtml(part.label)}</h2>`,
    `<p>The longest linearizable prefix has ${countOf(part.longestPrefix.length, 'operation')} (green, numbered in order); ` +
      `after it the state is <b>${escapeHtml(part.stateAfterPrefixDescription)}</b>, and none of the red operations ` +
      'can come next.</p>',
    timeline(focusOnFailure(bars)),
    prefixTable(part),
    unplaceableTable(part),
  ];
}

/** Keeps a window of the part around the operations that could not be placed, if it is too long to draw. */
function focusOnFailure(bars: readonly Bar[]): readonly Bar[] {
  if (bars.length <= MAX_TIMELINE_OPERATIONS) return bars;
  const focus = Math.max(
    0,
    bars.findIndex((bar) => bar.role === 'unplaceable'),
  );
  const start = Math.max(
    0,
    Math.min(focus - Math.floor(MAX_TIMELINE_OPERATIONS * 0.75), bars.length - MAX_TIMELINE_OPERATIONS),
  );
  return bars.slice(start, start + MAX_TIMELINE_OPERATIONS);
}

function prefixTable(part: IllegalPartition<unknown, unknown, unknown>): string {
  const first = Math.max(0, part.longestPrefix.length - MAX_PREFIX_ROWS);
  const rows = part.longestPrefix
    .slice(first)
    .map(
      (step, offset) =>
        `<tr><td>${first + offset + 1}</td><td>${escapeHtml(step.description)}</td>` +
        `<td>${escapeHtml(describeTiming(step.operation))}</td><td>${escapeHtml(step.stateAfterDescription)}</td></tr>`,
    );
  const caption =
    first > 0 ? `<p class="note">The last ${MAX_PREFIX_ROWS} of ${part.longestPrefix.length} steps.</p>` : '';
  return (
    `<h3>Longest linearizable prefix</h3>${caption}<table><tr><th>#</th><th>operation</th><th>when</th><th>state after</th></tr>` +
    `${rows.join('')}</table>`
  );
}

function unplaceableTable(part: IllegalPartition<unknown, unknown, unknown>): string {
  const rows = part.unplaceable.map(
    (operation) =>
      `<tr class="unplaceable"><td>${escapeHtml(operation.description)}</td><td>${escapeHtml(describeTiming(operation.operation))}</td>` +
      `<td>${escapeHtml(operation.explanation)}</td></tr>`,
  );
  return (
    '<h3>Could not be placed next</h3><table><tr><th>operation</th><th>when</th><th>why</th></tr>' +
    `${rows.join('')}</table>`
  );
}

/** One row (lane) per client, more when an indeterminate operation overlaps the client's later ones. */
function timeline(allBars: readonly Bar[]): string {
  const bars = allBars.slice(0, MAX_TIMELINE_OPERATIONS);
  if (bars.length === 0) return '<p class="note">No operations.</p>';
  const startMs = Math.min(...bars.map((bar) => bar.operation.callMs));
  const endMs = Math.max(...bars.map((bar) => bar.operation.returnMs ?? bar.operation.callMs));
  const spanMs = Math.max(endMs - startMs, 1);
  const lanes = assignLanes(bars);
  const rows = lanes.map(({ clientId, bars: laneBars }) => {
    const drawn = laneBars.map((bar) => barHtml(bar, startMs, spanMs)).join('');
    const label = `<div class="lane-label" title="${escapeHtml(clientId)}">${escapeHtml(clientId)}</div>`;
    return `<div class="lane">${label}<div class="track">${drawn}</div></div>`;
  });
  const note =
    allBars.length > bars.length ? `<p class="note">Showing ${bars.length} of ${allBars.length} operations.</p>` : '';
  return (
    `${note}<div class="timeline">${rows.join('')}</div>` +
    `<p class="note">Time runs left to right, from ${startMs} to ${endMs} ms; dashed bars never returned.</p>`
  );
}

function assignLanes(bars: readonly Bar[]): { clientId: string; bars: Bar[] }[] {
  const lanes: { clientId: string; bars: Bar[]; endMs: number }[] = [];
  const sorted = [...bars].sort(
    (a, b) =>
      a.operation.clientId.localeCompare(b.operation.clientId, 'en', { numeric: true }) ||
      a.operation.callMs - b.operation.callMs,
  );
  for (const bar of sorted) {
    const { clientId, callMs, returnMs } = bar.operation;
    const lane = lanes.find((candidate) => candidate.clientId === clientId && candidate.endMs < callMs);
    const endMs = returnMs ?? Number.POSITIVE_INFINITY;
    if (lane === undefined) lanes.push({ clientId, bars: [bar], endMs });
    else {
      lane.bars.push(bar);
      lane.endMs = endMs;
    }
  }
  return lanes;
}

function barHtml(bar: Bar, startMs: number, spanMs: number): string {
  const { operation } = bar;
  const leftPercent = ((operation.callMs - startMs) / spanMs) * 100;
  const widthPercent =
    operation.returnMs === null ? 100 - leftPercent : ((operation.returnMs - operation.callMs) / spanMs) * 100;
  const classes = ['bar', bar.role, ...(operation.status === 'indeterminate' ? ['indeterminate'] : [])].join(' ');
  const label = bar.order === undefined ? bar.description : `${bar.order}. ${bar.description}`;
  const title = `${label} — ${describeTiming(operation)} (${operation.status})`;
  return (
    `<div class="${classes}" style="left:${leftPercent.toFixed(3)}%;width:${widthPercent.toFixed(3)}%" ` +
    `title="${escapeHtml(title)}">${escapeHtml(label)}</div>`
  );
}
