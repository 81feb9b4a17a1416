/**
 * Errors the simulator raises. Each names the node, the event, the virtual time and the seed, and says
 * what to do instead.
 *
 * @module
 */
import type { NodeId } from '../node.ts';

/** What kind of problem stopped a run. */
export type SimulationErrorKind =
  /** A handler (or code it started) threw. */
  | 'handler-threw'
  /** A node asked for something impossible: an unknown node, a bad delay, a payload that cannot be sent. */
  | 'bad-request'
  /** A node used real time, real randomness or real timers, which would break replay. */
  | 'nondeterminism'
  /** A limit was hit: too many events, timers or messages, or virtual time stopped advancing. */
  | 'limit'
  /** A check the test asked for failed. */
  | 'check-failed';

/** Where and when a problem happened. */
export interface SimulationErrorContext {
  readonly kind: SimulationErrorKind;
  /** The node at fault, or `null` when no single node is. */
  readonly node: NodeId | null;
  /** Virtual time (ms) when it happened. */
  readonly atMs: number;
  /** The run's seed. */
  readonly seed: number;
  /** What the node was doing, e.g. `handling message #17 (broadcast) from n1`. */
  readonly during?: string | undefined;
}

/** A run stopped because of a problem. The message is written for the learner who has to fix it. */
export class SimulationError extends Error {
  /** Where and when it happened. */
  readonly context: SimulationErrorContext;

  /** Creates an error; `message` should say what happened and what to do instead. */
  constructor(message: string, context: SimulationErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulationError';
    this.context = context;
  }
}
