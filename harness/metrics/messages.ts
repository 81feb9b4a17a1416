/**
 * Messages per operation: what a protocol costs the network for each thing a client asked.
 *
 * @module
 */
import type { NetworkStats } from '../sim/index.ts';

/**
 * The messages sent between nodes per client operation: every message in `stats` except those whose
 * type is in `clientTypes` (the clients' requests and the answers to them), divided by `operations`.
 * `0` when there were no operations.
 */
export function messagesPerOperation(stats: NetworkStats, operations: number, clientTypes: readonly string[]): number {
  if (operations === 0) return 0;
  const clientMessages = clientTypes.reduce((sum, type) => sum + (stats.byType[type]?.messages ?? 0), 0);
  return (stats.messagesSent - clientMessages) / operations;
}
