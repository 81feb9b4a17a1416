import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prop } from '../_test-support/vitest-prop.ts';
import { assertTotalOrder, checkTotalOrder, type DeliveryRecord, type TotalOrderVerdict } from './index.ts';

/** `sequence('n1', ['m3', 'm5'], 100)`: n1 delivers m3 at t=100 ms, m5 at t=110 ms, … */
function sequence(node: string, messageIds: readonly string[], startMs = 0, stepMs = 10): DeliveryRecord[] {
  return messageIds.map((messageId, i) => ({ node, messageId, atMs: startMs + i * stepMs }));
}

function violationsOf(verdict: TotalOrderVerdict) {
  return verdict.ok ? [] : verdict.violations;
}

describe('total order: stories', () => {
  it('passes when three nodes deliver m1, m2, m3 in the same order at different times', () => {
    const verdict = checkTotalOrder([
      ...sequence('n1', ['m1', 'm2', 'm3'], 100),
      ...sequence('n2', ['m1', 'm2', 'm3'], 140, 30),
      ...sequence('n3', ['m1', 'm2', 'm3'], 900, 1),
    ]);
    expect(verdict).toEqual({ ok: true, nodes: 3, messages: 3 });
  });

  it('catches n2 delivering m5 before m3 when n1 did the opposite', () => {
    const verdict = checkTotalOrder([
      { node: 'n1', messageId: 'm3', atMs: 100 },
      { node: 'n1', messageId: 'm5', atMs: 200 },
      { node: 'n2', messageId: 'm5', atMs: 150 },
      { node: 'n2', messageId: 'm3', atMs: 300 },
    ]);
    expect(violationsOf(verdict)).toEqual([
      {
        property: 'total-order',
        nodes: ['n1', 'n2'],
        messageIds: ['m3', 'm5'],
        outOfOrder: 1,
        common: 2,
        message:
          'n1 delivered m3 before m5, but n2 delivered m5 before m3 (n1 at t=100 ms and t=200 ms; n2 at t=150 ms and t=300 ms)',
        evidence: [
          { node: 'n1', messageId: 'm3', atMs: 100 },
          { node: 'n1', messageId: 'm5', atMs: 200 },
          { node: 'n2', messageId: 'm5', atMs: 150 },
          { node: 'n2', messageId: 'm3', atMs: 300 },
        ],
      },
    ]);
  });

  it('says how big the disagreement is when a node is out of order in many places', () => {
    const verdict = checkTotalOrder([
      ...sequence('n1', ['a', 'b', 'c', 'd', 'e']),
      ...sequence('n2', ['e', 'a', 'b', 'c', 'd']),
    ]);
    expect(violationsOf(verdict).map((v) => v.message)).toEqual([
      "n1 delivered a before e, but n2 delivered e before a (n1 at t=0 ms and t=40 ms; n2 at t=0 ms and t=10 ms); 4 of the 5 messages both delivered are out of n1's order at n2",
    ]);
  });

  it('does not blame n3 for lagging behind: it delivered a prefix of the same order', () => {
    expect(checkTotalOrder([...sequence('n1', ['m1', 'm2', 'm3', 'm4']), ...sequence('n3', ['m1', 'm2'])]).ok).toBe(
      true,
    );
  });

  it('compares only the messages two nodes have in common', () => {
    expect(checkTotalOrder([...sequence('n1', ['a', 'x', 'b']), ...sequence('n2', ['y', 'a', 'b', 'z'])]).ok).toBe(
      true,
    );
  });

  it('reports one violation for each pair of nodes that disagree', () => {
    const verdict = checkTotalOrder([
      ...sequence('n1', ['a', 'b']),
      ...sequence('n2', ['a', 'b']),
      ...sequence('n3', ['b', 'a']),
    ]);
    expect(violationsOf(verdict).map((v) => v.nodes)).toEqual([
      ['n1', 'n3'],
      ['n2', 'n3'],
    ]);
  });

  it('breaks ties in virtual time by record order, and judges a duplicate by its first delivery', () => {
    const sameInstant: DeliveryRecord[] = [
      { node: 'n1', messageId: 'a', atMs: 5 },
      { node: 'n1', messageId: 'b', atMs: 5 },
      { node: 'n2', messageId: 'a', atMs: 7 },
      { node: 'n2', messageId: 'b', atMs: 9 },
      { node: 'n2', messageId: 'a', atMs: 11 },
    ];
    expect(checkTotalOrder(sameInstant).ok).toBe(true);
  });

  it('checks agreement pair by pair, which does not promise one global order', () => {
    // No two nodes share two messages, so no pair can disagree, yet a → b → c → a has no total order.
    const verdict = checkTotalOrder([
      ...sequence('n1', ['a', 'b']),
      ...sequence('n2', ['b', 'c']),
      ...sequence('n3', ['c', 'a']),
    ]);
    expect(verdict.ok).toBe(true);
  });

  it('assertTotalOrder throws with the property name first', () => {
    expect(() => assertTotalOrder([...sequence('n1', ['a', 'b']), ...sequence('n2', ['b', 'a'])])).toThrow(
      /^total-order: n1 delivered a before b, but n2 delivered b before a/,
    );
  });
});

