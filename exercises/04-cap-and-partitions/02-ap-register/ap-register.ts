/**
 * Exercise 4.2: an AP register and an AP counter. Every replica answers its clients at once, from its
 * own copy, and the replicas reconcile by gossip: part one is a last-writer-wins register ordered by
 * hybrid logical clocks, part two a PN-counter (a state-based CRDT).
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { todo, type NodeFactory } from '#harness';
// 💡 protocol.ts, next to this file, is given: the client messages (ReadRequest, WriteRequest, AddRequest,
//    ReadOk, WriteOk, AddOk) and GOSSIP_INTERVAL_MS. ../_given/hlc.ts gives the hybrid logical clock:
//    Hlc, INITIAL_HLC, compareHlc, hlcTick and hlcObserve. The messages between replicas are yours to design.

const README = 'exercises/04-cap-and-partitions/02-ap-register/README.md';

/** Part one: a replica of a last-writer-wins register, ordered by hybrid logical clocks. */
export const createLwwRegisterNode: NodeFactory = (boot) => {
  // 👉 The replica's version: a value and the stamp of the write that made it (an HLC timestamp, ties
  //    broken by the node that wrote it). Load it from boot.storage, and start the clock from its stamp.
  void boot;
  return {
    onStart(_ctx) {
      // 👉 Set a timer: every GOSSIP_INTERVAL_MS, send your version to every other replica.
      todo('start gossiping the version every GOSSIP_INTERVAL_MS', README);
    },
    // 💡 The parameters start with `_` only so the compiler accepts them unused: drop the `_` as you use them.
    onMessage(_ctx, _from, _message) {
      // 👉 'read': answer with your version's value. 'write': stamp it with hlcTick(clock, ctx.now()),
      //    keep it (in storage first), answer write_ok. A version from another replica: hlcObserve its
      //    stamp, then keep it if its stamp is newer than yours.
      // 💡 The network may deliver a client's request twice: drop one whose rpcId you have already taken.
      todo('answer reads and writes from your version, and keep the newer of two versions', README);
    },
    onTimer(_ctx, _timer) {
      // 👉 Send your version to every other replica, and set the timer again.
      todo('gossip your version', README);
    },
  };
};

/** Part two: a replica of a PN-counter, a state-based CRDT. */
export const createPnCounterNode: NodeFactory = (boot) => {
  // 👉 The state: for each replica, the sum of the increments and of the decrements made through it.
  //    Load it from boot.storage.
  void boot;
  return {
    onStart(_ctx) {
      todo('start gossiping the counts every GOSSIP_INTERVAL_MS', README);
    },
    onMessage(_ctx, _from, _message) {
      // 👉 'add': add the delta to your own entry (in storage first), answer add_ok. 'read': answer the
      //    increments minus the decrements. Counts from another replica: merge them into yours.
      // 💡 A merge that may run twice, late, or in any order must give the same state: which operation
      //    on two numbers is like that?
      todo('count adds in your own entry, answer reads, and merge the counts you receive', README);
    },
    onTimer(_ctx, _timer) {
      todo('gossip your counts', README);
    },
  };
};
