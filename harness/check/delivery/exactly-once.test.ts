import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prop } from '../_test-support/vitest-prop.ts';
import {
  assertExactlyOnce,
  checkExactlyOnce,
  everyNodeButSender,
  type DeliveryRecord,
  type ExactlyOnceVerdict,
  type SentRecord,
} from './index.ts';

const nodes = ['n1', 'n2', 'n3'];

function violationsOf(verdict: ExactlyOnceVerdict) {
  return verdict.ok ? [] : verdict.violations;
}

describe('exactly-once delivery: stories', () => {
  it('passes when n1 broadcasts m17 and every node delivers it once', () => {
    const verdict = checkExactlyOnce({
      sent: [{ node: 'n1', messageId: 'm17', atMs: 100 }],
      delivered: [
        { node: 'n1', messageId: 'm17', from: 'n1', atMs: 100 },
        { node: 'n2', messageId: 'm17', from: 'n1', atMs: 340 },
        { node: 'n3', messageId: 'm17', from: 'n1', atMs: 410 },
      ],
      expectedReceivers: nodes,
    });
    expect(verdict).toEqual({ ok: true, messagesSent: 1, deliveries: 3 });
  });

  it('catches n2 delivering a retransmitted m17 a second time', () => {
    const verdict = checkExactlyOnce({
      sent: [{ node: 'n1', messageId: 'm17', atMs: 100 }],
      delivered: [
        { node: 'n2', messageId: 'm17', from: 'n1', atMs: 912 },
        { node: 'n2', messageId: 'm17', from: 'n1', atMs: 340 },
      ],
      expectedReceivers: ['n2'],
    });
    expect(violationsOf(verdict)).toEqual([
      {
        property: 'exactly-once',
        node: 'n2',
        messageId: 'm17',
        message: 'n2 delivered message m17 from n1 twice (t=340 ms, t=912 ms)',
        evidence: [
          { node: 'n2', messageId: 'm17', from: 'n1', atMs: 340 },
          { node: 'n2', messageId: 'm17', from: 'n1', atMs: 912 },
        ],
        // The second delivery broke the promise; the sender is involved too.
        focus: { nodes: ['n1'], atMs: 912 },
      },
    ]);
  });

  it('lists a few times of a message delivered many times, then says how many more', () => {
    const delivered = [1, 2, 3, 4, 5, 6, 7].map((i) => ({ node: 'n2', messageId: 'm1', atMs: i * 10 }));
    const verdict = checkExactlyOnce({
      sent: [{ node: 'n1', messageId: 'm1', atMs: 0 }],
      delivered,
      expectedReceivers: [],
    });
    expect(violationsOf(verdict).map((v) => v.message)).toEqual([
      'n2 delivered message m1 from n1 7 times (t=10 ms, t=20 ms, t=30 ms, t=40 ms, t=50 ms and 2 more)',
    ]);
  });

  it('catches n3 delivering a message that no node ever sent', () => {
    const verdict = checkExactlyOnce({
      sent: [],
      delivered: [{ node: 'n3', messageId: 'm99', from: 'n1', atMs: 250 }],
      expectedReceivers: nodes,
    });
    expect(violationsOf(verdict)).toMatchObject([
      { property: 'no-invention', message: 'n3 delivered message m99 from n1 at t=250 ms, but no node ever sent m99' },
    ]);
  });

  it('catches n2 attributing m17 to the wrong sender', () => {
    const verdict = checkExactlyOnce({
      sent: [{ node: 'n1', messageId: 'm17', atMs: 100 }],
      delivered: [{ node: 'n2', messageId: 'm17', from: 'n3', atMs: 300 }],
      expectedReceivers: ['n2'],
    });
    expect(violationsOf(verdict).map((v) => [v.property, v.message])).toEqual([
      ['no-invention', 'n2 delivered message m17 as if from n3 at t=300 ms, but n1 sent it (at t=100 ms)'],
    ]);
  });

  it('catches n2 delivering m17 before n1 sent it', () => {
    const verdict = checkExactlyOnce({
      sent: [{ node: 'n1', messageId: 'm17', atMs: 100 }],
      delivered: [{ node: 'n2', messageId: 'm17', atMs: 60 }],
      expectedReceivers: ['n2'],
    });
    expect(violationsOf(verdict).map((v) => v.message)).toEqual([
      'n2 delivered message m17 at t=60 ms, before n1 sent it at t=100 ms',
    ]);
  });

  it('catches m17 never reaching n3, even after the network healed', () => {
    const verdict = checkExactlyOnce({
      sent: [{ node: 'n1', messageId: 'm17', atMs: 120 }],
      delivered: [
        { node: 'n1', messageId: 'm17', atMs: 120 },
        { node: 'n2', messageId: 'm17', atMs: 200 },
      ],
      expectedReceivers: nodes,
      healedAtMs: 5000,
    });
    expect(violationsOf(verdict)).toEqual([
      {
        property: 'no-loss',
        node: 'n3',
        messageId: 'm17',
        message:
          'message m17 from n1 (sent at t=120 ms) was never delivered to n3, although the network healed at t=5000 ms',
        evidence: [{ node: 'n1', messageId: 'm17', atMs: 120 }],
        focus: { atMs: 120 },
      },
    ]);
  });

  it('does not expect a sender to deliver its own message when told so with everyNodeButSender', () => {
    const verdict = checkExactlyOnce({
      sent: [{ node: 'n1', messageId: 'm1', atMs: 0 }],
      delivered: [
        { node: 'n2', messageId: 'm1', atMs: 10 },
        { node: 'n3', messageId: 'm1', atMs: 10 },
      ],
      expectedReceivers: everyNodeButSender(nodes),
    });
    expect(verdict.ok).toBe(true);
  });

  it('asks a function which nodes must deliver each message', () => {
    const verdict = checkExactlyOnce({
      sent: [
        { node: 'n1', messageId: 'to-n2', atMs: 0 },
        { node: 'n1', messageId: 'to-n3', atMs: 0 },
      ],
      delivered: [{ node: 'n2', messageId: 'to-n2', atMs: 10 }],
      expectedReceivers: (messageId) => [messageId.slice(3)],
    });
    expect(violationsOf(verdict).map((v) => v.message)).toEqual([
      'message to-n3 from n1 (sent at t=0 ms) was never delivered to n3',
    ]);
  });

  it('refuses two send records with one id: that is a mistake in the test, not in the system', () => {
    expect(() =>
      checkExactlyOnce({
        sent: [
          { node: 'n1', messageId: 'm1', atMs: 0 },
          { node: 'n2', messageId: 'm1', atMs: 5 },
        ],
        delivered: [],
        expectedReceivers: [],
      }),
    ).toThrow('Message id m1 was sent twice: by n1 at t=0 ms and by n2 at t=5 ms');
  });

  it('assertExactlyOnce names the properties first and lists at most five violations', () => {
    const sent = Array.from({ length: 8 }, (_, i) => ({ node: 'n1', messageId: `m${i}`, atMs: i }));
    expect(() => assertExactlyOnce({ sent, delivered: [], expectedReceivers: ['n2'] })).toThrow(
      /^no-loss: 8 violations\n {2}- message m0 from n1 \(sent at t=0 ms\) was never delivered to n2\n(.*\n){4} {2}… and 3 more$/,
    );
    expect(assertExactlyOnce({ sent: [], delivered: [], expectedReceivers: nodes })).toEqual({
      ok: true,
      messagesSent: 0,
      deliveries: 0,
    });
  });
});