/** Brute force over all pairs of nodes and all pairs of common messages: the definition itself. */
function disagreeingPairs(deliveries: readonly DeliveryRecord[]): Set<string> {
  const orders = new Map<string, string[]>();
  for (const d of [...deliveries].sort((a, b) => a.atMs - b.atMs)) {
    const order = orders.get(d.node) ?? [];
    if (!order.includes(d.messageId)) order.push(d.messageId);
    orders.set(d.node, order);
  }
  const pairs = new Set<string>();
  for (const [p, pOrder] of orders) {
    for (const [q, qOrder] of orders) {
      if (p >= q) continue;
      for (const x of pOrder) {
        for (const y of pOrder) {
          const before = (order: string[]) => order.indexOf(x) < order.indexOf(y);
          if (x !== y && qOrder.includes(x) && qOrder.includes(y) && before(pOrder) !== before(qOrder))
            pairs.add(`${p}|${q}`);
        }
      }
    }
  }
  return pairs;
}

const globalOrderRun = fc
  .record({
    messageCount: fc.integer({ min: 0, max: 20 }),
    nodeCount: fc.integer({ min: 1, max: 5 }),
  })
  .chain(({ messageCount, nodeCount }) => {
    const order = Array.from({ length: messageCount }, (_, i) => `m${i}`);
    return fc.tuple(
      ...Array.from({ length: nodeCount }, (_, n) =>
        fc.subarray(order).map((messageIds) => sequence(`n${n + 1}`, messageIds, n * 3, 1 + n)),
      ),
    );
  })
  .map((perNode) => perNode.flat());

describe('total order: properties', () => {
  prop([globalOrderRun])('nodes that each deliver a subsequence of one global order agree', (deliveries) => {
    expect(checkTotalOrder(deliveries).ok).toBe(true);
  });

  prop([fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 15 }), fc.nat(), fc.nat(), fc.nat()])(
    'swapping two messages at one node is caught, and blames that node in every pair',
    (nodeCount, messageCount, pickNode, pickFirst, pickSecond) => {
      const order = Array.from({ length: messageCount }, (_, i) => `m${i}`);
      const i = pickFirst % messageCount;
      const j = (i + 1 + (pickSecond % (messageCount - 1))) % messageCount;
      const swapped = [...order];
      [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
      const culprit = pickNode % nodeCount;
      const deliveries = Array.from({ length: nodeCount }, (_, n) =>
        sequence(`n${n + 1}`, n === culprit ? swapped : order),
      ).flat();
      const verdict = checkTotalOrder(deliveries);
      expect(violationsOf(verdict)).toHaveLength(nodeCount - 1);
      for (const violation of violationsOf(verdict)) expect(violation.nodes).toContain(`n${culprit + 1}`);
    },
  );

  const smallRandomRun = fc.array(
    fc.record({
      node: fc.constantFrom('n1', 'n2', 'n3', 'n4'),
      messageId: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      atMs: fc.nat(50),
    }),
    { maxLength: 25 },
  );

  prop([smallRandomRun])('finds exactly the pairs of nodes that the definition says disagree', (deliveries) => {
    const expected = disagreeingPairs(deliveries);
    const found = new Set(violationsOf(checkTotalOrder(deliveries)).map((v) => [...v.nodes].sort().join('|')));
    expect(found).toEqual(expected);
  });
});

describe('total order: at scale', () => {
  // The timeout guards against a hang, not speed: `npm run bench` measures speed.
  it('compares 5 nodes × 20,000 deliveries', { timeout: 60_000 }, () => {
    const order = Array.from({ length: 20_000 }, (_, i) => `m${i}`);
    const deliveries = ['n1', 'n2', 'n3', 'n4', 'n5'].flatMap((node) => sequence(node, order, 0, 1));
    const last = deliveries.length - 1;
    [deliveries[last - 1], deliveries[last]] = [
      { ...deliveries[last]!, atMs: deliveries[last - 1]!.atMs },
      { ...deliveries[last - 1]!, atMs: deliveries[last]!.atMs },
    ];
    const verdict = checkTotalOrder(deliveries);
    expect(violationsOf(verdict).map((v) => v.messageIds)).toEqual([
      ['m19998', 'm19999'],
      ['m19998', 'm19999'],
      ['m19998', 'm19999'],
      ['m19998', 'm19999'],
    ]);
  });
});
