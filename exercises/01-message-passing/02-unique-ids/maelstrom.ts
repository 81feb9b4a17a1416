/**
 * Exercise 1.2 under Maelstrom's `unique-ids` workload. This file is given.
 *
 * The exercise's messages are the workload's (`generate`, and `generate_ok` with an `id`), so there is
 * nothing to translate.
 */
import type { MaelstromBinding } from '#harness/maelstrom';

/** How `npm run kata -- maelstrom unique-ids` runs your node. */
export const maelstrom: MaelstromBinding = {
  workload: 'unique-ids',
  file: 'unique-ids.ts',
  factory: 'createUniqueIdNode',
  testOptions: '--time-limit 30 --rate 1000 --node-count 3 --availability total --nemesis partition',
};
