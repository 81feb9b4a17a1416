/**
 * How an exercise's messages meet a Maelstrom workload's, when their fields differ.
 *
 * @module
 */

import type { Message, OutgoingMessage } from '../node.ts';
import type { MaelstromBody, MaelstromError } from './protocol.ts';

/**
 * Translates between a Maelstrom workload's client messages and an exercise's. Applied only to messages
 * from and to clients (ids not in `node_ids`): nodes talk to each other in the exercise's own messages.
 */
export interface MaelstromTranslation {
  /**
   * A client's request as the exercise's message (without `msg_id`, which the adapter handles), or an
   * error to answer at once (e.g. code 10 for an operation the exercise does not have). `from` is the
   * client's id.
   */
  toNode?(body: MaelstromBody, from: string): OutgoingMessage | MaelstromError;
  /**
   * The node's message to a client as the workload's body. `request` is the client's request it
   * answers (as the client sent it), when it is a reply.
   */
  toClient?(message: Message, request: MaelstromBody | undefined): OutgoingMessage | MaelstromError;
}

/**
 * What an exercise declares (in its `maelstrom.ts`) to run under Maelstrom: the workload, the node
 * factory's export name in the learner's file, and a translation where the messages differ.
 */
export interface MaelstromBinding {
  /** Maelstrom's workload name, as in `maelstrom test -w echo`. */
  readonly workload: string;
  /** The learner's file (one of the exercise's learner files), e.g. `echo.ts`. */
  readonly file: string;
  /** The name under which that file exports its `NodeFactory`, e.g. `createEchoNode`. */
  readonly factory: string;
  /** Absent when the exercise's messages already are the workload's. */
  readonly translation?: MaelstromTranslation;
  /** A suggested `maelstrom test` command line, after `--bin <executable>`, e.g. `--node-count 1 --time-limit 10`. */
  readonly testOptions: string;
}
