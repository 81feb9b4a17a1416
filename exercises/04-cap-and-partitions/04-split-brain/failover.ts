/**
 * Exercise 4.4: failover without split brain. Every node keeps a copy of a key-value store; one of
 * them, the primary, serves the clients. When the primary falls silent, another node takes over, but
 * only for a new epoch that a majority granted it, and a primary answers a client only once a majority
 * accepted the operation in its epoch.
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { todo, type NodeFactory } from '#harness';
import { emptyKvState } from '../../03-replication/_given/kv-protocol.ts';
import { INITIAL_VERSION, type FailoverNode } from './protocol.ts';
// 💡 protocol.ts, next to this file, is given: the messages between nodes (Heartbeat, RequestVote, Vote,
//    Accept, Accepted), the Version type, HEARTBEAT_INTERVAL_MS, ELECTION_TIMEOUT_MS and ACCEPT_TIMEOUT_MS.
//    The clients' KvRequest and KvReply, and execute(state, command), are in ../../03-replication/_given/kv-protocol.ts.

const README = 'exercises/04-cap-and-partitions/04-split-brain/README.md';

/** Creates one node. The simulator calls this at boot and again after every restart. */
export const createFailoverNode: NodeFactory = (boot): FailoverNode => {
  // 👉 Load from boot.storage what must survive a crash: the newest epoch you promised, whom you voted
  //    for in it, and the newest state you accepted with its version. On the very first boot (nothing
  //    stored), every node is in epoch 1, whose primary is boot.nodeIds[0].
  // 💡 A restarted node is never primary: it may have lost what it was doing. It wins a new epoch instead.
  void boot;
  return {
    // 💡 The tests read these four fields: keep them up to date.
    epoch: 1,
    role: 'backup',
    version: INITIAL_VERSION,
    state: emptyKvState(),

    onStart(_ctx) {
      // 👉 The primary starts its heartbeats; every other node starts its election timer.
      todo('start the heartbeats, or the election timer', README);
    },
    // 💡 The parameters start with `_` only so the compiler accepts them unused: drop the `_` as you use them.
    onMessage(_ctx, _from, _message) {
      // 👉 KvRequest: only a primary serves it. Apply it to a copy of your state with execute(), send
      //    the new state to the others in an Accept, and answer only once a majority (you included)
      //    accepted that version in your epoch. Reads too.
      // 👉 Heartbeat, RequestVote, Vote, Accept, Accepted: refuse anything from an older epoch; a newer
      //    epoch makes you a backup at once. Vote for at most one candidate per epoch, and store the vote
      //    before you send it. A candidate that a majority voted for starts from the newest state they hold.
      todo('serve as primary, back up the primary, and vote', README);
    },
    onTimer(_ctx, _timer) {
      // 👉 Election timer: nothing heard from a primary of your epoch for ELECTION_TIMEOUT_MS, so ask to
      //    become the primary of the next epoch. Heartbeat timer: send one. An operation no majority
      //    accepted within ACCEPT_TIMEOUT_MS: answer the client { ok: false, error: 'unavailable' }.
      todo('run for the next epoch, send heartbeats, give up on an operation', README);
    },
  };
};
