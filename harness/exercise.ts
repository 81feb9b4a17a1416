/**
 * Helpers for exercise stubs.
 *
 * @module
 */

/** Thrown by a stub that the learner has not written yet. */
export class NotImplementedError extends Error {
  /** Creates the error: `what` says what to implement, `readme` where the spec is. */
  constructor(what: string, readme: string) {
    super(`Not implemented yet: ${what}. The spec is in ${readme}.`);
    this.name = 'NotImplementedError';
  }
}

/**
 * Marks a part of a stub the learner has to write. Throws a {@link NotImplementedError} that says what
 * to implement and where the spec is; the simulator reports it with the node and the event.
 *
 * ```ts
 * onMessage(ctx, from, message) {
 *   todo('reply to an echo message with echo_ok', 'exercises/01-message-passing/01-echo/README.md');
 * }
 * ```
 */
export function todo(what: string, readme: string): never {
  throw new NotImplementedError(what, readme);
}
