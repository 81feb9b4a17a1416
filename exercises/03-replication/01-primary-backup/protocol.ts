/**
 * Given code for exercise 3.1: the messages between a primary and its backup, and what the tests read
 * from a server. The stub, the solution and the tests all import them from here. Not yours to edit.
 *
 * ```text
 *   primary ──Transfer { viewnum, n, state }──▶ backup   "here is everything: replace your state"
 *   primary ◀─────────TransferReply { ok }──────── backup
 *   primary ──Forward { viewnum, n, command }──▶ backup   "apply this, then I answer the client"
 *   primary ◀────ForwardReply { ok, output }────── backup
 * ```
 *
 * The view service's messages are in `../_given/view-service.ts`; the clients' messages and the store
 * in `../_given/kv-protocol.ts`.
 *
 * @module
 */
import type { Message, Node, RpcRequest, TimerPayload } from '#harness';
import type { KvCommand, KvOutput, KvState } from '../_given/kv-protocol.ts';
import type { View } from '../_given/view-service.ts';

/**
 * What the primary sends its backup before anything else in a view, and again whenever the backup
 * may have missed something: the whole state. Sent with `ctx.rpc`.
 */
export interface Transfer extends RpcRequest {
  readonly type: 'Transfer';
  /** The view in which the sender is the primary and the receiver the backup. */
  readonly viewnum: number;
  /**
   * The sender numbers every Transfer and Forward it sends in one view 1, 2, 3, ...: a message whose
   * `n` is not above the last one the backup accepted in this view is a late copy, and is refused.
   */
  readonly n: number;
  readonly state: KvState;
}

/** The backup's answer to a {@link Transfer}: `ok` when it replaced its state with the one sent. */
export interface TransferReply extends Message {
  readonly type: 'TransferReply';
  readonly ok: boolean;
}

/** What the primary sends its backup for every client operation, reads included. Sent with `ctx.rpc`. */
export interface Forward extends RpcRequest {
  readonly type: 'Forward';
  /** The view in which the sender is the primary and the receiver the backup. */
  readonly viewnum: number;
  /** As in {@link Transfer}: numbered with it, 1, 2, 3, ... in each view. */
  readonly n: number;
  readonly command: KvCommand;
}

/** The backup's answer to a {@link Forward}: `ok` when it applied the command, with the command's output. */
export type ForwardReply =
  | { readonly type: 'ForwardReply'; readonly ok: true; readonly output: KvOutput }
  | { readonly type: 'ForwardReply'; readonly ok: false };

/** What the tests read from each server (the node instance your factory returns). */
export interface PrimaryBackupServer<Timer extends TimerPayload = TimerPayload> extends Node<Timer> {
  /** The latest view this server has heard of from the view service. */
  readonly view: View;
  /** This server's copy of the store and the client sessions. */
  readonly state: KvState;
}
