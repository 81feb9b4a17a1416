import type { Message, Node, NodeContext, NodeFactory } from '../node.ts';

/** A node that answers `echo` requests and records everything else it receives. */
export function echoNode(): NodeFactory {
  return () => ({
    onMessage(ctx: NodeContext, from: string, message: Message) {
      if (message.type === 'echo')
        ctx.reply(from, message, { type: 'echo_ok', text: (message as { text?: string }).text });
    },
  });
}

/** A node built from handlers given inline, for small harness tests. */
export function nodeOf(handlers: Partial<Node>): NodeFactory {
  return () => ({ onMessage() {}, ...handlers });
}

/** A node that gossips a counter to every other node every 10 ms: a busy, random-ish workload. */
export function chattyNode(): NodeFactory {
  return (ctx) => {
    let received = 0;
    return {
      onStart(c) {
        c.setTimer({ min: 5, max: 15 }, { type: 'tick' });
      },
      onTimer(c) {
        for (const peer of c.nodeIds)
          if (peer !== c.id) c.send(peer, { type: 'gossip', count: received, r: c.randomInt(0, 9) });
        c.setTimer({ min: 5, max: 15 }, { type: 'tick' });
      },
      onMessage(c, from) {
        received++;
        if (received % 7 === 0) c.log(`heard ${received} messages, last from ${from} at local ${c.now()}`);
        void ctx;
      },
    };
  };
}