/** A broadcast run where every node delivers every message once, in a shuffled record order. */
const cleanRun = fc
  .record({
    nodeCount: fc.integer({ min: 1, max: 5 }),
    messages: fc.array(
      fc.record({
        sender: fc.nat(4),
        sentAtMs: fc.nat(1000),
        delays: fc.array(fc.nat(500), { minLength: 5, maxLength: 5 }),
      }),
      {
        maxLength: 30,
      },
    ),
  })
  .chain(({ nodeCount, messages }) => {
    const runNodes = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
    const sent: SentRecord[] = messages.map((m, i) => ({
      node: runNodes[m.sender % nodeCount]!,
      messageId: `m${i}`,
      atMs: m.sentAtMs,
    }));
    const delivered: DeliveryRecord[] = messages.flatMap((m, i) =>
      runNodes.map((node, n) => ({ node, messageId: `m${i}`, from: sent[i]!.node, atMs: m.sentAtMs + m.delays[n]! })),
    );
    return fc.record({
      nodes: fc.constant(runNodes),
      sent: fc.constant(sent),
      delivered: fc.shuffledSubarray(delivered, { minLength: delivered.length }),
    });
  });

describe('exactly-once delivery: properties', () => {
  prop([cleanRun])('every message delivered once to every node passes', ({ nodes: runNodes, sent, delivered }) => {
    expect(checkExactlyOnce({ sent, delivered, expectedReceivers: runNodes }).ok).toBe(true);
  });

  prop([cleanRun.filter((run) => run.delivered.length > 0), fc.nat()])(
    'delivering one record twice is caught as exactly that duplicate',
    ({ nodes: runNodes, sent, delivered }, pick) => {
      const twice = delivered[pick % delivered.length]!;
      const verdict = checkExactlyOnce({
        sent,
        delivered: [...delivered, { ...twice, atMs: twice.atMs + 1 }],
        expectedReceivers: runNodes,
      });
      expect(violationsOf(verdict).map((v) => [v.property, v.node, v.messageId])).toEqual([
        ['exactly-once', twice.node, twice.messageId],
      ]);
    },
  );

  prop([cleanRun.filter((run) => run.delivered.length > 0), fc.nat()])(
    'dropping one delivery is caught as exactly that loss',
    ({ nodes: runNodes, sent, delivered }, pick) => {
      const index = pick % delivered.length;
      const dropped = delivered[index]!;
      const rest = delivered.filter((_, i) => i !== index);
      const verdict = checkExactlyOnce({ sent, delivered: rest, expectedReceivers: runNodes });
      expect(violationsOf(verdict).map((v) => [v.property, v.node, v.messageId])).toEqual([
        ['no-loss', dropped.node, dropped.messageId],
      ]);
    },
  );
});

describe('exactly-once delivery: at scale', () => {
  // The timeout guards against a hang, not speed: `npm run bench` measures speed.
  it('judges 100,000 deliveries (and reports 10,000 duplicates)', { timeout: 60_000 }, () => {
    const sent = Array.from({ length: 20_000 }, (_, i) => ({ node: `n${i % 5}`, messageId: `m${i}`, atMs: i }));
    const delivered = sent.flatMap((s) =>
      ['n0', 'n1', 'n2', 'n3', 'n4'].map((node) => ({ node, messageId: s.messageId, atMs: s.atMs + 7 })),
    );
    for (let i = 0; i < 10_000; i++) delivered.push({ ...delivered[i * 10]!, atMs: 1e6 });
    const verdict = checkExactlyOnce({ sent, delivered, expectedReceivers: ['n0', 'n1', 'n2', 'n3', 'n4'] });
    expect(violationsOf(verdict)).toHaveLength(10_000);
  });
});
