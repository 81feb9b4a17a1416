/**
 * Exercise 2.1's time server. This file is given: the tests run it as the node `server`
 * (`TIME_SERVER` in protocol.ts), beside the clock-sync nodes.
 *
 * @module
 */
import type { NodeFactory } from '#harness';
import type { TimeResponse } from './protocol.ts';

/** The time server. It answers every `time_request` with its own (perfect) clock. */
export const createTimeServer: NodeFactory = () => ({
  onMessage(ctx, from, message) {
    if (message.type !== 'time_request') return;
    const response: TimeResponse = { type: 'time_response', serverTimeMs: ctx.now() };
    ctx.reply(from, message, response);
  },
});
