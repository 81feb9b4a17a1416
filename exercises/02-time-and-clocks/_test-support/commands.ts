/**
 * Test support for chapter 2 (not a learner file): a client that sends the nodes their commands at
 * given times, and a run that waits until everything sent has arrived.
 *
 * Client `c1` only sends: it never receives anything, so it adds no causal paths between the nodes'
 * events. The happened-before relation the tests check is the nodes' own.
 *
 * @module
 */
import type { Message, NodeId } from '#harness';
import type { Simulation } from '#harness/testing';
import type { LocalCommand, SendCommand } from '../03-vector-clocks/protocol.ts';

/** "At `atMs`, node `node` does event `id`": a local event, or, with `to`, sends note `id` to `to`. */
export interface Command {
  readonly atMs: number;
  readonly node: NodeId;
  readonly id: string;
  readonly to?: NodeId;
}

/**
 * The message for a command of exercises 2.3 and 2.5: `local` for a local event, `send` when the
 * command names a receiver.
 */
export function localOrSend({ id, to }: Command): LocalCommand | SendCommand {
  return to === undefined ? { type: 'local', id } : { type: 'send', id, to };
}

/**
 * Client c1 sends each command at its time (in time order; commands at the same time in the order
 * given), as the message `toMessage` makes of it.
 */
export function sendCommands(
  sim: Simulation,
  commands: readonly Command[],
  toMessage: (command: Command) => Message = localOrSend,
): void {
  sim.client('c1', async (c) => {
    for (const command of [...commands].sort((a, b) => a.atMs - b.atMs)) {
      await c.sleep(Math.max(0, command.atMs - c.now()));
      c.send(command.node, toMessage(command));
    }
  });
}

/** Runs until the client has sent every command, then one more second, so that every message has arrived. */
export async function runToQuiet(sim: Simulation, timeoutMs = 10_000): Promise<void> {
  const done = await sim.runUntilClientsDone({ timeoutMs });
  if (!done)
    throw new Error(`the client did not finish sending its commands within ${timeoutMs / 1_000} s of virtual time`);
  await sim.run({ untilMs: sim.nowMs + 1_000 });
}
