/**
 * The executable `npm run kata -- maelstrom <exercise>` writes runs this:
 *
 * ```sh
 * node --import tsx harness/maelstrom/main.ts --binding <exercise>/maelstrom.ts --node <file.ts> \
 *   --storage-dir <dir> [--seed N]
 * ```
 *
 * It loads the exercise's binding and the node file, prints the seed on stderr, and speaks Maelstrom's
 * protocol on stdin and stdout until stdin closes.
 *
 * @module
 */

import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { NodeFactory } from '../node.ts';
import { MAX_SEED } from '../random.ts';
import { runMaelstromNode } from './run.ts';
import type { MaelstromBinding } from './translation.ts';

const { values } = parseArgs({
  options: {
    binding: { type: 'string' },
    node: { type: 'string' },
    'storage-dir': { type: 'string' },
    seed: { type: 'string' },
  },
});

function fail(problem: string): never {
  process.stderr.write(`maelstrom node: ${problem}\n`);
  process.exit(64);
}

if (values.binding === undefined || values.node === undefined || values['storage-dir'] === undefined)
  fail('needs --binding <maelstrom.ts> --node <file.ts> --storage-dir <dir> [--seed N]');
if (values.seed !== undefined && !/^\d+$/.test(values.seed)) fail(`--seed takes a whole number, got "${values.seed}"`);

const { maelstrom } = (await import(pathToFileURL(values.binding).href)) as { maelstrom: MaelstromBinding };
const module = (await import(pathToFileURL(values.node).href)) as Record<string, unknown>;
const factory = module[maelstrom.factory];
if (typeof factory !== 'function') fail(`${values.node} does not export a node factory named ${maelstrom.factory}`);

// Real randomness is allowed here, outside the simulator; the seed is printed so a run can be repeated.
const seed = values.seed === undefined ? randomInt(0, MAX_SEED) : Number(values.seed) % (MAX_SEED + 1);
await runMaelstromNode(
  {
    factory: factory as NodeFactory,
    translation: maelstrom.translation,
    storageDirectory: values['storage-dir'],
    seed,
    io: {
      send: (line) => process.stdout.write(`${line}\n`),
      log: (line) => process.stderr.write(`${line}\n`),
    },
  },
  process.stdin,
);
