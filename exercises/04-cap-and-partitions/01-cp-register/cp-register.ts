/**
 * Exercise 4.1: a CP register on a majority quorum. Every node keeps a copy of one register and
 * coordinates the reads and writes its clients send it; an operation completes only when a majority of
 * the nodes took part, so the minority side of a partition refuses and the majority side serves.
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { todo, type NodeFactory } from '#harness';
// 💡 protocol.ts, next to this file, is given: the client messages (ReadRequest, WriteRequest, ReadOk,
//    WriteOk, ErrorReply), the error codes TEMPORARILY_UNAVAILABLE and TIMEOUT, and QUORUM_TIMEOUT_MS.
//    The messages between nodes are yours to design: declare them here.

const README = 'exercises/04-cap-and-partitions/01-cp-register/README.md';

/** Creates one replica of the register. The simulator calls this at boot and again after every restart. */
export const createCpRegisterNode: NodeFactory = (boot) => {
  // 👉 The replica's copy: a value and a timestamp that orders it among all writes. Load it from
  //    boot.storage: what a replica promised to hold must survive its crash.
  // 💡 A timestamp must be unique per write: a counter, with ties broken by something no other write has.
  void boot;
  return {
    // 💡 The parameters start with `_` only so the compiler accepts them unused: drop the `_` as you use them.
    onMessage(_ctx, _from, _message) {
      // 👉 'read' or 'write' from a client: coordinate it in two rounds, each sent to every node (yourself
      //    included) and done once a majority (more than half of ctx.nodeIds) answered:
      //    1. ask every replica what it holds; 2. send every replica what to keep (for a write, the value
      //    under a timestamp above the newest you heard; for a read, the newest you heard), then answer
      //    the client with ctx.reply(from, message, { type: 'read_ok', value }) or { type: 'write_ok' }.
      // 👉 Your own messages from other nodes: answer what you hold; keep what is newer, in storage, then confirm.
      // 💡 Set a timer when an operation starts: if no majority answered within QUORUM_TIMEOUT_MS, refuse it.
      todo('coordinate reads and writes through a majority, and answer as a replica', README);
    },
    onTimer(_ctx, _timer) {
      // 👉 An operation that no majority answered in time: refuse it with an ErrorReply. Code
      //    TEMPORARILY_UNAVAILABLE promises it did not happen; use TIMEOUT for a write some replica may keep.
      todo('refuse an operation that no majority answered in time', README);
    },
  };
};
