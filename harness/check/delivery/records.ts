/**
 * The records the delivery checkers read: who originated which message, and who delivered it when.
 *
 * @module
 */

/**
 * One delivery: node `node` handed message `messageId` to its application at virtual time `atMs`.
 *
 * "Delivered" is the moment the protocol gives a message to the application above it, not the moment
 * a packet arrived: a broadcast protocol may receive a message several times, or hold it back until its
 * causes have arrived, and delivers it (at most) once.
 *
 * Invariant: `atMs` is a finite virtual time in milliseconds.
 */
export interface DeliveryRecord {
  /** The node that delivered the message. */
  readonly node: string;
  /** The message's id, unique across the whole run (the same id on every node that delivers it). */
  readonly messageId: string;
  /** The node that originated the message, when known. Used in messages and cross-checked against sends. */
  readonly from?: string | undefined;
  /** Virtual time (ms) of the delivery. */
  readonly atMs: number;
}

/**
 * One origination: node `node` sent (broadcast) a new message `messageId` at virtual time `atMs`.
 *
 * Record the first send only, not retransmissions: a message is originated once, whatever the network
 * does to it afterwards.
 */
export interface SentRecord {
  /** The node that originated the message. */
  readonly node: string;
  /** The message's id, unique across the whole run. */
  readonly messageId: string;
  /** Virtual time (ms) at which the node originated it. */
  readonly atMs: number;
}
