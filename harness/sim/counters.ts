/**
 * Counters of what crossed the network: messages, bytes, drops and duplicates.
 *
 * @module
 */
import type { NodeId } from '../node.ts';
import type { DropReason } from '../trace/node.ts';

/** Counters of what crossed the network. */
export interface NetworkStats {
  /** Messages sent by nodes and clients. */
  readonly messagesSent: number;
  /** Bytes sent (JSON size). */
  readonly bytesSent: number;
  /** Message copies handed to their receiver. */
  readonly messagesDelivered: number;
  /** Message copies lost, by reason. */
  readonly messagesDropped: Readonly<Record<DropReason, number>>;
  /** Extra copies the network made. */
  readonly messagesDuplicated: number;
  /** Messages and bytes sent, per message type. */
  readonly byType: Readonly<Record<string, { readonly messages: number; readonly bytes: number }>>;
  /** Messages and bytes sent, per sender. */
  readonly bySender: Readonly<Record<NodeId, { readonly messages: number; readonly bytes: number }>>;
}

const ZERO_DROPS: Record<DropReason, number> = { network: 0, partition: 0, 'node-down': 0 };

/** The running counts behind {@link NetworkStats}. */
export class NetworkCounters {
  #messagesSent = 0;
  #bytesSent = 0;
  #messagesDelivered = 0;
  #messagesDuplicated = 0;
  readonly #messagesDropped: Record<DropReason, number> = { ...ZERO_DROPS };
  readonly #byType = new Map<string, { messages: number; bytes: number }>();
  readonly #bySender = new Map<NodeId, { messages: number; bytes: number }>();

  /** Counts one message of `type` and `bytes` sent by `sender`. */
  sent(sender: NodeId, type: string, bytes: number): void {
    this.#messagesSent++;
    this.#bytesSent += bytes;
    const byType = this.#byType.get(type) ?? { messages: 0, bytes: 0 };
    byType.messages++;
    byType.bytes += bytes;
    this.#byType.set(type, byType);
    const bySender = this.#bySender.get(sender) ?? { messages: 0, bytes: 0 };
    bySender.messages++;
    bySender.bytes += bytes;
    this.#bySender.set(sender, bySender);
  }

  /** Counts one copy handed to its receiver. */
  delivered(): void {
    this.#messagesDelivered++;
  }

  /** Counts one copy lost for `reason`. */
  dropped(reason: DropReason): void {
    this.#messagesDropped[reason]++;
  }

  /** Counts one extra copy the network made. */
  duplicated(): void {
    this.#messagesDuplicated++;
  }

  /** A copy of the counts now. */
  snapshot(): NetworkStats {
    return {
      messagesSent: this.#messagesSent,
      bytesSent: this.#bytesSent,
      messagesDelivered: this.#messagesDelivered,
      messagesDropped: { ...this.#messagesDropped },
      messagesDuplicated: this.#messagesDuplicated,
      byType: Object.fromEntries([...this.#byType].map(([type, count]) => [type, { ...count }])),
      bySender: Object.fromEntries([...this.#bySender].map(([sender, count]) => [sender, { ...count }])),
    };
  }
}
