/**
 * Exercise 2.4's client command and the application above the broadcast layer (`deliverToApplication`).
 * This file is given: the stub, the solution and the tests all import it.
 */
import type { Message, NodeContext, NodeId } from '#harness';

/** Client → node: "broadcast this message to everyone". Fire-and-forget; the network may duplicate it. */
export interface BroadcastCommand extends Message {
  readonly type: 'broadcast';
  /** The message's id, unique in the run. */
  readonly id: string;
  readonly text: string;
}

/** What the application above the broadcast layer receives. */
export interface AppMessage {
  readonly id: string;
  /** The node that broadcast it. */
  readonly from: NodeId;
  readonly text: string;
}

/** Hands a message to the application. Call it exactly once per message, at every node (the sender too). */
export function deliverToApplication(ctx: NodeContext, message: AppMessage): void {
  ctx.log(`deliver ${message.id} from ${message.from}`);
}
