/**
 * Epoch checkers: split brain, seen from outside.
 *
 * - {@link checkOnePrimaryPerEpoch}: `one-primary-per-epoch`, at most one node acts as primary (commits,
 *   answers clients) in each epoch.
 *
 * Like the other checkers, a pure function from plain records to a verdict with the same summary
 * whether or not it passed, and an `assert…` twin that throws instead.
 *
 * @module
 */
export {
  assertOnePrimaryPerEpoch,
  checkOnePrimaryPerEpoch,
  type EpochPrimaries,
  type OnePrimaryInput,
  type OnePrimarySummary,
  type OnePrimaryVerdict,
  type PrimaryAct,
  type TwoPrimariesInOneEpoch,
} from './one-primary.ts';
