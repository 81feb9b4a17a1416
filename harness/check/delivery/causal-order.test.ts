import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prop } from '../_test-support/vitest-prop.ts';
import {
  assertCausalOrder,
  causalDependencies,
  checkCausalOrder,
  type BroadcastEvent,
  type CausalOrderVerdict,
  type DeliveryRecord,
  type SentRecord,
} from './index.ts';

function violationsOf(verdict: CausalOrderVerdict) {
  return verdict.ok ? [] : verdict.violations;
}

function deliveriesOf(events: readonly BroadcastEvent[]): DeliveryRecord[] {
  return events.filter((e) => e.kind === 'deliver').map(({ node, messageId, atMs }) => ({ node, messageId, atMs }));
}

function sendsOf(events: readonly BroadcastEvent[]): SentRecord[] {
  return events.filter((e) => e.kind === 'send').map(({ node, messageId, atMs }) => ({ node, messageId, atMs }));
}

/** Everything checkCausalOrder needs, straight from a run's event log. */
function fromLog(events: readonly BroadcastEvent[]) {
  return { deliveries: deliveriesOf(events), sent: sendsOf(events), happenedBefore: causalDependencies(events) };
}

describe('causal order: stories', () => {
  // n1 asks a question (m4); n2 delivers it and answers (m7). n3 must not see the answer first.
  const question: BroadcastEvent[] = [
    { node: 'n1', kind: 'send', messageId: 'm4', atMs: 100 },
    { node: 'n2', kind: 'deliver', messageId: 'm4', atMs: 150 },
    { node: 'n2', kind: 'send', messageId: 'm7', atMs: 200 },
  ];

  it('passes when n3 delivers the question before the answer', () => {
    const verdict = checkCausalOrder({
      deliveries: [
        { node: 'n2', messageId: 'm4', from: 'n1', atMs: 150 },
        { node: 'n3', messageId: 'm4', from: 'n1', atMs: 400 },
        { node: 'n3', messageId: 'm7', from: 'n2', atMs: 500 },
      ],
      happenedBefore: causalDependencies(question),
    });
    expect(verdict).toEqual({ ok: true, nodes: 2, deliveries: 3, causesChecked: 1 });
  });

  it('catches n3 delivering the answer m7 before the question m4', () => {
    const verdict = checkCausalOrder({
      deliveries: [
        { node: 'n3', messageId: 'm7', from: 'n2', atMs: 500 },
        { node: 'n3', messageId: 'm4', from: 'n1', atMs: 620 },
      ],
      happenedBefore: causalDependencies(question),
    });
    expect(violationsOf(verdict)).toEqual([
      {
        property: 'causal-order',
        node: 'n3',
        messageId: 'm7',
        causeId: 'm4',
        message: 'n3 delivered m7 (from n2) at t=500 ms before its cause m4 (from n1), delivered at t=620 ms',
        evidence: [
          { node: 'n3', messageId: 'm7', from: 'n2', atMs: 500 },
          { node: 'n3', messageId: 'm4', from: 'n1', atMs: 620 },
        ],
      },
    ]);
  });

  it('catches n3 delivering the answer without ever delivering the question', () => {
    const verdict = checkCausalOrder({
      deliveries: [{ node: 'n3', messageId: 'm7', from: 'n2', atMs: 500 }],
      happenedBefore: { m7: ['m4'] },
      sent: [{ node: 'n1', messageId: 'm4', atMs: 100 }],
    });
    expect(violationsOf(verdict)).toMatchObject([
      {
        message: 'n3 delivered m7 (from n2) at t=500 ms but never delivered its cause m4 (from n1)',
        evidence: [
          { node: 'n3', messageId: 'm7' },
          { node: 'n1', messageId: 'm4', atMs: 100 },
        ],
      },
    ]);
  });

  it('lets n1 skip delivering its own question, but not deliver it after the answer', () => {
    const answered = [
      { node: 'n1', messageId: 'm7', from: 'n2', atMs: 300 },
      { node: 'n2', messageId: 'm4', from: 'n1', atMs: 150 },
    ];
    expect(checkCausalOrder({ deliveries: answered, happenedBefore: causalDependencies(question) }).ok).toBe(true);

    const lateSelfDelivery = [...answered, { node: 'n1', messageId: 'm4', from: 'n1', atMs: 350 }];
    const verdict = checkCausalOrder({ deliveries: lateSelfDelivery, happenedBefore: causalDependencies(question) });
    expect(violationsOf(verdict).map((v) => v.message)).toEqual([
      'n1 delivered m7 (from n2) at t=300 ms before its cause m4 (from n1), delivered at t=350 ms',
    ]);
  });

  it('follows chains of direct causes and names the first broken link', () => {
    // c → a → b. n9 delivers a before c, then b: the broken link is a's, not b's.
    const verdict = checkCausalOrder({
      deliveries: [
        { node: 'n9', messageId: 'a', atMs: 1 },
        { node: 'n9', messageId: 'b', atMs: 2 },
        { node: 'n9', messageId: 'c', atMs: 3 },
      ],
      happenedBefore: new Map([
        ['a', ['c']],
        ['b', ['a']],
      ]),
    });
    expect(violationsOf(verdict).map((v) => [v.messageId, v.causeId])).toEqual([['a', 'c']]);
  });

  it('reads message ids such as "constructor" from a plain object safely', () => {
    const deliveries = [{ node: 'n1', messageId: 'constructor', atMs: 1 }];
    expect(checkCausalOrder({ deliveries, happenedBefore: {} }).ok).toBe(true);
  });

  it('refuses a message that lists itself among its causes', () => {
    expect(() =>
      checkCausalOrder({ deliveries: [{ node: 'n1', messageId: 'a', atMs: 1 }], happenedBefore: { a: ['a'] } }),
    ).toThrow('Message a lists itself among its causes');
  });

  it('assertCausalOrder throws with the property name first', () => {
    expect(() =>
      assertCausalOrder({ deliveries: [{ node: 'n3', messageId: 'm7', atMs: 500 }], happenedBefore: { m7: ['m4'] } }),
    ).toThrow(
      /^causal-order: n3 delivered m7 at t=500 ms but never delivered its cause m4 \(whose sender is unknown: if n3 sent m4 itself, pass `sent` so the checker knows\)$/,
    );
  });
});

