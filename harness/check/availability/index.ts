/**
 * Availability checkers: how much of the time a store answered, and what it lost.
 *
 * - {@link checkAvailability}: the ok-fraction (`oks / invokes`, as Maelstrom reports it) per side of a
 *   partition and per time window, with bounds (`availability`).
 * - {@link checkLostWrites}: acknowledged writes missing from the final state (`lost-writes`), as
 *   Jepsen counted them in Elasticsearch and MongoDB.
 * - {@link checkConcurrentOverwrites}: acknowledged writes to a register that a write not after them
 *   replaced (`concurrent-overwrite`): what last-writer-wins loses to concurrent writers.
 * - {@link checkStaleReads}: reads of a register that returned a value an acknowledged write had
 *   replaced before they began (`stale-read`): what a read at consistency level ONE may return.
 *
 * Both return data and a sentence whether or not they pass, so a test can print what it measured.
 *
 * @module
 */
export {
  assertAvailability,
  checkAvailability,
  evenWindows,
  type AvailabilityBound,
  type AvailabilityCell,
  type AvailabilityInput,
  type AvailabilitySide,
  type AvailabilitySummary,
  type AvailabilityVerdict,
  type AvailabilityViolation,
  type AvailabilityWindow,
} from './ok-fraction.ts';
export {
  assertNoLostWrites,
  checkLostWrites,
  type LostWrite,
  type LostWritesInput,
  type LostWritesSummary,
  type LostWritesVerdict,
  type Write,
  type WrittenElement,
} from './lost-writes.ts';
export {
  checkConcurrentOverwrites,
  type ConcurrentOverwrite,
  type ConcurrentOverwritesInput,
  type ConcurrentOverwritesSummary,
  type ConcurrentOverwritesVerdict,
} from './concurrent-overwrites.ts';
export {
  checkStaleReads,
  type RegisterRead,
  type StaleRead,
  type StaleReadsInput,
  type StaleReadsSummary,
  type StaleReadsVerdict,
} from './stale-reads.ts';
