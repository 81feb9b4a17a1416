/**
 * `kata maelstrom`: the executables it writes for echo, unique-ids and the Raft key-value store, run as
 * real processes against protocol transcripts.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { findExercises, repositoryRoot } from '../lib/exercises.ts';
import { writeMaelstromExecutable } from './maelstrom.ts';

interface Line {
  readonly src: string;
  readonly dest: string;
  readonly body: Record<string, unknown> & { type: string };
}

/** A running node process, its stdout as parsed lines, and its stderr. */
interface NodeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly out: Line[];
  readonly err: string[];
  send(src: string, body: Record<string, unknown>): void;
  /** Resolves with the first line of stdout (after `from`) that `matches`; fails after a bound. */
  next(matches: (line: Line) => boolean, from?: number): Promise<Line>;
}

const started: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

function run(executable: string, nodeId = 'n1'): NodeProcess {
  const child = spawn(executable, ['--seed', '1'], { stdio: 'pipe' });
  started.push(child);
  const out: Line[] = [];
  const err: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => out.push(JSON.parse(line) as Line));
  createInterface({ input: child.stderr }).on('line', (line) => err.push(line));
  return {
    child,
    out,
    err,
    send: (src, body) => child.stdin.write(`${JSON.stringify({ src, dest: nodeId, body })}\n`),
    async next(matches, from = 0) {
      // Bounded: the first start loads TypeScript, which takes seconds on a busy machine.
      for (let attempt = 0; attempt < 1_200; attempt++) {
        const found = out.slice(from).find(matches);
        if (found !== undefined) return found;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`no matching line on stdout; stdout: ${JSON.stringify(out)}; stderr: ${err.join('\n')}`);
    },
  };
}

function exercise(id: string) {
  return findExercises(repositoryRoot).find((candidate) => candidate.id === id)!;
}

async function executableFor(id: string): Promise<string> {
  const folder = mkdtempSync(path.join(tmpdir(), 'kata-maelstrom-'));
  return (await writeMaelstromExecutable(repositoryRoot, exercise(id), { solution: true, folder })).executable;
}

const init = (node: NodeProcess, nodeIds = ['n1']): void =>
  node.send('c0', { type: 'init', msg_id: 1, node_id: 'n1', node_ids: nodeIds });

describe('kata maelstrom executables', () => {
  it('echo: init_ok, then echo_ok with the echo field, after a malformed line', async () => {
    const node = run(await executableFor('01-message-passing/01-echo'));
    init(node);
    expect((await node.next((line) => line.body.type === 'init_ok')).body).toEqual({ type: 'init_ok', in_reply_to: 1 });
    node.child.stdin.write('this is not json\n');
    node.send('c1', { type: 'echo', msg_id: 2, echo: 'hello' });
    const reply = await node.next((line) => line.body.type === 'echo_ok');
    expect(reply).toEqual({ src: 'n1', dest: 'c1', body: { type: 'echo_ok', echo: 'hello', in_reply_to: 2 } });
    expect(node.err.some((line) => line.includes('malformed line 2 ignored'))).toBe(true);
    expect(node.err[0]).toContain('random seed 1');
  });

  it('unique-ids: a node killed and started again keeps its storage, so its ids stay unique', async () => {
    const executable = await executableFor('01-message-passing/02-unique-ids');
    const first = run(executable);
    init(first);
    for (const msgId of [2, 3]) first.send('c1', { type: 'generate', msg_id: msgId });
    await first.next((line) => line.body.in_reply_to === 3);
    first.child.kill('SIGKILL');
    const second = run(executable);
    init(second);
    second.send('c1', { type: 'generate', msg_id: 4 });
    const ids = [
      ...first.out.filter((line) => line.body.type === 'generate_ok').map((line) => line.body.id),
      (await second.next((line) => line.body.in_reply_to === 4)).body.id,
    ];
    expect(ids).toEqual(['n1-1', 'n1-2', 'n1-3']);
  });

  it('kv-store (lin-kv): write and read through a one-node Raft, cas refused with code 10', async () => {
    const node = run(await executableFor('05-consensus/04-kv-store'));
    init(node);
    await node.next((line) => line.body.type === 'init_ok');
    node.send('c1', { type: 'cas', msg_id: 2, key: 1, from: 1, to: 2 });
    expect((await node.next((line) => line.body.in_reply_to === 2)).body).toMatchObject({ type: 'error', code: 10 });
    // Before the node elects itself, it is not the leader: error 13, and this client tries again.
    let msgId = 3;
    for (;;) {
      node.send('c1', { type: 'write', msg_id: msgId, key: 1, value: 7 });
      const answer = await node.next((line) => line.body.in_reply_to === msgId);
      if (answer.body.type === 'write_ok') break;
      expect(answer.body).toMatchObject({ type: 'error', code: 13 });
      expect(msgId).toBeLessThan(200);
      msgId++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    node.send('c1', { type: 'read', msg_id: 1_000, key: 1 });
    expect((await node.next((line) => line.body.in_reply_to === 1_000)).body).toEqual({
      type: 'read_ok',
      value: 7,
      in_reply_to: 1_000,
    });
    node.send('c2', { type: 'read', msg_id: 2, key: 'never written' });
    expect((await node.next((line) => line.dest === 'c2')).body).toMatchObject({ type: 'error', code: 20 });
  });
});
