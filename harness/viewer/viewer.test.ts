import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { cluster, scenario, Simulation, traceHash, type TraceEvent, type TraceFile } from '#harness/testing';
import {
  buildViewModel,
  jsonForScript,
  mentionedMessages,
  mentionedOperations,
  mentionedTimes,
  renderTraceHtml,
} from './index.ts';
import { bundlePageScript } from './render.ts';

function traceFile(events: readonly TraceEvent[], extra: Partial<TraceFile> = {}): TraceFile {
  return {
    version: 1,
    seed: 1,
    nodes: ['n1', 'n2'],
    clients: [],
    endMs: 100,
    hash: traceHash(events),
    events,
    ...extra,
  };
}

const send = (t: number, id: number, from = 'n1', to = 'n2', type = 'ping'): TraceEvent => ({
  t,
  kind: 'send',
  id,
  from,
  to,
  type,
  bytes: 10,
  message: { type },
});

describe('the view model', () => {
  test('one arrow per copy of a message: delivered, dropped, duplicated, or still in flight', () => {
    const model = buildViewModel(
      traceFile([
        send(0, 0),
        { t: 5, kind: 'deliver', id: 0, from: 'n1', to: 'n2', type: 'ping', sentAtMs: 0 },
        send(10, 1),
        { t: 10, kind: 'drop', id: 1, from: 'n1', to: 'n2', type: 'ping', reason: 'partition' },
        send(20, 2, 'n2', 'n1', 'pong'),
        { t: 20, kind: 'duplicate', id: 2, from: 'n2', to: 'n1', type: 'pong' },
        { t: 24, kind: 'deliver', id: 2, from: 'n2', to: 'n1', type: 'pong', sentAtMs: 20 },
      ]),
    );
    const { arrows } = model;
    expect(arrows.id).toEqual([0, 1, 2, 2]);
    expect(arrows.fate).toEqual([0, 2, 0, 4]);
    expect(arrows.end).toEqual([1, 3, 6, -1]);
    expect(arrows.duplicated).toEqual([0, 0, 1, 1]);
    expect(arrows.fromLane).toEqual([0, 0, 1, 1]);
    expect(model.types).toEqual([
      { name: 'ping', count: 2 },
      { name: 'pong', count: 1 },
    ]);
    expect(model.markKinds[model.marks.kind[0]!]).toBe('duplicate');
  });

  test('a crash shades its node until the restart; a partition shades every node with a cut link', async () => {
    const sim = new Simulation({
      seed: 5,
      nodes: cluster(3, () => ({ onMessage() {} })),
      faults: scenario()
        .at(10)
        .crash('n3')
        .at(30)
        .restart('n3')
        .at(40)
        .partition(['n1'], ['n2', 'n3'])
        .at(60)
        .heal()
        .build(),
    });
    await sim.run({ untilMs: 100 });
    const model = buildViewModel(traceFile(sim.trace, { nodes: sim.nodeIds, endMs: sim.nowMs }));
    const described = model.intervals.map(
      (interval) => `${model.lanes[interval.lane]!.id} ${interval.kind}: ${interval.text}`,
    );
    expect(described).toEqual([
      'n3 down: down',
      'n1 cut: cut off from n2, n3',
      'n2 cut: cut off from n1',
      'n3 cut: cut off from n1',
    ]);
    const down = model.intervals[0]!;
    expect(sim.trace[down.start]).toMatchObject({ kind: 'crash', node: 'n3' });
    expect(sim.trace[down.end]).toMatchObject({ kind: 'restart', node: 'n3' });
    expect(model.globals.map((global) => global.label)).toEqual(['partition {n1} | {n2, n3}', 'heal']);
  });

  test('a targeted crash is a mark where it is armed and where it expires; where it strikes, a crash', () => {
    const events: TraceEvent[] = [
      { t: 1, kind: 'crash-armed', node: 'n2', step: 'rare message', afterEffects: 0, untilMs: 50 },
      {
        t: 2,
        kind: 'crash-armed',
        node: 'n1',
        step: 'onStart',
        afterEffects: 0,
        drawnFrom: ['onStart', 'ping message'],
      },
      { t: 9, kind: 'crash', node: 'n1', midStep: { afterEffects: 0, during: 'starting', target: 'onStart' } },
      {
        t: 50,
        kind: 'crash-expired',
        node: 'n2',
        step: 'rare message',
        reason: 'no rare message reached n2 before t=50ms',
      },
    ];
    const model = buildViewModel(traceFile(events));
    const marks = model.marks.event.map(
      (event, mark) =>
        `${model.lanes[model.marks.lane[mark]!]!.id} ${model.markKinds[model.marks.kind[mark]!]} #${event}`,
    );
    expect(marks).toEqual(['n2 crash-armed #0', 'n1 crash-armed #1', 'n1 crash #2', 'n2 crash-expired #3']);
    expect(model.intervals.map((interval) => interval.label)).toEqual(['n1 down: crashed at t=9 ms, never restarted']);
  });

  test('client operations become bars; the ones a checker could not place are highlighted', () => {
    const events: TraceEvent[] = [
      { t: 0, kind: 'invoke', client: 'c1', op: 0, input: { f: 'write', value: 3 } },
      { t: 0, kind: 'invoke', client: 'c2', op: 1, input: { f: 'read' } },
      { t: 9, kind: 'complete', client: 'c1', op: 0, status: 'ok', output: { type: 'write_ok' } },
      { t: 12, kind: 'invoke', client: 'c1', op: 2, input: { f: 'read' } },
      { t: 15, kind: 'complete', client: 'c1', op: 2, status: 'ok', output: { value: 0 } },
    ];
    const trace = traceFile(events, { clients: ['c1', 'c2'], details: { highlightOperations: '2' } });
    const model = buildViewModel(trace, { highlightOperations: [0] });
    expect(model.clientLanes).toEqual([2, 3]);
    expect(model.operations.map((op) => [op.op, op.row, op.status, op.label, op.highlighted])).toEqual([
      [0, 0, 'ok', 'write 3 → ok write_ok', true],
      [1, 1, 'indeterminate', 'read → indeterminate', false],
      [2, 0, 'ok', 'read → ok value=0', true],
    ]);
    expect(model.details).toEqual([]);
  });

  test('the failure: its message, its event, and the messages and operations it names', () => {
    const events: TraceEvent[] = [
      send(0, 0),
      send(1, 1),
      { t: 2, kind: 'failure', node: 'n2', message: 'n2 delivered message #1 from n1 twice' },
    ];
    const model = buildViewModel(traceFile(events, { details: { faults: '(no faults)' } }));
    expect(model.failure).toEqual({
      message: 'n2 delivered message #1 from n1 twice',
      atMs: 2,
      replay: null,
      event: 2,
      focus: -1,
      violationAtMs: null,
    });
    expect(model.highlightMessages).toEqual([1]);
    expect(model.highlightEvents).toEqual([2]);
    expect(model.title).toBe('n2 delivered message #1 from n1 twice');
    expect(model.details).toEqual([['faults', '(no faults)']]);
  });

  test('ids are read from the way checkers word failures', () => {
    expect(mentionedMessages('n2 delivered message #17 from n1 twice; messages #3, #4 and #9 were lost')).toEqual([
      17, 3, 4, 9,
    ]);
    expect(mentionedOperations('op#3 read 1 after operation #2 wrote 2; operations #5 and #6')).toEqual([3, 2, 5, 6]);
    expect(mentionedMessages('stop #3')).toEqual([]);
    expect(mentionedTimes('n2 delivered message m1 from n1 twice (t=8 ms, t=306ms); at=5 ms')).toEqual([8, 306]);
  });
});