describe('causalDependencies: stories', () => {
  it("lists a node's previous send and what it delivered since, once each", () => {
    const dependencies = causalDependencies([
      { node: 'n1', kind: 'send', messageId: 'a', atMs: 0 },
      { node: 'n2', kind: 'send', messageId: 'x', atMs: 0 },
      { node: 'n1', kind: 'deliver', messageId: 'x', atMs: 5 },
      { node: 'n1', kind: 'deliver', messageId: 'x', atMs: 6 },
      { node: 'n1', kind: 'deliver', messageId: 'a', atMs: 7 },
      { node: 'n1', kind: 'send', messageId: 'b', atMs: 10 },
      { node: 'n1', kind: 'send', messageId: 'c', atMs: 20 },
    ]);
    expect(dependencies).toEqual(
      new Map([
        ['a', []],
        ['x', []],
        ['b', ['a', 'x']],
        ['c', ['b']],
      ]),
    );
  });

  it('refuses a message sent twice, and a node whose events go back in time', () => {
    expect(() =>
      causalDependencies([
        { node: 'n1', kind: 'send', messageId: 'a', atMs: 0 },
        { node: 'n2', kind: 'send', messageId: 'a', atMs: 3 },
      ]),
    ).toThrow('Message a is sent twice (again by n2 at t=3 ms)');
    expect(() =>
      causalDependencies([
        { node: 'n1', kind: 'send', messageId: 'a', atMs: 10 },
        { node: 'n1', kind: 'deliver', messageId: 'b', atMs: 4 },
      ]),
    ).toThrow("n1's events go back in time: its deliver of b at t=4 ms comes after an event at t=10 ms");
  });
});

type Step =
  | { readonly kind: 'send'; readonly node: number }
  | { readonly kind: 'deliver'; readonly node: number; readonly pick: number };

interface SimulatedRun {
  readonly events: BroadcastEvent[];
  /** The full (transitive) causal past of every message: the definition, computed the slow way. */
  readonly pasts: Map<string, Set<string>>;
  readonly senders: Map<string, string>;
}

/**
 * Plays a broadcast run among `nodeCount` nodes. With `causal`, a node only delivers a message whose
 * whole causal past it already knows; without, it delivers any pending message. With `selfDeliver`, a
 * sender delivers its own message the moment it sends it.
 */
