/**
 * Test support for chapter 2 (not a learner file): the clocks a test gives `simulate`.
 *
 * @module
 */
import type { NodeId } from '#harness';
import type { ClockSettings } from '#harness/testing';

/** Each node's clock, where it differs from a perfect one: `{ n1: { skewMs: 100 } }`. */
export type Clocks = Readonly<Record<NodeId, Partial<ClockSettings>>>;
