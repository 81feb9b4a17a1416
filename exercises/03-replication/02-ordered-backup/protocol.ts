/**
 * Given code for exercise 3.2: the same messages between a primary and its backup as in exercise 3.1
 * (`Transfer`, `TransferReply`, `Forward`, `ForwardReply`) and the same fields the tests read from a
 * server (`PrimaryBackupServer`). They are defined once, in `../01-primary-backup/protocol.ts`; this
 * file passes them on, so that your file imports them from `./protocol.ts` as before. Not yours to edit.
 *
 * What changes in 3.2 is how the numbers `n` are used: the primary sends Forwards without waiting for
 * the answer to the one before, and the backup applies them in the order of `n`, whatever order they
 * arrive in. A Transfer takes its place in the same numbering: it stands for every operation numbered
 * before it.
 *
 * @module
 */
export type {
  Forward,
  ForwardReply,
  PrimaryBackupServer,
  Transfer,
  TransferReply,
} from '../01-primary-backup/protocol.ts';