function simulate(nodeCount: number, steps: readonly Step[], causal: boolean, selfDeliver: boolean): SimulatedRun {
  const events: BroadcastEvent[] = [];
  const pasts = new Map<string, Set<string>>();
  const senders = new Map<string, string>();
  const knows = Array.from({ length: nodeCount }, () => new Set<string>()); // sent or delivered, transitively closed
  const delivered = Array.from({ length: nodeCount }, () => new Set<string>());
  steps.forEach((step, atMs) => {
    const node = step.node % nodeCount;
    const name = `n${node + 1}`;
    if (step.kind === 'send') {
      const messageId = `m${pasts.size}`;
      pasts.set(messageId, new Set(knows[node]));
      senders.set(messageId, name);
      knows[node]!.add(messageId);
      events.push({ node: name, kind: 'send', messageId, atMs });
      if (selfDeliver) {
        delivered[node]!.add(messageId);
        events.push({ node: name, kind: 'deliver', messageId, atMs });
      }
      return;
    }
    const pending = [...pasts.keys()].filter(
      (m) =>
        senders.get(m) !== name &&
        !delivered[node]!.has(m) &&
        (!causal || [...pasts.get(m)!].every((c) => knows[node]!.has(c))),
    );
    const messageId = pending[step.pick % Math.max(1, pending.length)];
    if (messageId === undefined) return;
    delivered[node]!.add(messageId);
    knows[node]!.add(messageId);
    for (const cause of pasts.get(messageId)!) knows[node]!.add(cause);
    events.push({ node: name, kind: 'deliver', messageId, atMs });
  });
  return { events, pasts, senders };
}

/** The nodes that, by the definition, delivered some message before one of its (transitive) causes. */
function nodesBreakingCausality({ events, pasts, senders }: SimulatedRun): Set<string> {
  const culprits = new Set<string>();
  const deliveredSoFar = new Map<string, string[]>();
  const everDelivered = (node: string, m: string) =>
    events.some((e) => e.kind === 'deliver' && e.node === node && e.messageId === m);
  for (const event of events) {
    if (event.kind !== 'deliver') continue;
    const seen = deliveredSoFar.get(event.node) ?? [];
    for (const cause of pasts.get(event.messageId)!) {
      const ownAndNeverDelivered = senders.get(cause) === event.node && !everDelivered(event.node, cause);
      if (!seen.includes(cause) && !ownAndNeverDelivered) culprits.add(event.node);
    }
    seen.push(event.messageId);
    deliveredSoFar.set(event.node, seen);
  }
  return culprits;
}

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('send' as const), node: fc.nat(4) }),
    fc.record({ kind: fc.constant('deliver' as const), node: fc.nat(4), pick: fc.nat() }),
    fc.record({ kind: fc.constant('deliver' as const), node: fc.nat(4), pick: fc.nat() }),
  ),
  { maxLength: 40 },
);

describe('causal order: properties', () => {
  prop([fc.integer({ min: 1, max: 5 }), steps, fc.boolean()])(
    'a run that delivers in causal order passes, with causes from causalDependencies',
    (nodeCount, run, selfDeliver) => {
      const { events } = simulate(nodeCount, run, true, selfDeliver);
      const verdict = checkCausalOrder(fromLog(events));
      expect(violationsOf(verdict)).toEqual([]);
    },
  );

  prop([fc.integer({ min: 2, max: 5 }), steps, fc.boolean()])(
    'on any run, blames exactly the nodes that the transitive definition blames',
    (nodeCount, run, selfDeliver) => {
      const simulated = simulate(nodeCount, run, false, selfDeliver);
      const { events } = simulated;
      const verdict = checkCausalOrder(fromLog(events));
      expect(new Set(violationsOf(verdict).map((v) => v.node))).toEqual(nodesBreakingCausality(simulated));
    },
  );
});

describe('causal order: at scale', () => {
  // The timeout guards against a hang, not speed: `npm run bench` measures speed.
  it('checks a chatty run of 100,000 events', { timeout: 60_000 }, () => {
    // Five nodes take turns: each sends, then everyone else delivers it, so each message depends on the last.
    const events: BroadcastEvent[] = [];
    for (let i = 0; i < 20_000; i++) {
      const sender = `n${i % 5}`;
      events.push({ node: sender, kind: 'send', messageId: `m${i}`, atMs: i });
      for (let n = 0; n < 5; n++)
        if (`n${n}` !== sender) events.push({ node: `n${n}`, kind: 'deliver', messageId: `m${i}`, atMs: i });
    }
    const verdict = checkCausalOrder(fromLog(events));
    expect(verdict.ok).toBe(true);
  });
});
