/**
 * Exercise 4.3: tunable consistency. Every node keeps a copy of one register and coordinates the reads
 * and writes its clients send it; each request names a consistency level (ONE, QUORUM or ALL), the
 * number of replicas that must answer before the client is answered.
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { todo, type NodeFactory } from '#harness';
// 💡 protocol.ts, next to this file, is given: the client messages (ReadRequest, WriteRequest, ReadOk,
//    WriteOk, ErrorReply) with their `level`, the error codes TEMPORARILY_UNAVAILABLE and TIMEOUT, the
//    Version a replica keeps under VERSION_KEY, its Stamp and compareStamps, REQUEST_TIMEOUT_MS and
//    ANTI_ENTROPY_INTERVAL_MS. ../_given/hlc.ts gives the hybrid logical clock (hlcTick, hlcObserve).
//    The messages between replicas are yours to design: declare them here.

const README = 'exercises/04-cap-and-partitions/03-tunable-consistency/README.md';

/** Creates one replica of the store. The simulator calls this at boot and again after every restart. */
export const createTunableStoreNode: NodeFactory = (boot) => {
  // 👉 The replica's Version: load it from boot.storage under VERSION_KEY (NEVER_WRITTEN if absent).
  //    Keep it there, always: the tests read it to see when the replicas agree.
  void boot;
  return {
    onStart(_ctx) {
      // 👉 Set a timer: every ANTI_ENTROPY_INTERVAL_MS, send your version to every other replica.
      todo('start sending your version to the other replicas every ANTI_ENTROPY_INTERVAL_MS', README);
    },
    // 💡 The parameters start with `_` only so the compiler accepts them unused: drop the `_` as you use them.
    onMessage(_ctx, _from, _message) {
      // 👉 'write' from a client: stamp it { hlc: hlcTick(clock, ctx.now()), node: ctx.id }, keep it
      //    yourself, send it to every other replica, and answer write_ok once the level's number of
      //    replicas keep it (you are one of them). 'read': your version is one answer; ask the others,
      //    and answer read_ok with the NEWEST version once the level's number of replicas answered.
      // 💡 ONE is 1 replica, ALL is every replica in ctx.nodeIds, QUORUM is more than half of them.
      // 👉 Your own messages from other replicas: keep a version only if its stamp is newer (storage
      //    first, then confirm); answer what you hold.
      // 💡 The network may deliver a client's request twice: drop one whose rpcId you have already taken.
      todo('coordinate reads and writes at their consistency level, and answer as a replica', README);
    },
    onTimer(_ctx, _timer) {
      // 👉 A request that too few replicas answered within REQUEST_TIMEOUT_MS: refuse it with an
      //    ErrorReply (TEMPORARILY_UNAVAILABLE for a read; TIMEOUT for a write, which some replica keeps).
      // 👉 The anti-entropy timer: send your version to every other replica, and set the timer again.
      todo('refuse requests that timed out, and send your version to the other replicas', README);
    },
  };
};