describe('the page', () => {
  const hostile = '</script><script>window.__pwned = true</script><!-- <img src=x onerror=alert(1)>';
  const trace = traceFile([send(0, 0, 'n1', 'n2', hostile), { t: 1, kind: 'log', node: 'n1', text: hostile }], {
    failure: { message: `broke: ${hostile}`, atMs: 1 },
  });
  const page = renderTraceHtml(trace);

  test('data is embedded once, as JSON a payload cannot break out of', () => {
    const [, data] = /<script type="application\/json" id="kata-trace-data">([^]*?)<\/script>/.exec(page) ?? [];
    expect(data).toBeDefined();
    expect(data).not.toMatch(/[<>]/);
    expect(JSON.parse(data!).trace).toEqual(trace);
    expect(page.split(hostile).length).toBe(1);
    expect(jsonForScript({ text: '</script>\u2028&' })).toBe('{"text":"\\u003c/script\\u003e\\u2028\\u0026"}');
  });

  test('only its own style and script may run: the policy names them by hash', () => {
    const policy = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(page)?.[1] ?? '';
    const scripts = [...page.matchAll(/<script>([^]*?)<\/script>/g)].map((match) => match[1]!);
    const styles = [...page.matchAll(/<style>([^]*?)<\/style>/g)].map((match) => match[1]!);
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(policy).toContain(`script-src ${hash(scripts[0]!)}`);
    expect(policy).toContain(`style-src ${hash(styles[0]!)}`);
    expect(policy).toContain("default-src 'none'");
  });

  test('the page script never parses text as HTML', () => {
    const [, script] = /<script>([^]*?)<\/script>/.exec(page) ?? [];
    expect(script).toContain('__viewer');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  });

  test('the page script is the bundle of page/, holding no Node code and naming no absolute path', () => {
    const [, script] = /<script>([^]*?)<\/script>/.exec(page) ?? [];
    expect(script, 'one IIFE, so its names stay off window').toMatch(/^("use strict";\n)?\(\(\) => \{/);
    expect(script).toContain('// page/main.ts');
    expect(script).toContain('// ../trace/format.ts');
    expect(script).not.toMatch(/node:|require\(|process\./);
    expect(script).not.toContain(fileURLToPath(new URL('../..', import.meta.url)));
  });

  test('the bundle is built the same way every time', () => {
    const [, script] = /<script>([^]*?)<\/script>/.exec(page) ?? [];
    expect(bundlePageScript()).toBe(script);
  });

  test('the title is escaped, and the same trace gives the same page', () => {
    expect(page).toContain('<title>broke: &lt;/script&gt;&lt;script&gt;');
    expect(renderTraceHtml(trace)).toBe(page);
  });
});
