/**
 * Exercise 3.5: anti-entropy. A Dynamo-style store that keeps taking writes during a partition: a put
 * whose homes cannot be reached is kept by stand-ins, which hand it back after the heal (hinted
 * handoff), and the homes of each range compare Merkle trees to find and exchange only what differs.
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { todo, type NodeFactory } from '#harness';
// 💡 protocol.ts, next to this file, is given: the settings (REPLICAS, WRITE_QUORUM, STAND_IN_AFTER_MS,
//    QUORUM_TIMEOUT_MS, HANDOFF_INTERVAL_MS, SYNC_INTERVAL_MS, TREE_DEPTH, LEAF_KEYS), compareVersions, the
//    ring (rangeOf, ringFrom, homesOf, rangesOf), hashString, treePathOf, storeKey and STORE_PREFIX, and the
//    messages (PutRequest, ReplicaWrite, Handoff, SyncHashes, SyncEntries, ...). Import them as you need them.

const README = 'exercises/03-replication/05-anti-entropy/README.md';

/** Creates a node: a home of some ranges, a stand-in for others, and a coordinator of the puts sent to it. */
export const createAntiEntropyNode: NodeFactory = (boot) => {
  // 👉 A home keeps its copy of each key as a Versioned under storeKey(key) in storage; a stand-in keeps
  //    its hints in storage too, under names of your own (not under STORE_PREFIX). Memory is lost in a crash.
  void boot;
  return {
    onStart(_ctx) {
      // 👉 Start the two periodic tasks: offering hints to their homes (HANDOFF_INTERVAL_MS) and starting
      //    a Merkle exchange with one other home of one of your ranges (SYNC_INTERVAL_MS).
      // 💡 onStart runs again after every restart: timers do not survive a crash, storage does.
      todo('start the hand-off and anti-entropy timers', README);
    },
    // 💡 The parameters start with `_` only so the compiler accepts them unused: drop the `_` as you use them.
    onMessage(_ctx, _from, _message) {
      // 👉 'put' from a client: send a ReplicaWrite to each of the key's homes; a home that has not confirmed
      //    after STAND_IN_AFTER_MS gets the next stand-in on the ring, sent the write with `hint: home`.
      //    Answer put_ok once WRITE_QUORUM distinct nodes confirmed, or an error after QUORUM_TIMEOUT_MS.
      // 👉 'replica_write': keep it (a home: if newer; a stand-in: as a hint, durably), then confirm.
      // 👉 'handoff': keep it if newer, and answer 'handoff_ok' with the version you now hold.
      //    'handoff_ok': delete the hint, now and not before.
      // 👉 'sync_hashes': for each subtree whose hash differs from yours, answer with your two children's
      //    summaries, or, once either side holds at most LEAF_KEYS keys there, with your entries there
      //    ('sync_entries', reply: true). 'sync_entries': keep each newer entry; to a request, answer with
      //    your entries under those paths that the sender lacks or holds older (reply: false).
      todo('coordinate puts through a sloppy quorum, hand hints back, and answer Merkle exchanges', README);
    },
    onTimer(_ctx, _timer) {
      // 👉 Your timers: call stand-ins for a put, give a put up, offer the hints, start an exchange.
      todo('handle the stand-in, give-up, hand-off and anti-entropy timers', README);
    },
  };
};
