/**
 * Running a node process on a stream of lines: stdin, or a test's transcript.
 *
 * @module
 */

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { MaelstromNode, type MaelstromNodeOptions } from './maelstrom-node.ts';

/**
 * Runs a {@link MaelstromNode} on `input`, one line at a time, until the input ends (Maelstrom closes
 * stdin when the test is over); then cancels its timers and resolves.
 */
export async function runMaelstromNode(options: MaelstromNodeOptions, input: Readable): Promise<void> {
  const node = new MaelstromNode(options);
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => node.receiveLine(line));
  await new Promise<void>((resolve) => lines.once('close', resolve));
  node.stop();
}
