/**
 * Exercise 1.1 under Maelstrom's `echo` workload. This file is given.
 *
 * Maelstrom's echo carries the text in a field named `echo`; this exercise names it `text`. The
 * translation renames it both ways, so your node runs unchanged.
 */
import type { MaelstromBinding } from '#harness/maelstrom';

/** How `npm run kata -- maelstrom echo` runs your node. */
export const maelstrom: MaelstromBinding = {
  workload: 'echo',
  file: 'echo.ts',
  factory: 'createEchoNode',
  testOptions: '--node-count 1 --time-limit 10',
  translation: {
    toNode: (body) => (body.type === 'echo' ? { type: 'echo', text: body.echo } : body),
    toClient: (message) =>
      message.type === 'echo_ok' ? { type: 'echo_ok', echo: (message as { text?: unknown }).text } : message,
  },
};
