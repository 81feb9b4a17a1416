/**
 * The Maelstrom adapter against hand-written protocol transcripts: what goes in on stdin, what must come
 * out on stdout, and what is said on stderr.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { todo } from '../exercise.ts';
import type { NodeFactory } from '../node.ts';
import { MaelstromNode } from './maelstrom-node.ts';
import type { MaelstromTranslation } from './translation.ts';

/** A node process fed in-process, with what it wrote. */
function start(factory: NodeFactory, options: { storageDirectory?: string; translation?: MaelstromTranslation } = {}) {
  const out: unknown[] = [];
  const err: string[] = [];
  const node = new MaelstromNode({
    factory,
    translation: options.translation,
    storageDirectory: options.storageDirectory ?? mkdtempSync(path.join(tmpdir(), 'maelstrom-')),
    seed: 42,
    io: { send: (line) => out.push(JSON.parse(line)), log: (line) => err.push(line) },
  });
  const send = (src: string, body: Record<string, unknown>): void =>
    node.receiveLine(JSON.stringify({ src, dest: 'n1', body }));
  const init = (nodeIds = ['n1']): void => send('c0', { type: 'init', msg_id: 1, node_id: 'n1', node_ids: nodeIds });
  return { node, out, err, send, init };
}

/** Waits until `condition` holds, giving the node's promises and real timers their turn. */
async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 500 && !condition(); attempt++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

const echoNode: NodeFactory = () => ({
  onMessage(ctx, from, message) {
    if (message.type === 'echo')
      ctx.reply(from, message, { type: 'echo_ok', text: (message as { text?: string }).text });
  },
});

/** Hands out `n1-1`, `n1-2`, ...; the counter is in storage, saved before each reply. */
const counterNode: NodeFactory = () => {
  let last = 0;
  return {
    onStart(ctx) {
      last = ctx.storage.get<number>('last') ?? 0;
    },
    onMessage(ctx, from, message) {
      if (message.type !== 'generate') return;
      last++;
      ctx.storage.set('last', last);
      ctx.reply(from, message, { type: 'generate_ok', id: `${ctx.id}-${last}` });
    },
  };
};

