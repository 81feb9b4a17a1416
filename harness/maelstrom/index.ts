/**
 * Run a learner's node outside the simulator, as a real process speaking Maelstrom's protocol (the
 * JSON-lines protocol of Jepsen's Maelstrom, the tool behind Gossip Glomers).
 *
 * This folder is the one place in the harness where real time, real randomness and real I/O are
 * allowed: real timers, the process's clock, a seed drawn from the operating system (and printed), a
 * storage file per node, stdin and stdout. Nothing in `harness/sim`, `harness/testing`, `harness/check`
 * or a node imports it (a harness test checks), so simulated runs stay deterministic. A node runs here
 * unchanged: it only ever asks its {@link NodeContext} for effects.
 *
 * - {@link MaelstromNode}: one node, fed line by line; {@link runMaelstromNode} runs it on a stream.
 * - {@link MaelstromBinding}: what an exercise declares in its `maelstrom.ts` (workload, node factory,
 *   and a {@link MaelstromTranslation} where its messages differ from the workload's).
 * - {@link FileStorage}: durable storage as a file, written atomically.
 *
 * `npm run kata -- maelstrom <exercise> [--solution]` writes an executable for `maelstrom test --bin`.
 *
 * @module
 */

export type { NodeContext } from '../node.ts';
export { MaelstromNode, type MaelstromIo, type MaelstromNodeOptions } from './maelstrom-node.ts';
export { runMaelstromNode } from './run.ts';
export { FileStorage } from './file-storage.ts';
export {
  ERROR_CODES,
  errorBody,
  parseEnvelope,
  type MaelstromBody,
  type MaelstromEnvelope,
  type MaelstromError,
} from './protocol.ts';
export type { MaelstromBinding, MaelstromTranslation } from './translation.ts';
