import { describe, expect, test } from 'vitest';
import * as browserSafe from './index.ts';
import { describeTraceEvent, formatTraceEvent, type TraceEvent } from './index.ts';
import { traceHash } from './node.ts';

describe('trace events in words', () => {
  test('a mid-step crash says where it struck; a clock change says what the clock now reads', () => {
    const crash: TraceEvent = {
      t: 5,
      kind: 'crash',
      node: 'n1',
      midStep: { afterEffects: 1, during: 'handling message #1 (inc) from c1' },
    };
    const clock: TraceEvent = { t: 30, kind: 'clock', node: 'n2', skewMs: 250, driftPpm: 100, localMs: 280 };
    expect(formatTraceEvent(crash)).toBe(
      't=5ms       n1 CRASH while handling message #1 (inc) from c1, after 1 effect(s)',
    );
    expect(describeTraceEvent(clock)).toBe('n2 clock: skew 250 ms, drift 100 ppm (now reads 280 ms)');
  });

  test('a targeted crash says what it waits for, what it was drawn from, where it struck, or that it never did', () => {
    const events: TraceEvent[] = [
      {
        t: 10,
        kind: 'crash-armed',
        node: 'n2',
        step: 'InstallSnapshot message',
        afterEffects: 1,
        untilMs: 2000,
        drawnFrom: ['onStart', 'AppendEntries message', 'InstallSnapshot message'],
      },
      {
        t: 40,
        kind: 'crash',
        node: 'n2',
        midStep: {
          afterEffects: 1,
          during: 'handling message #9 (InstallSnapshot) from n1',
          target: 'InstallSnapshot message',
        },
      },
      {
        t: 50,
        kind: 'crash-expired',
        node: 'n3',
        step: 'election timer',
        reason: 'no election timer of n3 fired before t=50ms',
      },
    ];
    expect(events.map((event) => describeTraceEvent(event))).toEqual([
      'n2 crash armed for its next InstallSnapshot message, after 1 effect(s), until t=2000ms (drawn from: onStart, AppendEntries message, InstallSnapshot message)',
      'n2 CRASH while handling message #9 (InstallSnapshot) from n1, after 1 effect(s) (targeted: InstallSnapshot message)',
      'n3 crash never struck: no election timer of n3 fired before t=50ms',
    ]);
  });

  test('payloads are full JSON unless the caller writes them its own way', () => {
    const send: TraceEvent = {
      t: 0,
      kind: 'send',
      id: 3,
      from: 'n1',
      to: 'n2',
      type: 'echo',
      bytes: 30,
      message: { type: 'echo', text: 'hi' },
    };
    const complete: TraceEvent = { t: 9, kind: 'complete', client: 'c1', op: 2, status: 'ok', output: undefined };
    expect(describeTraceEvent(send)).toBe('n1 → n2 send #3 echo {"type":"echo","text":"hi"}');
    expect(describeTraceEvent(send, () => '…')).toBe('n1 → n2 send #3 echo …');
    expect(describeTraceEvent(complete)).toBe('c1 ok op#2 ');
  });

  test('the browser-safe surface leaves the hash (node:crypto) to node.ts', () => {
    expect(Object.keys(browserSafe)).not.toContain('traceHash');
    expect(traceHash([])).toMatch(/^[0-9a-f]{16}$/);
  });
});