describe('the Maelstrom protocol, by transcript', () => {
  it('answers init with init_ok, and says its seed on stderr', () => {
    const { out, err, init } = start(echoNode);
    init(['n2', 'n1']);
    expect(out).toEqual([{ src: 'n1', dest: 'c0', body: { type: 'init_ok', in_reply_to: 1 } }]);
    expect(err[0]).toMatch(/^n1: random seed 42 \(run again with --seed 42/);
  });

  it('echoes, with a translation of the field names', () => {
    const translation: MaelstromTranslation = {
      toNode: (body) => ({ type: body.type, text: body.echo }),
      toClient: (message) => ({ type: message.type, echo: (message as { text?: string }).text }),
    };
    const { out, send, init } = start(echoNode, { translation });
    init();
    send('c1', { type: 'echo', msg_id: 7, echo: 'hello' });
    expect(out[1]).toEqual({ src: 'n1', dest: 'c1', body: { type: 'echo_ok', echo: 'hello', in_reply_to: 7 } });
  });

  it('generates ids from storage', () => {
    const { out, send, init } = start(counterNode);
    init();
    send('c1', { type: 'generate', msg_id: 2 });
    send('c2', { type: 'generate', msg_id: 2 });
    expect(out.slice(1)).toEqual([
      { src: 'n1', dest: 'c1', body: { type: 'generate_ok', id: 'n1-1', in_reply_to: 2 } },
      { src: 'n1', dest: 'c2', body: { type: 'generate_ok', id: 'n1-2', in_reply_to: 2 } },
    ]);
  });

  it('makes an rpc to another node and takes its reply by in_reply_to', async () => {
    const relay: NodeFactory = () => ({
      async onMessage(ctx, from, message) {
        if (message.type === 'ask') {
          const answer = await ctx.rpc<{ type: 'pong'; n: number }>('n2', { type: 'ping' }, { timeoutMs: 5_000 });
          ctx.reply(from, message, answer.ok ? { type: 'ask_ok', n: answer.reply.n } : { type: 'ask_timeout' });
        }
      },
    });
    const { out, err, send, init } = start(relay);
    init(['n1', 'n2']);
    send('c1', { type: 'ask', msg_id: 5 });
    expect(out[1]).toEqual({ src: 'n1', dest: 'n2', body: { type: 'ping', msg_id: 1 } });
    send('n2', { type: 'pong', n: 9, in_reply_to: 1 });
    await until(() => out.length === 3);
    expect(out[2]).toEqual({ src: 'n1', dest: 'c1', body: { type: 'ask_ok', n: 9, in_reply_to: 5 } });
    send('n2', { type: 'pong', n: 9, in_reply_to: 1 }); // a duplicate: the rpc is over
    expect(err.at(-1)).toContain('late reply pong to request 1 ignored');
  });

  it('times an rpc out with a real timer', async () => {
    const impatient: NodeFactory = () => ({
      async onMessage(ctx, from, message) {
        const answer = await ctx.rpc('n2', { type: 'ping' }, { timeoutMs: 10 });
        ctx.reply(from, message, { type: answer.ok ? 'ask_ok' : 'ask_timeout' });
      },
    });
    const { out, send, init } = start(impatient);
    init(['n1', 'n2']);
    send('c1', { type: 'ask', msg_id: 5 });
    await until(() => out.length === 3);
    expect(out[2]).toMatchObject({ dest: 'c1', body: { type: 'ask_timeout', in_reply_to: 5 } });
  });

  it('answers with Maelstrom error codes: 11 before init, 13 when a handler throws, 10 for a todo', async () => {
    const broken: NodeFactory = () => ({
      async onMessage(ctx, _from, message) {
        if (message.type === 'crash') throw new Error('the disk is on fire');
        if (message.type === 'later') {
          await ctx.sleep(1);
          throw new Error('asynchronously');
        }
        todo('handle everything', 'README.md');
      },
    });
    const { out, err, send, init } = start(broken);
    send('c1', { type: 'echo', msg_id: 1 });
    expect(out[0]).toMatchObject({ body: { type: 'error', code: 11, in_reply_to: 1 } });
    init();
    send('c1', { type: 'crash', msg_id: 2 });
    send('c1', { type: 'anything', msg_id: 3 });
    send('c1', { type: 'later', msg_id: 4 });
    await until(() => out.length === 5);
    expect(out[0]).toMatchObject({ src: 'n1' });
    expect(out[2]).toEqual({
      src: 'n1',
      dest: 'c1',
      body: { type: 'error', code: 13, text: 'the disk is on fire', in_reply_to: 2 },
    });
    expect(out[3]).toMatchObject({ body: { type: 'error', code: 10, in_reply_to: 3 } });
    expect((out[3] as { body: { text: string } }).body.text).toContain('Not implemented yet: handle everything');
    expect(out[4]).toMatchObject({ body: { type: 'error', code: 13, text: 'asynchronously', in_reply_to: 4 } });
    expect(err.some((line) => line.includes('n1 threw while handling crash from c1'))).toBe(true);
  });

  it('a translation can answer with an error itself', () => {
    const translation: MaelstromTranslation = {
      toNode: (body) => (body.type === 'cas' ? { type: 'error', code: 10, text: 'no cas here' } : body),
    };
    const { out, send, init } = start(echoNode, { translation });
    init();
    send('c1', { type: 'cas', msg_id: 3 });
    expect(out[1]).toEqual({
      src: 'n1',
      dest: 'c1',
      body: { type: 'error', code: 10, text: 'no cas here', in_reply_to: 3 },
    });
  });

  it('reports a malformed line on stderr and keeps running', () => {
    const { node, out, err, send, init } = start(echoNode);
    init();
    node.receiveLine('{"src": "c1", "dest": "n1", "body": {"type": "echo"');
    node.receiveLine('{"src": "c1", "dest": "n1"}');
    node.receiveLine('{"src": "c1", "dest": "n1", "body": {"type": "echo", "msg_id": "seven"}}');
    send('c1', { type: 'echo', msg_id: 8, text: 'still here' });
    expect(err.slice(1)).toEqual([
      expect.stringMatching(/^malformed line 2 ignored: not JSON/),
      expect.stringMatching(/^malformed line 3 ignored: a message needs a "body" object/),
      expect.stringMatching(/^malformed line 4 ignored: "msg_id" must be an integer/),
    ]);
    expect(out[1]).toMatchObject({ body: { type: 'echo_ok', text: 'still here', in_reply_to: 8 } });
  });

  it('keeps storage across a restart, in one file written atomically', () => {
    const storageDirectory = mkdtempSync(path.join(tmpdir(), 'maelstrom-'));
    const first = start(counterNode, { storageDirectory });
    first.init();
    first.send('c1', { type: 'generate', msg_id: 2 });
    first.send('c1', { type: 'generate', msg_id: 3 });
    first.node.stop(); // the process is killed
    expect(readdirSync(storageDirectory)).toEqual(['n1.json']); // no temporary file left behind
    expect(JSON.parse(readFileSync(path.join(storageDirectory, 'n1.json'), 'utf8'))).toEqual({ last: 2 });
    const second = start(counterNode, { storageDirectory });
    second.init();
    second.send('c1', { type: 'generate', msg_id: 2 });
    expect(second.out[1]).toMatchObject({ body: { type: 'generate_ok', id: 'n1-3' } });
    expect(existsSync(path.join(storageDirectory, 'n1.json.tmp'))).toBe(false);
  });

  it('a reply to a message that was not a request is a mistake, said in words', () => {
    const replier: NodeFactory = () => ({
      onMessage(ctx, from, message) {
        ctx.reply(from, message, { type: 'ok' });
      },
    });
    const { err, send, init } = start(replier);
    init(['n1', 'n2']);
    send('n2', { type: 'gossip' });
    expect(err.at(-1)).toContain('called ctx.reply to a gossip message from n2, which is not a request');
  });
});
